"""Neural-network ops on TensorFlow: activations, convolution, pooling, losses.

Convolution kernels are laid out ``(*spatial, in_channels, out_channels)``
whatever ``data_format`` is; "same" padding is TF-style.

Example:
    >>> import tensorflow as tf
    >>> relu(tf.constant([-1.0, 2.0])).numpy().tolist()
    [0.0, 2.0]
"""

import numpy as np
import tensorflow as tf

from kiln import config
from kiln.backend.common.dtypes import result_type
from kiln.backend.tensorflow.core import convert_to_tensor, shape as _shape, tf_dtype


def _float(x):
    x = convert_to_tensor(x)
    if x.dtype.is_floating:
        return x
    return tf.cast(x, tf_dtype(config.floatx()))


def _promote_float(*xs):
    xs = [convert_to_tensor(x) for x in xs]
    dtype = result_type(*[x.dtype.name for x in xs])
    if not tf_dtype(dtype).is_floating:
        dtype = config.floatx()
    return [convert_to_tensor(x, dtype) for x in xs]


# --- activations ---------------------------------------------------------------------

def relu(x):
    x = convert_to_tensor(x)
    return tf.nn.relu(x) if x.dtype is not tf.bool else x


def relu6(x):
    x = convert_to_tensor(x)
    return tf.nn.relu6(x) if x.dtype is not tf.bool else x


def sigmoid(x):
    return tf.sigmoid(_float(x))


def softplus(x):
    return tf.math.softplus(_float(x))


def softsign(x):
    return tf.nn.softsign(_float(x))


def silu(x):
    return tf.nn.silu(_float(x))


def gelu(x, approximate=True):
    return tf.nn.gelu(_float(x), approximate=approximate)


def elu(x, alpha=1.0):
    x = _float(x)
    out = tf.nn.elu(x)
    if alpha == 1.0:
        return out
    return tf.where(x > 0, x, tf.cast(alpha, x.dtype) * out)


def selu(x):
    return tf.nn.selu(_float(x))


def leaky_relu(x, negative_slope=0.2):
    return tf.nn.leaky_relu(_float(x), alpha=negative_slope)


def hard_sigmoid(x):
    x = _float(x)
    return tf.nn.relu6(x + tf.cast(3.0, x.dtype)) / tf.cast(6.0, x.dtype)


def hard_silu(x):
    x = _float(x)
    return x * hard_sigmoid(x)


def log_sigmoid(x):
    x = _float(x)
    return -tf.math.softplus(-x)


def _axis_list(axis, rank):
    if axis is None:
        return list(range(rank))
    return [a % rank for a in ([axis] if isinstance(axis, (int, np.integer)) else axis)]


def softmax(x, axis=-1):
    x = _float(x)
    if isinstance(axis, (int, np.integer)):
        return tf.nn.softmax(x, axis=int(axis))
    axes = _axis_list(axis, x.shape.rank)
    shifted = x - tf.stop_gradient(tf.reduce_max(x, axis=axes, keepdims=True))
    e = tf.exp(shifted)
    return e / tf.reduce_sum(e, axis=axes, keepdims=True)


def log_softmax(x, axis=-1):
    x = _float(x)
    if isinstance(axis, (int, np.integer)):
        return tf.nn.log_softmax(x, axis=int(axis))
    axes = _axis_list(axis, x.shape.rank)
    shifted = x - tf.stop_gradient(tf.reduce_max(x, axis=axes, keepdims=True))
    return shifted - tf.math.log(tf.reduce_sum(tf.exp(shifted), axis=axes, keepdims=True))


# --- convolution and pooling ---------------------------------------------------------

def _data_format(data_format):
    data_format = config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}")
    return data_format


def _tuple(value, n, name, op):
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, received {value}")
    return value


def _to_channels_last(x):
    rank = x.shape.rank
    return tf.transpose(x, [0] + list(range(2, rank)) + [1])


def _to_channels_first(x):
    rank = x.shape.rank
    return tf.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))


def _padding(padding, op):
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"{op}: padding must be 'valid' or 'same', received {padding!r}")
    return padding


