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
from kiln.backend.common import nn_rules as rules
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

_data_format = config.standardize_data_format


def _dims(x):
    """Static shape of ``x`` as a tuple (None for unknown dims), or None if the rank is unknown."""
    return None if x.shape.rank is None else tuple(x.shape)


def _to_channels_last(x):
    return tf.transpose(x, rules.channels_last_axes(x.shape.rank))


def _to_channels_first(x):
    return tf.transpose(x, rules.channels_first_axes(x.shape.rank))


def _same_pads(x, kernel_sizes, strides, dilations):
    """Explicit TF-style 'same' padding for the spatial dims of a channels_last x."""
    pads = rules.same_padding(_shape(x)[1:-1], kernel_sizes, strides, dilations)
    return [[0, 0]] + [list(pair) for pair in pads] + [[0, 0]]


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
    spatial = rules.spatial_rank(inputs.shape, "conv")
    rules.check_kernel_rank(kernel.shape, inputs.shape, "conv")
    data_format = _data_format(data_format)
    padding = rules.padding_mode(padding, "conv")
    strides = rules.spatial_tuple(strides, spatial, "strides", "conv")
    dilations = rules.spatial_tuple(dilation_rate, spatial, "dilation_rate", "conv")
    x = _to_channels_last(inputs) if data_format == "channels_first" else inputs
    in_channels, k_in = x.shape[-1], kernel.shape[-2]
    if in_channels is not None and k_in is not None and in_channels != k_in:
        groups = rules.conv_groups(in_channels, tuple(kernel.shape), tuple(inputs.shape))
        xs = tf.split(x, groups, axis=-1)
        ks = tf.split(kernel, groups, axis=-1)
        out = tf.concat([_conv_channels_last(a, b, strides, padding, dilations)
                         for a, b in zip(xs, ks)], axis=-1)
    else:
        out = _conv_channels_last(x, kernel, strides, padding, dilations)
    return _to_channels_first(out) if data_format == "channels_first" else out


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    inputs, kernel = _promote_float(inputs, kernel)
    spatial = rules.spatial_rank(inputs.shape, "depthwise_conv")
    rank = spatial + 2
    data_format = _data_format(data_format)
    padding = rules.padding_mode(padding, "depthwise_conv")
    strides = rules.spatial_tuple(strides, spatial, "strides", "depthwise_conv")
    dilations = rules.spatial_tuple(dilation_rate, spatial, "dilation_rate", "depthwise_conv")
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
    spatial = rules.spatial_rank(inputs.shape, kind)
    pool_size, strides = rules.pool_window(pool_size, strides, spatial, kind)
    padding = rules.padding_mode(padding, kind)
    data_format = _data_format(data_format)
    if spatial == 3 and inputs.dtype in (tf.float16, tf.bfloat16):
        # No half-precision CPU kernels for 3D pooling: pool in float32, cast back.
        out = _pool(kind, tf.cast(inputs, tf.float32), pool_size, strides, padding, data_format)
        return tf.cast(out, inputs.dtype)
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
    axes = list(rules.axes_tuple(axes))
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
    rules.check_same_shape(op, "target", _dims(target), "output", _dims(output))


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
    rules.check_sparse_target_shape(target.shape, output.shape, axis)
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


# --- more activations ----------------------------------------------------------------

def celu(x, alpha=1.0):
    x = _float(x)
    alpha = tf.cast(alpha, x.dtype)
    return tf.maximum(x, 0) + alpha * tf.math.expm1(tf.minimum(x, 0) / alpha)


def glu(x, axis=-1):
    x = _float(x)
    rules.check_even_axis(x.shape, axis, "glu")
    a, b = tf.split(x, 2, axis=axis)
    return a * tf.sigmoid(b)


def hard_shrink(x, threshold=0.5):
    x = _float(x)
    return tf.where(tf.abs(x) > tf.cast(threshold, x.dtype), x, tf.zeros_like(x))


def hard_tanh(x):
    x = _float(x)
    return tf.clip_by_value(x, tf.cast(-1.0, x.dtype), tf.cast(1.0, x.dtype))


def soft_shrink(x, threshold=0.5):
    x = _float(x)
    t = tf.cast(threshold, x.dtype)
    return tf.where(x > t, x - t, tf.where(x < -t, x + t, tf.zeros_like(x)))


def sparse_plus(x):
    x = _float(x)
    one = tf.cast(1.0, x.dtype)
    return tf.where(x <= -one, tf.zeros_like(x),
                    tf.where(x >= one, x, tf.square(x + one) / tf.cast(4.0, x.dtype)))


