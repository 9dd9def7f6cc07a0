"""Op cases for statistics, nan-reductions, sorting, searching and set ops (kiln.ops._array_stats).

Ops whose output length depends on the values (bincount, nonzero, unique
without ``size``) take Python lists here: the symbolic replay skips list-only
cases (it would give a ``None`` length); tests/ops/test_array_stats_ops.py checks
their symbolic shapes.
"""

import warnings

import numpy as np

from op_cases import B, Case, F, F2, FN, GradCase, I, I2, M, RNG, SPD, SQ, _f32, _i32, narrow  # noqa: F401

NAN = np.nan
XN = np.array([[1.5, NAN, -3.0, 0.5], [2.0, 4.0, NAN, -1.0], [0.25, -2.0, 3.5, NAN]], "float32")
ALL_NAN = np.array([[1.0, NAN, 2.0], [NAN, NAN, NAN]], "float32")
V = np.array([0.3, -1.2, 2.5, 0.9, -0.4, 1.7, 3.1], "float32")
X3 = _f32((2, 3, 4), -2.0, 2.0)
METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _bf16(x):
    import ml_dtypes

    return x.astype(ml_dtypes.bfloat16)


def _quiet(fn):
    """NumPy warns on all-NaN slices; the reference result (NaN) is what we want."""
    def ref(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*args, **kwargs)
    return ref


def _as(fn, dtype):
    """Reference computed in float32 and cast to ``dtype`` (half-precision cases)."""
    def ref(x, *args, **kwargs):
        return np.asarray(fn(x.astype("float32"), *args, **kwargs)).astype(dtype)
    return ref


def _nanarg(fn):
    def ref(x, axis=None, keepdims=False):
        filled = np.where(np.isnan(x), -np.inf if fn is np.argmax else np.inf, x)
        out = fn(filled, axis=axis, keepdims=keepdims)
        return np.where(np.all(np.isnan(x), axis=axis, keepdims=keepdims), -1, out).astype("int32")
    return ref


def _int32(fn):
    return lambda *args, **kwargs: np.asarray(fn(*args, **kwargs)).astype("int32")


def _histogram(x, bins=10, range=None):
    counts, edges = np.histogram(x, bins=bins, range=range)
    return counts.astype("int32"), edges.astype("float32")


def _unique_ref(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
                axis=None, size=None, fill_value=None):
    x = np.asarray(x)
    values, index, inverse, counts = np.unique(x, return_index=True, return_inverse=True,
                                               return_counts=True, axis=axis)
    inverse = inverse.reshape(x.shape if axis is None else (-1,))
    if not sorted:
        order = np.argsort(index, kind="stable")
        rank = np.argsort(order)
        values = np.take(values, order, axis=0 if axis is None else axis)
        index, counts, inverse = index[order], counts[order], rank[inverse]
    if size is not None:
        k = index.size
        vaxis = 0 if axis is None else axis
        if size <= k:
            values = np.take(values, np.arange(size), axis=vaxis)
            index, counts = index[:size], counts[:size]
        else:
            pad = list(values.shape)
            pad[vaxis] = size - k
            values = np.concatenate([values, np.full(pad, 0 if fill_value is None else fill_value,
                                                     values.dtype)], axis=vaxis)
            index = np.concatenate([index, np.zeros(size - k, index.dtype)])
            counts = np.concatenate([counts, np.zeros(size - k, counts.dtype)])
    out = [values.astype(narrow(x.dtype))]
    for flag, value in ((return_index, index), (return_inverse, inverse), (return_counts, counts)):
        if flag:
            out.append(value.astype("int32"))
    return out[0] if len(out) == 1 else tuple(out)


def _nonzero(x):
    return tuple(i.astype("int32") for i in np.nonzero(np.asarray(x)))


