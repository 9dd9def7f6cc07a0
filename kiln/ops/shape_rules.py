"""Declarative shape/dtype rules used by ops' symbolic paths.

These work on static shapes where ``None`` means "unknown". They raise
ValueError naming the op when shapes cannot work together.

Example:
    >>> broadcast_shapes((None, 3), (1, 3))
    (None, 3)
    >>> reduce_shape((2, 3, 4), axis=1, keepdims=False)
    (2, 4)
"""

from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor


def shape_of(x):
    """Static shape of a KerasTensor, tensor, array or Python scalar/list.

    Example:
        >>> shape_of(3.0), shape_of([[1, 2]])
        ((), (1, 2))
    """
    if isinstance(x, KerasTensor):
        return x.shape
    shape = getattr(x, "shape", None)
    if shape is not None:
        return tuple(None if d is None else int(d) for d in shape)
    if isinstance(x, (list, tuple)):
        import numpy as np

        return np.shape(x)
    return ()


def dtype_of(x):
    """Dtype used for promotion: a dtype name, or the Python type for weak scalars.

    Example:
        >>> dtype_of(1.5) is float
        True
    """
    if isinstance(x, (bool, int, float, complex)):
        return type(x)
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        return dtypes.standardize_dtype(dtype)
    if isinstance(x, (list, tuple)):
        import numpy as np

        kind = np.asarray(x).dtype.kind
        return {"b": bool, "i": int, "u": int, "f": float, "c": complex}.get(kind, float)
    return None


def broadcast_shapes(shape1, shape2, op_name="op"):
    """NumPy broadcasting on static shapes with unknown (None) dimensions.

    Example:
        >>> broadcast_shapes((2, 1), (3,))
        (2, 3)
    """
    shape1, shape2 = tuple(shape1), tuple(shape2)
    rank = max(len(shape1), len(shape2))
    shape1 = (1,) * (rank - len(shape1)) + shape1
    shape2 = (1,) * (rank - len(shape2)) + shape2
    out = []
    for a, b in zip(shape1, shape2):
        if a == 1:
            out.append(b)
        elif b == 1:
            out.append(a)
        elif a is None:
            out.append(b)
        elif b is None or a == b:
            out.append(a)
        else:
            raise ValueError(
                f"{op_name}: shapes {tuple(shape1)} and {tuple(shape2)} cannot be broadcast together"
            )
    return tuple(out)


def canonical_axes(axis, ndim, op_name="op"):
    """Normalize ``axis`` (int, sequence or None) to a sorted tuple of non-negative axes.

    Example:
        >>> canonical_axes(-1, 3), canonical_axes(None, 2)
        ((2,), (0, 1))
    """
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"{op_name}: axis {a} is out of range for a tensor of rank {ndim}")
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(set(out)))


def reduce_shape(shape, axis=None, keepdims=False, op_name="op"):
    """Shape after reducing over ``axis``.

    Example:
        >>> reduce_shape((2, 3), None, keepdims=True)
        (1, 1)
    """
    shape = tuple(shape)
    axes = canonical_axes(axis, len(shape), op_name)
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def conv_output_length(length, kernel_size, stride, padding, dilation=1):
    """Output length of one spatial dimension of a convolution or pooling.

    Example:
        >>> conv_output_length(28, 3, 1, "valid"), conv_output_length(28, 2, 2, "same")
        (26, 14)
    """
    if length is None:
        return None
    effective = (kernel_size - 1) * dilation + 1
    if padding == "same":
        return (length + stride - 1) // stride
    if padding == "valid":
        return (length - effective) // stride + 1
    raise ValueError(f"padding must be 'valid' or 'same', received {padding!r}")


def same_spec(x, dtype=None):
    """A KerasTensor with ``x``'s shape and ``dtype`` (default ``x``'s dtype)."""
    return KerasTensor(shape_of(x), dtype=dtype or dtypes.result_type(dtype_of(x)))


def elementwise_spec(*args, dtype=None, op_name="op"):
    """Broadcast the arguments' shapes; the dtype is promoted unless given.

    Example:
        >>> elementwise_spec(KerasTensor((None, 1)), KerasTensor((4,), "int32")).shape
        (None, 4)
    """
    shape = ()
    for a in args:
        shape = broadcast_shapes(shape, shape_of(a), op_name)
    if dtype is None:
        dtype = dtypes.result_type(*(dtype_of(a) for a in args))
    return KerasTensor(shape, dtype=dtype)
