"""Statistics, nan-reductions, sorting, searching and set ops of ``kiln.ops.numpy`` (also ``kiln.ops.<name>``).

This module holds one family of the NumPy-style ops; ``kiln.ops.numpy``
re-exports everything in ``__all__``. Each op forwards to the backend's
``array_stats`` module and declares its symbolic shape/dtype rule.

Ops whose output size depends on the values (``nonzero``, ``bincount``,
``unique`` without ``size``) give a ``None`` dimension symbolically. They run
eagerly on every backend and inside ``tf.function``/``torch.compile``; under
``jax.jit`` they raise a ValueError saying so (``unique`` accepts a static
``size`` to make its output shape fixed).
"""

import builtins

import numpy as np

from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops._array_shape import _plane_axes
from kiln.ops.operation import op
from kiln.ops.numpy import _axis, _dtype, _float_dtype, _reduce_spec, _sum_dtype

_array_stats = _backend.array_stats

__all__ = [
    "average",
    "median",
    "percentile",
    "quantile",
    "nanargmax",
    "nanargmin",
    "nancumprod",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmedian",
    "nanmin",
    "nanpercentile",
    "nanprod",
    "nanquantile",
    "nanstd",
    "nansum",
    "nanvar",
    "ptp",
    "histogram",
    "bincount",
    "corrcoef",
    "correlate",
    "trace",
    "trapezoid",
    "argpartition",
    "searchsorted",
    "digitize",
    "unique",
    "nonzero",
    "isin",
]

QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _check_method(name, method):
    if method not in QUANTILE_METHODS:
        raise ValueError(f"{name}: method must be one of {QUANTILE_METHODS}, received method={method!r}")


def _check_int_axis(name, axis):
    if axis is not None and not isinstance(axis, int):
        raise ValueError(f"{name}: axis must be an int or None, received axis={axis!r}")


def _check_axis(name, x, axis):
    """Eager check of ``axis`` (int or sequence) against ``x``'s rank, naming the op."""
    if axis is not None:
        rules.canonical_axes(axis, len(rules.shape_of(x)), name)


def _reduction(name, dtype_fn, doc):
    """A reduction op ``name(x, axis=None, keepdims=False)`` forwarding to the backend."""
    backend_fn = getattr(_array_stats, name)

    def reduction(x, axis=None, keepdims=False):
        _check_axis(name, x, axis)
        return backend_fn(x, axis=axis, keepdims=keepdims)

    reduction.__name__ = reduction.__qualname__ = name
    reduction.__doc__ = doc
    return op(_reduce_spec(name, dtype_fn))(reduction)


def _check_q(name, q):
    """Check constant ``q`` (Python numbers, lists, NumPy arrays) is within its range."""
    if isinstance(q, (int, float, list, tuple, np.ndarray, np.generic)):
        top = 100 if "percentile" in name else 1
        values = np.asarray(q, dtype="float64")
        if values.size and not (values.min() >= 0 and values.max() <= top):
            raise ValueError(f"{name}: q must be within [0, {top}], received q={q!r}")


def _quantile_op(name, doc):
    """A quantile op ``name(x, q, axis=None, method="linear", keepdims=False)``."""
    backend_fn = getattr(_array_stats, name)

    def quantile_op(x, q, axis=None, method="linear", keepdims=False):
        _check_axis(name, x, axis)
        _check_method(name, method)
        _check_q(name, q)
        return backend_fn(x, q, axis=axis, method=method, keepdims=keepdims)

    quantile_op.__name__ = quantile_op.__qualname__ = name
    quantile_op.__doc__ = doc
    return op(_quantile_spec(name))(quantile_op)