def cases():
    F16 = F.astype("float16")
    U = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], "int32")
    ROWS = np.array([[1, 2], [3, 4], [1, 2], [0, 9]], "int32")
    out = [
        # Averages.
        Case("average", F, ref=np.average),
        Case("average", F, axis=1, weights=np.array([1.0, 2.0, 3.0], "float32"), ref=np.average,
             id="average-axis-1d-weights"),
        Case("average", F, axis=0, weights=F2, ref=np.average, id="average-full-weights"),
        Case("average", I, axis=-1, ref=np.average, dtype="float32", id="average-i32"),
        Case("average", F16, axis=1, ref=_as(np.average, "float16"), rtol=2e-3, id="average-f16"),
        # Medians and quantiles.
        Case("median", F, ref=np.median),
        Case("median", XN[:, [0, 3]], axis=0, ref=np.median, id="median-axis0"),
        Case("median", M, axis=-1, keepdims=True, ref=np.median, id="median-keepdims"),
        Case("median", I, axis=1, ref=np.median, dtype="float32", id="median-i32"),
        Case("median", X3, axis=(0, 2), ref=np.median, id="median-axes"),
        Case("median", _bf16(F), ref=_as(np.median, "bfloat16"), rtol=1e-2, id="median-bf16"),
        Case("median", np.array(2.5, "float32"), ref=np.median, id="median-0d"),
        Case("quantile", V, 0.3, ref=np.quantile),
        Case("quantile", M, np.array([0.0, 0.4, 1.0], "float32"), axis=1, ref=np.quantile,
             id="quantile-vector-q"),
        Case("quantile", X3, 0.75, axis=(1, 2), keepdims=True, ref=np.quantile, id="quantile-axes-keepdims"),
        Case("quantile", I, 0.5, axis=0, ref=np.quantile, dtype="float32", id="quantile-i32"),
        Case("quantile", F16, 0.5, axis=1, ref=_as(np.quantile, "float16"), rtol=2e-3, id="quantile-f16"),
        Case("percentile", V, np.array([10.0, 50.0, 95.0], "float32"), ref=np.percentile),
        Case("percentile", M, 30, axis=0, method="nearest", ref=np.percentile, id="percentile-nearest"),
        # NaN-ignoring reductions.
        Case("nanquantile", XN, np.array([0.25, 0.5], "float32"), axis=1, ref=np.nanquantile),
        Case("nanquantile", ALL_NAN, 0.5, axis=1, ref=_quiet(np.nanquantile), id="nanquantile-all-nan"),
        Case("nanpercentile", XN, 40.0, ref=np.nanpercentile),
        Case("nanpercentile", XN, 60.0, axis=0, method="higher", keepdims=True, ref=np.nanpercentile,
             id="nanpercentile-higher"),
        Case("nanmedian", XN, ref=np.nanmedian),
        Case("nanmedian", ALL_NAN, axis=1, ref=_quiet(np.nanmedian), id="nanmedian-all-nan"),
        Case("nanmedian", I, axis=0, ref=np.nanmedian, dtype="float32", id="nanmedian-i32"),
        Case("nanargmax", XN, ref=_nanarg(np.argmax)),
        Case("nanargmax", ALL_NAN, axis=1, ref=_nanarg(np.argmax), id="nanargmax-all-nan"),
        Case("nanargmin", XN, axis=0, keepdims=True, ref=_nanarg(np.argmin)),
        Case("nanargmin", I, axis=-1, ref=_nanarg(np.argmin), id="nanargmin-i32"),
        Case("nancumsum", XN, axis=1, ref=np.nancumsum),
        Case("nancumsum", XN, ref=np.nancumsum, id="nancumsum-flat"),
        Case("nancumsum", I.astype("int8"), axis=0, ref=np.nancumsum, dtype="int32", id="nancumsum-int8"),
        Case("nancumprod", XN, axis=0, ref=np.nancumprod),
        Case("nancumprod", I, axis=1, ref=np.nancumprod, id="nancumprod-i32"),
        Case("nanmax", XN, axis=1, ref=np.nanmax),
        Case("nanmax", ALL_NAN, axis=1, keepdims=True, ref=_quiet(np.nanmax), id="nanmax-all-nan"),
        Case("nanmax", I, ref=np.nanmax, id="nanmax-i32"),
        Case("nanmin", XN, axis=0, ref=np.nanmin),
        Case("nanmin", XN, ref=np.nanmin, id="nanmin-all"),
        Case("nansum", XN, axis=-1, ref=np.nansum),
        Case("nansum", XN, ref=np.nansum, id="nansum-all"),
        Case("nansum", B, axis=0, ref=np.nansum, dtype="int32", id="nansum-bool"),
        Case("nansum", XN.astype("float16"), axis=1, ref=_as(np.nansum, "float16"), rtol=2e-3,
             atol=1e-3, id="nansum-f16"),
        Case("nanprod", XN, axis=0, keepdims=True, ref=np.nanprod),
        Case("nanprod", I.astype("uint8"), axis=1, ref=np.nanprod, dtype="uint32", id="nanprod-uint8"),
        Case("nanmean", XN, axis=1, ref=np.nanmean),
        Case("nanmean", ALL_NAN, axis=1, ref=_quiet(np.nanmean), id="nanmean-all-nan"),
        Case("nanmean", I, ref=np.nanmean, dtype="float32", id="nanmean-i32"),
        Case("nanmean", XN.astype("float16"), axis=0, ref=_as(np.nanmean, "float16"), rtol=2e-3,
             id="nanmean-f16"),
        Case("nanvar", XN, axis=1, ref=np.nanvar, rtol=1e-5),
        Case("nanvar", XN, ref=np.nanvar, id="nanvar-all", rtol=1e-5),
        Case("nanstd", XN, axis=0, keepdims=True, ref=np.nanstd, rtol=1e-5),
        Case("nanstd", I, axis=1, ref=np.nanstd, dtype="float32", id="nanstd-i32", rtol=1e-5),
        Case("ptp", F, axis=1, ref=np.ptp),
        Case("ptp", I, ref=np.ptp, id="ptp-i32"),
        Case("ptp", X3, axis=(0, 2), keepdims=True, ref=np.ptp, id="ptp-axes"),
        # Counting.
        Case("histogram", V, ref=_histogram, none_ok=False),
        Case("histogram", V, bins=4, range=(-2.0, 2.0), ref=_histogram, none_ok=False, id="histogram-range"),
        Case("histogram", U, bins=3, ref=_histogram, none_ok=False, id="histogram-i32"),
        Case("bincount", [1, 2, 2, 5], ref=_int32(np.bincount)),
        Case("bincount", [0, 3, 3], weights=[0.5, 1.0, 2.0], ref=lambda x, weights: np.bincount(
            x, weights=weights).astype("float32"), id="bincount-weights"),
        Case("bincount", [1, 1], minlength=5, ref=_int32(np.bincount), id="bincount-minlength"),
        Case("bincount", [[0, 2], [1, 1]], ref=lambda x: np.stack([np.bincount(r, minlength=3)
                                                                   for r in x]).astype("int32"),
             id="bincount-2d"),
        # Correlation, trace and integration.
        Case("corrcoef", M, ref=np.corrcoef, rtol=1e-4, atol=1e-5),
        Case("corrcoef", I2, ref=np.corrcoef, rtol=1e-4, atol=1e-5, dtype="float32", id="corrcoef-i32"),
        Case("correlate", V, np.array([1.0, -0.5, 2.0], "float32"), ref=np.correlate, rtol=1e-5),
        Case("correlate", V, np.array([1.0, -0.5, 2.0, 0.25], "float32"), mode="same", ref=np.correlate,
             rtol=1e-5, id="correlate-same"),
        Case("correlate", np.array([1.0, 2.0], "float32"), V, mode="full", ref=np.correlate, rtol=1e-5,
             id="correlate-full-short-first"),
        Case("correlate", np.array([1, 2, 3], "int32"), np.array([0, 1], "int32"), ref=np.correlate,
             dtype="float32", id="correlate-i32"),
        Case("trace", SQ, ref=np.trace, none_ok=False),
        Case("trace", M, offset=1, ref=np.trace, none_ok=False, id="trace-offset"),
        Case("trace", X3, axis1=-1, axis2=1, ref=np.trace, id="trace-axes"),
        Case("trace", I.astype("int8"), ref=np.trace, dtype="int32", none_ok=False, id="trace-int8"),
        Case("trapezoid", F, ref=np.trapezoid),
        Case("trapezoid", F, np.array([0.0, 0.5, 2.0], "float32"), ref=np.trapezoid, id="trapezoid-x"),
        Case("trapezoid", F, dx=0.5, axis=0, ref=np.trapezoid, id="trapezoid-dx-axis0"),
        Case("trapezoid", I, ref=np.trapezoid, dtype="float32", id="trapezoid-i32"),
        # Sorting and searching (length-3 slices with kth=1 make the partition unique).
        Case("argpartition", FN, 1, ref=lambda x, k: np.argsort(x, axis=-1).astype("int32")),
        Case("argpartition", FN.T.copy(), 1, axis=0, ref=lambda x, k, axis: np.argsort(x, axis=axis)
             .astype("int32"), id="argpartition-axis0"),
        Case("argpartition", np.array([4, 1], "int32"), 0, ref=lambda x, k: np.argsort(x).astype("int32"),
             none_ok=False, id="argpartition-i32"),
        Case("searchsorted", np.array([1.0, 2.0, 2.0, 3.5], "float32"), F, ref=_int32(np.searchsorted),
             none_ok=False),
        Case("searchsorted", np.array([1, 2, 2, 4], "int32"), I, side="right", ref=_int32(np.searchsorted),
             none_ok=False, id="searchsorted-right"),
        Case("searchsorted", np.array([1.0, 3.0], "float32"), 2.0, ref=_int32(np.searchsorted),
             none_ok=False, id="searchsorted-scalar"),
        Case("digitize", FN, np.array([-1.0, 0.0, 1.0], "float32"), ref=_int32(np.digitize)),
        Case("digitize", I, np.array([2, 3], "int32"), ref=_int32(np.digitize), id="digitize-i32"),
        # Sets.
        Case("unique", [3, 1, 3, 2], ref=_unique_ref),
        Case("unique", U, size=8, ref=_unique_ref, none_ok=False, id="unique-size-pad"),
        Case("unique", U, size=4, sorted=False, return_index=True, return_inverse=True, return_counts=True,
             ref=_unique_ref, none_ok=False, id="unique-size-truncate-unsorted"),
        Case("unique", U.reshape(2, 5), size=9, fill_value=-1, return_inverse=True, return_counts=True,
             ref=_unique_ref, none_ok=False, id="unique-size-fill-2d"),
        Case("unique", ROWS, axis=0, size=3, return_inverse=True, ref=_unique_ref, none_ok=False,
             id="unique-axis0"),
        Case("unique", [[1, 2], [3, 4], [1, 2]], axis=0, sorted=False, return_index=True, ref=_unique_ref,
             id="unique-axis0-unsorted"),
        Case("unique", [2.5, -1.0, 2.5], return_counts=True, ref=_unique_ref, id="unique-float-counts"),
        Case("nonzero", [[0, 1, 0], [2, 0, 3]], ref=_nonzero),
        Case("nonzero", [0.0, 1.5, 0.0, -2.0], ref=_nonzero, id="nonzero-1d"),
        Case("isin", I, np.array([2, 4], "int32"), ref=np.isin),
        Case("isin", F, F[0], invert=True, ref=lambda a, b, invert: np.isin(a, b, invert=invert),
             id="isin-invert"),
        Case("isin", I, np.array([2.0, 3.5], "float32"), ref=np.isin, id="isin-mixed"),
    ]
    for method in METHODS:
        out.append(Case("quantile", M, np.array([0.1, 0.5, 0.8], "float32"), axis=-1, method=method,
                        ref=np.quantile, id=f"quantile-{method}"))
        out.append(Case("nanquantile", XN, 0.35, axis=1, method=method, ref=np.nanquantile,
                        id=f"nanquantile-{method}"))
    return out


