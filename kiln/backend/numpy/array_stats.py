"""The numpy backend's statistics, nan-reductions, sorting, searching and set ops (interface module ``array_stats``).

Float results are computed in at least float32 and returned in the dtype the
public op declares (``float_result_type`` of the inputs).

Example:
    >>> from kiln.backend.numpy import array_stats
    >>> array_stats.median(np.array([3, 1, 2])).tolist()
    2.0
"""

import builtins
import warnings

import numpy as np

from kiln.backend.common import array_rules as rules
from kiln.backend.common import dtypes
from kiln.backend.numpy.core import as_array, convert_to_tensor, dtype_name, np_dtype

_t = convert_to_tensor


def _name(x):
    return dtype_name(x.dtype)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _float_in(*xs):
    """Arrays cast to a compute dtype (at least float32), and the result dtype."""
    xs = [_t(x) for x in xs]
    result = dtypes.float_result_type(*(_name(x) for x in xs))
    compute = np_dtype(dtypes.result_type(result, "float32"))
    return [x.astype(compute, copy=False) for x in xs], np_dtype(result)


def _out(x, dtype):
    return as_array(x).astype(np_dtype(dtype), copy=False)


def _is_float(x):
    return x.dtype.kind in "fc" or _name(x) == "bfloat16"


def _quiet(fn, *args, **kwargs):
    """NumPy warns on all-NaN slices (the result is NaN, as documented); keep quiet."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


# -- averages and quantiles -----------------------------------------------------------
def average(x, axis=None, weights=None):
    if weights is None:
        (x,), result = _float_in(x)
        return _out(np.mean(x, axis=axis), result)
    (x, weights), result = _float_in(x, weights)
    return _out(np.average(x, axis=axis, weights=weights), result)


def _q(q, dtype):
    return np.asarray(_t(q), dtype=dtype)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    (x,), result = _float_in(x)
    return _out(np.quantile(x, _q(q, x.dtype), axis=_axis(axis), method=method, keepdims=keepdims), result)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    (x,), result = _float_in(x)
    return _out(np.quantile(x, _q(q, x.dtype) / 100, axis=_axis(axis), method=method, keepdims=keepdims),
                result)


def median(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return _out(np.median(x, axis=_axis(axis), keepdims=keepdims), result)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    (x,), result = _float_in(x)
    out = _quiet(np.nanquantile, x, _q(q, x.dtype), axis=_axis(axis), method=method, keepdims=keepdims)
    return _out(out, result)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    (x,), result = _float_in(x)
    out = _quiet(np.nanquantile, x, _q(q, x.dtype) / 100, axis=_axis(axis), method=method, keepdims=keepdims)
    return _out(out, result)


def nanmedian(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return _out(_quiet(np.nanmedian, x, axis=_axis(axis), keepdims=keepdims), result)


# -- NaN-ignoring reductions ----------------------------------------------------------
def _nan_arg(fn, fill, x, axis, keepdims):
    x = _t(x)
    if not _is_float(x):
        return as_array(fn(x, axis=axis, keepdims=keepdims)).astype("int32")
    nan = np.isnan(x)
    out = fn(np.where(nan, fill, x), axis=axis, keepdims=keepdims)
    return np.where(np.all(nan, axis=axis, keepdims=keepdims), -1, out).astype("int32")


def nanargmax(x, axis=None, keepdims=False):
    return _nan_arg(np.argmax, -np.inf, x, axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    return _nan_arg(np.argmin, np.inf, x, axis, keepdims)


def _accumulate_dtype(x, dtype):
    if dtype is not None:
        return np_dtype(dtype)
    name = _name(x)
    return np_dtype(rules.accumulate_dtype(name))


def _cumulative(fn, fill, x, axis, dtype):
    """``fn`` (cumsum/cumprod) with NaNs read as ``fill``, accumulating in the sum dtype."""
    x = _t(x)
    dtype = _accumulate_dtype(x, dtype)
    if _is_float(x):
        x = np.where(np.isnan(x), fill, x).astype(x.dtype)
    return fn(x, axis=axis, dtype=dtype)


def nancumsum(x, axis=None, dtype=None):
    return _cumulative(np.cumsum, 0, x, axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    return _cumulative(np.cumprod, 1, x, axis, dtype)


def nanmax(x, axis=None, keepdims=False):
    x = _t(x)
    fn = np.nanmax if _is_float(x) else np.max
    return as_array(_quiet(fn, x, axis=_axis(axis), keepdims=keepdims))


def nanmin(x, axis=None, keepdims=False):
    x = _t(x)
    fn = np.nanmin if _is_float(x) else np.min
    return as_array(_quiet(fn, x, axis=_axis(axis), keepdims=keepdims))


def nansum(x, axis=None, keepdims=False):
    x = _t(x)
    return as_array(np.nansum(x, axis=_axis(axis), keepdims=keepdims, dtype=_accumulate_dtype(x, None)))


def nanprod(x, axis=None, keepdims=False):
    x = _t(x)
    return as_array(np.nanprod(x, axis=_axis(axis), keepdims=keepdims, dtype=_accumulate_dtype(x, None)))


def nanmean(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return _out(_quiet(np.nanmean, x, axis=_axis(axis), keepdims=keepdims), result)


def nanvar(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return _out(_quiet(np.nanvar, x, axis=_axis(axis), keepdims=keepdims), result)


def nanstd(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return _out(_quiet(np.nanstd, x, axis=_axis(axis), keepdims=keepdims), result)


def ptp(x, axis=None, keepdims=False):
    x = _t(x)
    if x.dtype == bool:
        axis = _axis(axis)
        return as_array(np.max(x, axis=axis, keepdims=keepdims) != np.min(x, axis=axis, keepdims=keepdims))
    return as_array(np.ptp(x, axis=_axis(axis), keepdims=keepdims)).astype(x.dtype, copy=False)


# -- counting ----------------------------------------------------------------------------
def histogram(x, bins=10, range=None):
    (x,), result = _float_in(x)
    counts, edges = np.histogram(x, bins=bins, range=range)
    return counts.astype("int32"), _out(edges, result)


def bincount(x, weights=None, minlength=0, sparse=False):
    x = _t(x)
    if weights is not None:
        weights = _t(weights)
        dtype = np_dtype(dtypes.result_type(_name(x), _name(weights)))
    else:
        dtype = np_dtype("int32")
    x = x.astype("int64", copy=False)
    if x.ndim == 1:
        return np.bincount(x, weights=weights, minlength=minlength).astype(dtype)
    length = builtins.max(int(x.max()) + 1 if x.size else 0, minlength)
    rows = [np.bincount(row, weights=None if weights is None else weights[i], minlength=length)
            for i, row in enumerate(x)]
    return np.stack(rows).reshape(x.shape[0], length).astype(dtype) if rows else \
        np.zeros((0, length), dtype)


# -- correlation, trace, integration --------------------------------------------------
def corrcoef(x):
    (x,), result = _float_in(x)
    return _out(np.corrcoef(x), result)


def correlate(x1, x2, mode="valid"):
    (x1, x2), result = _float_in(x1, x2)
    return _out(np.correlate(x1, x2, mode=mode), result)


def trace(x, offset=0, axis1=0, axis2=1):
    x = _t(x)
    return as_array(np.trace(x, offset=offset, axis1=axis1, axis2=axis2, dtype=_accumulate_dtype(x, None)))


def trapezoid(y, x=None, dx=1.0, axis=-1):
    if x is None:
        (y,), result = _float_in(y)
    else:
        (y, x), result = _float_in(y, x)
    return _out(np.trapezoid(y, x=x, dx=dx, axis=axis), result)


# -- sorting and searching --------------------------------------------------------------
def argpartition(x, kth, axis=-1):
    return np.argpartition(_t(x), kth, axis=axis).astype("int32")


def _common(a, b):
    a, b = _t(a), _t(b)
    dtype = np_dtype(dtypes.result_type(_name(a), _name(b)))
    return a.astype(dtype, copy=False), b.astype(dtype, copy=False)


def searchsorted(sorted_sequence, values, side="left"):
    sorted_sequence, values = _common(sorted_sequence, values)
    return as_array(np.searchsorted(sorted_sequence, values, side=side)).astype("int32")


def digitize(x, bins):
    x, bins = _common(x, bins)
    return as_array(np.searchsorted(bins, x, side="right")).astype("int32")


# -- sets ------------------------------------------------------------------------------
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    x = _t(x)
    if axis is not None:
        axis = axis % x.ndim
    values, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True, return_counts=True,
                                               axis=axis, equal_nan=False)
    inverse = inverse.reshape(x.shape if axis is None else (-1,))
    if not sorted:
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        values = np.take(values, order, axis=0 if axis is None else axis)
        first, counts, inverse = first[order], counts[order], rank[inverse]
    if size is not None:
        count = first.size
        vaxis = 0 if axis is None else axis
        if size <= count:
            values = np.take(values, np.arange(size), axis=vaxis)
            first, counts = first[:size], counts[:size]
        else:
            pad_shape = list(values.shape)
            pad_shape[vaxis] = size - count
            fill = 0 if fill_value is None else fill_value
            values = np.concatenate([values, np.full(pad_shape, fill, values.dtype)], axis=vaxis)
            first = np.concatenate([first, np.zeros(size - count, first.dtype)])
            counts = np.concatenate([counts, np.zeros(size - count, counts.dtype)])
    return rules.unique_outputs(values.astype(x.dtype, copy=False), first, inverse, counts, return_index,
                                return_inverse, return_counts, cast=lambda v: v.astype("int32"))


def nonzero(x):
    return tuple(i.astype("int32") for i in np.nonzero(_t(x)))


def isin(x1, x2, assume_unique=False, invert=False):
    x1, x2 = _common(x1, x2)
    return np.isin(x1, x2, assume_unique=assume_unique, invert=invert)