# -- averages and quantiles -------------------------------------------------------------
def _average_spec(x, axis=None, weights=None):
    _check_int_axis("average", axis)
    shape = rules.shape_of(x)
    if weights is None:
        return KerasTensor(rules.reduce_shape(shape, axis, False, "average"), _float_dtype(x))
    wshape = rules.shape_of(weights)
    if axis is not None and len(wshape) == 1 and len(shape) > 1:
        size = shape[_axis(axis, len(shape), "average")]
        if size is not None and wshape[0] is not None and size != wshape[0]:
            raise ValueError(f"average: weights of shape {wshape} do not match axis {axis} of x {shape}")
    elif len(wshape) != len(shape) or rules.broadcast_shapes(shape, wshape, "average") != tuple(shape):
        raise ValueError(f"average: weights must have the shape of x, or be 1-D along axis; "
                         f"received shapes {shape} and {wshape}")
    dtype = dtypes.float_result_type(rules.dtype_of(x), rules.dtype_of(weights))
    return KerasTensor(rules.reduce_shape(shape, axis, False, "average"), dtype)


@op(_average_spec)
def average(x, axis=None, weights=None):
    """Weighted mean over ``axis`` (int or None); ``weights`` match ``x`` or are 1-D along ``axis``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.average([1.0, 2.0, 4.0], weights=[1.0, 1.0, 2.0])).tolist()
        2.75
    """
    _check_int_axis("average", axis)
    _check_axis("average", x, axis)
    return _array_stats.average(x, axis=axis, weights=weights)


median = _reduction("median", _float_dtype, """Median over ``axis`` (all axes when None); integers give floats.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.median([3, 1, 4, 2])).tolist()
        2.5
    """)


def _quantile_spec(name):
    def spec(x, q, axis=None, method="linear", keepdims=False):
        _check_method(name, method)
        qshape = rules.shape_of(q)
        if len(qshape) > 1:
            raise ValueError(f"{name}: q must be a scalar or 1-D, received shape {qshape}")
        shape = rules.reduce_shape(rules.shape_of(x), axis, keepdims, name)
        return KerasTensor(tuple(qshape) + shape, _float_dtype(x))
    return spec


quantile = _quantile_op("quantile", """The ``q``-th quantiles (``q`` in [0, 1], scalar or 1-D) over ``axis``.

    ``method`` says what to do when a quantile falls between two sorted values
    ``i < j``: ``"linear"`` interpolates, ``"lower"`` takes ``i``,
    ``"higher"`` ``j``, ``"midpoint"`` their mean and ``"nearest"`` the closer
    one (ties to the even index). A 1-D ``q`` adds a leading axis to the result.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.quantile([1.0, 2.0, 3.0, 4.0], [0.0, 0.5])).tolist()
        [1.0, 2.5]
    """)


percentile = _quantile_op("percentile", """Like :func:`quantile` with ``q`` given in percent (0 to 100).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 25)).tolist()
        2.0
    """)


# -- NaN-ignoring reductions ----------------------------------------------------------
def _nan_arg_spec(x, axis=None, keepdims=False):
    shape = rules.shape_of(x)
    if axis is None:
        return KerasTensor((1,) * len(shape) if keepdims else (), "int32")
    return KerasTensor(rules.reduce_shape(shape, axis, keepdims, "nanargmax"), "int32")


@op(_nan_arg_spec)
def nanargmax(x, axis=None, keepdims=False):
    """Index (int32) of the largest non-NaN value along ``axis``; -1 where every value is NaN.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nanargmax([1.0, float("nan"), 3.0])).tolist()
        2
    """
    _check_axis("nanargmax", x, axis)
    return _array_stats.nanargmax(x, axis=axis, keepdims=keepdims)


@op(_nan_arg_spec)
def nanargmin(x, axis=None, keepdims=False):
    """Index (int32) of the smallest non-NaN value along ``axis``; -1 where every value is NaN.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nanargmin([4.0, float("nan"), 3.0])).tolist()
        2
    """
    _check_axis("nanargmin", x, axis)
    return _array_stats.nanargmin(x, axis=axis, keepdims=keepdims)


def _nan_cumulative_spec(x, axis=None, dtype=None):
    shape = rules.shape_of(x)
    if axis is None:
        shape = (None if None in shape else int(_prod(shape)),)
    else:
        _axis(axis, len(shape), "nancumsum")
    dtype = _sum_dtype(x) if dtype is None else dtypes.standardize_dtype(dtype)
    return KerasTensor(shape, dtype)


