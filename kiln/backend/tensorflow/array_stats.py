"""The tensorflow backend's statistics, nan-reductions, sorting, searching and set ops (interface module ``array_stats``).

Float results are computed in at least float32 and returned in the dtype the
public op declares (``float_result_type`` of the inputs). Quantiles sort along
the reduced axes and interpolate; everything traces under ``tf.function``
(``bincount``, ``nonzero`` and ``unique`` without ``size`` then have a dynamic
length).

Example:
    >>> median(tf.constant([3, 1, 2, 4])).numpy().tolist()
    2.5
"""

import builtins
import math

import tensorflow as tf

from kiln.backend.common import array_rules as rules
from kiln.backend.common import dtypes
from kiln.backend.tensorflow.core import convert_to_tensor, tf_dtype

_t = convert_to_tensor


def _name(x):
    return x.dtype.name


def _float_in(*xs):
    """Tensors cast to a compute dtype (at least float32), and the result dtype."""
    xs = [_t(x) for x in xs]
    result = dtypes.float_result_type(*(_name(x) for x in xs))
    compute = tf_dtype(dtypes.result_type(result, "float32"))
    return [tf.cast(x, compute) for x in xs], tf_dtype(result)


def _is_float(x):
    return x.dtype.is_floating or x.dtype.is_complex


def _dims(x, axis):
    rank = x.shape.rank
    if axis is None:
        return tuple(range(rank))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted({a % rank for a in axes})) if rank else ()


def _shape(x):
    """Static dims where known, scalar tensors elsewhere."""
    dynamic = tf.shape(x)
    return [d if d is not None else dynamic[i] for i, d in enumerate(x.shape.as_list())]


def _reduce(fn, x, axis, keepdims):
    dims = _dims(x, axis)
    if not dims:
        return x
    return fn(x, axis=list(dims), keepdims=keepdims)


def _to_last(x, axis):
    """``x`` with the reduced axes flattened into one last axis; also the keepdims and kept shapes."""
    dims = _dims(x, axis)
    rank = x.shape.rank
    kept = [d for d in range(rank) if d not in dims]
    shape = _shape(x)
    y = tf.transpose(x, kept + list(dims)) if rank else x
    y = tf.reshape(y, [shape[d] for d in kept] + [-1])
    return y, [1 if d in dims else s for d, s in enumerate(shape)], [shape[d] for d in kept]


# -- averages and quantiles -----------------------------------------------------------
def average(x, axis=None, weights=None):
    if weights is None:
        (x,), result = _float_in(x)
        return tf.cast(tf.reduce_mean(x, axis=axis), result)
    (x, weights), result = _float_in(x, weights)
    if axis is not None and weights.shape.rank == 1 and x.shape.rank > 1:
        shape = [1] * x.shape.rank
        shape[axis] = -1
        weights = tf.reshape(weights, shape)
    weights = tf.broadcast_to(weights, tf.shape(x))
    return tf.cast(tf.reduce_sum(x * weights, axis=axis) / tf.reduce_sum(weights, axis=axis), result)


def _quantile(x, q, axis, method, keepdims, ignore_nan, scale=1.0):
    (x,), result = _float_in(x)
    q = tf.cast(_t(q), x.dtype)
    if scale != 1.0:
        q = q / scale
    q_shape = q.shape.as_list()
    y, keep_shape, kept = _to_last(x, axis)
    nan = tf.math.is_nan(y)
    ordered = tf.sort(tf.where(nan, tf.constant(float("inf"), x.dtype), y), axis=-1)
    size = tf.shape(y)[-1]
    if ignore_nan:
        n = tf.reduce_sum(tf.cast(~nan, x.dtype), axis=-1, keepdims=True)
    else:
        n = tf.cast(size, x.dtype) * tf.ones_like(ordered[..., :1])
    pos = (n - 1) * tf.reshape(q, [-1])
    last = tf.maximum(size - 1, 0)

    def take(index):
        index = tf.clip_by_value(tf.cast(index, tf.int32), 0, last)
        return tf.gather(ordered, index, axis=-1, batch_dims=len(kept))

    low, high = tf.floor(pos), tf.math.ceil(pos)
    if method == "linear":
        v_low, v_high = take(low), take(high)
        out = v_low + (v_high - v_low) * (pos - low)
    elif method == "lower":
        out = take(low)
    elif method == "higher":
        out = take(high)
    elif method == "midpoint":
        out = (take(low) + take(high)) / 2
    else:
        out = take(tf.round(pos))
    if ignore_nan:
        out = tf.where(n > 0, out, tf.constant(float("nan"), x.dtype))
    else:
        out = tf.where(tf.reduce_any(nan, axis=-1, keepdims=True), tf.constant(float("nan"), x.dtype), out)
    rank = len(kept)
    out = tf.transpose(out, [rank] + list(range(rank)))
    out = tf.reshape(out, q_shape + (keep_shape if keepdims else kept))
    return tf.cast(out, result)


