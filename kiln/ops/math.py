"""Math ops (``kiln.ops.math``): log-sum-exp, erf, rsqrt, top-k and segment reductions.

Every op is also available as ``kiln.ops.<name>``.

Example:
    >>> import kiln
    >>> kiln.ops.convert_to_numpy(kiln.ops.rsqrt([4.0])).tolist()
    [0.5]
"""

from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.operation import op

__all__ = [
    "logsumexp",
    "erf",
    "rsqrt",
    "top_k",
    "in_top_k",
    "segment_sum",
]


_math = _backend.math


def _float_dtype(x):
    return dtypes.float_result_type(rules.dtype_of(x))


def _float_unary_spec(x):
    return KerasTensor(rules.shape_of(x), _float_dtype(x))


def _logsumexp_spec(x, axis=None, keepdims=False):
    return KerasTensor(rules.reduce_shape(rules.shape_of(x), axis, keepdims, "logsumexp"), _float_dtype(x))


@op(_logsumexp_spec, module="math")
def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, computed without overflow.

    Example:
        >>> import kiln
        >>> round(float(kiln.ops.convert_to_numpy(kiln.ops.logsumexp([0.0, 0.0]))), 4)
        0.6931
    """
    return _math.logsumexp(x, axis=axis, keepdims=keepdims)


@op(_float_unary_spec, module="math")
def erf(x):
    """The Gauss error function, element-wise.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.erf([0.0])).tolist()
        [0.0]
    """
    return _math.erf(x)


@op(_float_unary_spec, module="math")
def rsqrt(x):
    """Element-wise ``1 / sqrt(x)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.rsqrt([4.0])).tolist()
        [0.5]
    """
    return _math.rsqrt(x)


def _top_k_spec(x, k, sorted=True):
    shape = rules.shape_of(x)
    if not shape:
        raise ValueError("top_k: input must have rank >= 1, received a scalar")
    if shape[-1] is not None and k > shape[-1]:
        raise ValueError(f"top_k: k={k} is larger than the last dimension of shape {shape}")
    out = shape[:-1] + (k,)
    return KerasTensor(out, dtypes.result_type(rules.dtype_of(x))), KerasTensor(out, "int32")


@op(_top_k_spec, module="math")
def top_k(x, k, sorted=True):
    """The ``k`` largest values along the last axis and their int32 indices.

    Example:
        >>> import kiln
        >>> values, indices = kiln.ops.top_k([1, 5, 3], 2)
        >>> kiln.ops.convert_to_numpy(values).tolist(), kiln.ops.convert_to_numpy(indices).tolist()
        ([5, 3], [1, 2])
    """
    return _math.top_k(x, k, sorted=sorted)


def _in_top_k_spec(targets, predictions, k):
    t, p = rules.shape_of(targets), rules.shape_of(predictions)
    if len(p) != 2 or len(t) != 1:
        raise ValueError(f"in_top_k: expected targets of rank 1 and predictions of rank 2, "
                         f"received shapes {t} and {p}")
    return KerasTensor(rules.broadcast_shapes(t, p[:1], "in_top_k"), "bool")


@op(_in_top_k_spec, module="math")
def in_top_k(targets, predictions, k):
    """True where the target class is among the ``k`` highest predictions of its row.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.in_top_k([1, 0], [[0.1, 0.9], [0.2, 0.8]], 1)).tolist()
        [True, False]
    """
    return _math.in_top_k(targets, predictions, k)


def _segment_sum_spec(data, segment_ids, num_segments=None, sorted=False):
    shape = rules.shape_of(data)
    n = None if num_segments is None or isinstance(num_segments, KerasTensor) else int(num_segments)
    return KerasTensor((n,) + shape[1:], dtypes.result_type(rules.dtype_of(data)))


@op(_segment_sum_spec, module="math")
def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum the rows of ``data`` that share a segment id.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.segment_sum([1, 2, 3], [0, 0, 1], num_segments=2)).tolist()
        [3, 3]
    """
    return _math.segment_sum(data, segment_ids, num_segments=num_segments, sorted=sorted)