def _prod(values):
    out = 1
    for v in values:
        out *= v
    return out


@op(_nan_cumulative_spec)
def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (flattened when None) counting NaNs as zero.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nancumsum([1.0, float("nan"), 2.0])).tolist()
        [1.0, 1.0, 3.0]
    """
    _check_axis("nancumsum", x, axis)
    return _array_stats.nancumsum(x, axis=axis, dtype=dtype)


@op(_nan_cumulative_spec)
def nancumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (flattened when None) counting NaNs as one.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nancumprod([2.0, float("nan"), 3.0])).tolist()
        [2.0, 2.0, 6.0]
    """
    _check_axis("nancumprod", x, axis)
    return _array_stats.nancumprod(x, axis=axis, dtype=dtype)


nanmax = _reduction("nanmax", _dtype, """Largest value over ``axis`` ignoring NaNs (NaN where a slice is all NaN).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nanmax([1.0, float("nan"), 3.0])).tolist()
        3.0
    """)


nanmin = _reduction("nanmin", _dtype, """Smallest value over ``axis`` ignoring NaNs (NaN where a slice is all NaN).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nanmin([4.0, float("nan"), 3.0])).tolist()
        3.0
    """)


nansum = _reduction("nansum", _sum_dtype, """Sum over ``axis`` counting NaNs as zero.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nansum([1.0, float("nan"), 2.0])).tolist()
        3.0
    """)


nanprod = _reduction("nanprod", _sum_dtype, """Product over ``axis`` counting NaNs as one.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nanprod([2.0, float("nan"), 3.0])).tolist()
        6.0
    """)


nanmean = _reduction("nanmean", _float_dtype, """Mean over ``axis`` of the non-NaN values (NaN where there are none).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nanmean([1.0, float("nan"), 3.0])).tolist()
        2.0
    """)


nanvar = _reduction("nanvar", _float_dtype, """Population variance over ``axis`` of the non-NaN values.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nanvar([1.0, float("nan"), 3.0])).tolist()
        1.0
    """)


nanstd = _reduction("nanstd", _float_dtype, """Population standard deviation over ``axis`` of the non-NaN values.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nanstd([1.0, float("nan"), 3.0])).tolist()
        1.0
    """)


nanmedian = _reduction("nanmedian", _float_dtype, """Median over ``axis`` of the non-NaN values (NaN where there are none).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nanmedian([1.0, float("nan"), 3.0, 4.0])).tolist()
        3.0
    """)


nanquantile = _quantile_op("nanquantile", """Like :func:`quantile`, over the non-NaN values only (NaN for an all-NaN slice).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nanquantile([1.0, float("nan"), 3.0], 0.5)).tolist()
        2.0
    """)


nanpercentile = _quantile_op("nanpercentile", """Like :func:`percentile`, over the non-NaN values only.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nanpercentile([1.0, float("nan"), 3.0], 50)).tolist()
        2.0
    """)


ptp = _reduction("ptp", _dtype, """Range (largest minus smallest value) over ``axis``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.ptp([[1, 5], [3, 4]], axis=1)).tolist()
        [4, 1]
    """)


# -- counting ----------------------------------------------------------------------------
def _histogram_check(x, bins, range):
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ValueError(f"histogram: bins must be a positive int, received bins={bins!r}")
    if range is not None and (len(range) != 2 or range[0] > range[1]):
        raise ValueError(f"histogram: range must be a pair (low, high) with low <= high, received range={range!r}")
    shape = rules.shape_of(x)
    if len(shape) != 1:
        raise ValueError(f"histogram: x must be 1-D, received shape {shape}")


def _histogram_spec(x, bins=10, range=None):
    _histogram_check(x, bins, range)
    return KerasTensor((bins,), "int32"), KerasTensor((bins + 1,), _float_dtype(x))


