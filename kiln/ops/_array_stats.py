"""Statistics, nan-reductions, sorting, searching and set ops of ``kiln.ops.numpy`` (also ``kiln.ops.<name>``).

This module holds one family of the NumPy-style ops; ``kiln.ops.numpy``
re-exports everything in ``__all__``. Each op forwards to the backend's
``array_stats`` module and declares its symbolic shape/dtype rule.
"""

from kiln.backend import current as _backend
from kiln.backend.common import dtypes  # noqa: F401
from kiln.backend.common.keras_tensor import KerasTensor  # noqa: F401
from kiln.ops import shape_rules as rules  # noqa: F401
from kiln.ops.operation import op  # noqa: F401

_array_stats = _backend.array_stats

__all__ = []
