"""JAX backend model export (not supported yet)."""

from kiln.backend.interface import unsupported_error


def export_model(*args, **kwargs):
    raise unsupported_error("jax", "export.export_model")
