"""Model export on numpy: no converter runs in this process.

NumPy code cannot be traced into a graph, so ``kiln.export`` writes every format
from the model rebuilt on another backend in a subprocess (``tf_saved_model`` on
tensorflow, ``onnx`` on torch); the model must be serializable (``model.save``).

Example:
    >>> FORMATS
    ()
"""

# Formats this backend writes in the running process: none.
FORMATS = ()

UNSUPPORTED = {"export_model": "NumPy code cannot be traced: kiln.export rebuilds the model on "
                               "tensorflow (tf_saved_model) or torch (onnx) in a subprocess"}


def export_model(model, filepath, format="tf_saved_model", input_signature=None, **kwargs):
    """Always raises NotImplementedError: kiln.export rebuilds the model on another backend."""
    raise NotImplementedError(
        f"export.export_model: the numpy backend cannot convert a model to format={format!r} "
        "in-process; Model.export rebuilds it on the tensorflow (tf_saved_model) or torch (onnx) "
        "backend instead."
    )
