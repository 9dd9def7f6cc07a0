"""NumPy-style ops on ``np.ndarray`` with Kiln's (JAX-like, 32-bit default) dtype rules.

Binary ops promote with ``kiln.backend.common.dtypes.result_type`` (Python
scalars are weak); ops that always produce floats turn int/bool inputs into
``floatx()``; contractions and reductions on float16/bfloat16 run in float32
and cast back.

Example:
    >>> import numpy as np
    >>> add(np.array([1, 2], dtype="int8"), 3).dtype.name
    'int8'
    >>> sqrt(np.array([4])).dtype.name
    'float32'
"""

import builtins

import numpy as np

from kiln.backend.common import dtypes
from kiln.backend.numpy.core import (
    BOOL,
    FLOAT32,
    HALF_NP,
    INT32,
    as_array,
    cast,
    convert_to_tensor,
    floatx_np,
    np_dtype,
    promote,
    promote_float,
    to_float,
)

# Sums/products of small integers accumulate as in JAX: signed and bool in int32, unsigned in uint32.
_SUM_DTYPES = {np.dtype(n): np.dtype("int32") for n in ("bool", "int8", "int16")}
_SUM_DTYPES.update({np.dtype(n): np.dtype("uint32") for n in ("uint8", "uint16")})
_BOOL_ONLY = {np.dtype("bool"): np.dtype("int32")}


def _axis(axis):
    if axis is None or type(axis) is int:
        return axis
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return int(axis)


def _shape_arg(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    if isinstance(shape, np.ndarray):
        return tuple(int(d) for d in shape.reshape(-1))
    return tuple(int(d) for d in shape)


# ---------------------------------------------------------------------------
# elementwise binary
# ---------------------------------------------------------------------------
_BF16 = np_dtype("bfloat16")


def _pair(x1, x2, arrays=False):
    """``promote`` the operands; a Python scalar left beside a bfloat16 array (which NumPy
    would widen to float32) or, with ``arrays``, beside any array becomes a 0-d array."""
    x1, x2 = promote(x1, x2)
    if type(x1) is np.ndarray:
        if type(x2) is not np.ndarray and (arrays or x1.dtype == _BF16):
            x2 = np.asarray(x2, x1.dtype)
    elif arrays or x2.dtype == _BF16:
        x1 = np.asarray(x1, x2.dtype)
    return x1, x2


def _binary(ufunc, name):
    def op(x1, x2):
        x1, x2 = _pair(x1, x2)
        return as_array(ufunc(x1, x2))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Elementwise ``{name}`` with Kiln dtype promotion.\n\n"
                  f"Example:\n    >>> {name}(np.array([4, 6]), 2).dtype.name\n    'int64'\n")
    return op


add = _binary(np.add, "add")
multiply = _binary(np.multiply, "multiply")


def subtract(x1, x2):
    """Elementwise ``x1 - x2`` with Kiln dtype promotion (bool operands are refused).

    Example:
        >>> subtract(np.array([4, 6], dtype="int8"), 2).tolist()
        [2, 4]
    """
    x1, x2 = _pair(x1, x2)
    if (x1 if type(x1) is np.ndarray else x2).dtype == BOOL:
        raise TypeError("subtract: boolean subtraction is not supported; use logical_xor or cast to "
                        "an integer dtype first")
    return as_array(np.subtract(x1, x2))


def _int_binary(ufunc, name):
    # NumPy computes these on bool operands in int8; Kiln (like JAX) uses int32.
    def op(x1, x2):
        x1, x2 = _pair(x1, x2, arrays=True)
        if x1.dtype == BOOL:
            x1, x2 = x1.astype(INT32), x2.astype(INT32)
        return as_array(ufunc(x1, x2))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Elementwise ``{name}`` with Kiln dtype promotion (bool gives int32).\n\n"
                  f"Example:\n    >>> {name}(np.array([4, 6]), 2).dtype.name\n    'int64'\n")
    return op


floor_divide = _int_binary(np.floor_divide, "floor_divide")
mod = _int_binary(np.mod, "mod")
power = _int_binary(np.power, "power")
maximum = _binary(np.maximum, "maximum")
minimum = _binary(np.minimum, "minimum")


def _compare(ufunc, name):
    def op(x1, x2):
        x1, x2 = _pair(x1, x2)
        return as_array(ufunc(x1, x2))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Elementwise ``{name}``; returns bool.\n\n"
                  f"Example:\n    >>> {name}(np.array([1, 2]), 2).dtype.name\n    'bool'\n")
    return op


