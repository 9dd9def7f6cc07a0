"""NumPy-style ops on TensorFlow tensors, with Kiln's (JAX-numpy) dtype promotion.

Binary ops promote with ``common.dtypes.result_type`` (Python scalars are weak);
ops that always produce floats turn int/bool inputs into ``floatx()``.

Example:
    >>> import tensorflow as tf
    >>> add(tf.constant([1, 2], tf.int8), 3).dtype.name
    'int8'
    >>> sqrt(tf.constant([4])).dtype.name
    'float32'
"""

import builtins

import numpy as np
import tensorflow as tf

from kiln import config
from kiln.backend.common.dtypes import float_result_type, result_type
from kiln.backend.tensorflow.core import _shape_arg, convert_to_tensor, shape as _shape, tf_dtype

_PY = (bool, int, float, complex)
# Integer dtypes that TF's matmul kernels accept.
_MATMUL_INTS = (tf.int32, tf.int64)


def _key(x):
    return x if type(x) in _PY else x.dtype.name


# (dtype-or-Python-type, dtype-or-Python-type, floatx) -> tf.DType
_PROMOTED = {}


def _promotion_key(x):
    t = type(x)
    if t in _PY:
        return x, t
    if not isinstance(x, tf.Tensor):
        x = convert_to_tensor(x)
    return x, x.dtype


def _cast_to(x, dtype):
    if type(x) in _PY:
        return convert_to_tensor(x, dtype.name)
    return x if x.dtype is dtype else tf.cast(x, dtype)


def _promote(x1, x2):
    x1, k1 = _promotion_key(x1)
    x2, k2 = _promotion_key(x2)
    if k1 is k2 and type(k1) is not type:
        return x1, x2  # two tensors of one dtype: nothing to do
    key = (k1, k2, config.floatx())
    dtype = _PROMOTED.get(key)
    if dtype is None:
        names = [k if type(k) is type else k.name for k in (k1, k2)]
        dtype = _PROMOTED[key] = tf_dtype(result_type(*names))
    return _cast_to(x1, dtype), _cast_to(x2, dtype)


def _promote_all(xs):
    xs = [x if type(x) in _PY else convert_to_tensor(x) for x in xs]
    dtype = result_type(*[_key(x) for x in xs]) if xs else config.floatx()
    return [convert_to_tensor(x, dtype) for x in xs], dtype


def _float(x):
    x = convert_to_tensor(x)
    if x.dtype.is_floating or x.dtype.is_complex:
        return x
    return tf.cast(x, tf_dtype(config.floatx()))


def _float_pair(x1, x2):
    if type(x1) not in _PY:
        x1 = convert_to_tensor(x1)
    if type(x2) not in _PY:
        x2 = convert_to_tensor(x2)
    dtype = float_result_type(_key(x1), _key(x2))
    return convert_to_tensor(x1, dtype), convert_to_tensor(x2, dtype)


def _axes(axis):
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return [int(a) for a in axis]
    return int(axis) if not isinstance(axis, tf.Tensor) else axis


def _upcast_half(x):
    """Compute reductions of float16/bfloat16 in float32; returns (x, original dtype)."""
    if x.dtype in (tf.float16, tf.bfloat16):
        return tf.cast(x, tf.float32), x.dtype
    return x, None


def _downcast(x, dtype):
    return x if dtype is None else tf.cast(x, dtype)


# --- elementwise arithmetic ----------------------------------------------------------

def add(x1, x2):
    x1, x2 = _promote(x1, x2)
    if x1.dtype is tf.bool:
        return tf.logical_or(x1, x2)
    return tf.add(x1, x2)


def subtract(x1, x2):
    x1, x2 = _promote(x1, x2)
    if x1.dtype is tf.bool:
        raise TypeError("subtract: boolean subtraction is not supported; use logical_xor or "
                        "cast to an integer dtype first")
    return tf.subtract(x1, x2)


def multiply(x1, x2):
    x1, x2 = _promote(x1, x2)
    if x1.dtype is tf.bool:
        return tf.logical_and(x1, x2)
    return tf.multiply(x1, x2)


