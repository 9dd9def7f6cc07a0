"""The torch backend's statistics, nan-reductions, sorting, searching and set ops (interface module ``array_stats``).

Float results are computed in at least float32 and returned in the dtype the
public op declares (``float_result_type`` of the inputs). ``median`` and
``nanmedian`` interpolate between the two middle values, as NumPy does (torch's
own ``median`` returns the lower one).

Example:
    >>> import torch
    >>> median(torch.tensor([3, 1, 2, 4])).tolist()
    2.5
"""

import builtins

import torch

from kiln.backend.common import array_rules as rules
from kiln.backend.common import dtypes
from kiln.backend.torch.core import DTYPE_NAMES, TORCH_DTYPES, convert_to_tensor, to_torch_dtype, via_int64

_t = convert_to_tensor
# Torch has no uint16/uint32/uint64 arithmetic kernels: sums and products of those run on int64.
_WIDE_UNSIGNED = frozenset((torch.uint16, torch.uint32, torch.uint64))
_INT32 = torch.int32


def _name(x):
    return DTYPE_NAMES[x.dtype]


def _float_in(*xs):
    """Tensors cast to a compute dtype (at least float32), and the result dtype."""
    xs = [_t(x) for x in xs]
    result = dtypes.float_result_type(*(_name(x) for x in xs))
    compute = TORCH_DTYPES[dtypes.result_type(result, "float32")]
    return [x.to(compute) for x in xs], TORCH_DTYPES[result]


def _is_float(x):
    return x.dtype.is_floating_point or x.dtype.is_complex