quantile, percentile, median, nanquantile, nanpercentile, nanmedian = rules.quantile_ops(_quantile)


# -- NaN-ignoring reductions ----------------------------------------------------------
def _nan_arg(fn, fill, x, axis, keepdims):
    x = _t(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, tf.int32)
    rank = x.shape.rank
    if axis is None:
        x = tf.reshape(x, [-1])
        axis = 0
    else:
        axis = axis % rank
    if _is_float(x):
        nan = tf.math.is_nan(x)
        out = fn(tf.where(nan, tf.constant(fill, x.dtype), x), axis=axis, output_type=tf.int32)
        out = tf.where(tf.reduce_all(nan, axis=axis), -1, out)
    else:
        out = fn(x, axis=axis, output_type=tf.int32)
    if keepdims:
        out = tf.reshape(out, [1] * rank) if x.shape.rank == 1 and rank != 1 else tf.expand_dims(out, axis)
    return out


def nanargmax(x, axis=None, keepdims=False):
    return _nan_arg(tf.argmax, float("-inf"), x, axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    return _nan_arg(tf.argmin, float("inf"), x, axis, keepdims)


def _accumulate_dtype(x, dtype=None):
    if dtype is not None:
        return tf_dtype(dtype)
    name = _name(x)
    return tf_dtype(rules.accumulate_dtype(name))


def _nan_to(x, value):
    return tf.where(tf.math.is_nan(x), tf.constant(value, x.dtype), x)


def _cumulative(fn, fill, x, axis, dtype):
    x = _t(x)
    dtype = _accumulate_dtype(x, dtype)
    if _is_float(x):
        x = _nan_to(x, fill)
    if axis is None:
        x = tf.reshape(x, [-1])
        axis = 0
    return fn(tf.cast(x, dtype), axis=axis)


def nancumsum(x, axis=None, dtype=None):
    return _cumulative(tf.math.cumsum, 0, x, axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    return _cumulative(tf.math.cumprod, 1, x, axis, dtype)


def _nan_extreme(fn, fill, x, axis, keepdims):
    x = _t(x)
    if x.dtype == tf.bool:
        return _reduce(tf.reduce_any if fn is tf.reduce_max else tf.reduce_all, x, axis, keepdims)
    if not _is_float(x):
        return _reduce(fn, x, axis, keepdims)
    nan = tf.math.is_nan(x)
    out = _reduce(fn, tf.where(nan, tf.constant(fill, x.dtype), x), axis, keepdims)
    return tf.where(_reduce(tf.reduce_all, nan, axis, keepdims), tf.constant(float("nan"), x.dtype), out)


def nanmax(x, axis=None, keepdims=False):
    return _nan_extreme(tf.reduce_max, float("-inf"), x, axis, keepdims)


def nanmin(x, axis=None, keepdims=False):
    return _nan_extreme(tf.reduce_min, float("inf"), x, axis, keepdims)


def nansum(x, axis=None, keepdims=False):
    x = _t(x)
    if _is_float(x):
        x = _nan_to(x, 0)
    return _reduce(tf.reduce_sum, tf.cast(x, _accumulate_dtype(x)), axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    x = _t(x)
    if _is_float(x):
        x = _nan_to(x, 1)
    return _reduce(tf.reduce_prod, tf.cast(x, _accumulate_dtype(x)), axis, keepdims)


def _nan_moments(x, axis):
    (x,), result = _float_in(x)
    nan = tf.math.is_nan(x)
    valid = tf.cast(~nan, x.dtype)
    count = _reduce(tf.reduce_sum, valid, axis, True)
    mean = _reduce(tf.reduce_sum, _nan_to(x, 0), axis, True) / count
    return x, nan, valid, mean, result


def nanmean(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    valid = tf.cast(~tf.math.is_nan(x), x.dtype)
    out = _reduce(tf.reduce_sum, _nan_to(x, 0), axis, keepdims) / _reduce(tf.reduce_sum, valid, axis, keepdims)
    return tf.cast(out, result)


def nanvar(x, axis=None, keepdims=False):
    x, nan, valid, mean, result = _nan_moments(x, axis)
    squares = tf.where(nan, tf.zeros((), x.dtype), tf.square(x - mean))
    out = _reduce(tf.reduce_sum, squares, axis, keepdims) / _reduce(tf.reduce_sum, valid, axis, keepdims)
    return tf.cast(out, result)


def nanstd(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return tf.cast(tf.sqrt(nanvar(x, axis=axis, keepdims=keepdims)), result)


def ptp(x, axis=None, keepdims=False):
    x = _t(x)
    if x.dtype == tf.bool:
        return tf.not_equal(_reduce(tf.reduce_any, x, axis, keepdims), _reduce(tf.reduce_all, x, axis, keepdims))
    return _reduce(tf.reduce_max, x, axis, keepdims) - _reduce(tf.reduce_min, x, axis, keepdims)


# -- counting ----------------------------------------------------------------------------
def histogram(x, bins=10, range=None):
    (x,), result = _float_in(x)
    if range is None:
        low, high = tf.reduce_min(x), tf.reduce_max(x)
    else:
        low, high = tf.constant(range[0], x.dtype), tf.constant(range[1], x.dtype)
    same = tf.equal(low, high)
    low, high = tf.where(same, low - 0.5, low), tf.where(same, high + 0.5, high)
    edges = low + (high - low) * tf.range(bins + 1, dtype=x.dtype) / bins
    index = tf.cast(tf.floor((x - low) / (high - low) * bins), tf.int32)
    index = tf.where(tf.equal(x, high), bins - 1, index)
    index = tf.where((x >= low) & (x <= high), index, bins)
    counts = tf.math.unsorted_segment_sum(tf.ones_like(index), index, bins + 1)
    return counts[:bins], tf.cast(edges, result)


def bincount(x, weights=None, minlength=0, sparse=False):
    x = _t(x)
    dtype = tf.int32
    if weights is not None:
        weights = _t(weights)
        dtype = tf_dtype(dtypes.result_type(_name(x), _name(weights)))
        weights = tf.cast(weights, tf.float64)
    x = tf.cast(x, tf.int32)
    axis = -1 if x.shape.rank == 2 else None
    out = tf.math.bincount(x, weights=weights, minlength=minlength, axis=axis,
                           dtype=tf.int32 if weights is None else tf.float64)
    return tf.cast(out, dtype)


# -- correlation, trace, integration --------------------------------------------------
def corrcoef(x):
    (x,), result = _float_in(x)
    vector = x.shape.rank == 1
    if vector:
        x = x[None]
    centered = x - tf.reduce_mean(x, axis=1, keepdims=True)
    cov = tf.matmul(centered, centered, transpose_b=True)
    scale = tf.sqrt(tf.linalg.diag_part(cov))
    out = tf.clip_by_value(cov / scale[:, None] / scale[None, :], -1.0, 1.0)
    return tf.cast(out[0, 0] if vector else out, result)


def correlate(x1, x2, mode="valid"):
    (x1, x2), result = _float_in(x1, x2)
    n, m = x1.shape[0], x2.shape[0]
    padded = tf.pad(x1, [[m - 1, m - 1]])
    full = tf.nn.conv1d(padded[None, :, None], x2[:, None, None], stride=1, padding="VALID")[0, :, 0]
    if mode == "full":
        start, stop = 0, n + m - 1
    elif mode == "valid":
        start, stop = builtins.min(n, m) - 1, builtins.max(n, m)
    else:
        start = (m - 1) // 2 if n >= m else n // 2
        stop = start + builtins.max(n, m)
    return tf.cast(full[start:stop], result)


def trace(x, offset=0, axis1=0, axis2=1):
    x = _t(x)
    rank = x.shape.rank
    axis1, axis2 = axis1 % rank, axis2 % rank
    rest = [d for d in range(rank) if d not in (axis1, axis2)]
    x = tf.transpose(x, rest + [axis1, axis2])
    diagonal = tf.linalg.diag_part(tf.cast(x, _accumulate_dtype(x)), k=offset)
    return tf.reduce_sum(diagonal, axis=-1)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    if x is None:
        (y,), result = _float_in(y)
    else:
        (y, x), result = _float_in(y, x)
    rank = y.shape.rank
    axis = axis % rank
    perm = [d for d in range(rank) if d != axis] + [axis]
    y = tf.transpose(y, perm)
    if x is None:
        d = tf.constant(dx, y.dtype)
    elif x.shape.rank == 1:
        d = x[1:] - x[:-1]
    else:
        x = tf.transpose(tf.broadcast_to(x, tf.shape(tf.transpose(y, _inverse(perm)))), perm)
        d = x[..., 1:] - x[..., :-1]
    return tf.cast(tf.reduce_sum(d * (y[..., 1:] + y[..., :-1]) / 2, axis=-1), result)


def _inverse(perm):
    out = [0] * len(perm)
    for i, p in enumerate(perm):
        out[p] = i
    return out


# -- sorting and searching --------------------------------------------------------------
def _sortable(x):
    if x.dtype == tf.bool or (x.dtype.is_integer and x.dtype != tf.int64):
        return tf.cast(x, tf.int64)
    return x


def argpartition(x, kth, axis=-1):
    # A full stable sort is one valid partition: position kth holds the kth smallest.
    return tf.argsort(_sortable(_t(x)), axis=axis, stable=True)


def _common(a, b):
    a, b = _t(a), _t(b)
    dtype = tf_dtype(dtypes.result_type(_name(a), _name(b)))
    return tf.cast(a, dtype), tf.cast(b, dtype)


def searchsorted(sorted_sequence, values, side="left"):
    sorted_sequence, values = _common(sorted_sequence, values)
    flat = tf.reshape(values, [-1])
    out = tf.searchsorted(sorted_sequence, flat, side=side, out_type=tf.int32)
    return tf.reshape(out, tf.shape(values))


def digitize(x, bins):
    return searchsorted(bins, x, side="right")


# -- sets ------------------------------------------------------------------------------
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    x = _t(x)
    if axis is None:
        rows = tf.reshape(x, [-1, 1])
    else:
        axis = axis % x.shape.rank
        moved = tf.transpose(x, [axis] + [d for d in range(x.shape.rank) if d != axis])
        rows = tf.reshape(moved, [-1, math.prod(moved.shape[1:])])
    keys = _sortable(rows)
    n = tf.shape(rows)[0]
    # Stable lexicographic sort of the rows: one stable argsort per column, last column first.
    perm = tf.range(n)
    for j in builtins.range(rows.shape[1] - 1, -1, -1):
        perm = tf.gather(perm, tf.argsort(tf.gather(keys[:, j], perm), stable=True))
    ordered = tf.gather(keys, perm)
    is_new = tf.concat([tf.ones([tf.minimum(n, 1)], tf.bool),
                        tf.reduce_any(tf.not_equal(ordered[1:], ordered[:-1]), axis=1)], 0)
    group = tf.cumsum(tf.cast(is_new, tf.int32)) - 1
    first = tf.math.unsorted_segment_min(perm, group, n)
    counts = tf.math.unsorted_segment_sum(tf.ones_like(group), group, n)
    inverse = tf.scatter_nd(perm[:, None], group, [n])
    valid = counts > 0
    if not sorted:
        order = tf.argsort(tf.where(valid, first, n + tf.range(n)), stable=True)
        rank = tf.scatter_nd(order[:, None], tf.range(n), [n])
        first, counts, valid = tf.gather(first, order), tf.gather(counts, order), tf.gather(valid, order)
        inverse = tf.gather(rank, inverse)
    if size is None:
        count = tf.reduce_sum(tf.cast(valid, tf.int32))
    else:
        count = size
        pad = tf.maximum(size - n, 0)
        first = tf.pad(first, [[0, pad]])
        counts = tf.pad(counts, [[0, pad]])
        valid = tf.pad(valid, [[0, pad]])
    first, counts, valid = first[:count], counts[:count], valid[:count]
    first = tf.where(valid, first, 0)
    fill = tf.cast(0 if fill_value is None else fill_value, x.dtype)
    safe = tf.minimum(first, tf.maximum(n - 1, 0))
    # One spare zero row keeps the gather valid when x is empty.
    gathered = tf.gather(tf.concat([rows, tf.zeros([1, rows.shape[1]], rows.dtype)], 0), safe)
    values = tf.where(valid[:, None], gathered, fill)
    if axis is None:
        values = tf.reshape(values, [-1])
        inverse = tf.reshape(inverse, tf.shape(x))
    else:
        values = tf.reshape(values, tf.concat([[-1], tf.shape(moved)[1:]], 0))
        rank = x.shape.rank
        back = list(range(1, axis + 1)) + [0] + list(range(axis + 1, rank))
        values = tf.transpose(values, back)
    return rules.unique_outputs(values, first, inverse, counts, return_index, return_inverse, return_counts)


def nonzero(x):
    x = _t(x)
    indices = tf.cast(tf.where(tf.not_equal(x, tf.zeros((), x.dtype))), tf.int32)
    return tuple(indices[:, i] for i in range(x.shape.rank))


def isin(x1, x2, assume_unique=False, invert=False):
    x1, x2 = _common(x1, x2)
    found = tf.reduce_any(tf.equal(x1[..., None], tf.reshape(x2, [-1])), axis=-1)
    return tf.logical_not(found) if invert else found