@op(_histogram_spec)
def histogram(x, bins=10, range=None):
    """Counts (int32) of the 1-D ``x`` in ``bins`` equal bins over ``range``, and the bin edges.

    ``range`` defaults to ``(min(x), max(x))``; values outside it are not
    counted, and the last bin includes its right edge.

    Example:
        >>> import kiln
        >>> counts, edges = kiln.ops.histogram([0.0, 1.0, 1.5, 4.0], bins=2, range=(0.0, 4.0))
        >>> kiln.ops.convert_to_numpy(counts).tolist(), kiln.ops.convert_to_numpy(edges).tolist()
        ([3, 1], [0.0, 2.0, 4.0])
    """
    _histogram_check(x, bins, range)
    return _array_stats.histogram(x, bins=bins, range=range)


def _bincount_check(x, weights, minlength, sparse):
    shape = rules.shape_of(x)
    if len(shape) not in (1, 2):
        raise ValueError(f"bincount: x must be 1-D (or 2-D for a batch), received shape {shape}")
    if not isinstance(minlength, int) or minlength < 0:
        raise ValueError(f"bincount: minlength must be a non-negative int, received minlength={minlength!r}")
    if sparse:
        raise ValueError("bincount: sparse=True is not supported by Kiln (no sparse tensors); use sparse=False")
    if weights is not None:
        wshape = rules.shape_of(weights)
        if len(wshape) != len(shape) or builtins.any(
                a is not None and b is not None and a != b for a, b in zip(shape, wshape)):
            raise ValueError(f"bincount: weights must have the shape of x, received shapes {shape} and {wshape}")
    return shape


def _bincount_spec(x, weights=None, minlength=0, sparse=False):
    shape = _bincount_check(x, weights, minlength, sparse)
    if weights is None:
        dtype = "int32"
    else:
        dtype = dtypes.result_type(rules.dtype_of(x), rules.dtype_of(weights))
    return KerasTensor(tuple(shape[:-1]) + (None,), dtype)


@op(_bincount_spec)
def bincount(x, weights=None, minlength=0, sparse=False):
    """Count each non-negative integer of ``x`` (1-D, or 2-D counted row by row).

    The length is ``max(max(x) + 1, minlength)``; with ``weights`` each
    occurrence adds its weight instead of 1 (dtype promoted with ``x``). The
    length depends on the values, so it is ``None`` symbolically and the op
    cannot run under ``jax.jit``. ``sparse=True`` is rejected: Kiln has no
    sparse tensors.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.bincount([1, 2, 2, 3])).tolist()
        [0, 1, 2, 1]
    """
    _bincount_check(x, weights, minlength, sparse)
    return _array_stats.bincount(x, weights=weights, minlength=minlength, sparse=sparse)


# -- correlation, trace, integration --------------------------------------------------
def _corrcoef_spec(x):
    shape = rules.shape_of(x)
    if len(shape) == 1:
        return KerasTensor((), _float_dtype(x))
    if len(shape) != 2:
        raise ValueError(f"corrcoef: x must be 1-D or 2-D, received shape {shape}")
    return KerasTensor((shape[0], shape[0]), _float_dtype(x))


@op(_corrcoef_spec)
def corrcoef(x):
    """Pearson correlation coefficients of the rows of ``x`` (each row is a variable).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.corrcoef([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])).round(4).tolist()
        [[1.0, -1.0], [-1.0, 1.0]]
    """
    _corrcoef_spec(x)
    return _array_stats.corrcoef(x)


def _correlate_spec(x1, x2, mode="valid"):
    s1, s2 = rules.shape_of(x1), rules.shape_of(x2)
    if len(s1) != 1 or len(s2) != 1:
        raise ValueError(f"correlate: x1 and x2 must be 1-D, received shapes {s1} and {s2}")
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full', received mode={mode!r}")
    n, m = s1[0], s2[0]
    if n is None or m is None:
        length = None
    elif mode == "valid":
        length = builtins.max(n, m) - builtins.min(n, m) + 1
    elif mode == "same":
        length = builtins.max(n, m)
    else:
        length = n + m - 1
    return KerasTensor((length,), dtypes.float_result_type(rules.dtype_of(x1), rules.dtype_of(x2)))


