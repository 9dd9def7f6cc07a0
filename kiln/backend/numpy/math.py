"""Math ops in NumPy: logsumexp, erf, rsqrt, top_k, in_top_k, segment_sum.

Example:
    >>> import numpy as np
    >>> top_k(np.array([1.0, 3.0, 2.0]), 2)[1].tolist()
    [1, 2]
"""

import numpy as np

from kiln.backend.numpy.core import (
    BOOL,
    FLOAT32,
    HALF_NP,
    INT32,
    convert_to_tensor,
    to_float,
)


def _prep(x):
    x = to_float(x)
    if x.dtype in HALF_NP:
        return x.astype(FLOAT32), x.dtype
    return x, x.dtype


def _axis(axis):
    if axis is None or isinstance(axis, int):
        return axis
    return tuple(int(a) for a in axis)


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over ``axis``, computed stably (float result).

    Example:
        >>> round(float(logsumexp(np.array([0.0, 0.0]))), 4)
        0.6931
    """
    x, dtype = _prep(x)
    axis = _axis(axis)
    if x.size == 0:
        return np.asarray(np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))).astype(dtype)
    peak = np.max(x, axis=axis, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0.0).astype(x.dtype, copy=False)
    out = np.log(np.sum(np.exp(x - peak), axis=axis, keepdims=True)) + peak
    if not keepdims:
        out = np.squeeze(out, axis=axis)
    return np.asarray(out).astype(dtype, copy=False)


def erf(x):
    """The error function (float result).

    Example:
        >>> float(erf(np.array(0.0)))
        0.0
    """
    x, dtype = _prep(x)
    try:
        from scipy.special import erf as scipy_erf
    except ImportError:  # pragma: no cover - scipy is normally present
        import math

        return np.vectorize(math.erf, otypes=[x.dtype])(x).astype(dtype, copy=False)
    return np.asarray(scipy_erf(x)).astype(dtype, copy=False)


def rsqrt(x):
    """1 / sqrt(x) (float result).

    Example:
        >>> rsqrt(np.array([4.0])).tolist()
        [0.5]
    """
    x, dtype = _prep(x)
    return np.asarray(1.0 / np.sqrt(x)).astype(dtype, copy=False)


def top_k(x, k, sorted=True):
    """The ``k`` largest values along the last axis and their int32 indices.

    Ties go to the lower index, as in ``jax.lax.top_k``.

    Example:
        >>> [t.tolist() for t in top_k(np.array([1, 3, 3, 2]), 2)]
        [[3, 3], [1, 2]]
    """
    x = convert_to_tensor(x)
    k = int(k)
    if x.ndim < 1 or not 0 <= k <= x.shape[-1]:
        raise ValueError(
            f"top_k: k must be between 0 and the size of the last axis; received k={k} for a "
            f"tensor of shape {x.shape}"
        )
    keys = x.astype(FLOAT32) if x.dtype in HALF_NP else x
    n = x.shape[-1]
    # Descending order, ties by ascending index: stable ascending sort of the reversed
    # array, reversed back.
    order = np.argsort(keys[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    indices = (n - 1 - order[..., :k]).astype(INT32)
    values = np.take_along_axis(x, indices, axis=-1)
    return values, indices


def in_top_k(targets, predictions, k):
    """True where ``predictions[i, targets[i]]`` is among the ``k`` largest of row ``i``.

    Tied values at the boundary all count as in the top k; non-finite predictions
    give False.

    Example:
        >>> in_top_k(np.array([1, 0]), np.array([[0.1, 0.9], [0.9, 0.1]]), 1).tolist()
        [True, True]
    """
    targets = convert_to_tensor(targets)
    predictions = convert_to_tensor(predictions)
    if predictions.dtype in HALF_NP:
        predictions = predictions.astype(FLOAT32)
    if predictions.ndim != 2 or targets.shape != predictions.shape[:1]:
        raise ValueError(
            "in_top_k: expected predictions of shape (batch, classes) and targets of shape "
            f"(batch,), received {predictions.shape} and {targets.shape}"
        )
    targets = targets.astype(np.int64)
    num_classes = predictions.shape[1]
    valid = (targets >= 0) & (targets < num_classes)
    safe = np.where(valid, targets, 0)
    picked = np.take_along_axis(predictions, safe[:, None], axis=1)
    greater = np.sum(predictions > picked, axis=1)
    ok = valid & (greater < int(k))
    if predictions.dtype.kind == "f":
        ok &= np.isfinite(picked[:, 0])
    return ok.astype(BOOL)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum rows of ``data`` that share a segment id (ids outside the range are dropped).

    Example:
        >>> segment_sum(np.array([1, 2, 3]), np.array([0, 0, 1])).tolist()
        [3, 3]
    """
    data = convert_to_tensor(data)
    segment_ids = convert_to_tensor(segment_ids).astype(np.int64, copy=False)
    if segment_ids.shape != data.shape[:segment_ids.ndim]:
        raise ValueError(
            "segment_sum: segment_ids must match the leading dimensions of data; received "
            f"segment_ids.shape={segment_ids.shape}, data.shape={data.shape}"
        )
    if num_segments is None:
        num_segments = int(segment_ids.max()) + 1 if segment_ids.size else 0
    num_segments = int(num_segments)
    tail = data.shape[segment_ids.ndim:]
    ids = segment_ids.reshape(-1)
    rows = data.reshape((-1,) + tail)
    keep = (ids >= 0) & (ids < num_segments)
    out = np.zeros((num_segments,) + tail, dtype=data.dtype)
    np.add.at(out, ids[keep], rows[keep])
    return out