equal = _compare(np.equal, "equal")
not_equal = _compare(np.not_equal, "not_equal")
less = _compare(np.less, "less")
less_equal = _compare(np.less_equal, "less_equal")
greater = _compare(np.greater, "greater")
greater_equal = _compare(np.greater_equal, "greater_equal")


def divide(x1, x2):
    """True division; int/bool operands give floatx.

    Example:
        >>> divide(np.array([1], dtype="int32"), 2).tolist()
        [0.5]
    """
    x1, x2 = promote_float(x1, x2)
    return as_array(np.true_divide(x1, x2))


true_divide = divide


def _bool(x):
    x = convert_to_tensor(x)
    return x if x.dtype == BOOL else x.astype(BOOL)


def logical_and(x1, x2):
    """Elementwise logical and (bool result).

    Example:
        >>> logical_and(np.array([1, 0]), True).tolist()
        [True, False]
    """
    return as_array(np.logical_and(_bool(x1), _bool(x2)))


def logical_or(x1, x2):
    """Elementwise logical or (bool result).

    Example:
        >>> logical_or(np.array([1, 0]), False).tolist()
        [True, False]
    """
    return as_array(np.logical_or(_bool(x1), _bool(x2)))


def logical_not(x):
    """Elementwise logical not (bool result).

    Example:
        >>> logical_not(np.array([1, 0])).tolist()
        [False, True]
    """
    return as_array(np.logical_not(_bool(x)))