def divide(x1, x2):
    x1, x2 = _float_pair(x1, x2)
    return tf.divide(x1, x2)


def true_divide(x1, x2):
    return divide(x1, x2)


def floor_divide(x1, x2):
    x1, x2 = _promote(x1, x2)
    if x1.dtype is tf.bool:
        x1, x2 = tf.cast(x1, tf.int32), tf.cast(x2, tf.int32)
    return tf.math.floordiv(x1, x2)


def mod(x1, x2):
    x1, x2 = _promote(x1, x2)
    if x1.dtype is tf.bool:
        x1, x2 = tf.cast(x1, tf.int32), tf.cast(x2, tf.int32)
    return tf.math.floormod(x1, x2)


def power(x1, x2):
    x1, x2 = _promote(x1, x2)
    if x1.dtype is tf.bool:  # computed on integers, as in JAX
        return tf.pow(tf.cast(x1, tf.int32), tf.cast(x2, tf.int32))
    if x1.dtype.is_unsigned:  # no unsigned pow kernel
        return tf.cast(tf.pow(tf.cast(x1, tf.int64), tf.cast(x2, tf.int64)), x1.dtype)
    return tf.pow(x1, x2)


def negative(x):
    x = convert_to_tensor(x)
    if x.dtype is tf.bool:
        raise TypeError("negative: not defined for boolean tensors; use logical_not")
    if x.dtype.is_unsigned:  # wraps around, as in NumPy
        return tf.subtract(tf.zeros_like(x), x)
    return tf.negative(x)


def abs(x):
    x = convert_to_tensor(x)
    if x.dtype is tf.bool or x.dtype.is_unsigned:
        return x
    return tf.abs(x)


def square(x):
    x = convert_to_tensor(x)
    if x.dtype is tf.bool:
        x = tf.cast(x, tf.int32)
    return tf.square(x)


def _float_unary(fn):
    def op(x):
        return fn(_float(x))
    op.__name__ = fn.__name__
    return op


sqrt = _float_unary(tf.sqrt)
exp = _float_unary(tf.exp)
log = _float_unary(tf.math.log)
log1p = _float_unary(tf.math.log1p)
expm1 = _float_unary(tf.math.expm1)
sin = _float_unary(tf.sin)
cos = _float_unary(tf.cos)
tan = _float_unary(tf.tan)
tanh = _float_unary(tf.tanh)
sinh = _float_unary(tf.sinh)
cosh = _float_unary(tf.cosh)
arctan = _float_unary(tf.atan)
for _f, _n in ((sqrt, "sqrt"), (exp, "exp"), (log, "log"), (log1p, "log1p"), (expm1, "expm1"),
               (sin, "sin"), (cos, "cos"), (tan, "tan"), (tanh, "tanh"), (sinh, "sinh"),
               (cosh, "cosh"), (arctan, "arctan")):
    _f.__name__ = _n
    _f.__doc__ = f"Elementwise {_n}; int/bool inputs become floatx."


def sign(x):
    x = convert_to_tensor(x)
    if x.dtype is tf.bool:
        return x
    if x.dtype.is_unsigned:
        return tf.cast(x > 0, x.dtype)
    return tf.sign(x)


def floor(x):
    x = _float(x)
    return tf.floor(x)


def ceil(x):
    x = _float(x)
    return tf.math.ceil(x)


def round(x, decimals=0):
    x = convert_to_tensor(x)
    if x.dtype is tf.bool:
        x = tf.cast(x, tf.int32)
    if x.dtype.is_integer:
        if decimals >= 0:
            return x
        factor = 10 ** (-decimals)
        f = tf.cast(x, tf.float64 if x.dtype.size >= 4 else tf.float32)
        return tf.cast(tf.round(f / factor) * factor, x.dtype)
    if decimals == 0:
        return tf.round(x)
    factor = tf.cast(10.0 ** decimals, x.dtype)
    return tf.round(x * factor) / factor


def reciprocal(x):
    x = _float(x)
    return tf.math.reciprocal(x)


