"""JAX backend NumPy-style ops, built on ``jax.numpy`` with Kiln's dtype promotion.

Binary ops promote with ``kiln.backend.common.dtypes.result_type`` (Python
scalars are weak); ops that always produce floats turn int/bool inputs into
``floatx()``.

Example:
    >>> from kiln.backend.jax import array_ops
    >>> array_ops.add(np.ones(2, "int8"), 3).dtype
    dtype('int8')
    >>> array_ops.sqrt(4).dtype
    dtype('float32')
"""

import builtins
import jax
import jax.numpy as jnp
import numpy as np

from kiln.backend.common import dtypes
from kiln.backend.jax.core import (
    _ArrayType,
    _floatx,
    cast,
    convert_to_tensor,
    is_float_tensor,
    native_dtype,
    promote,
    promote2,
    promotion_item,
    to_float,
)

_t = convert_to_tensor
_SCALARS = (bool, int, float, complex)


def _name(x):
    return dtypes.standardize_dtype(x.dtype)


# -- arithmetic ---------------------------------------------------------------------

def add(x1, x2):
    x1, x2 = promote2(x1, x2)
    return jnp.add(x1, x2)


def _is_bool(x1, x2):
    """After promote2 at least one operand is a tensor: is the common dtype bool?"""
    return (x1 if isinstance(x1, _ArrayType) else x2).dtype == jnp.bool_


def _bool_to_int(x1, x2):
    return _t(x1, "int32"), _t(x2, "int32")


def subtract(x1, x2):
    x1, x2 = promote2(x1, x2)
    if _is_bool(x1, x2):
        raise TypeError("subtract: boolean subtraction is not supported; use logical_xor or cast to an integer dtype first")
    return jnp.subtract(x1, x2)


def multiply(x1, x2):
    x1, x2 = promote2(x1, x2)
    return jnp.multiply(x1, x2)


def _float_pair(x1, x2):
    if isinstance(x1, _ArrayType) and isinstance(x2, _ArrayType) and x1.dtype == x2.dtype \
            and is_float_tensor(x1):
        return x1, x2
    dtype = dtypes.float_result_type(promotion_item(x1), promotion_item(x2))
    if type(x2) in _SCALARS and isinstance(x1, _ArrayType):
        return cast(x1, dtype), x2
    if type(x1) in _SCALARS and isinstance(x2, _ArrayType):
        return x1, cast(x2, dtype)
    return _t(x1, dtype), _t(x2, dtype)


def divide(x1, x2):
    x1, x2 = _float_pair(x1, x2)
    return jnp.true_divide(x1, x2)


def true_divide(x1, x2):
    return divide(x1, x2)


def floor_divide(x1, x2):
    x1, x2 = promote2(x1, x2)
    if _is_bool(x1, x2):
        x1, x2 = _bool_to_int(x1, x2)
    return jnp.floor_divide(x1, x2)


def mod(x1, x2):
    x1, x2 = promote2(x1, x2)
    if _is_bool(x1, x2):
        x1, x2 = _bool_to_int(x1, x2)
    return jnp.mod(x1, x2)


def power(x1, x2):
    x1, x2 = promote2(x1, x2)
    if _is_bool(x1, x2):
        x1, x2 = _bool_to_int(x1, x2)
    return jnp.power(x1, x2)


def negative(x):
    x = _t(x)
    if x.dtype == jnp.bool_:
        raise TypeError("negative: not defined for boolean tensors; use logical_not")
    return jnp.negative(x)


def abs(x):
    return jnp.abs(_t(x))