def sparse_sigmoid(x):
    x = _float(x)
    return tf.clip_by_value(tf.cast(0.5, x.dtype) * (x + tf.cast(1.0, x.dtype)),
                            tf.cast(0.0, x.dtype), tf.cast(1.0, x.dtype))


def squareplus(x, b=4):
    x = _float(x)
    return (x + tf.sqrt(tf.square(x) + tf.cast(b, x.dtype))) / tf.cast(2.0, x.dtype)


def tanh_shrink(x):
    x = _float(x)
    return x - tf.tanh(x)


def threshold(x, threshold, default_value):
    x = convert_to_tensor(x)
    return tf.where(x > tf.cast(threshold, x.dtype), x,
                    tf.cast(tf.broadcast_to(tf.cast(default_value, x.dtype), tf.shape(x)), x.dtype))


def sparsemax(x, axis=-1):
    x = _float(x)
    rank = x.shape.rank
    axis = axis % rank
    perm = [i for i in range(rank) if i != axis] + [axis]
    z = tf.transpose(x, perm) if axis != rank - 1 else x
    z_sorted = -tf.sort(-z, axis=-1)
    n = z.shape[-1]
    k = tf.range(1, n + 1, dtype=z.dtype)
    cumsum = tf.cumsum(z_sorted, axis=-1)
    support = tf.cast((1.0 + k * z_sorted) > cumsum, tf.int32)
    k_z = tf.reduce_sum(support, axis=-1, keepdims=True)
    tau = (tf.gather(cumsum, k_z - 1, batch_dims=rank - 1) - 1.0) / tf.cast(k_z, z.dtype)
    y = tf.maximum(z - tau, 0.0)
    if axis != rank - 1:
        y = tf.transpose(y, np.argsort(perm))
    return y


# --- complex, normalization, metrics, encodings -------------------------------------

def polar(abs_, angle):
    abs_, angle = _promote_float(abs_, angle)
    if abs_.dtype in (tf.float16, tf.bfloat16):
        abs_, angle = tf.cast(abs_, tf.float32), tf.cast(angle, tf.float32)
    abs_, angle = abs_ + tf.zeros_like(angle), angle + tf.zeros_like(abs_)
    return tf.complex(abs_ * tf.cos(angle), abs_ * tf.sin(angle))


def normalize(x, axis=-1, order=2, epsilon=None):
    x = _float(x)
    if x.shape.rank == 0:
        x = tf.reshape(x, (1,))
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        norm = tf.sqrt(tf.reduce_sum(tf.square(x), axis=axis, keepdims=True))
    else:
        norm = tf.reduce_sum(tf.abs(x) ** order, axis=axis, keepdims=True) ** (1.0 / order)
    return x / tf.maximum(norm, tf.cast(epsilon, x.dtype))


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    x = _float(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    compute = tf.float32 if x.dtype in (tf.float16, tf.bfloat16) else x.dtype
    xc = tf.cast(x, compute)
    axes = rules.axis_argument(axis)
    axes = list(axes) if isinstance(axes, tuple) else axes
    y = xc * tf.math.rsqrt(tf.reduce_mean(tf.square(xc), axis=axes, keepdims=True)
                           + tf.cast(epsilon, compute))
    if scale is not None:
        y = y * tf.cast(convert_to_tensor(scale), compute)
    return tf.cast(y, x.dtype)


def psnr(x1, x2, max_val):
    x1, x2 = _promote_float(x1, x2)
    rules.check_same_shape("psnr", "x1", _dims(x1), "x2", _dims(x2))
    mse = tf.reduce_mean(tf.square(x1 - x2))
    max_val = tf.cast(max_val, x1.dtype)
    ten = tf.cast(10.0, x1.dtype)
    log10 = lambda v: tf.math.log(v) / tf.math.log(ten)  # noqa: E731
    return 20.0 * log10(max_val) - 10.0 * log10(mse)


def multi_hot(inputs, num_classes, axis=-1, dtype=None, sparse=False):
    inputs = convert_to_tensor(inputs)
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype, sparse=sparse)
    reduce_axis = 1 if inputs.shape.rank > 1 else 0
    if sparse:
        return tf.sparse.reduce_max(encoded, axis=reduce_axis, output_is_sparse=True)
    return tf.reduce_max(encoded, axis=reduce_axis)


# --- depth <-> space -----------------------------------------------------------------

