"""Element-wise math, bitwise and comparison ops of ``kiln.ops.numpy`` (also ``kiln.ops.<name>``).

This module holds one family of the NumPy-style ops; ``kiln.ops.numpy``
re-exports everything in ``__all__``. Each op forwards to the backend's
``array_math`` module and declares its symbolic shape/dtype rule.
"""

from kiln.backend import current as _backend
from kiln.backend.common import dtypes  # noqa: F401
from kiln.backend.common.keras_tensor import KerasTensor  # noqa: F401
from kiln.ops import shape_rules as rules  # noqa: F401
from kiln.ops.operation import op  # noqa: F401

_array_math = _backend.array_math

__all__ = []