@op(_correlate_spec)
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D sequences: ``out[k] = sum_n x1[n + k] * x2[n]``.

    ``mode`` is ``"valid"`` (full overlap only), ``"same"`` (length of the
    longer input) or ``"full"``. The result is a float.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.correlate([1.0, 2.0, 3.0], [0.0, 1.0])).tolist()
        [2.0, 3.0]
    """
    _correlate_spec(x1, x2, mode)
    return _array_stats.correlate(x1, x2, mode=mode)


def _trace_spec(x, offset=0, axis1=0, axis2=1):
    _, _, out = _plane_axes(rules.shape_of(x), axis1, axis2, "trace", "x must have at least 2 dimensions")
    return KerasTensor(out, _sum_dtype(x))


@op(_trace_spec)
def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along the diagonal ``offset`` of the planes given by ``axis1`` and ``axis2``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.trace([[1, 2], [3, 4]])).tolist()
        5
    """
    _trace_spec(x, offset, axis1, axis2)
    return _array_stats.trace(x, offset=offset, axis1=axis1, axis2=axis2)


def _trapezoid_spec(y, x=None, dx=1.0, axis=-1):
    shape = rules.shape_of(y)
    axis = _axis(axis, len(shape), "trapezoid")
    if x is None:
        dtype = dtypes.float_result_type(rules.dtype_of(y))
    else:
        xshape = rules.shape_of(x)
        if len(xshape) == 1:
            if shape[axis] is not None and xshape[0] is not None and xshape[0] != shape[axis]:
                raise ValueError(f"trapezoid: x of shape {xshape} does not match axis {axis} of y {shape}")
        else:
            rules.broadcast_shapes(shape, xshape, "trapezoid")
        dtype = dtypes.float_result_type(rules.dtype_of(y), rules.dtype_of(x))
    return KerasTensor(shape[:axis] + shape[axis + 1:], dtype)