def depth_to_space(x, block_size, data_format="channels_last"):
    x = convert_to_tensor(x)
    if data_format == "channels_last":
        return tf.nn.depth_to_space(x, int(block_size))
    return _to_channels_first(tf.nn.depth_to_space(_to_channels_last(x), int(block_size)))


def space_to_depth(x, block_size, data_format="channels_last"):
    x = convert_to_tensor(x)
    if data_format == "channels_last":
        return tf.nn.space_to_depth(x, int(block_size))
    return _to_channels_first(tf.nn.space_to_depth(_to_channels_last(x), int(block_size)))


# --- transposed and separable convolution --------------------------------------------

def _interleave_zeros(x, axis, stride):
    """Insert ``stride - 1`` zeros between the elements of ``x`` along ``axis``."""
    if stride == 1:
        return x
    length = x.shape[axis]
    rank = x.shape.rank
    y = tf.expand_dims(x, axis + 1)
    pads = [[0, 0]] * (rank + 1)
    pads[axis + 1] = [0, stride - 1]
    y = tf.pad(y, pads)
    dynamic = tf.shape(y)
    new_shape = tf.concat([dynamic[:axis], [length * stride], dynamic[axis + 2:]], axis=0)
    y = tf.reshape(y, new_shape)
    return y[(slice(None),) * axis + (slice(0, (length - 1) * stride + 1),)]


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution: a stride-1 convolution of the zero-interleaved, padded input
    with the spatially flipped kernel (``kernel`` is ``(*spatial, out, in)``)."""
    inputs, kernel = _promote_float(inputs, kernel)
    n = rules.spatial_rank(inputs.shape, "conv_transpose")
    rules.check_kernel_rank(kernel.shape, inputs.shape, "conv_transpose")
    data_format = _data_format(data_format)
    strides = rules.spatial_tuple(strides, n, "strides", "conv_transpose")
    dilations = rules.spatial_tuple(dilation_rate, n, "dilation_rate", "conv_transpose")
    pads = rules.conv_transpose_padding(tuple(kernel.shape[:n]), strides, padding, output_padding,
                                        dilations, "conv_transpose")
    x = _to_channels_last(inputs) if data_format == "channels_first" else inputs
    for i, s in enumerate(strides):
        x = _interleave_zeros(x, i + 1, s)
    x = tf.pad(x, [[0, 0]] + [list(pair) for pair in pads] + [[0, 0]])
    flipped = tf.reverse(kernel, axis=list(range(n)))
    flipped = tf.transpose(flipped, list(range(n)) + [n + 1, n])
    out = _conv_channels_last(x, flipped, (1,) * n, "valid", dilations)
    return _to_channels_first(out) if data_format == "channels_first" else out


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    mid = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(mid, pointwise_kernel, 1, "valid", data_format, 1)


# --- adaptive pooling, fold / unfold -------------------------------------------------

def _adaptive_pool(inputs, output_size, data_format, op_name, reduce_max):
    x = convert_to_tensor(inputs) if reduce_max else _float(inputs)
    n = rules.spatial_rank(x.shape, op_name)
    rank = n + 2
    size = rules.spatial_tuple(output_size, n, "output_size", op_name)
    data_format = _data_format(data_format)
    x = _to_channels_last(x) if data_format == "channels_first" else x
    for dim in range(n):
        axis = dim + 1
        index, weights = rules.adaptive_pool_bins(x.shape[axis], size[dim])
        g = tf.gather(x, index, axis=axis)  # (..., size, width, ...)
        if reduce_max:
            x = tf.reduce_max(g, axis=axis + 1)
        else:
            w = tf.constant(weights.reshape(index.shape + (1,) * (rank - axis - 1)), x.dtype)
            x = tf.reduce_sum(g * w, axis=axis + 1)
    return _to_channels_first(x) if data_format == "channels_first" else x


def adaptive_average_pool(inputs, output_size, data_format=None):
    return _adaptive_pool(inputs, output_size, data_format, "adaptive_average_pool", False)


def adaptive_max_pool(inputs, output_size, data_format=None):
    return _adaptive_pool(inputs, output_size, data_format, "adaptive_max_pool", True)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    x = convert_to_tensor(x)
    rules.check_unfold_rank(x.shape)
    kernel, dilation, padding, stride = rules.fold_arguments(kernel_size, dilation, padding,
                                                             stride, "unfold")
    xp = tf.pad(x, [[0, 0], [0, 0]] + [[p, p] for p in padding])
    counts = rules.window_counts(tuple(x.shape[2:]), kernel, stride, dilation, padding)
    parts = [xp[(slice(None), slice(None)) + rules.window_slices(o, dilation, stride, counts)]
             for o in np.ndindex(*kernel)]
    out = tf.stack(parts, axis=2)
    return tf.reshape(out, [-1, x.shape[1] * kernel[0] * kernel[1], counts[0] * counts[1]])


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im as one ``unsorted_segment_sum`` over precomputed output positions."""
    x = convert_to_tensor(x)
    size = rules.spatial_tuple(output_size, 2, "output_size", "fold")
    kernel, dilation, padding, stride = rules.fold_arguments(kernel_size, dilation, padding,
                                                             stride, "fold")
    counts = rules.fold_block_counts(tuple(x.shape), size, kernel, dilation, padding, stride)
    area = kernel[0] * kernel[1]
    ck, blocks = x.shape[1], x.shape[2]
    height, width = size[0] + 2 * padding[0], size[1] + 2 * padding[1]
    ki, kj = np.meshgrid(np.arange(kernel[0]), np.arange(kernel[1]), indexing="ij")
    bi, bj = np.meshgrid(np.arange(counts[0]), np.arange(counts[1]), indexing="ij")
    rows = ki.reshape(-1, 1) * dilation[0] + bi.reshape(1, -1) * stride[0]
    cols = kj.reshape(-1, 1) * dilation[1] + bj.reshape(1, -1) * stride[1]
    segments = (rows * width + cols).reshape(-1)
    channels = ck // area
    data = tf.transpose(tf.reshape(x, [-1, channels, area * blocks]), [2, 0, 1])
    summed = tf.math.unsorted_segment_sum(data, segments, height * width)
    out = tf.reshape(tf.transpose(summed, [1, 2, 0]), [-1, channels, height, width])
    return out[:, :, padding[0]:padding[0] + size[0], padding[1]:padding[1] + size[1]]


