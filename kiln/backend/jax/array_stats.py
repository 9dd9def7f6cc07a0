"""The jax backend's statistics, nan-reductions, sorting, searching and set ops (interface module ``array_stats``).

Float results are computed in at least float32 and returned in the dtype the
public op declares (``float_result_type`` of the inputs). Ops whose output
length depends on the values (``bincount``, ``nonzero``, ``unique`` without
``size``) run eagerly but raise a ValueError when traced by ``jax.jit``.

Example:
    >>> from kiln.backend.jax import array_stats
    >>> array_stats.median(jnp.array([3, 1, 2])).tolist()
    2.0
"""

import builtins
import functools
import inspect
import math

import jax
import jax.numpy as jnp

from kiln.backend.common import array_rules as rules
from kiln.backend.common import dtypes
from kiln.backend.jax.core import cast, convert_to_tensor, native_dtype

_t = convert_to_tensor


def _name(x):
    return dtypes.standardize_dtype(x.dtype)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _float_in(*xs):
    """Tensors cast to a compute dtype (at least float32), and the result dtype name."""
    xs = [_t(x) for x in xs]
    result = dtypes.float_result_type(*(_name(x) for x in xs))
    compute = native_dtype(dtypes.result_type(result, "float32"))
    return [x.astype(compute) for x in xs], result


def _out(x, dtype):
    return cast(x, dtype)


def _is_float(x):
    return dtypes.is_float(_name(x)) or dtypes.is_complex(_name(x))


def _static(name, value, what):
    """Fail clearly when a data-dependent output size meets a jax tracer."""
    if isinstance(value, jax.core.Tracer):
        raise ValueError(f"{name}: the {what} depends on the values of the input, so it cannot be "
                         "traced by jax.jit; call it eagerly" +
                         (" or pass a static size" if name == "unique" else ""))


