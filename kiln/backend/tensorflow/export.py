"""Model export on TensorFlow (SavedModel): not available yet.

Example:
    >>> export_model(None, "path")  # doctest: +SKIP
"""

from kiln.backend.interface import unsupported_error

UNSUPPORTED = {"export_model": "model export (SavedModel/ONNX) is not written yet"}


def export_model(*args, **kwargs):
    """Not supported yet on this backend: raises NotImplementedError."""
    raise unsupported_error("tensorflow", "export.export_model")