# ---------------------------------------------------------------------------
# elementwise unary
# ---------------------------------------------------------------------------
def _same_unary(ufunc, name):
    def op(x):
        return as_array(ufunc(convert_to_tensor(x)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Elementwise ``{name}``; keeps the dtype.\n\n"
                  f"Example:\n    >>> {name}(np.array([-1.5], dtype='float32')).dtype.name\n"
                  f"    'float32'\n")
    return op


def _float_unary(ufunc, name):
    def op(x):
        return as_array(ufunc(to_float(x)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"Elementwise ``{name}``; int/bool inputs give floatx.\n\n"
                  f"Example:\n    >>> {name}(np.array([1])).dtype.name\n    'float32'\n")
    return op


def negative(x):
    """Elementwise ``-x``; bool is refused.

    Example:
        >>> negative(np.array([1, -2], dtype="int8")).tolist()
        [-1, 2]
    """
    x = convert_to_tensor(x)
    if x.dtype == BOOL:
        raise TypeError("negative: not defined for boolean tensors; use logical_not")
    return as_array(np.negative(x))


abs = _same_unary(np.abs, "abs")
sign = _same_unary(np.sign, "sign")
sqrt = _float_unary(np.sqrt, "sqrt")
exp = _float_unary(np.exp, "exp")
log = _float_unary(np.log, "log")
log1p = _float_unary(np.log1p, "log1p")
expm1 = _float_unary(np.expm1, "expm1")
sin = _float_unary(np.sin, "sin")
cos = _float_unary(np.cos, "cos")
tan = _float_unary(np.tan, "tan")
tanh = _float_unary(np.tanh, "tanh")
sinh = _float_unary(np.sinh, "sinh")
cosh = _float_unary(np.cosh, "cosh")
arctan = _float_unary(np.arctan, "arctan")
floor = _float_unary(np.floor, "floor")
ceil = _float_unary(np.ceil, "ceil")
reciprocal = _float_unary(np.reciprocal, "reciprocal")


def square(x):
    """Elementwise square; bool gives int32.

    Example:
        >>> square(np.array([True])).dtype.name
        'int32'
    """
    x = convert_to_tensor(x)
    if x.dtype == BOOL:
        x = x.astype(INT32)
    return as_array(np.square(x))


def round(x, decimals=0):
    """Round half to even to ``decimals`` places; keeps the dtype.

    Example:
        >>> round(np.array([0.5, 1.5, 2.26]), 1).tolist()
        [0.5, 1.5, 2.3]
    """
    x = convert_to_tensor(x)
    if x.dtype in HALF_NP:
        return np.round(x.astype(FLOAT32), decimals).astype(x.dtype)
    return as_array(np.round(x, decimals))


def isnan(x):
    """Elementwise NaN test (bool; always False for ints).

    Example:
        >>> isnan(np.array([np.nan, 1.0])).tolist()
        [True, False]
    """
    x = convert_to_tensor(x)
    if x.dtype.kind in "iub":
        return np.zeros(x.shape, dtype=BOOL)
    return as_array(np.isnan(x))


def isfinite(x):
    """Elementwise finiteness test (bool; always True for ints).

    Example:
        >>> isfinite(np.array([np.inf, 1.0])).tolist()
        [False, True]
    """
    x = convert_to_tensor(x)
    if x.dtype.kind in "iub":
        return np.ones(x.shape, dtype=BOOL)
    return as_array(np.isfinite(x))


def isinf(x):
    """Elementwise infinity test (bool; always False for ints).

    Example:
        >>> isinf(np.array([np.inf, 1.0])).tolist()
        [True, False]
    """
    x = convert_to_tensor(x)
    if x.dtype.kind in "iub":
        return np.zeros(x.shape, dtype=BOOL)
    return as_array(np.isinf(x))


def clip(x, x_min, x_max):
    """Clip values to ``[x_min, x_max]``; bool gives int32.

    Example:
        >>> clip(np.array([1, 5, 9], dtype="int8"), 2, 6).tolist()
        [2, 5, 6]
    """
    x = convert_to_tensor(x)
    if x.dtype == BOOL:
        x = x.astype(INT32)
    x, x_min, x_max = promote(x, x_min, x_max)
    out = np.clip(x, x_min, x_max)
    # np.clip computes bfloat16 (an ml_dtypes type) in float32: keep the promoted dtype.
    return as_array(out if out.dtype == x.dtype else out.astype(x.dtype))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace NaN/inf by ``nan``/``posinf``/``neginf`` (default: the dtype's extremes).

    Example:
        >>> nan_to_num(np.array([np.nan, np.inf], dtype="float32"))[0].item()
        0.0
    """
    x = convert_to_tensor(x)
    if x.dtype.kind in "iub":
        return x
    if x.dtype.name == "bfloat16":
        import ml_dtypes

        info = ml_dtypes.finfo(x.dtype)
        posinf = float(info.max) if posinf is None else posinf
        neginf = float(info.min) if neginf is None else neginf
        out = np.nan_to_num(x.astype(FLOAT32), nan=nan, posinf=posinf, neginf=neginf)
        return out.astype(x.dtype)
    return as_array(np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf))


# ---------------------------------------------------------------------------
# contractions
# ---------------------------------------------------------------------------
_INT8 = np.dtype("int8")


def _contract_dtypes(operands):
    """Promote operands; return (compute operands, result dtype)."""
    all_int8 = builtins.all(getattr(o, "dtype", None) == _INT8 for o in operands)
    operands = promote(*operands)
    result = operands[0].dtype
    if result in HALF_NP:
        return [o.astype(FLOAT32) for o in operands], result
    if all_int8:
        # As in Keras, int8 x int8 products accumulate in (and return) int32.
        return [o.astype(INT32) for o in operands], INT32
    return operands, result


def matmul(x1, x2):
    """Matrix product with broadcasting (int8 x int8 gives int32).

    Example:
        >>> matmul(np.ones((2, 3)), np.ones((3, 4))).shape
        (2, 4)
    """
    (x1, x2), result = _contract_dtypes((x1, x2))
    if x1.ndim == 0 or x2.ndim == 0:
        raise ValueError(
            f"matmul: operands must have rank >= 1, received shapes {x1.shape} and {x2.shape}"
        )
    return cast(as_array(np.matmul(x1, x2)), result)


def dot(x1, x2):
    """``np.dot`` semantics (scalars multiply, 1-D inner product, N-D sum-product).

    Example:
        >>> dot(np.array([1.0, 2.0]), np.array([3.0, 4.0])).item()
        11.0
    """
    (x1, x2), result = _contract_dtypes((x1, x2))
    return cast(as_array(np.dot(x1, x2)), result)


def tensordot(x1, x2, axes=2):
    """Sum-product over ``axes`` (an int or a pair of axis lists).

    Example:
        >>> tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
        (2, 4)
    """
    (x1, x2), result = _contract_dtypes((x1, x2))
    if not isinstance(axes, int):
        axes = [[int(a) for a in np.atleast_1d(ax)] for ax in axes]
    return cast(as_array(np.tensordot(x1, x2, axes)), result)


def outer(x1, x2):
    """Outer product of the flattened operands.

    Example:
        >>> outer(np.array([1, 2]), np.array([1, 2, 3])).shape
        (2, 3)
    """
    x1, x2 = promote(x1, x2)
    return as_array(np.outer(x1, x2))


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation (int8 operands accumulate in int32).

    Example:
        >>> einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4))).shape
        (2, 4)
    """
    operands, result = _contract_dtypes(operands)
    if len(operands) >= 2:
        kwargs.setdefault("optimize", True)
    return cast(as_array(np.einsum(subscripts, *operands, **kwargs)), result)


# ---------------------------------------------------------------------------
# shape manipulation
# ---------------------------------------------------------------------------
def reshape(x, newshape):
    """Reshape (one dimension may be -1).

    Example:
        >>> reshape(np.arange(6), (2, -1)).shape
        (2, 3)
    """
    x = convert_to_tensor(x)
    newshape = _shape_arg(newshape)
    try:
        return x.reshape(newshape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
            f"into shape {newshape}"
        ) from None


def transpose(x, axes=None):
    """Permute axes (reverse them when ``axes`` is None).

    Example:
        >>> transpose(np.zeros((2, 3, 4)), (2, 0, 1)).shape
        (4, 2, 3)
    """
    x = convert_to_tensor(x)
    return np.transpose(x, None if axes is None else _axis(axes))


def concatenate(xs, axis=0):
    """Join tensors along an existing axis (dtypes promoted).

    Example:
        >>> concatenate([np.zeros((1, 2)), np.ones((2, 2))]).shape
        (3, 2)
    """
    xs = promote(*xs) if len(xs) > 1 else [convert_to_tensor(xs[0])]
    return np.concatenate(xs, axis=_axis(axis))


def stack(x, axis=0):
    """Join tensors along a new axis (dtypes promoted).

    Example:
        >>> stack([np.zeros(2), np.ones(2)], axis=1).shape
        (2, 2)
    """
    xs = promote(*x) if len(x) > 1 else [convert_to_tensor(x[0])]
    return np.stack(xs, axis=int(axis))


def split(x, indices_or_sections, axis=0):
    """Split into equal sections or at the given indices; returns a list.

    Example:
        >>> [p.shape for p in split(np.zeros(6), 3)]
        [(2,), (2,), (2,)]
    """
    x = convert_to_tensor(x)
    if not isinstance(indices_or_sections, (int, np.integer)):
        indices_or_sections = [int(i) for i in np.asarray(indices_or_sections).reshape(-1)]
    return np.split(x, indices_or_sections, axis=int(axis))


def expand_dims(x, axis):
    """Insert size-1 axes at ``axis`` (an int or a tuple).

    Example:
        >>> expand_dims(np.zeros((2,)), (0, 2)).shape
        (1, 2, 1)
    """
    return np.expand_dims(convert_to_tensor(x), _axis(axis))


def squeeze(x, axis=None):
    """Remove size-1 axes (only those in ``axis`` when given).

    Example:
        >>> squeeze(np.zeros((1, 2, 1))).shape
        (2,)
    """
    x = convert_to_tensor(x)
    axis = _axis(axis)
    if axis is not None:
        for a in (axis,) if isinstance(axis, int) else axis:
            if x.shape[a] != 1:
                raise ValueError(
                    f"squeeze: cannot squeeze axis {a} of a tensor of shape {x.shape}: "
                    f"its size is {x.shape[a]}, expected 1"
                )
    return np.squeeze(x, axis=axis)


def moveaxis(x, source, destination):
    """Move axes to new positions.

    Example:
        >>> moveaxis(np.zeros((2, 3, 4)), 0, -1).shape
        (3, 4, 2)
    """
    return np.moveaxis(convert_to_tensor(x), _axis(source), _axis(destination))


def swapaxes(x, axis1, axis2):
    """Swap two axes.

    Example:
        >>> swapaxes(np.zeros((2, 3)), 0, 1).shape
        (3, 2)
    """
    return np.swapaxes(convert_to_tensor(x), int(axis1), int(axis2))


def ravel(x):
    """Flatten to 1-D.

    Example:
        >>> ravel(np.zeros((2, 3))).shape
        (6,)
    """
    return np.ravel(convert_to_tensor(x))


def broadcast_to(x, shape):
    """Broadcast to ``shape`` (a read-only view).

    Example:
        >>> broadcast_to(np.ones(3), (2, 3)).shape
        (2, 3)
    """
    return np.broadcast_to(convert_to_tensor(x), _shape_arg(shape))


def tile(x, repeats):
    """Repeat the whole tensor ``repeats`` times along each axis.

    Example:
        >>> tile(np.array([1, 2]), 2).tolist()
        [1, 2, 1, 2]
    """
    if not isinstance(repeats, (int, np.integer)):
        repeats = [int(r) for r in np.asarray(repeats).reshape(-1)]
    return np.tile(convert_to_tensor(x), repeats)


def repeat(x, repeats, axis=None):
    """Repeat each element (flattening first when ``axis`` is None).

    Example:
        >>> repeat(np.array([1, 2]), 2).tolist()
        [1, 1, 2, 2]
    """
    if not isinstance(repeats, (int, np.integer)):
        repeats = convert_to_tensor(repeats)
    return np.repeat(convert_to_tensor(x), repeats, axis=None if axis is None else int(axis))


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad with ``np.pad`` modes; ``constant_values`` only for mode "constant".

    Example:
        >>> pad(np.ones((1,)), [[1, 2]]).tolist()
        [0.0, 1.0, 0.0, 0.0]
    """
    x = convert_to_tensor(x)
    pad_width = np.asarray(pad_width, dtype=np.int64)
    if mode == "constant":
        value = 0 if constant_values is None else constant_values
        return np.pad(x, pad_width, mode="constant", constant_values=value)
    if constant_values is not None:
        raise ValueError(
            f"pad: `constant_values` can only be used with mode='constant', received mode={mode!r}"
        )
    valid = ("edge", "linear_ramp", "maximum", "mean", "median", "minimum", "reflect",
             "symmetric", "wrap", "empty")
    if mode not in valid:
        raise ValueError(f"pad: unknown mode {mode!r}; expected 'constant' or one of {valid}")
    return np.pad(x, pad_width, mode=mode)


def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None).

    Example:
        >>> flip(np.array([1, 2, 3])).tolist()
        [3, 2, 1]
    """
    return np.flip(convert_to_tensor(x), axis=_axis(axis))


def tril(x, k=0):
    """Lower triangle (zeros above diagonal ``k``).

    Example:
        >>> tril(np.ones((2, 2))).tolist()
        [[1.0, 0.0], [1.0, 1.0]]
    """
    return np.tril(convert_to_tensor(x), int(k))


def triu(x, k=0):
    """Upper triangle (zeros below diagonal ``k``).

    Example:
        >>> triu(np.ones((2, 2))).tolist()
        [[1.0, 1.0], [0.0, 1.0]]
    """
    return np.triu(convert_to_tensor(x), int(k))


def unstack(x, num=None, axis=0):
    """Split along ``axis`` into a list of tensors of rank one less.

    Example:
        >>> len(unstack(np.zeros((3, 2))))
        3
    """
    x = convert_to_tensor(x)
    axis = int(axis)
    if num is not None and num != x.shape[axis]:
        raise ValueError(
            f"unstack: num={num} does not match the size {x.shape[axis]} of axis {axis}"
        )
    x = np.moveaxis(x, axis, 0)
    return [x[i] for i in range(x.shape[0])]


# ---------------------------------------------------------------------------
# gathering / selection
# ---------------------------------------------------------------------------
def _int_indices(indices):
    indices = convert_to_tensor(indices)
    if indices.dtype.kind not in "iu":
        if indices.dtype.kind == "b":
            raise ValueError("take: indices must be integers, received a bool tensor")
        indices = indices.astype(INT32)
    return indices


def take(x, indices, axis=None):
    """Gather entries of ``x`` at ``indices`` along ``axis`` (flattened when None).

    Negative indices count from the end.

    Example:
        >>> take(np.array([10, 20, 30]), [2, -1]).tolist()
        [30, 30]
    """
    x = convert_to_tensor(x)
    return as_array(np.take(x, _int_indices(indices), axis=None if axis is None else int(axis)))


def take_along_axis(x, indices, axis=None):
    """Gather values at ``indices`` matching along ``axis`` (``np.take_along_axis``).

    Example:
        >>> take_along_axis(np.array([[1, 2], [3, 4]]), np.array([[1], [0]]), 1).tolist()
        [[2], [3]]
    """
    x = convert_to_tensor(x)
    indices = _int_indices(indices)
    if axis is None:
        return np.take_along_axis(x.reshape(-1), indices.reshape(-1), axis=0)
    axis = int(axis)
    # Broadcast the non-axis dimensions of x and indices against each other.
    nd = builtins.max(x.ndim, indices.ndim)
    x = x.reshape((1,) * (nd - x.ndim) + x.shape)
    indices = indices.reshape((1,) * (nd - indices.ndim) + indices.shape)
    axis = axis % nd
    x_shape, i_shape = list(x.shape), list(indices.shape)
    x_shape[axis] = i_shape[axis] = 1
    common = np.broadcast_shapes(tuple(x_shape), tuple(i_shape))
    x = np.broadcast_to(x, common[:axis] + (x.shape[axis],) + common[axis + 1:])
    indices = np.broadcast_to(indices, common[:axis] + (indices.shape[axis],) + common[axis + 1:])
    return np.take_along_axis(x, indices, axis=axis)


def where(condition, x1=None, x2=None):
    """Select from ``x1`` where ``condition`` else ``x2``; alone, the nonzero indices.

    Example:
        >>> where(np.array([True, False]), 1.0, 2.0).tolist()
        [1.0, 2.0]
    """
    condition = _bool(condition)
    if x1 is None and x2 is None:
        return tuple(i.astype(INT32) for i in np.nonzero(condition))
    if x1 is None or x2 is None:
        raise ValueError("where: `x1` and `x2` must both be given or both be None")
    x1, x2 = promote(x1, x2)
    return as_array(np.where(condition, x1, x2))


# ---------------------------------------------------------------------------
# sorting / scans
# ---------------------------------------------------------------------------
def sort(x, axis=-1):
    """Sorted copy along ``axis`` (flattened when None).

    Example:
        >>> sort(np.array([3, 1, 2])).tolist()
        [1, 2, 3]
    """
    return np.sort(convert_to_tensor(x), axis=_axis(axis))


def argsort(x, axis=-1):
    """Indices (int32) that sort ``x`` along ``axis``; stable.

    Example:
        >>> argsort(np.array([3, 1, 2])).tolist()
        [1, 2, 0]
    """
    x = convert_to_tensor(x)
    if x.dtype.name == "bfloat16":
        x = x.astype(FLOAT32)
    return np.argsort(x, axis=_axis(axis), kind="stable").astype(INT32)


def _accumulate_dtype(x, dtype, small_ints=_SUM_DTYPES):
    if dtype is not None:
        return np_dtype(dtype)
    return small_ints.get(x.dtype, x.dtype)


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum (flattened when ``axis`` is None); bool gives int32.

    Example:
        >>> cumsum(np.array([True, True])).tolist()
        [1, 2]
    """
    x = convert_to_tensor(x)
    target = _accumulate_dtype(x, dtype, _BOOL_ONLY)
    compute = FLOAT32 if target in HALF_NP else target
    return cast(np.cumsum(x, axis=_axis(axis), dtype=compute), target)


def cumprod(x, axis=None, dtype=None):
    """Cumulative product (flattened when ``axis`` is None); bool gives int32.

    Example:
        >>> cumprod(np.array([1, 2, 3])).tolist()
        [1, 2, 6]
    """
    x = convert_to_tensor(x)
    target = _accumulate_dtype(x, dtype, _BOOL_ONLY)
    compute = FLOAT32 if target in HALF_NP else target
    return cast(np.cumprod(x, axis=_axis(axis), dtype=compute), target)


# ---------------------------------------------------------------------------
# reductions
# ---------------------------------------------------------------------------
def sum(x, axis=None, keepdims=False):
    """Sum over ``axis``; bool/int8/int16 give int32, uint8/uint16 give uint32.

    Example:
        >>> sum(np.array([True, True])).dtype.name
        'int32'
    """
    x = convert_to_tensor(x)
    dtype = x.dtype
    if dtype in _SUM_DTYPES:
        return as_array(np.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=_SUM_DTYPES[dtype]))
    if dtype in HALF_NP:
        return as_array(np.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=FLOAT32)).astype(dtype)
    # dtype= keeps int32/uint32 from widening to the platform integer.
    return as_array(np.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=dtype))


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis``; small ints accumulate as in :func:`sum` unless ``dtype`` is given.

    Example:
        >>> prod(np.array([2, 3], dtype="int8")).dtype.name
        'int32'
    """
    x = convert_to_tensor(x)
    target = _accumulate_dtype(x, dtype)
    compute = FLOAT32 if target in HALF_NP else target
    return cast(as_array(np.prod(x, axis=_axis(axis), keepdims=keepdims, dtype=compute)), target)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis``; int/bool give floatx; half floats accumulate in float32.

    Example:
        >>> mean(np.array([1, 2])).item()
        1.5
    """
    x = convert_to_tensor(x)
    target = x.dtype if x.dtype.kind in "fc" or x.dtype in HALF_NP else floatx_np()
    compute = FLOAT32 if target in HALF_NP else target
    return cast(as_array(np.mean(x, axis=_axis(axis), keepdims=keepdims, dtype=compute)), target)


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis`` (float result).

    Example:
        >>> var(np.array([1.0, 3.0])).item()
        1.0
    """
    x = convert_to_tensor(x)
    target = x.dtype if x.dtype.kind in "fc" or x.dtype in HALF_NP else floatx_np()
    compute = FLOAT32 if target in HALF_NP else target
    out = np.var(x.astype(compute, copy=False), axis=_axis(axis), keepdims=keepdims)
    return cast(as_array(out), target)


def std(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis`` (float result).

    Example:
        >>> std(np.array([1.0, 3.0])).item()
        1.0
    """
    x = convert_to_tensor(x)
    target = x.dtype if x.dtype.kind in "fc" or x.dtype in HALF_NP else floatx_np()
    compute = FLOAT32 if target in HALF_NP else target
    out = np.std(x.astype(compute, copy=False), axis=_axis(axis), keepdims=keepdims)
    return cast(as_array(out), target)


def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over ``axis`` (``initial`` is a lower bound, needed for empty inputs).

    Example:
        >>> max(np.array([1, 5, 3])).item()
        5
    """
    x = convert_to_tensor(x)
    if initial is None:
        if x.size == 0 and (axis is None or builtins.any(
                x.shape[a] == 0 for a in np.atleast_1d(_axis(axis)))):
            raise ValueError(f"max: cannot reduce an empty tensor of shape {x.shape} without "
                             "`initial`")
        return as_array(np.max(x, axis=_axis(axis), keepdims=keepdims))
    return as_array(np.max(x, axis=_axis(axis), keepdims=keepdims, initial=initial))


def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over ``axis`` (``initial`` is an upper bound, needed for empty inputs).

    Example:
        >>> min(np.array([1, 5, 3])).item()
        1
    """
    x = convert_to_tensor(x)
    if initial is None:
        if x.size == 0 and (axis is None or builtins.any(
                x.shape[a] == 0 for a in np.atleast_1d(_axis(axis)))):
            raise ValueError(f"min: cannot reduce an empty tensor of shape {x.shape} without "
                             "`initial`")
        return as_array(np.min(x, axis=_axis(axis), keepdims=keepdims))
    return as_array(np.min(x, axis=_axis(axis), keepdims=keepdims, initial=initial))


def all(x, axis=None, keepdims=False):
    """True where every element along ``axis`` is truthy.

    Example:
        >>> all(np.array([1, 0])).item()
        False
    """
    return as_array(np.all(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims))


def any(x, axis=None, keepdims=False):
    """True where some element along ``axis`` is truthy.

    Example:
        >>> any(np.array([1, 0])).item()
        True
    """
    return as_array(np.any(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims))


def argmax(x, axis=None, keepdims=False):
    """Index (int32) of the maximum along ``axis`` (of the flattened tensor when None).

    Example:
        >>> argmax(np.array([1, 5, 3])).dtype.name
        'int32'
    """
    x = convert_to_tensor(x)
    if x.dtype.name == "bfloat16":
        x = x.astype(FLOAT32)
    return as_array(np.argmax(x, axis=_axis(axis), keepdims=keepdims)).astype(INT32)


def argmin(x, axis=None, keepdims=False):
    """Index (int32) of the minimum along ``axis`` (of the flattened tensor when None).

    Example:
        >>> argmin(np.array([1, 5, 3])).item()
        0
    """
    x = convert_to_tensor(x)
    if x.dtype.name == "bfloat16":
        x = x.astype(FLOAT32)
    return as_array(np.argmin(x, axis=_axis(axis), keepdims=keepdims)).astype(INT32)


def count_nonzero(x, axis=None):
    """Number (int32) of nonzero elements along ``axis``.

    Example:
        >>> count_nonzero(np.array([0, 1, 2])).item()
        2
    """
    return as_array(np.count_nonzero(convert_to_tensor(x), axis=_axis(axis))).astype(INT32)


# ---------------------------------------------------------------------------
# creation
# ---------------------------------------------------------------------------
def zeros(shape, dtype=None):
    """Zeros of ``shape`` (dtype defaults to floatx).

    Example:
        >>> zeros((2,)).dtype.name
        'float32'
    """
    return np.zeros(_shape_arg(shape), dtype=np_dtype(dtype))


def ones(shape, dtype=None):
    """Ones of ``shape`` (dtype defaults to floatx).

    Example:
        >>> ones((2,), "int32").tolist()
        [1, 1]
    """
    return np.ones(_shape_arg(shape), dtype=np_dtype(dtype))


def _fill_dtype(fill_value, dtype):
    if dtype is not None:
        return np_dtype(dtype)
    if type(fill_value) in (int, float, bool, complex):
        return np_dtype(dtypes.result_type(fill_value))
    return convert_to_tensor(fill_value).dtype


def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value`` (dtype inferred from it when None).

    Example:
        >>> full((2,), 3).dtype.name
        'int32'
    """
    native = _fill_dtype(fill_value, dtype)
    value = convert_to_tensor(fill_value, dtype=native)
    return np.array(np.broadcast_to(value, _shape_arg(shape)))


def zeros_like(x, dtype=None):
    """Zeros with ``x``'s shape (and dtype unless given).

    Example:
        >>> zeros_like(np.ones(2, dtype="int8")).dtype.name
        'int8'
    """
    x = convert_to_tensor(x)
    return np.zeros(x.shape, dtype=x.dtype if dtype is None else np_dtype(dtype))


def ones_like(x, dtype=None):
    """Ones with ``x``'s shape (and dtype unless given).

    Example:
        >>> ones_like(np.zeros(2)).tolist()
        [1.0, 1.0]
    """
    x = convert_to_tensor(x)
    return np.ones(x.shape, dtype=x.dtype if dtype is None else np_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    """``fill_value`` with ``x``'s shape (and dtype unless given).

    Example:
        >>> full_like(np.zeros(2, dtype="int32"), 7).tolist()
        [7, 7]
    """
    x = convert_to_tensor(x)
    native = x.dtype if dtype is None else np_dtype(dtype)
    value = convert_to_tensor(fill_value, dtype=native)
    return np.array(np.broadcast_to(value, x.shape))


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``; int args give int32, float args floatx.

    Example:
        >>> arange(3).tolist(), arange(0.0, 1.0, 0.5).dtype.name
        ([0, 1, 2], 'float32')
    """
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    items = [v if type(v) in (int, float, bool) else convert_to_tensor(v)
             for v in (start, stop, step)]
    native = np_dtype(dtypes.result_type(*items)) if dtype is None else np_dtype(dtype)
    values = [v.item() if isinstance(v, np.ndarray) else v for v in items]
    if native.kind in "iu":
        return np.arange(*values, dtype=np.int64).astype(native)
    return np.arange(*[float(v) for v in values], dtype=np.float64).astype(native)


def eye(N, M=None, k=0, dtype=None):
    """Identity-like matrix of shape ``(N, M)`` with ones on diagonal ``k``.

    Example:
        >>> eye(2).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    return np.eye(int(N), None if M is None else int(M), k=int(k), dtype=np_dtype(dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (float result by default).

    Example:
        >>> linspace(0, 1, 3).tolist()
        [0.0, 0.5, 1.0]
    """
    items = [v if type(v) in (int, float, bool) else convert_to_tensor(v) for v in (start, stop)]
    native = np_dtype(dtypes.float_result_type(*items)) if dtype is None else np_dtype(dtype)
    values = [v.astype(np.float64) if isinstance(v, np.ndarray) else v for v in items]
    out, step = np.linspace(values[0], values[1], int(num), endpoint=endpoint, retstep=True,
                            dtype=np.float64, axis=int(axis))
    out = out.astype(native)
    if retstep:
        return out, np.asarray(step).astype(native)
    return out


# ---------------------------------------------------------------------------
# misc
# ---------------------------------------------------------------------------
def size(x):
    """Number of elements (a Python int).

    Example:
        >>> size(np.zeros((2, 3)))
        6
    """
    return int(np.size(convert_to_tensor(x)))


def ndim(x):
    """Rank (a Python int).

    Example:
        >>> ndim(np.zeros((2, 3)))
        2
    """
    return convert_to_tensor(x).ndim


def copy(x):
    """A copy of ``x``.

    Example:
        >>> a = np.zeros(2); copy(a) is a
        False
    """
    return np.array(convert_to_tensor(x), copy=True)


def array(x, dtype=None):
    """Convert ``x`` to a tensor (``dtype`` as for ``convert_to_tensor``).

    Example:
        >>> array([1, 2]).dtype.name
        'int32'
    """
    return convert_to_tensor(x, dtype=dtype)

