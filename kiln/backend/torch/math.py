"""Torch backend: ``kiln.ops.math`` (logsumexp, erf, rsqrt, top_k, in_top_k, segment_sum).

Example:
    >>> import torch
    >>> top_k(torch.tensor([1.0, 3.0, 2.0]), 2)[1].tolist()
    [1, 2]
"""

import torch

from kiln.backend.torch.array_ops import _axis, _fx, _t
from kiln.backend.torch.core import convert_to_tensor


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, computed stably."""
    x = _fx(x)
    axis = _axis(axis)
    if axis is None:
        axis = tuple(range(x.ndim))
    elif isinstance(axis, int):
        axis = (axis,)
    return torch.logsumexp(x, dim=axis, keepdim=keepdims)


def erf(x):
    """Elementwise error function."""
    return torch.erf(_fx(x))


def rsqrt(x):
    """Elementwise ``1 / sqrt(x)``."""
    return torch.rsqrt(_fx(x))


def top_k(x, k, sorted=True):  # noqa: A002 - public signature
    """The ``k`` largest values along the last axis and their indices (int32)."""
    x = _t(x)
    values, indices = torch.topk(x, int(k), dim=-1, largest=True, sorted=sorted)
    return values, indices.to(torch.int32)


def in_top_k(targets, predictions, k):
    """Whether each target class is among the ``k`` highest predictions (ties count as in)."""
    targets = _t(targets).long()
    predictions = _fx(predictions)
    target_values = torch.gather(predictions, 1, targets.unsqueeze(1))
    higher = torch.sum(predictions > target_values, dim=1)
    return (higher < int(k)) & torch.isfinite(target_values.squeeze(1))


def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Sum rows of ``data`` sharing a segment id; ids outside ``[0, num_segments)`` are dropped."""
    data = _t(data)
    segment_ids = convert_to_tensor(segment_ids)
    if segment_ids.dtype is not torch.int64:
        segment_ids = segment_ids.long()
    if num_segments is None:
        num_segments = int(segment_ids.max()) + 1 if segment_ids.numel() else 0
    num_segments = int(num_segments)
    valid = (segment_ids >= 0) & (segment_ids < num_segments)
    if not bool(valid.all()):
        data = data[valid]
        segment_ids = segment_ids[valid]
    out = torch.zeros((num_segments,) + tuple(data.shape[1:]), dtype=data.dtype, device=data.device)
    return out.index_add(0, segment_ids, data)
