"""JAX backend math ops: logsumexp, erf, rsqrt, top_k, in_top_k, segment_sum.

Example:
    >>> import jax.numpy as jnp
    >>> from kiln.backend.jax import math
    >>> [int(i) for i in math.top_k(jnp.array([1.0, 3.0, 2.0]), 2)[1]]
    [1, 2]
"""

import jax
import jax.numpy as jnp

from kiln.backend.jax.core import convert_to_tensor, to_float

_t = convert_to_tensor


def logsumexp(x, axis=None, keepdims=False):
    axis = tuple(axis) if isinstance(axis, list) else axis
    return jax.scipy.special.logsumexp(to_float(x), axis=axis, keepdims=keepdims)


def erf(x):
    return jax.lax.erf(to_float(x))


def rsqrt(x):
    return jax.lax.rsqrt(to_float(x))


def top_k(x, k, sorted=True):
    """(values, int32 indices) of the ``k`` largest entries along the last axis."""
    x = _t(x)
    if x.ndim < 1 or not 0 <= int(k) <= x.shape[-1]:
        raise ValueError(f"top_k: k must be in [0, {x.shape[-1] if x.ndim else 0}] "
                         f"(the last dimension), received k={k} for shape {x.shape}")
    return jax.lax.top_k(x, int(k))


def in_top_k(targets, predictions, k):
    """True where the prediction for ``targets`` is among the ``k`` largest (ties count)."""
    predictions = _t(predictions)
    targets = _t(targets)
    if targets.dtype.kind not in "iu":
        targets = targets.astype("int32")
    if predictions.ndim != 2 or targets.shape != predictions.shape[:1]:
        raise ValueError(
            "in_top_k: expected predictions of shape (batch, classes) and targets of shape "
            f"(batch,), received {predictions.shape} and {targets.shape}"
        )
    target_values = jnp.take_along_axis(predictions, targets[:, None], axis=-1)[:, 0]
    kth = jax.lax.top_k(predictions, int(k))[0][:, -1]
    return target_values >= kth


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    data = _t(data)
    segment_ids = _t(segment_ids)
    if segment_ids.dtype.kind not in "iu":
        segment_ids = segment_ids.astype("int32")
    return jax.ops.segment_sum(data, segment_ids, num_segments=num_segments,
                               indices_are_sorted=sorted)