def maximum(x1, x2):
    x1, x2 = _promote(x1, x2)
    if x1.dtype is tf.bool:
        return tf.logical_or(x1, x2)
    return tf.maximum(x1, x2)


def minimum(x1, x2):
    x1, x2 = _promote(x1, x2)
    if x1.dtype is tf.bool:
        return tf.logical_and(x1, x2)
    return tf.minimum(x1, x2)


# --- comparisons and logic -----------------------------------------------------------

def equal(x1, x2):
    x1, x2 = _promote(x1, x2)
    return tf.equal(x1, x2)


def not_equal(x1, x2):
    x1, x2 = _promote(x1, x2)
    return tf.not_equal(x1, x2)


def _ordered(fn):
    def op(x1, x2):
        x1, x2 = _promote(x1, x2)
        if x1.dtype is tf.bool:
            x1, x2 = tf.cast(x1, tf.int8), tf.cast(x2, tf.int8)
        return fn(x1, x2)
    return op


less = _ordered(tf.less)
less_equal = _ordered(tf.less_equal)
greater = _ordered(tf.greater)
greater_equal = _ordered(tf.greater_equal)
for _f, _n in ((less, "less"), (less_equal, "less_equal"), (greater, "greater"),
               (greater_equal, "greater_equal")):
    _f.__name__ = _n
    _f.__doc__ = f"Elementwise {_n} after promotion; returns bool."


def _bool(x):
    x = convert_to_tensor(x)
    return x if x.dtype is tf.bool else tf.cast(x, tf.bool)


def logical_and(x1, x2):
    return tf.logical_and(_bool(x1), _bool(x2))


def logical_or(x1, x2):
    return tf.logical_or(_bool(x1), _bool(x2))


def logical_not(x):
    return tf.logical_not(_bool(x))


def isnan(x):
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return tf.zeros_like(x, dtype=tf.bool)
    return tf.math.is_nan(x)


def isfinite(x):
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return tf.ones_like(x, dtype=tf.bool)
    return tf.math.is_finite(x)


def isinf(x):
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return tf.zeros_like(x, dtype=tf.bool)
    return tf.math.is_inf(x)


# --- products ------------------------------------------------------------------------

def _matmul_compatible(fn, x1, x2):
    """Run a matmul-like ``fn`` on inputs of one dtype, upcasting dtypes TF kernels lack."""
    dtype = x1.dtype
    if dtype.is_integer and dtype not in _MATMUL_INTS or dtype is tf.bool:
        out = fn(tf.cast(x1, tf.int32), tf.cast(x2, tf.int32))
        return tf.cast(out, dtype) if dtype is not tf.bool else tf.not_equal(out, 0)
    return fn(x1, x2)


def _matmul_nd(a, b):
    ra, rb = a.shape.rank, b.shape.rank
    if ra == 0 or rb == 0:
        raise ValueError(f"matmul: inputs must be at least 1-D, received shapes {a.shape} and {b.shape}")
    if ra == 1 and rb == 1:
        return tf.reduce_sum(a * b)
    if ra == 1:
        return tf.squeeze(tf.linalg.matmul(tf.expand_dims(a, 0), b), -2)
    if rb == 1:
        return tf.squeeze(tf.linalg.matmul(a, tf.expand_dims(b, -1)), -1)
    return tf.linalg.matmul(a, b)


def matmul(x1, x2):
    x1, x2 = _promote(x1, x2)
    sa, sb = x1.shape, x2.shape
    if sa.rank and sb.rank and sa[-1] is not None:
        k2 = sb[-1] if sb.rank == 1 else sb[-2]
        if k2 is not None and sa[-1] != k2:
            raise ValueError(
                f"matmul: inner dimensions must match, received shapes {tuple(sa)} and {tuple(sb)}"
            )
    return _matmul_compatible(_matmul_nd, x1, x2)


