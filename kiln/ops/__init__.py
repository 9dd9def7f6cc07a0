"""``kiln.ops``: the backend-neutral op library (NumPy API, neural-network ops, math, linalg, image).

Every op is callable on backend tensors (it runs eagerly on the active
backend) and on :class:`~kiln.KerasTensor` placeholders (it infers the output
shape and dtype and records a graph node). Submodules group them as Keras
does: ``kiln.ops.numpy``, ``kiln.ops.nn``, ``kiln.ops.math``,
``kiln.ops.core``, ``kiln.ops.linalg``, ``kiln.ops.image``; every op is also
available directly as ``kiln.ops.<name>``.

Example:
    >>> import kiln
    >>> kiln.ops.convert_to_numpy(kiln.ops.softmax(kiln.ops.zeros((2,)))).tolist()
    [0.5, 0.5]
"""

from kiln.ops import core, einops, image, linalg, math, nn, numpy  # noqa: F401
from kiln.ops.operation import Operation  # noqa: F401

# Every op is also ``kiln.ops.<name>``: each submodule lists its public ops in ``__all__``.
for _module in (core, numpy, math, nn, linalg, image, einops):
    for _name in _module.__all__:
        globals()[_name] = getattr(_module, _name)
del _module, _name