@op(_trapezoid_spec)
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integrate ``y`` along ``axis`` with the trapezoidal rule (sample points ``x`` or spacing ``dx``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.trapezoid([1.0, 2.0, 3.0])).tolist()
        4.0
    """
    _trapezoid_spec(y, x, dx, axis)
    return _array_stats.trapezoid(y, x=x, dx=dx, axis=axis)


# -- sorting and searching --------------------------------------------------------------
def _argpartition_spec(x, kth, axis=-1):
    shape = rules.shape_of(x)
    axis = _axis(axis, len(shape), "argpartition")
    if shape[axis] is not None and not -shape[axis] <= kth < shape[axis]:
        raise ValueError(f"argpartition: kth={kth} is out of range for axis {axis} of shape {shape}")
    return KerasTensor(shape, "int32")


@op(_argpartition_spec)
def argpartition(x, kth, axis=-1):
    """Indices (int32) that put the ``kth`` smallest value of each slice in place along ``axis``.

    Along ``axis`` the element at position ``kth`` is the one a full sort would
    put there; smaller-or-equal values come before it, the others after it (in
    no particular order).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.argpartition([3, 1, 2], 1)).tolist()
        [1, 2, 0]
    """
    if not isinstance(kth, int) or isinstance(kth, bool):
        raise ValueError(f"argpartition: kth must be an int, received kth={kth!r}")
    _argpartition_spec(x, kth, axis)
    return _array_stats.argpartition(x, kth, axis=axis)


def _searchsorted_spec(sorted_sequence, values, side="left"):
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', received side={side!r}")
    seq_shape = rules.shape_of(sorted_sequence)
    if len(seq_shape) != 1:
        raise ValueError(f"searchsorted: sorted_sequence must be 1-D, received shape {seq_shape}")
    return KerasTensor(rules.shape_of(values), "int32")


@op(_searchsorted_spec)
def searchsorted(sorted_sequence, values, side="left"):
    """Indices (int32) where ``values`` would be inserted to keep the 1-D ``sorted_sequence`` sorted.

    ``side="left"`` gives the first such index, ``"right"`` the last.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.searchsorted([1, 2, 2, 3], [2, 5], side="right")).tolist()
        [3, 4]
    """
    _searchsorted_spec(sorted_sequence, values, side)
    return _array_stats.searchsorted(sorted_sequence, values, side=side)


def _digitize_spec(x, bins):
    bins_shape = rules.shape_of(bins)
    if len(bins_shape) != 1:
        raise ValueError(f"digitize: bins must be 1-D, received shape {bins_shape}")
    return KerasTensor(rules.shape_of(x), "int32")


@op(_digitize_spec)
def digitize(x, bins):
    """Index (int32) of the bin of each value: ``i`` with ``bins[i-1] <= x < bins[i]``.

    ``bins`` must be increasing; values below ``bins[0]`` give 0 and values
    at or above ``bins[-1]`` give ``len(bins)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.digitize([0.5, 1.0, 2.5], [1.0, 2.0])).tolist()
        [0, 1, 2]
    """
    _digitize_spec(x, bins)
    return _array_stats.digitize(x, bins)


# -- sets ------------------------------------------------------------------------------
def _unique_check(x, axis, size):
    shape = rules.shape_of(x)
    if axis is not None:
        axis = _axis(axis, len(shape), "unique")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise ValueError(f"unique: size must be None or a non-negative int, received size={size!r}")
    return shape, axis


def _unique_spec(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
                 axis=None, size=None, fill_value=None):
    shape, axis = _unique_check(x, axis, size)
    if axis is None:
        values = KerasTensor((size,), _dtype(x))
        inverse = KerasTensor(shape, "int32")
    else:
        values = KerasTensor(shape[:axis] + (size,) + shape[axis + 1:], _dtype(x))
        inverse = KerasTensor((shape[axis],), "int32")
    outputs = [values]
    if return_index:
        outputs.append(KerasTensor((size,), "int32"))
    if return_inverse:
        outputs.append(inverse)
    if return_counts:
        outputs.append(KerasTensor((size,), "int32"))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


@op(_unique_spec)
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The distinct values of ``x`` (flattened, or the distinct slices along ``axis``).

    ``sorted=False`` keeps the order of first occurrence. Optionally also
    returns, in this order, the index of each value's first occurrence, the
    inverse (indices into the result that rebuild ``x``; ``x``'s shape when
    ``axis`` is None) and the counts, all int32. With a static ``size`` the
    result always has ``size`` entries: extra values are dropped, missing ones
    are padded with ``fill_value`` (default 0) and count 0 — this is the form
    that runs under ``jax.jit``. Without ``size`` the length depends on the
    values (``None`` symbolically, and ``jax.jit`` raises a ValueError).
    NaNs are not merged.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.unique([3, 1, 3, 2])).tolist()
        [1, 2, 3]
        >>> kiln.ops.convert_to_numpy(kiln.ops.unique([3, 1, 3, 2], sorted=False, size=4)).tolist()
        [3, 1, 2, 0]
    """
    _unique_check(x, axis, size)
    return _array_stats.unique(x, sorted=sorted, return_index=return_index, return_inverse=return_inverse,
                               return_counts=return_counts, axis=axis, size=size, fill_value=fill_value)


def _nonzero_spec(x):
    return tuple(KerasTensor((None,), "int32") for _ in range(len(rules.shape_of(x))))


@op(_nonzero_spec)
def nonzero(x):
    """Indices (a tuple of int32 tensors, one per dimension) of the non-zero elements of ``x``.

    The length depends on the values: ``None`` symbolically, and ``jax.jit``
    raises a ValueError.

    Example:
        >>> import kiln
        >>> [kiln.ops.convert_to_numpy(i).tolist() for i in kiln.ops.nonzero([[0, 1], [2, 0]])]
        [[0, 1], [1, 0]]
    """
    return _array_stats.nonzero(x)


def _isin_spec(x1, x2, assume_unique=False, invert=False):
    return KerasTensor(rules.shape_of(x1), "bool")


@op(_isin_spec)
def isin(x1, x2, assume_unique=False, invert=False):
    """True where an element of ``x1`` occurs in ``x2`` (False with ``invert=True``).

    ``assume_unique`` is accepted for NumPy compatibility; the result does not
    depend on it.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.isin([1, 2, 3], [2, 5])).tolist()
        [False, True, False]
    """
    return _array_stats.isin(x1, x2, assume_unique=assume_unique, invert=invert)