def square(x):
    x = _t(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    return jnp.square(x)


def _float_unary(fn):
    def op(x):
        return fn(to_float(x))

    return op


sqrt = _float_unary(jnp.sqrt)
exp = _float_unary(jnp.exp)
log = _float_unary(jnp.log)
log1p = _float_unary(jnp.log1p)
expm1 = _float_unary(jnp.expm1)
sin = _float_unary(jnp.sin)
cos = _float_unary(jnp.cos)
tan = _float_unary(jnp.tan)
tanh = _float_unary(jnp.tanh)
sinh = _float_unary(jnp.sinh)
cosh = _float_unary(jnp.cosh)
arctan = _float_unary(jnp.arctan)
floor = _float_unary(jnp.floor)
ceil = _float_unary(jnp.ceil)
reciprocal = _float_unary(jnp.reciprocal)
for _f, _n in ((sqrt, "sqrt"), (exp, "exp"), (log, "log"), (log1p, "log1p"), (expm1, "expm1"),
               (sin, "sin"), (cos, "cos"), (tan, "tan"), (tanh, "tanh"), (sinh, "sinh"),
               (cosh, "cosh"), (arctan, "arctan"), (floor, "floor"), (ceil, "ceil"),
               (reciprocal, "reciprocal")):
    _f.__name__ = _f.__qualname__ = _n
    _f.__doc__ = f"Elementwise {_n}; int/bool inputs give floatx()."


def sign(x):
    x = _t(x)
    if x.dtype == jnp.bool_:
        return x
    return jnp.sign(x)


def round(x, decimals=0):
    x = _t(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    return jnp.round(x, decimals)


def maximum(x1, x2):
    x1, x2 = promote2(x1, x2)
    return jnp.maximum(x1, x2)


def minimum(x1, x2):
    x1, x2 = promote2(x1, x2)
    return jnp.minimum(x1, x2)


# -- comparisons and logic ----------------------------------------------------------

def _compare(fn):
    def op(x1, x2):
        x1, x2 = promote2(x1, x2)
        return fn(x1, x2)

    op.__name__ = op.__qualname__ = fn.__name__
    op.__doc__ = f"Elementwise {fn.__name__} after promotion; returns bool."
    return op


equal = _compare(jnp.equal)
not_equal = _compare(jnp.not_equal)
less = _compare(jnp.less)
less_equal = _compare(jnp.less_equal)
greater = _compare(jnp.greater)
greater_equal = _compare(jnp.greater_equal)


def logical_and(x1, x2):
    return jnp.logical_and(_t(x1), _t(x2))


def logical_or(x1, x2):
    return jnp.logical_or(_t(x1), _t(x2))


def logical_not(x):
    return jnp.logical_not(_t(x))


def isnan(x):
    return jnp.isnan(_t(x))


def isfinite(x):
    return jnp.isfinite(_t(x))


def isinf(x):
    return jnp.isinf(_t(x))


# -- products -----------------------------------------------------------------------

def _int8_pair(x1, x2):
    return x1.dtype == jnp.int8 and x2.dtype == jnp.int8


def matmul(x1, x2):
    x1, x2 = _t(x1), _t(x2)
    if x1.ndim == 0 or x2.ndim == 0:
        raise ValueError(
            f"matmul: inputs must have rank >= 1, received shapes {x1.shape} and {x2.shape}"
        )
    if _int8_pair(x1, x2):
        return jnp.matmul(x1, x2, preferred_element_type=jnp.int32)
    x1, x2 = promote2(x1, x2)
    return jnp.matmul(x1, x2)


def dot(x1, x2):
    x1, x2 = promote2(x1, x2)
    return jnp.dot(x1, x2)


def einsum(subscripts, *operands, **kwargs):
    operands = [_t(o) for o in operands]
    if operands and builtins.all(o.dtype == jnp.int8 for o in operands):
        return jnp.einsum(subscripts, *operands, preferred_element_type=jnp.int32, **kwargs)
    if len(operands) > 1:
        operands = promote(*operands)
    return jnp.einsum(subscripts, *operands, **kwargs)


def tensordot(x1, x2, axes=2):
    x1, x2 = promote2(x1, x2)
    return jnp.tensordot(x1, x2, axes)


def outer(x1, x2):
    x1, x2 = promote2(x1, x2)
    return jnp.outer(x1, x2)


# -- shapes -------------------------------------------------------------------------

def _shape_arg(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) if not isinstance(d, _ArrayType) else d for d in shape)


def reshape(x, newshape):
    x = _t(x)
    try:
        return jnp.reshape(x, _shape_arg(newshape))
    except TypeError as e:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} to {newshape}: {e}") from None


def transpose(x, axes=None):
    return jnp.transpose(_t(x), axes)


def concatenate(xs, axis=0):
    xs = promote(*xs)
    return jnp.concatenate(xs, axis=axis)


def stack(x, axis=0):
    x = promote(*x)
    return jnp.stack(x, axis=axis)


def split(x, indices_or_sections, axis=0):
    x = _t(x)
    if isinstance(indices_or_sections, int):
        size = x.shape[axis]
        if size % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} of size {size} cannot be split into {indices_or_sections} "
                "equal sections"
            )
    return jnp.split(x, indices_or_sections, axis=axis)


def expand_dims(x, axis):
    return jnp.expand_dims(_t(x), axis)