def _compiled(*static):
    """Run the function as one compiled kernel per input shape/dtype and static arguments.

    Arguments named in ``static`` are passed as compile-time constants (lists become
    tuples); every other argument is converted to a jax array (None stays None). One
    XLA program per op call instead of one per primitive keeps eager calls cheap.
    """
    def decorate(fn):
        signature = inspect.signature(fn)
        jitted = jax.jit(fn, static_argnames=static)

        @functools.wraps(fn)
        def run(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            call = {}
            for name, value in bound.arguments.items():
                if name in static:
                    call[name] = tuple(value) if isinstance(value, list) else value
                else:
                    call[name] = None if value is None else _t(value)
            return jitted(**call)

        return run

    return decorate


# -- averages and quantiles -----------------------------------------------------------
@_compiled("axis")
def average(x, axis=None, weights=None):
    if weights is None:
        (x,), result = _float_in(x)
        return _out(jnp.mean(x, axis=axis), result)
    (x, weights), result = _float_in(x, weights)
    return _out(jnp.average(x, axis=axis, weights=weights), result)


def _q(q, dtype):
    return jnp.asarray(_t(q), dtype=dtype)


def _quantile(fn, x, q, axis, method, keepdims, scale=1):
    (x,), result = _float_in(x)
    q = _q(q, x.dtype)
    if scale != 1:
        q = q / scale
    axis = _axis(axis)
    if method != "nearest":
        return _out(fn(x, q, axis=axis, method=method, keepdims=keepdims), result)
    # NumPy's "nearest" rounds half-way positions to the even index; jnp's does not.
    low = fn(x, q, axis=axis, method="lower", keepdims=keepdims)
    high = fn(x, q, axis=axis, method="higher", keepdims=keepdims)
    if fn is jnp.nanquantile:
        n = jnp.sum(~jnp.isnan(x), axis=axis, keepdims=keepdims).astype(x.dtype)
    else:
        axes = builtins.range(x.ndim) if axis is None else ((axis,) if isinstance(axis, int) else axis)
        n = math.prod(x.shape[a] for a in {a % x.ndim for a in axes}) if x.ndim else 1
    pos = q.reshape(q.shape + (1,) * (low.ndim - q.ndim)) * (n - 1)
    return _out(jnp.where(jnp.round(pos) == jnp.floor(pos), low, high), result)


def _quantile_kernel(x, q, axis, method, keepdims, ignore_nan, scale=1):
    return _quantile(jnp.nanquantile if ignore_nan else jnp.quantile, x, q, axis, method, keepdims, scale)


# The medians run jnp.median/jnp.nanmedian (below), not the quantile kernel.
_quantiles = rules.quantile_ops(_quantile_kernel)
quantile, percentile, nanquantile, nanpercentile = (
    _compiled("axis", "method", "keepdims")(_quantiles[i]) for i in (0, 1, 3, 4))


@_compiled("axis", "keepdims")
def median(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return _out(jnp.median(x, axis=_axis(axis), keepdims=keepdims), result)


@_compiled("axis", "keepdims")
def nanmedian(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return _out(jnp.nanmedian(x, axis=_axis(axis), keepdims=keepdims), result)


# -- NaN-ignoring reductions ----------------------------------------------------------
def _nan_arg(fn, fill, x, axis, keepdims):
    x = _t(x)
    if not _is_float(x):
        return fn(x, axis=axis, keepdims=keepdims).astype("int32")
    nan = jnp.isnan(x)
    out = fn(jnp.where(nan, fill, x), axis=axis, keepdims=keepdims)
    return jnp.where(jnp.all(nan, axis=axis, keepdims=keepdims), -1, out).astype("int32")


@_compiled("axis", "keepdims")
def nanargmax(x, axis=None, keepdims=False):
    return _nan_arg(jnp.argmax, -jnp.inf, x, axis, keepdims)


@_compiled("axis", "keepdims")
def nanargmin(x, axis=None, keepdims=False):
    return _nan_arg(jnp.argmin, jnp.inf, x, axis, keepdims)


def _accumulate_dtype(x, dtype):
    if dtype is not None:
        return dtypes.standardize_dtype(dtype)
    name = _name(x)
    return rules.accumulate_dtype(name)


def _cumulative(fn, fill, x, axis, dtype):
    """``fn`` (cumsum/cumprod) with NaNs read as ``fill``, accumulating in the sum dtype."""
    x = _t(x)
    dtype = _accumulate_dtype(x, dtype)
    if _is_float(x):
        x = jnp.where(jnp.isnan(x), fill, x)
    return fn(cast(x, dtype), axis=axis)


@_compiled("axis", "dtype")
def nancumsum(x, axis=None, dtype=None):
    return _cumulative(jnp.cumsum, 0, x, axis, dtype)


@_compiled("axis", "dtype")
def nancumprod(x, axis=None, dtype=None):
    return _cumulative(jnp.cumprod, 1, x, axis, dtype)


def _nan_extreme(fn, nan_fn, x, axis, keepdims):
    """``nan_fn`` (nanmax/nanmin) of float inputs, ``fn`` (max/min) of the others."""
    x = _t(x)
    return (nan_fn if _is_float(x) else fn)(x, axis=_axis(axis), keepdims=keepdims)


def _nan_reduce(fn, fill, x, axis, keepdims):
    """``fn`` (sum/prod) with NaNs read as ``fill``, accumulating in the sum dtype."""
    x = _t(x)
    dtype = native_dtype(_accumulate_dtype(x, None))
    if _is_float(x):
        x = jnp.where(jnp.isnan(x), fill, x)
    return fn(x, axis=_axis(axis), keepdims=keepdims, dtype=dtype)


@_compiled("axis", "keepdims")
def nanmax(x, axis=None, keepdims=False):
    return _nan_extreme(jnp.max, jnp.nanmax, x, axis, keepdims)


@_compiled("axis", "keepdims")
def nanmin(x, axis=None, keepdims=False):
    return _nan_extreme(jnp.min, jnp.nanmin, x, axis, keepdims)


@_compiled("axis", "keepdims")
def nansum(x, axis=None, keepdims=False):
    return _nan_reduce(jnp.sum, 0, x, axis, keepdims)


@_compiled("axis", "keepdims")
def nanprod(x, axis=None, keepdims=False):
    return _nan_reduce(jnp.prod, 1, x, axis, keepdims)


@_compiled("axis", "keepdims")
def nanmean(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return _out(jnp.nanmean(x, axis=_axis(axis), keepdims=keepdims), result)


@_compiled("axis", "keepdims")
def nanvar(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return _out(jnp.nanvar(x, axis=_axis(axis), keepdims=keepdims), result)


@_compiled("axis", "keepdims")
def nanstd(x, axis=None, keepdims=False):
    (x,), result = _float_in(x)
    return _out(jnp.nanstd(x, axis=_axis(axis), keepdims=keepdims), result)


@_compiled("axis", "keepdims")
def ptp(x, axis=None, keepdims=False):
    x = _t(x)
    axis = _axis(axis)
    high, low = jnp.max(x, axis=axis, keepdims=keepdims), jnp.min(x, axis=axis, keepdims=keepdims)
    return high != low if x.dtype == jnp.bool_ else high - low


# -- counting ----------------------------------------------------------------------------
def histogram(x, bins=10, range=None):
    (x,), result = _float_in(x)
    if range is None:
        counts, edges = _histogram(x, None, None, bins)
    else:
        counts, edges = _histogram(x, jnp.asarray(range[0], x.dtype), jnp.asarray(range[1], x.dtype), bins)
    return counts, _out(edges, result)


@functools.partial(jax.jit, static_argnames=("bins",))
def _histogram(x, low, high, bins):
    """Counts and edges in one compiled kernel (one compilation per shape, dtype and bin count)."""
    if low is None:
        low, high = jnp.min(x), jnp.max(x)
    same = low == high
    low, high = jnp.where(same, low - 0.5, low), jnp.where(same, high + 0.5, high)
    edges = jnp.linspace(low, high, bins + 1, dtype=x.dtype)
    index = jnp.floor((x - low) / (high - low) * bins).astype("int32")
    index = jnp.where(x == high, bins - 1, index)
    index = jnp.where((x >= low) & (x <= high), index, bins)
    return jnp.zeros((bins + 1,), "int32").at[index].add(1)[:bins], edges


def bincount(x, weights=None, minlength=0, sparse=False):
    x = _t(x)
    _static("bincount", x, "output length")
    if weights is not None:
        weights = _t(weights)
        _static("bincount", weights, "output length")
        dtype = dtypes.result_type(_name(x), _name(weights))
        weights = cast(weights, dtype)
    else:
        dtype = "int32"
    x = x.astype("int32")
    length = builtins.max(int(jnp.max(x)) + 1 if x.size else 0, minlength)
    if x.ndim == 1:
        out = jnp.bincount(x, weights=weights, length=length)
    else:
        rows = jnp.arange(x.shape[0], dtype="int32")[:, None] * length
        flat = jnp.bincount((x + rows).reshape(-1), length=length * x.shape[0],
                            weights=None if weights is None else weights.reshape(-1))
        out = flat.reshape(x.shape[0], length)
    return cast(out, dtype)


# -- correlation, trace, integration --------------------------------------------------
@_compiled()
def corrcoef(x):
    (x,), result = _float_in(x)
    return _out(jnp.corrcoef(x), result)


@_compiled("mode")
def correlate(x1, x2, mode="valid"):
    (x1, x2), result = _float_in(x1, x2)
    return _out(jnp.correlate(x1, x2, mode=mode), result)


@_compiled("offset", "axis1", "axis2")
def trace(x, offset=0, axis1=0, axis2=1):
    x = _t(x)
    dtype = native_dtype(_accumulate_dtype(x, None))
    return jnp.trace(x, offset=offset, axis1=axis1, axis2=axis2, dtype=dtype)


@_compiled("axis")
def trapezoid(y, x=None, dx=1.0, axis=-1):
    if x is None:
        (y,), result = _float_in(y)
    else:
        (y, x), result = _float_in(y, x)
    return _out(jnp.trapezoid(y, x=x, dx=dx, axis=axis), result)


# -- sorting and searching --------------------------------------------------------------
@_compiled("kth", "axis")
def argpartition(x, kth, axis=-1):
    x = _t(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    return jnp.argpartition(x, kth, axis=axis).astype("int32")


@_compiled("side")
def searchsorted(sorted_sequence, values, side="left"):
    sorted_sequence, values = _t(sorted_sequence), _t(values)
    dtype = native_dtype(dtypes.result_type(_name(sorted_sequence), _name(values)))
    return jnp.searchsorted(sorted_sequence.astype(dtype), values.astype(dtype), side=side).astype("int32")


@_compiled()
def digitize(x, bins):
    x, bins = _t(x), _t(bins)
    dtype = native_dtype(dtypes.result_type(_name(x), _name(bins)))
    return jnp.searchsorted(bins.astype(dtype), x.astype(dtype), side="right").astype("int32")


# -- sets ------------------------------------------------------------------------------
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    x = _t(x)
    if size is None:
        _static("unique", x, "number of unique values")
    if axis is not None:
        axis = axis % x.ndim
    rows, first, counts, inverse, valid = _unique_groups(x, axis, sorted)
    count = int(jnp.sum(valid)) if size is None else size
    fill = jnp.asarray(0 if fill_value is None else fill_value, x.dtype)
    values, first, counts = _unique_take(rows, first, counts, valid, fill, count)
    if axis is None:
        values = values.reshape(count)
        inverse = inverse.reshape(x.shape)
    else:
        moved = jnp.moveaxis(x, axis, 0)
        values = jnp.moveaxis(values.reshape((count,) + moved.shape[1:]), 0, axis)
    return rules.unique_outputs(values, first, inverse, counts, return_index, return_inverse, return_counts)


@functools.partial(jax.jit, static_argnames=("axis", "sorted"))
def _unique_groups(x, axis, sorted):
    """Group equal rows (elements, or slices along ``axis``) into buffers of the static length n.

    Returns the rows, and per group (in sorted or first-occurrence order) the index of its
    first occurrence, its count and whether it exists, plus each row's group.
    """
    if axis is None:
        rows = x.reshape(-1, 1)
    else:
        moved = jnp.moveaxis(x, axis, 0)
        rows = moved.reshape(moved.shape[0], -1)
    n = rows.shape[0]
    # Stable lexicographic sort of the rows: one stable argsort per column, last column first.
    perm = jnp.arange(n, dtype="int32")
    for j in builtins.range(rows.shape[1] - 1, -1, -1):
        perm = perm[jnp.argsort(rows[perm, j], stable=True)].astype("int32")
    ordered = rows[perm]
    is_new = jnp.concatenate([jnp.ones((builtins.min(n, 1),), bool),
                              jnp.any(ordered[1:] != ordered[:-1], axis=1)])
    group = (jnp.cumsum(is_new) - 1).astype("int32")
    first = jnp.full((n,), n, "int32").at[group].min(perm)
    counts = jnp.zeros((n,), "int32").at[group].add(1)
    inverse = jnp.zeros((n,), "int32").at[perm].set(group)
    valid = counts > 0
    if not sorted:
        order = jnp.argsort(jnp.where(valid, first, n + jnp.arange(n, dtype="int32")), stable=True)
        rank = jnp.zeros((n,), "int32").at[order].set(jnp.arange(n, dtype="int32"))
        first, counts, valid = first[order], counts[order], valid[order]
        inverse = rank[inverse]
    return rows, first, counts, inverse, valid


@functools.partial(jax.jit, static_argnames=("count",))
def _unique_take(rows, first, counts, valid, fill, count):
    """The first ``count`` groups (padded with ``fill`` and zero counts past the last one)."""
    n = rows.shape[0]
    if count > n:
        pad = count - n
        first = jnp.concatenate([first, jnp.zeros((pad,), "int32")])
        counts = jnp.concatenate([counts, jnp.zeros((pad,), "int32")])
        valid = jnp.concatenate([valid, jnp.zeros((pad,), bool)])
    else:
        first, counts, valid = first[:count], counts[:count], valid[:count]
    first = jnp.where(valid, first, 0)
    if n:
        values = jnp.where(valid[:, None], rows[first], fill)
    else:
        values = jnp.full((count, rows.shape[1]), fill, rows.dtype)
    return values, first, counts


def nonzero(x):
    x = _t(x)
    _static("nonzero", x, "number of non-zero elements")
    return tuple(i.astype("int32") for i in jnp.nonzero(x))


@_compiled("assume_unique", "invert")
def isin(x1, x2, assume_unique=False, invert=False):
    x1, x2 = _t(x1), _t(x2)
    dtype = native_dtype(dtypes.result_type(_name(x1), _name(x2)))
    return jnp.isin(x1.astype(dtype), x2.astype(dtype), assume_unique=assume_unique, invert=invert)