# --- attention -----------------------------------------------------------------------

def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Attention over (B, T, N, H) queries in plain TF math (TF has no fused kernel)."""
    if flash_attention:
        raise ValueError("dot_product_attention: flash_attention=True is not supported by the "
                         "tensorflow backend")
    query, key, value = _promote_float(query, key, value)
    dtype = query.dtype
    compute = tf.float32 if dtype in (tf.float16, tf.bfloat16) else dtype
    q, k, v = (tf.cast(t, compute) for t in (query, key, value))
    heads, kv_heads = q.shape[2], k.shape[2]
    rules.check_attention_heads(heads, kv_heads)
    if heads != kv_heads:
        k = tf.repeat(k, heads // kv_heads, axis=2)
        v = tf.repeat(v, heads // kv_heads, axis=2)
    scale = rules.attention_scale(scale, q.shape[-1])
    logits = tf.einsum("btnh,bsnh->bnts", q, k) * tf.cast(scale, compute)
    if attn_logits_soft_cap is not None:
        cap = tf.cast(attn_logits_soft_cap, compute)
        logits = cap * tf.tanh(logits / cap)
    if bias is not None:
        logits = logits + tf.cast(convert_to_tensor(bias), compute)
    allowed = None if mask is None else tf.cast(convert_to_tensor(mask), tf.bool)
    if is_causal:
        causal = tf.constant(np.tril(np.ones((q.shape[1], k.shape[1]), bool)))
        allowed = causal if allowed is None else tf.logical_and(allowed, causal)
    if allowed is not None:
        logits = tf.where(allowed, logits, tf.cast(rules.ATTENTION_MASK_VALUE, compute))
    probs = tf.nn.softmax(logits, axis=-1)
    return tf.cast(tf.einsum("bnts,bsnh->btnh", probs, v), dtype)


# --- CTC -----------------------------------------------------------------------------

def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss per sample with ``tf.nn.ctc_loss`` (dense labels, batch-major logits)."""
    output = _float(output)
    dtype = output.dtype
    if dtype in (tf.float16, tf.bfloat16):
        output = tf.cast(output, tf.float32)
    classes = output.shape[-1]
    target = tf.clip_by_value(tf.cast(convert_to_tensor(target), tf.int32), 0, classes - 1)
    target_length = tf.reshape(tf.cast(convert_to_tensor(target_length), tf.int32), [-1])
    output_length = tf.reshape(tf.cast(convert_to_tensor(output_length), tf.int32), [-1])
    if output.dtype == tf.float64:
        # TF's kernel computes in float32 only; keep float64 exact with our own recursion.
        return _ctc_loss_forward(target, tf.nn.log_softmax(output, axis=-1), target_length,
                                 output_length, int(mask_index))
    loss = tf.nn.ctc_loss(labels=target, logits=tf.nn.log_softmax(output, axis=-1),
                          label_length=target_length, logit_length=output_length,
                          logits_time_major=False, blank_index=int(mask_index))
    return tf.cast(loss, dtype)