def dot(x1, x2):
    x1, x2 = _promote(x1, x2)
    ra, rb = x1.shape.rank, x2.shape.rank
    if ra == 0 or rb == 0:
        return multiply(x1, x2)
    if rb <= 2:
        return matmul(x1, x2)
    return _matmul_compatible(lambda a, b: tf.tensordot(a, b, [[ra - 1], [rb - 2]]), x1, x2)


def einsum(subscripts, *operands, **kwargs):
    operands, _ = _promote_all(operands)
    return _einsum_n(subscripts, operands, kwargs)


def _einsum_n(subscripts, operands, kwargs):
    dtype = operands[0].dtype if operands else tf.float32
    if dtype.is_integer and dtype not in _MATMUL_INTS or dtype is tf.bool:
        out = tf.einsum(subscripts, *[tf.cast(o, tf.int32) for o in operands], **kwargs)
        return tf.cast(out, dtype) if dtype is not tf.bool else tf.not_equal(out, 0)
    return tf.einsum(subscripts, *operands, **kwargs)


def tensordot(x1, x2, axes=2):
    x1, x2 = _promote(x1, x2)
    if isinstance(axes, (list, tuple)):
        axes = [list(a) if isinstance(a, (list, tuple)) else [a] for a in axes]
    return _matmul_compatible(lambda a, b: tf.tensordot(a, b, axes), x1, x2)


def outer(x1, x2):
    x1, x2 = _promote(x1, x2)
    return multiply(tf.reshape(x1, [-1, 1]), tf.reshape(x2, [1, -1]))


# --- shape manipulation --------------------------------------------------------------

def reshape(x, newshape):
    x = convert_to_tensor(x)
    return tf.reshape(x, _shape_arg(newshape))


def transpose(x, axes=None):
    x = convert_to_tensor(x)
    return tf.transpose(x, perm=None if axes is None else list(axes))


def concatenate(xs, axis=0):
    xs, _ = _promote_all(xs)
    if axis is None:
        xs = [tf.reshape(x, [-1]) for x in xs]
        axis = 0
    return tf.concat(xs, axis=axis)


def stack(x, axis=0):
    xs, _ = _promote_all(x)
    return tf.stack(xs, axis=axis)


def split(x, indices_or_sections, axis=0):
    x = convert_to_tensor(x)
    if isinstance(indices_or_sections, (int, np.integer)):
        n = int(indices_or_sections)
        dim = x.shape[axis]
        if dim is not None and dim % n:
            raise ValueError(
                f"split: axis {axis} of size {dim} cannot be split into {n} equal sections"
            )
        return tf.split(x, n, axis=axis)
    indices = [int(i) for i in indices_or_sections]
    dim = _shape(x)[axis]
    if isinstance(dim, int):
        bounds = [0] + [builtins.min(builtins.max(i if i >= 0 else i + dim, 0), dim)
                        for i in indices] + [dim]
        sizes = [builtins.max(b - a, 0) for a, b in zip(bounds[:-1], bounds[1:])]
        return tf.split(x, sizes, axis=axis)
    sizes = [indices[0]] + [b - a for a, b in zip(indices[:-1], indices[1:])] + \
        [dim - indices[-1]]
    return tf.split(x, tf.stack([tf.cast(s, tf.int32) for s in sizes]), num=len(sizes), axis=axis)


def expand_dims(x, axis):
    x = convert_to_tensor(x)
    if isinstance(axis, (list, tuple)):
        out_rank = x.shape.rank + len(axis)
        for a in sorted(a % out_rank for a in axis):
            x = tf.expand_dims(x, a)
        return x
    return tf.expand_dims(x, axis)


