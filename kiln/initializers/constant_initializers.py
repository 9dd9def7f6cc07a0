"""Deterministic initializers: ``Zeros``, ``Ones``, ``Constant``, ``Identity``.

Example:
    >>> import kiln
    >>> kiln.ops.convert_to_numpy(Constant(3.0)((2,))).tolist()
    [3.0, 3.0]
"""

from kiln import ops
from kiln.backend.common import dtypes
from kiln.initializers.initializer import Initializer


def _dtype(dtype):
    return dtypes.standardize_dtype(dtype)


class Zeros(Initializer):
    """All zeros.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(Zeros()((2,))).tolist()
        [0.0, 0.0]
    """

    def __call__(self, shape, dtype=None):
        return ops.zeros(tuple(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(Ones()((1, 2))).tolist()
        [[1.0, 1.0]]
    """

    def __call__(self, shape, dtype=None):
        return ops.ones(tuple(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Every element equal to ``value`` (a scalar).

    Example:
        >>> Constant(0.5).get_config()
        {'value': 0.5}
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return ops.full(tuple(shape), self.value, dtype=_dtype(dtype))

    def get_config(self):
        value = self.value
        if hasattr(value, "tolist"):
            value = value.tolist()
        return {"value": value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2D shapes only).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(Identity(2.0)((2, 2))).tolist()
        [[2.0, 0.0], [0.0, 2.0]]
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError(
                f"Identity initializer: only 2D shapes are supported, received shape={shape}"
            )
        dtype = _dtype(dtype)
        return ops.multiply(ops.eye(shape[0], shape[1], dtype=dtype), ops.cast(self.gain, dtype))

    def get_config(self):
        return {"gain": self.gain}
