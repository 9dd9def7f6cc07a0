"""Random ops on TensorFlow, built on stateless ``tf.random.stateless_*`` ops.

Every function takes ``seed``: an int64 tensor of shape (2,). The same seed
gives the same numbers, eagerly and inside ``tf.function``.

Example:
    >>> import tensorflow as tf
    >>> s = tf.constant([1, 2], tf.int64)
    >>> bool(tf.reduce_all(normal((3,), seed=s) == normal((3,), seed=s)))
    True
"""

import numpy as np
import tensorflow as tf

from kiln import config
from kiln.backend.tensorflow.core import _shape_arg, convert_to_tensor, tf_dtype

_STATELESS_FLOATS = (tf.float16, tf.bfloat16, tf.float32, tf.float64)
_STATELESS_INTS = (tf.int32, tf.int64, tf.uint32, tf.uint64)


def _seed(seed, op):
    if seed is None:
        raise ValueError(f"{op}: seed must be an integer tensor of shape (2,) (see "
                         "kiln.random.SeedGenerator), received None")
    seed = convert_to_tensor(seed)
    if seed.dtype not in (tf.int32, tf.int64):
        seed = tf.cast(seed, tf.int64)
    if seed.shape.rank == 0:
        seed = tf.stack([seed, tf.zeros_like(seed)])
    return seed


def _float_dtype(dtype, op):
    dtype = tf_dtype(config.floatx() if dtype is None else dtype)
    if not dtype.is_floating:
        raise ValueError(f"{op}: dtype must be a float dtype, received {dtype.name}")
    return dtype


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, "normal")
    out = tf.random.stateless_normal(_shape_arg(shape), seed=_seed(seed, "normal"), dtype=dtype)
    return out * tf.cast(stddev, dtype) + tf.cast(mean, dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, "uniform")
    out = tf.random.stateless_uniform(_shape_arg(shape), seed=_seed(seed, "uniform"),
                                      dtype=dtype)
    minval, maxval = tf.cast(minval, dtype), tf.cast(maxval, dtype)
    return out * (maxval - minval) + minval


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype, "truncated_normal")
    out = tf.random.stateless_truncated_normal(_shape_arg(shape),
                                               seed=_seed(seed, "truncated_normal"), dtype=dtype)
    return out * tf.cast(stddev, dtype) + tf.cast(mean, dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    dtype = tf_dtype(dtype)
    if not dtype.is_integer:
        raise ValueError(f"randint: dtype must be an integer dtype, received {dtype.name}")
    compute = dtype if dtype in _STATELESS_INTS else tf.int32
    out = tf.random.stateless_uniform(_shape_arg(shape), seed=_seed(seed, "randint"),
                                      minval=tf.cast(minval, compute),
                                      maxval=tf.cast(maxval, compute), dtype=compute)
    return out if compute == dtype else tf.cast(out, dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    inputs = convert_to_tensor(inputs)
    if noise_shape is None:
        noise_shape = tf.shape(inputs)
    else:
        dims = tf.unstack(tf.shape(inputs)) if inputs.shape.rank else []
        noise_shape = tf.stack([tf.cast(dims[i], tf.int32) if d is None else tf.constant(int(d))
                                for i, d in enumerate(noise_shape)]) if noise_shape else []
    keep = tf.random.stateless_uniform(noise_shape, seed=_seed(seed, "dropout"),
                                       dtype=tf.float32) >= rate
    scale = tf.cast(1.0 / (1.0 - rate), inputs.dtype)
    return tf.where(keep, inputs * scale, tf.zeros_like(inputs))


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    n = tf.shape(x)[axis]
    keys = tf.random.stateless_uniform([n], seed=_seed(seed, "shuffle"), dtype=tf.float32)
    return tf.gather(x, tf.argsort(keys), axis=axis)


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = convert_to_tensor(logits)
    if not logits.dtype.is_floating:
        logits = tf.cast(logits, tf_dtype(config.floatx()))
    dtype = tf_dtype(dtype)
    compute = dtype if dtype in (tf.int32, tf.int64) else tf.int64
    out = tf.random.stateless_categorical(logits, int(num_samples),
                                          seed=_seed(seed, "categorical"), dtype=compute)
    return out if compute == dtype else tf.cast(out, dtype)


del np