def squeeze(x, axis=None):
    x = _t(x)
    if axis is not None:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        for a in axes:
            if x.shape[a] != 1:
                raise ValueError(
                    f"squeeze: cannot squeeze axis {a} of size {x.shape[a]} (expected size 1); "
                    f"input shape {x.shape}"
                )
    return jnp.squeeze(x, axis)


def _indices(indices):
    indices = _t(indices)
    if indices.dtype.kind not in "iu":
        if indices.dtype.kind == "b":
            raise ValueError("take: indices must be integers, received a bool tensor")
        indices = indices.astype("int32")
    return indices


def take(x, indices, axis=None):
    x = _t(x)
    indices = _indices(indices)
    return jnp.take(x, indices, axis=axis)


def take_along_axis(x, indices, axis=None):
    x = _t(x)
    indices = _indices(indices)
    return jnp.take_along_axis(x, indices, axis=axis)


def where(condition, x1=None, x2=None):
    condition = _t(condition)
    if x1 is None and x2 is None:
        return jnp.nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("where: x1 and x2 must both be given, or both be None")
    if condition.dtype != jnp.bool_:
        condition = condition != 0
    x1, x2 = promote2(x1, x2)
    return jnp.where(condition, x1, x2)


def clip(x, x_min, x_max):
    x = _t(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    dtype = dtypes.result_type(_name(x), promotion_item(x_min), promotion_item(x_max))
    x = cast(x, dtype)
    return jnp.clip(x, _t(x_min, dtype), _t(x_max, dtype))


def broadcast_to(x, shape):
    return jnp.broadcast_to(_t(x), _shape_arg(shape))


def tile(x, repeats):
    return jnp.tile(_t(x), repeats)


def repeat(x, repeats, axis=None):
    x = _t(x)
    if isinstance(repeats, _ArrayType) and repeats.ndim == 0:
        repeats = int(repeats)
    return jnp.repeat(x, repeats, axis=axis)


_PAD_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum",
              "reflect", "symmetric", "wrap", "empty")


def pad(x, pad_width, mode="constant", constant_values=None):
    x = _t(x)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: unknown mode {mode!r}; expected one of {', '.join(_PAD_MODES)}")
    if mode == "constant":
        value = 0 if constant_values is None else constant_values
        return jnp.pad(x, pad_width, mode="constant", constant_values=_t(value, x.dtype))
    if constant_values is not None:
        raise ValueError(
            f"pad: constant_values can only be used with mode='constant', received mode={mode!r}"
        )
    return jnp.pad(x, pad_width, mode=mode)


def flip(x, axis=None):
    return jnp.flip(_t(x), axis=axis)


_SUM_DTYPES = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32", "uint16": "uint32"}


def _accumulate_dtype(x):
    """Sums/products: signed small ints and bool accumulate in int32, unsigned in uint32."""
    name = _name(x)
    return _SUM_DTYPES.get(name, name)


def _cumulative_dtype(x):
    """Cumulative sums/products keep integer dtypes; bool counts in int32."""
    name = _name(x)
    return "int32" if name == "bool" else name


def cumsum(x, axis=None, dtype=None):
    x = _t(x)
    dtype = _cumulative_dtype(x) if dtype is None else dtype
    return jnp.cumsum(cast(x, dtype), axis=axis)


def cumprod(x, axis=None, dtype=None):
    x = _t(x)
    dtype = _cumulative_dtype(x) if dtype is None else dtype
    return jnp.cumprod(cast(x, dtype), axis=axis)


def sort(x, axis=-1):
    return jnp.sort(_t(x), axis=axis)


def argsort(x, axis=-1):
    return jnp.argsort(_t(x), axis=axis).astype("int32")


# -- reductions ---------------------------------------------------------------------

def _axis(axis):
    if isinstance(axis, list):
        return tuple(axis)
    return axis


def sum(x, axis=None, keepdims=False):
    x = _t(x)
    dtype = _accumulate_dtype(x)
    return jnp.sum(x, axis=_axis(axis), keepdims=keepdims, dtype=native_dtype(dtype))


def _compute_dtype(x):
    """(compute dtype, result dtype) for mean-like ops: at least float32 inside."""
    name = _name(x)
    if name in dtypes.FLOAT_TYPES or name in dtypes.COMPLEX_TYPES:
        result = name
    else:
        result = _floatx()
    compute = dtypes.result_type(result, "float32")
    return native_dtype(compute), native_dtype(result)


def mean(x, axis=None, keepdims=False):
    x = _t(x)
    compute, result = _compute_dtype(x)
    out = jnp.mean(x.astype(compute), axis=_axis(axis), keepdims=keepdims)
    return out if out.dtype == result else out.astype(result)