def grad_cases():
    XG = np.array([[1.5, -0.3, 2.2, 0.7], [0.4, 1.9, -1.1, 2.6]], "float32")
    return [
        GradCase("average", F, axis=1, weights=np.array([1.0, 2.0, 3.0], "float32")),
        GradCase("median", XG, axis=1),
        GradCase("quantile", XG, np.array([0.3, 0.6], "float32"), axis=1, wrt=[0]),
        GradCase("percentile", XG, 40.0, id="grad-percentile"),
        GradCase("nanmedian", XG, axis=0),
        GradCase("nanquantile", XG, 0.3, axis=1),
        GradCase("nanpercentile", XG, 70.0),
        GradCase("nanmax", XG, axis=1),
        GradCase("nanmin", XG, axis=0),
        GradCase("nansum", XG, axis=1),
        GradCase("nanprod", XG, axis=0),
        GradCase("nanmean", XG),
        GradCase("nanvar", XG, axis=1),
        GradCase("nanstd", XG, axis=0),
        GradCase("nancumsum", XG, axis=1),
        GradCase("nancumprod", XG, axis=1),
        GradCase("ptp", XG, axis=1),
        GradCase("corrcoef", M),
        GradCase("correlate", V, np.array([1.0, -0.5, 2.0], "float32"), mode="full"),
        GradCase("trace", SQ),
        GradCase("trapezoid", XG, np.array([0.0, 0.5, 1.5, 2.0], "float32")),
    ]