def squeeze(x, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        return tf.squeeze(x)
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    for a in axes:
        d = x.shape[a]
        if d is not None and d != 1:
            raise ValueError(
                f"squeeze: cannot squeeze axis {a} of size {d} (shape {tuple(x.shape)}); "
                "only size-1 axes can be squeezed"
            )
    return tf.squeeze(x, axis=axes)


def _int_indices(indices):
    indices = convert_to_tensor(indices)
    if not indices.dtype.is_integer:
        indices = tf.cast(indices, tf.int32)
    elif indices.dtype not in (tf.int32, tf.int64):
        indices = tf.cast(indices, tf.int32)
    return indices


def take(x, indices, axis=None):
    x = convert_to_tensor(x)
    indices = _int_indices(indices)
    if axis is None:
        x = tf.reshape(x, [-1])
        axis = 0
    dim = tf.cast(tf.shape(x)[axis], indices.dtype)
    indices = tf.where(indices < 0, indices + dim, indices)
    return tf.gather(x, indices, axis=axis)


def take_along_axis(x, indices, axis=None):
    x = convert_to_tensor(x)
    indices = _int_indices(indices)
    if axis is None:
        x = tf.reshape(x, [-1])
        axis = 0
    rank = x.shape.rank
    if indices.shape.rank != rank:
        raise ValueError(
            f"take_along_axis: x and indices must have the same rank, received "
            f"{rank} and {indices.shape.rank}"
        )
    axis = axis % rank
    dim = tf.shape(x)[axis]
    indices = tf.where(indices < 0, indices + tf.cast(dim, indices.dtype), indices)
    xs, ishape = x.shape.as_list(), indices.shape.as_list()
    same = builtins.all(xs[i] == ishape[i] and xs[i] is not None for i in range(rank) if i != axis)
    if not same:
        one_hot_axis = tf.one_hot(axis, rank, on_value=1, off_value=0, dtype=tf.int32)
        sx, si = tf.shape(x), tf.shape(indices)
        common = tf.broadcast_dynamic_shape(sx * (1 - one_hot_axis) + one_hot_axis,
                                            si * (1 - one_hot_axis) + one_hot_axis)
        x = tf.broadcast_to(x, common * (1 - one_hot_axis) + sx * one_hot_axis)
        indices = tf.broadcast_to(indices, common * (1 - one_hot_axis) + si * one_hot_axis)
    perm = [i for i in range(rank) if i != axis] + [axis]
    inverse = list(np.argsort(perm))
    out = tf.gather(tf.transpose(x, perm), tf.transpose(indices, perm), batch_dims=rank - 1,
                    axis=rank - 1)
    return tf.transpose(out, inverse)


def where(condition, x1=None, x2=None):
    condition = _bool(condition)
    if x1 is None and x2 is None:
        coords = tf.cast(tf.where(condition), tf.int32)
        return tuple(coords[:, i] for i in range(condition.shape.rank))
    if x1 is None or x2 is None:
        raise ValueError("where: pass both x1 and x2, or neither (to get the indices of "
                         "nonzero elements)")
    x1, x2 = _promote(x1, x2)
    return tf.where(condition, x1, x2)


def clip(x, x_min, x_max):
    x = convert_to_tensor(x)
    if x.dtype is tf.bool:
        x = tf.cast(x, tf.int32)
    (x, lo, hi), _ = _promote_all([x, x_min, x_max])
    return tf.minimum(tf.maximum(x, lo), hi)


def broadcast_to(x, shape):
    x = convert_to_tensor(x)
    return tf.broadcast_to(x, _shape_arg(shape))


def tile(x, repeats):
    x = convert_to_tensor(x)
    reps = [repeats] if isinstance(repeats, (int, np.integer)) else list(repeats)
    rank = x.shape.rank
    if len(reps) < rank:
        reps = [1] * (rank - len(reps)) + reps
    elif len(reps) > rank:
        x = tf.reshape(x, [1] * (len(reps) - rank) + list(_shape(x)))
    if builtins.any(isinstance(r, tf.Tensor) for r in reps):
        reps = tf.stack([tf.cast(r, tf.int32) for r in reps])
    return tf.tile(x, reps)


def repeat(x, repeats, axis=None):
    x = convert_to_tensor(x)
    return tf.repeat(x, repeats, axis=axis)


def _edge_pad(x, pads):
    for axis, (before, after) in enumerate(pads):
        if before == 0 and after == 0:
            continue
        parts = []
        if before:
            first = tf.gather(x, [0], axis=axis)
            parts.append(tf.repeat(first, before, axis=axis))
        parts.append(x)
        if after:
            last = tf.gather(x, [tf.shape(x)[axis] - 1], axis=axis)
            parts.append(tf.repeat(last, after, axis=axis))
        x = tf.concat(parts, axis=axis)
    return x


def pad(x, pad_width, mode="constant", constant_values=None):
    x = convert_to_tensor(x)
    rank = x.shape.rank
    mode = str(mode).lower()
    if isinstance(pad_width, tf.Tensor):
        pads = pad_width
    else:
        pads = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (rank, 2)).tolist()
    if constant_values is not None and mode != "constant":
        raise ValueError(f"pad: constant_values can only be used with mode='constant', "
                         f"received mode={mode!r}")
    if mode == "constant":
        value = 0 if constant_values is None else constant_values
        value = convert_to_tensor(value, x.dtype.name)
        return tf.pad(x, pads, mode="CONSTANT", constant_values=value)
    if mode in ("reflect", "symmetric"):
        return tf.pad(x, pads, mode=mode.upper())
    if mode == "edge" and not isinstance(pads, tf.Tensor):
        return _edge_pad(x, pads)
    raise ValueError(
        f"pad: mode {mode!r} is not supported by the tensorflow backend; "
        "use one of 'constant', 'reflect', 'symmetric', 'edge'"
    )