def _ctc_loss_forward(labels, logp, target_length, output_length, mask_index):
    """CTC forward algorithm in log space under ``tf.scan`` (any float dtype)."""
    batch = tf.shape(logp)[0]
    steps = logp.shape[1]
    width = 2 * labels.shape[1] + 1
    blanks = tf.fill(tf.shape(labels), mask_index)
    ext = tf.reshape(tf.stack([blanks, labels], axis=2), [batch, width - 1])
    ext = tf.concat([ext, tf.fill([batch, 1], mask_index)], axis=1)
    lp = tf.gather(logp, ext, axis=2, batch_dims=1)  # (batch, steps, width)
    skip = tf.concat([tf.zeros([batch, 2], tf.bool),
                      tf.logical_and(ext[:, 2:] != mask_index, ext[:, 2:] != ext[:, :-2])], axis=1)
    neg = tf.cast(-1e30, logp.dtype)
    first = tf.concat([lp[:, 0, :2], tf.fill([batch, width - 2], neg)], axis=1)

    def step(alpha, inputs):
        t, lp_t = inputs
        prev1 = tf.concat([tf.fill([batch, 1], neg), alpha[:, :-1]], axis=1)
        prev2 = tf.concat([tf.fill([batch, 2], neg), alpha[:, :-2]], axis=1)
        prev2 = tf.where(skip, prev2, neg)
        new = tf.reduce_logsumexp(tf.stack([alpha, prev1, prev2]), axis=0) + lp_t
        return tf.where((t < output_length)[:, None], new, alpha)

    alpha = tf.scan(step, (tf.range(1, steps), tf.transpose(lp[:, 1:], [1, 0, 2])),
                    initializer=first)[-1] if steps > 1 else first
    last = tf.gather(alpha, 2 * target_length, batch_dims=1)
    before = tf.gather(alpha, tf.maximum(2 * target_length - 1, 0), batch_dims=1)
    before = tf.where(target_length > 0, before, neg)
    return -tf.reduce_logsumexp(tf.stack([last, before]), axis=0)


def _ctc_greedy(inputs, lengths, merge_repeated, mask_index):
    steps = inputs.shape[1]
    best = tf.cast(tf.argmax(inputs, axis=-1), tf.int32)
    scores = tf.reduce_max(inputs, axis=-1)
    positions = tf.range(steps)[None, :]
    beyond = positions >= lengths[:, None]
    best = tf.where(beyond, tf.cast(mask_index, tf.int32), best)
    scores = tf.where(beyond, tf.zeros_like(scores), scores)
    if merge_repeated:
        repeat = tf.concat([tf.zeros_like(beyond[:, :1]), tf.equal(best[:, 1:], best[:, :-1])], axis=1)
        best = tf.where(repeat, tf.cast(mask_index, tf.int32), best)
    blank = tf.equal(best, mask_index)
    order = tf.argsort(tf.where(blank, steps, 0) + positions, axis=-1)
    decoded = tf.gather(tf.where(blank, -tf.ones_like(best), best), order, batch_dims=1)
    return decoded[None], -tf.reduce_sum(scores, axis=1, keepdims=True)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Greedy decoding in TF ops; beam search runs the shared host routine via numpy_function."""
    rules.check_ctc_strategy(strategy)
    inputs = _float(inputs)
    dtype = inputs.dtype
    if dtype in (tf.float16, tf.bfloat16):
        inputs = tf.cast(inputs, tf.float32)
    lengths = tf.reshape(tf.cast(convert_to_tensor(sequence_lengths), tf.int32), [-1])
    if strategy == "greedy":
        decoded, scores = _ctc_greedy(inputs, lengths, merge_repeated, int(mask_index))
        return decoded, tf.cast(scores, dtype)

    def host(log_probs, lens):
        return rules.ctc_beam_search(log_probs, lens, int(beam_width), int(top_paths), int(mask_index))

    decoded, scores = tf.numpy_function(host, [tf.nn.log_softmax(inputs, axis=-1), lengths],
                                        [tf.int32, tf.float32])
    decoded.set_shape((int(top_paths), inputs.shape[0], inputs.shape[1]))
    scores.set_shape((inputs.shape[0], int(top_paths)))
    return decoded, tf.cast(scores, dtype)
