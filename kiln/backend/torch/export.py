"""Torch backend: model export (not supported yet)."""

from kiln.backend.interface import unsupported_error


def export_model(*args, **kwargs):
    """Not supported on the torch backend yet."""
    raise unsupported_error("torch", "export.export_model")
