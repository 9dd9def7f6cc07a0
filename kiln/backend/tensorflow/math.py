"""Math ops on TensorFlow: logsumexp, erf, rsqrt, top_k, in_top_k, segment_sum.

Example:
    >>> import tensorflow as tf
    >>> float(logsumexp(tf.zeros(4)))  # log(4)
    1.3862943649291992
"""

import tensorflow as tf

from kiln import config
from kiln.backend.tensorflow.core import convert_to_tensor, tf_dtype


def _float(x):
    x = convert_to_tensor(x)
    if x.dtype.is_floating:
        return x
    return tf.cast(x, tf_dtype(config.floatx()))


def logsumexp(x, axis=None, keepdims=False):
    x = _float(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    return tf.reduce_logsumexp(x, axis=axis, keepdims=keepdims)


def erf(x):
    return tf.math.erf(_float(x))


def rsqrt(x):
    return tf.math.rsqrt(_float(x))


def top_k(x, k, sorted=True):
    x = convert_to_tensor(x)
    values, indices = tf.math.top_k(x, k, sorted=sorted)
    return values, indices


def in_top_k(targets, predictions, k):
    targets = convert_to_tensor(targets)
    if targets.dtype not in (tf.int32, tf.int64):
        targets = tf.cast(targets, tf.int32)
    predictions = convert_to_tensor(predictions)
    if predictions.dtype is not tf.float32:
        predictions = tf.cast(predictions, tf.float32)
    return tf.math.in_top_k(targets, predictions, k)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    data = convert_to_tensor(data)
    segment_ids = convert_to_tensor(segment_ids)
    if segment_ids.dtype not in (tf.int32, tf.int64):
        segment_ids = tf.cast(segment_ids, tf.int32)
    if num_segments is None:
        if sorted:
            return tf.math.segment_sum(data, segment_ids)
        num_segments = tf.reduce_max(segment_ids) + 1
    return tf.math.unsorted_segment_sum(data, segment_ids, num_segments)
