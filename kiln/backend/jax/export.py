"""JAX backend model export (not supported yet)."""

from kiln.backend.interface import unsupported_error

UNSUPPORTED = {"export_model": "model export (SavedModel/ONNX) is not written yet"}


def export_model(*args, **kwargs):
    raise unsupported_error("jax", "export.export_model")
