"""Export for inference: ``ExportArchive`` (TF SavedModel endpoints) and ``Model.export``.

``model.export(path)`` writes a SavedModel whose ``serve`` endpoint is the model's
inference call; ``format="onnx"`` writes an ONNX file. ``ExportArchive`` chooses the
endpoints and variables by hand.

Example:
    >>> import kiln
    >>> kiln.export.ExportArchive.__name__
    'ExportArchive'
"""

from kiln.export.saved_model import ExportArchive