def flip(x, axis=None):
    x = convert_to_tensor(x)
    if axis is None:
        axes = list(range(x.shape.rank))
    else:
        axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    return tf.reverse(x, axes)


_SUM_DTYPES = {"bool": tf.int32, "int8": tf.int32, "int16": tf.int32, "uint8": tf.uint32,
               "uint16": tf.uint32}


def _sum_dtype(x, dtype):
    """Sums/products: signed small ints and bool accumulate in int32, unsigned in uint32."""
    if dtype is not None:
        return tf_dtype(dtype)
    return _SUM_DTYPES.get(x.dtype.name, x.dtype)


def _cumulative_dtype(x, dtype):
    """Cumulative sums/products keep integer dtypes; bool counts in int32."""
    if dtype is not None:
        return tf_dtype(dtype)
    return tf.int32 if x.dtype is tf.bool else x.dtype


def cumsum(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    out_dtype = _cumulative_dtype(x, dtype)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    x = tf.cast(x, out_dtype) if x.dtype is not out_dtype else x
    return tf.cumsum(x, axis=axis)


def cumprod(x, axis=None, dtype=None):
    x = convert_to_tensor(x)
    out_dtype = _cumulative_dtype(x, dtype)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    x = tf.cast(x, out_dtype) if x.dtype is not out_dtype else x
    return tf.math.cumprod(x, axis=axis)


def _sortable(x):
    if x.dtype is tf.bool:
        return tf.cast(x, tf.int32), tf.bool
    if x.dtype.is_unsigned or x.dtype in (tf.int8, tf.int16):
        return tf.cast(x, tf.int64), x.dtype
    return x, None


def sort(x, axis=-1):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    y, original = _sortable(x)
    out = tf.sort(y, axis=axis)
    return out if original is None else tf.cast(out, original)


def argsort(x, axis=-1):
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    y, _ = _sortable(x)
    return tf.argsort(y, axis=axis, stable=True)


# --- reductions ----------------------------------------------------------------------

def sum(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    dtype = _sum_dtype(x, None)
    if x.dtype is not dtype:
        x = tf.cast(x, dtype)
    return tf.reduce_sum(x, axis=_axes(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    x = _float(x)
    x, original = _upcast_half(x)
    return _downcast(tf.reduce_mean(x, axis=_axes(axis), keepdims=keepdims), original)


def max(x, axis=None, keepdims=False, initial=None):
    x = convert_to_tensor(x)
    if x.dtype is tf.bool:
        out = tf.reduce_any(x, axis=_axes(axis), keepdims=keepdims)
    else:
        out = tf.reduce_max(x, axis=_axes(axis), keepdims=keepdims)
    if initial is not None:
        out = maximum(out, convert_to_tensor(initial, x.dtype.name))
    return out


def min(x, axis=None, keepdims=False, initial=None):
    x = convert_to_tensor(x)
    if x.dtype is tf.bool:
        out = tf.reduce_all(x, axis=_axes(axis), keepdims=keepdims)
    else:
        out = tf.reduce_min(x, axis=_axes(axis), keepdims=keepdims)
    if initial is not None:
        out = minimum(out, convert_to_tensor(initial, x.dtype.name))
    return out


def prod(x, axis=None, keepdims=False, dtype=None):
    x = convert_to_tensor(x)
    out_dtype = _sum_dtype(x, dtype)
    if x.dtype is not out_dtype:
        x = tf.cast(x, out_dtype)
    return tf.reduce_prod(x, axis=_axes(axis), keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    x = _float(x)
    x, original = _upcast_half(x)
    return _downcast(tf.math.reduce_variance(x, axis=_axes(axis), keepdims=keepdims), original)


def std(x, axis=None, keepdims=False):
    x = _float(x)
    x, original = _upcast_half(x)
    return _downcast(tf.math.reduce_std(x, axis=_axes(axis), keepdims=keepdims), original)


def all(x, axis=None, keepdims=False):
    return tf.reduce_all(_bool(x), axis=_axes(axis), keepdims=keepdims)


def any(x, axis=None, keepdims=False):
    return tf.reduce_any(_bool(x), axis=_axes(axis), keepdims=keepdims)


def _arg_reduce(fn, x, axis, keepdims):
    x = convert_to_tensor(x)
    if x.dtype is tf.bool:
        x = tf.cast(x, tf.int32)
    rank = x.shape.rank
    if axis is None:
        out = fn(tf.reshape(x, [-1]), axis=0, output_type=tf.int32)
        if keepdims:
            out = tf.reshape(out, [1] * rank)
        return out
    out = fn(x, axis=axis, output_type=tf.int32)
    if keepdims:
        out = tf.expand_dims(out, axis)
    return out


def argmax(x, axis=None, keepdims=False):
    return _arg_reduce(tf.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg_reduce(tf.argmin, x, axis, keepdims)


def count_nonzero(x, axis=None):
    x = convert_to_tensor(x)
    return tf.cast(tf.math.count_nonzero(x, axis=_axes(axis)), tf.int32)


# --- creation ------------------------------------------------------------------------

def zeros(shape, dtype=None):
    return tf.zeros(_shape_arg(shape), dtype=tf_dtype(dtype))


def ones(shape, dtype=None):
    return tf.ones(_shape_arg(shape), dtype=tf_dtype(dtype))


def full(shape, fill_value, dtype=None):
    if dtype is None:
        dtype = result_type(fill_value if type(fill_value) in _PY else
                            convert_to_tensor(fill_value).dtype.name)
    value = convert_to_tensor(fill_value, dtype)
    return tf.broadcast_to(value, _shape_arg(shape))


def zeros_like(x, dtype=None):
    x = convert_to_tensor(x)
    return tf.zeros_like(x, dtype=None if dtype is None else tf_dtype(dtype))


def ones_like(x, dtype=None):
    x = convert_to_tensor(x)
    return tf.ones_like(x, dtype=None if dtype is None else tf_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    x = convert_to_tensor(x)
    dtype = x.dtype.name if dtype is None else dtype
    return tf.broadcast_to(convert_to_tensor(fill_value, dtype), tf.shape(x))


_RANGE_DTYPES = (tf.float32, tf.float64, tf.int32, tf.int64)


def arange(start, stop=None, step=None, dtype=None):
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    if dtype is None:
        keys = [v if type(v) in _PY else convert_to_tensor(v).dtype.name for v in (start, stop, step)]
        dtype = result_type(*keys)
    dtype = tf_dtype(dtype)
    compute = dtype if dtype in _RANGE_DTYPES else (tf.float32 if dtype.is_floating else tf.int32)
    out = tf.range(convert_to_tensor(start, compute.name), convert_to_tensor(stop, compute.name),
                   convert_to_tensor(step, compute.name), dtype=compute)
    return out if compute == dtype else tf.cast(out, dtype)


def eye(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    rows = tf.range(N)[:, None]
    cols = tf.range(M)[None, :]
    return tf.cast(tf.equal(cols - rows, k), tf_dtype(dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    keys = [v if type(v) in _PY else convert_to_tensor(v).dtype.name for v in (start, stop)]
    out_dtype = tf_dtype(dtype) if dtype is not None else tf_dtype(float_result_type(*keys))
    compute = tf.float64 if out_dtype is tf.float64 else tf.float32
    start = tf.cast(convert_to_tensor(start), compute)
    stop = tf.cast(convert_to_tensor(stop), compute)
    num = int(num)
    div = (num - 1) if endpoint else num
    delta = stop - start
    step = delta / div if div > 0 else delta * float("nan")
    bshape = tf.broadcast_dynamic_shape(tf.shape(start), tf.shape(stop))
    extra = len(start.shape) if len(start.shape) >= len(stop.shape) else len(stop.shape)
    steps = tf.reshape(tf.range(num, dtype=compute), [num] + [1] * extra)
    values = start[None] + steps * (step[None] if div > 0 else tf.zeros_like(step)[None])
    values = tf.broadcast_to(values, tf.concat([[num], bshape], 0))
    if endpoint and num > 1:
        values = tf.concat([values[:-1], tf.broadcast_to(stop, bshape)[None]], 0)
    if axis != 0:
        values = moveaxis(values, 0, axis)
    if out_dtype.is_integer:
        values = tf.floor(values)
    values = tf.cast(values, out_dtype)
    if retstep:
        return values, tf.cast(step, out_dtype) if out_dtype.is_floating else step
    return values


def _band_mask(x, k, lower):
    dims = _shape(x)
    rows = tf.range(dims[-2])[:, None]
    cols = tf.range(dims[-1])[None, :]
    return (cols - rows <= k) if lower else (cols - rows >= k)


def tril(x, k=0):
    x = convert_to_tensor(x)
    return tf.where(_band_mask(x, k, True), x, tf.zeros_like(x))


def triu(x, k=0):
    x = convert_to_tensor(x)
    return tf.where(_band_mask(x, k, False), x, tf.zeros_like(x))


def moveaxis(x, source, destination):
    x = convert_to_tensor(x)
    rank = x.shape.rank
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source and destination must have the same length, "
                         f"received {source} and {destination}")
    src = [s % rank for s in src]
    dst = [d % rank for d in dst]
    perm = [i for i in range(rank) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return tf.transpose(x, perm)


def swapaxes(x, axis1, axis2):
    x = convert_to_tensor(x)
    rank = x.shape.rank
    perm = list(range(rank))
    a, b = axis1 % rank, axis2 % rank
    perm[a], perm[b] = perm[b], perm[a]
    return tf.transpose(x, perm)


def ravel(x):
    return tf.reshape(convert_to_tensor(x), [-1])


def size(x):
    x = convert_to_tensor(x)
    static = x.shape
    if static.rank is not None and None not in static:
        return tf.constant(int(np.prod(static.as_list(), dtype=np.int64)), tf.int32)
    return tf.size(x, out_type=tf.int32)


def ndim(x):
    return convert_to_tensor(x).shape.rank


def copy(x):
    return tf.identity(convert_to_tensor(x))


def array(x, dtype=None):
    return convert_to_tensor(x, dtype)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return x
    dtype = x.dtype
    posinf = dtype.max if posinf is None else posinf
    neginf = dtype.min if neginf is None else neginf
    x = tf.where(tf.math.is_nan(x), tf.cast(nan, dtype), x)
    x = tf.where(tf.equal(x, tf.cast(float("inf"), dtype)), tf.cast(posinf, dtype), x)
    return tf.where(tf.equal(x, tf.cast(float("-inf"), dtype)), tf.cast(neginf, dtype), x)


def unstack(x, num=None, axis=0):
    return tf.unstack(convert_to_tensor(x), num=num, axis=axis)