def _dims(x, axis):
    """Reduction axes as a sorted tuple of non-negative ints (every axis for None)."""
    if axis is None:
        return tuple(range(x.ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted({a % x.ndim for a in axes})) if x.ndim else ()


def _reduce(fn, x, axis, keepdims, **kwargs):
    dims = _dims(x, axis)
    if not dims:
        return fn(x, **kwargs) if x.ndim == 0 else x.clone()
    return fn(x, dim=dims, keepdim=keepdims, **kwargs)


def _to_last(x, axis):
    """``x`` with the reduced axes flattened into one last axis; also the kept and keepdims shapes."""
    dims = _dims(x, axis)
    kept = [d for d in range(x.ndim) if d not in dims]
    y = x.permute(kept + list(dims)).reshape([x.shape[d] for d in kept] + [-1])
    return y, [1 if d in dims else s for d, s in enumerate(x.shape)], [x.shape[d] for d in kept]


# -- averages and quantiles -----------------------------------------------------------
def average(x, axis=None, weights=None):
    if weights is None:
        (x,), result = _float_in(x)
        return (torch.mean(x) if axis is None else torch.mean(x, dim=axis)).to(result)
    (x, weights), result = _float_in(x, weights)
    if axis is not None and weights.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        weights = weights.reshape(shape)
    dims = _dims(x, axis)
    total = torch.sum(x * weights, dim=dims) if dims else x * weights
    norm = torch.sum(weights.expand_as(x), dim=dims) if dims else weights
    return (total / norm).to(result)


def _quantile(fn, x, q, axis, method, keepdims, scale=1.0):
    (x,), result = _float_in(x)
    q = _t(q).to(device=x.device, dtype=x.dtype)
    if scale != 1.0:
        q = q / scale
    y, keep_shape, kept = _to_last(x, axis)
    out = fn(y, q, dim=-1, interpolation=method)
    out = out.reshape(list(q.shape) + (keep_shape if keepdims else kept))
    return out.to(result)


def _quantile_kernel(x, q, axis, method, keepdims, ignore_nan, scale=1.0):
    fn = torch.nanquantile if ignore_nan else torch.quantile
    return _quantile(fn, x, q, axis, method, keepdims, scale=scale)


quantile, percentile, median, nanquantile, nanpercentile, nanmedian = rules.quantile_ops(_quantile_kernel)


# -- NaN-ignoring reductions ----------------------------------------------------------
def _nan_arg(fn, fill, x, axis, keepdims):
    x = _t(x)
    if x.dtype is torch.bool:
        x = x.to(torch.uint8)
    flat = axis is None
    if flat:
        shape = x.shape
        x = x.reshape(-1)
        axis = 0
    if _is_float(x):
        nan = torch.isnan(x)
        out = fn(torch.where(nan, fill, x), dim=axis, keepdim=keepdims and not flat)
        out = torch.where(torch.all(nan, dim=axis, keepdim=keepdims and not flat), -1, out)
    else:
        out = fn(x, dim=axis, keepdim=keepdims and not flat)
    if flat and keepdims:
        out = out.reshape((1,) * len(shape))
    return out.to(_INT32)


@via_int64(cast_back=False)
def nanargmax(x, axis=None, keepdims=False):
    return _nan_arg(torch.argmax, float("-inf"), x, axis, keepdims)


@via_int64(cast_back=False)
def nanargmin(x, axis=None, keepdims=False):
    return _nan_arg(torch.argmin, float("inf"), x, axis, keepdims)


def _accumulate_dtype(x, dtype=None):
    """(compute dtype, result dtype) of a sum/product of ``x``."""
    if dtype is not None:
        result = to_torch_dtype(dtype)
    else:
        name = _name(x)
        result = TORCH_DTYPES[rules.accumulate_dtype(name)]
    return (torch.int64 if result in _WIDE_UNSIGNED else result), result


def _nan_to(x, value):
    return torch.where(torch.isnan(x), torch.as_tensor(value, dtype=x.dtype, device=x.device), x)


def _cumulative(fn, fill, x, axis, dtype):
    x = _t(x)
    compute, result = _accumulate_dtype(x, dtype)
    if _is_float(x):
        x = _nan_to(x, fill)
    if x.dtype in _WIDE_UNSIGNED:
        x = x.to(torch.int64)
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    return fn(x, dim=axis, dtype=compute).to(result)


def nancumsum(x, axis=None, dtype=None):
    return _cumulative(torch.cumsum, 0, x, axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    return _cumulative(torch.cumprod, 1, x, axis, dtype)


def _nan_extreme(fn, fill, x, axis, keepdims):
    x = _t(x)
    if not _is_float(x):
        return _reduce(fn, x, axis, keepdims)
    nan = torch.isnan(x)
    out = _reduce(fn, torch.where(nan, fill, x), axis, keepdims)
    return torch.where(_reduce(torch.all, nan, axis, keepdims), float("nan"), out)


@via_int64(cast_back=True)
def nanmax(x, axis=None, keepdims=False):
    return _nan_extreme(torch.amax, float("-inf"), x, axis, keepdims)


@via_int64(cast_back=True)
def nanmin(x, axis=None, keepdims=False):
    return _nan_extreme(torch.amin, float("inf"), x, axis, keepdims)


def nansum(x, axis=None, keepdims=False):
    x = _t(x)
    compute, result = _accumulate_dtype(x)
    if _is_float(x):
        x = _nan_to(x, 0)
    if x.dtype in _WIDE_UNSIGNED:
        x = x.to(torch.int64)
    return _reduce(torch.sum, x, axis, keepdims, dtype=compute).to(result)


def nanprod(x, axis=None, keepdims=False):
    x = _t(x)
    compute, result = _accumulate_dtype(x)
    if _is_float(x):
        x = _nan_to(x, 1)
    dims = _dims(x, axis)
    out = x.to(torch.int64) if x.dtype in _WIDE_UNSIGNED else x
    if not dims:
        return out.to(result)
    for d in reversed(dims):
        out = torch.prod(out, dim=d, keepdim=keepdims, dtype=compute)
    return out.to(result)


def _nan_moments(x, axis, keepdims):
    (x,), result = _float_in(x)
    nan = torch.isnan(x)
    valid = (~nan).to(x.dtype)
    count = _reduce(torch.sum, valid, axis, True)
    mean = _reduce(torch.sum, _nan_to(x, 0), axis, True) / count
    return x, nan, valid, count, mean, result


def nanmean(x, axis=None, keepdims=False):
    x, nan, valid, count, mean, result = _nan_moments(x, axis, keepdims)
    dims = _dims(x, axis)
    return (mean if keepdims else mean.reshape([s for d, s in enumerate(mean.shape) if d not in dims])).to(result)


def nanvar(x, axis=None, keepdims=False):
    x, nan, valid, count, mean, result = _nan_moments(x, axis, keepdims)
    squares = torch.where(nan, torch.zeros((), dtype=x.dtype, device=x.device), (x - mean) ** 2)
    return (_reduce(torch.sum, squares, axis, keepdims) / _reduce(torch.sum, valid, axis, keepdims)).to(result)


def nanstd(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return torch.sqrt(nanvar(x, axis=axis, keepdims=keepdims)).to(result)


@via_int64(cast_back=True)
def ptp(x, axis=None, keepdims=False):
    x = _t(x)
    high, low = _reduce(torch.amax, x, axis, keepdims), _reduce(torch.amin, x, axis, keepdims)
    return high != low if x.dtype is torch.bool else high - low


# -- counting ----------------------------------------------------------------------------
def histogram(x, bins=10, range=None):
    (x,), result = _float_in(x)
    if range is None:
        low, high = torch.min(x), torch.max(x)
    else:
        low = torch.as_tensor(range[0], dtype=x.dtype, device=x.device)
        high = torch.as_tensor(range[1], dtype=x.dtype, device=x.device)
    same = low == high
    low, high = torch.where(same, low - 0.5, low), torch.where(same, high + 0.5, high)
    steps = torch.arange(bins + 1, dtype=x.dtype, device=x.device) / bins
    edges = low + (high - low) * steps
    index = torch.floor((x - low) / (high - low) * bins).to(torch.int64)
    index = torch.where(x == high, bins - 1, index)
    index = torch.where((x >= low) & (x <= high), index, bins)
    counts = torch.zeros(bins + 1, dtype=_INT32, device=x.device)
    counts = counts.scatter_add(0, index, torch.ones_like(index, dtype=_INT32))
    return counts[:bins], edges.to(result)


def bincount(x, weights=None, minlength=0, sparse=False):
    x = _t(x)
    if weights is not None:
        weights = _t(weights)
        dtype = TORCH_DTYPES[dtypes.result_type(_name(x), _name(weights))]
    x = x.to(torch.int64)
    length = builtins.max(int(x.max()) + 1 if x.numel() else 0, minlength)
    wf = None if weights is None else weights.to(torch.float64).reshape(-1)
    if x.ndim == 1:
        out = torch.bincount(x, weights=wf, minlength=length)
    else:
        rows = torch.arange(x.shape[0], device=x.device)[:, None] * length
        out = torch.bincount((x + rows).reshape(-1), weights=wf, minlength=length * x.shape[0])
        out = out.reshape(x.shape[0], length)
    return out.to(_INT32 if weights is None else dtype)


# -- correlation, trace, integration --------------------------------------------------
def corrcoef(x):
    (x,), result = _float_in(x)
    return torch.corrcoef(x).to(result)


def _correlate_full(a, v):
    """Full cross-correlation of two 1-D tensors: ``out[k] = sum_j a[k - (m - 1) + j] * v[j]``."""
    m = v.shape[0]
    padded = torch.nn.functional.pad(a, (m - 1, m - 1))
    return torch.nn.functional.conv1d(padded[None, None], v[None, None])[0, 0]


def correlate(x1, x2, mode="valid"):
    (x1, x2), result = _float_in(x1, x2)
    n, m = x1.shape[0], x2.shape[0]
    full = _correlate_full(x1, x2)
    return full[slice(*_correlate_window(n, m, mode))].to(result)


def _correlate_window(n, m, mode):
    """(start, stop) of the ``mode`` output inside the full correlation, as NumPy defines it."""
    if mode == "full":
        return 0, n + m - 1
    if mode == "valid":
        return builtins.min(n, m) - 1, builtins.max(n, m)
    start = (m - 1) // 2 if n >= m else n // 2
    return start, start + builtins.max(n, m)


def trace(x, offset=0, axis1=0, axis2=1):
    x = _t(x)
    compute, result = _accumulate_dtype(x)
    if x.dtype in _WIDE_UNSIGNED:
        x = x.to(torch.int64)
    diagonal = torch.diagonal(x, offset=offset, dim1=axis1, dim2=axis2)
    return torch.sum(diagonal, dim=-1, dtype=compute).to(result)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    if x is None:
        (y,), result = _float_in(y)
        return torch.trapezoid(y, dx=dx, dim=axis).to(result)
    (y, x), result = _float_in(y, x)
    return torch.trapezoid(y, x, dim=axis).to(result)


# -- sorting and searching --------------------------------------------------------------
def argpartition(x, kth, axis=-1):
    x = _t(x)
    if x.dtype is torch.bool:
        x = x.to(torch.uint8)
    # A full stable sort is one valid partition: position kth holds the kth smallest.
    return torch.argsort(x, dim=axis, stable=True).to(_INT32)


def _common(a, b):
    a, b = _t(a), _t(b)
    dtype = TORCH_DTYPES[dtypes.result_type(_name(a), _name(b))]
    if dtype is torch.bool:
        dtype = torch.uint8
    return a.to(dtype), b.to(device=a.device, dtype=dtype)


@via_int64(cast_back=False)
def searchsorted(sorted_sequence, values, side="left"):
    sorted_sequence, values = _common(sorted_sequence, values)
    return torch.searchsorted(sorted_sequence, values, side=side, out_int32=True)


@via_int64(cast_back=False)
def digitize(x, bins):
    x, bins = _common(x, bins)
    return torch.searchsorted(bins, x, right=True, out_int32=True)


# -- sets ------------------------------------------------------------------------------
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    x = _t(x)
    device = x.device
    if axis is None:
        rows = x.reshape(-1, 1)
    else:
        axis = axis % x.ndim
        moved = torch.movedim(x, axis, 0)
        rows = moved.reshape(moved.shape[0], -1)
    keys = rows.to(torch.uint8) if rows.dtype is torch.bool else rows
    n = rows.shape[0]
    # Stable lexicographic sort of the rows: one stable argsort per column, last column first.
    perm = torch.arange(n, device=device)
    for j in builtins.range(rows.shape[1] - 1, -1, -1):
        perm = perm[torch.argsort(keys[perm, j], stable=True)]
    ordered = keys[perm]
    is_new = torch.cat([torch.ones(builtins.min(n, 1), dtype=torch.bool, device=device),
                        torch.any(ordered[1:] != ordered[:-1], dim=1)])
    group = torch.cumsum(is_new, 0) - 1
    count = int(is_new.sum()) if size is None else size
    unique_count = int(is_new.sum())
    first = torch.full((n,), n, dtype=torch.int64, device=device).scatter_reduce(0, group, perm, "amin")
    counts = torch.zeros(n, dtype=torch.int64, device=device).scatter_add(0, group, torch.ones_like(group))
    inverse = torch.empty(n, dtype=torch.int64, device=device)
    inverse[perm] = group
    first, counts = first[:unique_count], counts[:unique_count]
    if not sorted:
        order = torch.argsort(first, stable=True)
        rank = torch.empty_like(order)
        rank[order] = torch.arange(order.shape[0], device=device)
        first, counts, inverse = first[order], counts[order], rank[inverse]
    values = rows[first]
    if count <= unique_count:
        values, first, counts = values[:count], first[:count], counts[:count]
    else:
        pad = count - unique_count
        fill = 0 if fill_value is None else fill_value
        values = torch.cat([values, torch.full((pad, rows.shape[1]), fill, dtype=rows.dtype, device=device)])
        first = torch.cat([first, torch.zeros(pad, dtype=first.dtype, device=device)])
        counts = torch.cat([counts, torch.zeros(pad, dtype=counts.dtype, device=device)])
    if axis is None:
        values = values.reshape(count)
        inverse = inverse.reshape(x.shape)
    else:
        values = torch.movedim(values.reshape((count,) + tuple(moved.shape[1:])), 0, axis)
    return rules.unique_outputs(values, first, inverse, counts, return_index, return_inverse, return_counts,
                                cast=lambda v: v.to(_INT32))


@via_int64(cast_back=False)
def nonzero(x):
    return tuple(i.to(_INT32) for i in torch.nonzero(_t(x), as_tuple=True))


def isin(x1, x2, assume_unique=False, invert=False):
    x1, x2 = _common(x1, x2)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)
