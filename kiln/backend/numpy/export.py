"""Model export for the numpy backend: not supported.

Example:
    >>> try:
    ...     export_model(None, "/tmp/model")
    ... except NotImplementedError:
    ...     print("unsupported")
    unsupported
"""

from kiln.backend.interface import unsupported_error

UNSUPPORTED = {"export_model": "model export (SavedModel/ONNX) is not written yet"}


def export_model(*args, **kwargs):
    """Always raises NotImplementedError: use the jax, tensorflow or torch backend to export."""
    raise unsupported_error("numpy", "export.export_model")