def _same_pads(x, kernel_sizes, strides, dilations):
    """Explicit TF-style 'same' padding for the spatial dims of a channels_last x."""
    dims = _shape(x)
    pads = [[0, 0]]
    for i, (k, s, d) in enumerate(zip(kernel_sizes, strides, dilations)):
        n = dims[1 + i]
        eff = (k - 1) * d + 1
        out = (n + s - 1) // s
        total = tf.maximum((out - 1) * s + eff - n, 0) if isinstance(n, tf.Tensor) else \
            builtins_max((out - 1) * s + eff - n, 0)
        pads.append([total // 2, total - total // 2])
    pads.append([0, 0])
    return pads


def builtins_max(a, b):
    return a if a >= b else b


def _conv_channels_last(x, kernel, strides, padding, dilations):
    spatial = x.shape.rank - 2
    upper = padding.upper()
    if any(s > 1 for s in strides) and any(d > 1 for d in dilations):
        # TF kernels refuse strides and dilation together: pad, run a dilated
        # stride-1 conv, then subsample.
        if padding == "same":
            x = tf.pad(x, _same_pads(x, kernel.shape[:spatial], strides, dilations))
        out = tf.nn.convolution(x, kernel, strides=1, padding="VALID", dilations=dilations)
        index = (slice(None),) + tuple(slice(None, None, s) for s in strides) + (slice(None),)
        return out[index]
    return tf.nn.convolution(x, kernel, strides=strides, padding=upper, dilations=dilations)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    inputs, kernel = _promote_float(inputs, kernel)
    rank = inputs.shape.rank
    if rank not in (3, 4, 5):
        raise ValueError(f"conv: inputs must be rank 3, 4 or 5 (batch, *spatial, channels), "
                         f"received shape {tuple(inputs.shape)}")
    if kernel.shape.rank != rank:
        raise ValueError(f"conv: kernel must have rank {rank} (*spatial, in, out) for inputs of "
                         f"rank {rank}, received kernel shape {tuple(kernel.shape)}")
    spatial = rank - 2
    data_format = _data_format(data_format)
    padding = _padding(padding, "conv")
    strides = _tuple(strides, spatial, "strides", "conv")
    dilations = _tuple(dilation_rate, spatial, "dilation_rate", "conv")
    x = _to_channels_last(inputs) if data_format == "channels_first" else inputs
    in_channels, k_in = x.shape[-1], kernel.shape[-2]
    if in_channels is not None and k_in is not None and in_channels != k_in:
        if in_channels % k_in:
            raise ValueError(
                f"conv: input channels ({in_channels}) must be a multiple of the kernel's "
                f"input channels ({k_in}); received inputs {tuple(inputs.shape)} and kernel "
                f"{tuple(kernel.shape)}"
            )
        groups = in_channels // k_in
        xs = tf.split(x, groups, axis=-1)
        ks = tf.split(kernel, groups, axis=-1)
        out = tf.concat([_conv_channels_last(a, b, strides, padding, dilations)
                         for a, b in zip(xs, ks)], axis=-1)
    else:
        out = _conv_channels_last(x, kernel, strides, padding, dilations)
    return _to_channels_first(out) if data_format == "channels_first" else out


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    inputs, kernel = _promote_float(inputs, kernel)
    rank = inputs.shape.rank
    if rank not in (3, 4, 5):
        raise ValueError(f"depthwise_conv: inputs must be rank 3, 4 or 5, received shape "
                         f"{tuple(inputs.shape)}")
    spatial = rank - 2
    data_format = _data_format(data_format)
    padding = _padding(padding, "depthwise_conv")
    strides = _tuple(strides, spatial, "strides", "depthwise_conv")
    dilations = _tuple(dilation_rate, spatial, "dilation_rate", "depthwise_conv")
    x = _to_channels_last(inputs) if data_format == "channels_first" else inputs
    if rank == 5 or (spatial == 2 and strides[0] != strides[1]) or (
            any(s > 1 for s in strides) and any(d > 1 for d in dilations)):
        # Depthwise = grouped conv with one group per input channel.
        k = kernel.shape
        full = tf.reshape(kernel, list(k[:spatial]) + [1, k[-2] * k[-1]])
        out = conv(x, full, strides, padding, "channels_last", dilations)
    elif rank == 3:
        out = tf.nn.depthwise_conv2d(
            x[:, None], kernel[None], strides=(1, 1, strides[0], 1), padding=padding.upper(),
            dilations=(1, dilations[0]))[:, 0]
    else:
        out = tf.nn.depthwise_conv2d(x, kernel, strides=(1,) + strides + (1,),
                                     padding=padding.upper(), dilations=dilations)
    return _to_channels_first(out) if data_format == "channels_first" else out


def _pool(kind, inputs, pool_size, strides, padding, data_format):
    inputs = convert_to_tensor(inputs)
    rank = inputs.shape.rank
    if rank not in (3, 4, 5):
        raise ValueError(f"{kind}: inputs must be rank 3, 4 or 5, received shape "
                         f"{tuple(inputs.shape)}")
    spatial = rank - 2
    pool_size = _tuple(pool_size, spatial, "pool_size", kind)
    strides = pool_size if strides is None else _tuple(strides, spatial, "strides", kind)
    padding = _padding(padding, kind)
    data_format = _data_format(data_format)
    x = _to_channels_last(inputs) if data_format == "channels_first" else inputs
    if kind == "max_pool":
        out = tf.nn.max_pool(x, pool_size, strides, padding.upper())
    else:
        dtype = x.dtype
        if not dtype.is_floating:
            x = tf.cast(x, tf_dtype(config.floatx()))
        out = tf.nn.avg_pool(x, pool_size, strides, padding.upper())
    return _to_channels_first(out) if data_format == "channels_first" else out


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool("max_pool", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _pool("average_pool", inputs, pool_size, strides, padding, data_format)


# --- misc ----------------------------------------------------------------------------

def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    x = convert_to_tensor(x)
    if not x.dtype.is_integer:
        x = tf.cast(x, tf.int32)
    elif x.dtype not in (tf.int32, tf.int64, tf.uint8):
        x = tf.cast(x, tf.int32)
    out = tf.one_hot(x, num_classes, axis=axis, dtype=tf_dtype(dtype))
    if sparse:
        return tf.sparse.from_dense(out)
    return out


def moments(x, axes, keepdims=False, synchronized=False):
    x = _float(x)
    original = None
    if x.dtype in (tf.float16, tf.bfloat16):
        original, x = x.dtype, tf.cast(x, tf.float32)
    axes = [axes] if isinstance(axes, (int, np.integer)) else list(axes)
    mean = tf.reduce_mean(x, axis=axes, keepdims=True)
    variance = tf.reduce_mean(tf.square(x - tf.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean = tf.squeeze(mean, axes)
        variance = tf.squeeze(variance, axes)
    if original is not None:
        mean, variance = tf.cast(mean, original), tf.cast(variance, original)
    return mean, variance


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = convert_to_tensor(x)
    rank = x.shape.rank
    axis = axis % rank
    target = [1] * rank
    target[axis] = -1

    def prep(v):
        v = convert_to_tensor(v, x.dtype.name if x.dtype.is_floating else config.floatx())
        return tf.reshape(v, target) if v.shape.rank == 1 and rank > 1 else v

    x = _float(x)
    inv = tf.math.rsqrt(prep(variance) + tf.cast(epsilon, x.dtype))
    if scale is not None:
        inv = inv * prep(scale)
    out = (x - prep(mean)) * inv
    if offset is not None:
        out = out + prep(offset)
    return out


# --- losses --------------------------------------------------------------------------

def _check_same_shape(target, output, op):
    ts, os_ = target.shape, output.shape
    if ts.rank is not None and os_.rank is not None:
        if ts.rank != os_.rank or not ts.is_compatible_with(os_):
            raise ValueError(f"{op}: target and output must have the same shape, received "
                             f"target.shape={tuple(ts)} and output.shape={tuple(os_)}")


def binary_crossentropy(target, output, from_logits=False):
    target, output = _promote_float(target, output)
    _check_same_shape(target, output, "binary_crossentropy")
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = tf.cast(config.epsilon(), output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -(target * tf.math.log(output) + (1.0 - target) * tf.math.log(1.0 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _promote_float(target, output)
    _check_same_shape(target, output, "categorical_crossentropy")
    if from_logits:
        return -tf.reduce_sum(target * tf.nn.log_softmax(output, axis=axis), axis=axis)
    output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
    eps = tf.cast(config.epsilon(), output.dtype)
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -tf.reduce_sum(target * tf.math.log(output), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = _float(output)
    target = convert_to_tensor(target)
    if not target.dtype.is_integer:
        target = tf.cast(target, tf.int32)
    rank = output.shape.rank
    axis = axis % rank
    if target.shape.rank == rank and target.shape[-1] == 1:
        target = tf.squeeze(target, -1)
    if target.shape.rank != rank - 1:
        raise ValueError(
            "sparse_categorical_crossentropy: target must have the shape of output without "
            f"the class axis, received target.shape={tuple(target.shape)} and "
            f"output.shape={tuple(output.shape)}"
        )
    expected = output.shape[:axis].concatenate(output.shape[axis + 1:])
    if not target.shape.is_compatible_with(expected):
        raise ValueError(
            "sparse_categorical_crossentropy: target shape must match output shape without "
            f"axis {axis}, received target.shape={tuple(target.shape)} and "
            f"output.shape={tuple(output.shape)}"
        )
    num_classes = tf.shape(output)[axis] if output.shape[axis] is None else output.shape[axis]
    labels = tf.one_hot(target, num_classes, axis=axis, dtype=output.dtype)
    if from_logits:
        log_probs = tf.nn.log_softmax(output, axis=axis)
    else:
        output = output / tf.reduce_sum(output, axis=axis, keepdims=True)
        eps = tf.cast(config.epsilon(), output.dtype)
        log_probs = tf.math.log(tf.clip_by_value(output, eps, 1.0 - eps))
    return -tf.reduce_sum(labels * log_probs, axis=axis)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None):
    """Normalize over ``axis`` to zero mean and unit variance, then scale by gamma and shift by beta."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    mean, variance = moments(x, axis, keepdims=True)
    x = tf.cast(convert_to_tensor(x), mean.dtype)
    outputs = (x - mean) * tf.math.rsqrt(variance + tf.cast(epsilon, mean.dtype))
    if gamma is not None:
        outputs = outputs * tf.cast(convert_to_tensor(gamma), mean.dtype)
    if beta is not None:
        outputs = outputs + tf.cast(convert_to_tensor(beta), mean.dtype)
    return outputs