def max(x, axis=None, keepdims=False, initial=None):
    x = _t(x)
    return jnp.max(x, axis=_axis(axis), keepdims=keepdims, initial=initial)


def min(x, axis=None, keepdims=False, initial=None):
    x = _t(x)
    return jnp.min(x, axis=_axis(axis), keepdims=keepdims, initial=initial)


def prod(x, axis=None, keepdims=False, dtype=None):
    x = _t(x)
    dtype = _accumulate_dtype(x) if dtype is None else dtype
    return jnp.prod(x, axis=_axis(axis), keepdims=keepdims, dtype=native_dtype(dtype))


def var(x, axis=None, keepdims=False):
    x = _t(x)
    compute, result = _compute_dtype(x)
    out = jnp.var(x.astype(compute), axis=_axis(axis), keepdims=keepdims)
    return out if out.dtype == result else out.astype(result)


def std(x, axis=None, keepdims=False):
    x = _t(x)
    compute, result = _compute_dtype(x)
    out = jnp.std(x.astype(compute), axis=_axis(axis), keepdims=keepdims)
    return out if out.dtype == result else out.astype(result)


def all(x, axis=None, keepdims=False):
    return jnp.all(_t(x), axis=_axis(axis), keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return jnp.any(_t(x), axis=_axis(axis), keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    return jnp.argmax(_t(x), axis=axis, keepdims=keepdims).astype("int32")


def argmin(x, axis=None, keepdims=False):
    return jnp.argmin(_t(x), axis=axis, keepdims=keepdims).astype("int32")


def count_nonzero(x, axis=None):
    return jnp.count_nonzero(_t(x), axis=_axis(axis)).astype("int32")


# -- creation -----------------------------------------------------------------------

def zeros(shape, dtype=None):
    return jnp.zeros(_shape_arg(shape), dtype=native_dtype(dtype))


def ones(shape, dtype=None):
    return jnp.ones(_shape_arg(shape), dtype=native_dtype(dtype))


def full(shape, fill_value, dtype=None):
    if dtype is None:
        dtype = dtypes.result_type(promotion_item(fill_value))
    return jnp.full(_shape_arg(shape), _t(fill_value, dtype), dtype=native_dtype(dtype))


def arange(start, stop=None, step=None, dtype=None):
    if dtype is None:
        items = [promotion_item(v) for v in (start, stop, step) if v is not None]
        dtype = dtypes.result_type(*items)
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    return jnp.arange(start, stop, step, dtype=native_dtype(dtype))


def eye(N, M=None, k=0, dtype=None):
    return jnp.eye(N, M, k, dtype=native_dtype(dtype))


def zeros_like(x, dtype=None):
    x = _t(x)
    return jnp.zeros_like(x, dtype=None if dtype is None else native_dtype(dtype))


def ones_like(x, dtype=None):
    x = _t(x)
    return jnp.ones_like(x, dtype=None if dtype is None else native_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    x = _t(x)
    dtype = x.dtype if dtype is None else native_dtype(dtype)
    return jnp.full(x.shape, _t(fill_value, dtype), dtype=dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    if dtype is None:
        dtype = dtypes.float_result_type(promotion_item(start), promotion_item(stop))
    dtype = native_dtype(dtype)
    return jnp.linspace(start, stop, num, endpoint=endpoint, retstep=retstep, dtype=dtype,
                        axis=axis)


# -- structure ----------------------------------------------------------------------

def tril(x, k=0):
    return jnp.tril(_t(x), k)


def triu(x, k=0):
    return jnp.triu(_t(x), k)


def moveaxis(x, source, destination):
    return jnp.moveaxis(_t(x), source, destination)


def swapaxes(x, axis1, axis2):
    return jnp.swapaxes(_t(x), axis1, axis2)


def ravel(x):
    return jnp.ravel(_t(x))


def size(x):
    return _t(x).size


def ndim(x):
    return _t(x).ndim


def copy(x):
    return jnp.array(_t(x), copy=True)


def array(x, dtype=None):
    return _t(x, dtype)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return jnp.nan_to_num(_t(x), nan=nan, posinf=posinf, neginf=neginf)


def unstack(x, num=None, axis=0):
    x = _t(x)
    n = x.shape[axis]
    if num is not None and num != n:
        raise ValueError(f"unstack: num={num} does not match the size {n} of axis {axis}")
    return [jax.lax.index_in_dim(x, i, axis, keepdims=False) for i in builtins.range(n)]
