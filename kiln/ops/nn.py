"""Neural-network ops (``kiln.ops.nn``): activations, convolution, pooling, losses, normalization.

Every op is also available as ``kiln.ops.<name>``.

Example:
    >>> import kiln
    >>> kiln.ops.convert_to_numpy(kiln.ops.relu([-1.0, 2.0])).tolist()
    [0.0, 2.0]
"""

from kiln import config
from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.operation import op

__all__ = [
    "relu",
    "relu6",
    "sigmoid",
    "softplus",
    "softsign",
    "silu",
    "swish",
    "gelu",
    "elu",
    "selu",
    "leaky_relu",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "log_sigmoid",
    "softmax",
    "log_softmax",
    "conv",
    "depthwise_conv",
    "max_pool",
    "average_pool",
    "one_hot",
    "moments",
    "batch_normalization",
    "layer_normalization",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
]


_nn = _backend.nn


def _activation_spec(x, *args, **kwargs):
    return KerasTensor(rules.shape_of(x), dtypes.result_type(rules.dtype_of(x)))


def _softmax_spec(x, axis=-1):
    shape = rules.shape_of(x)
    if axis is not None:
        rules.canonical_axes(axis, len(shape), "softmax")
    return _activation_spec(x)


# -- activations ------------------------------------------------------------------------
@op(_activation_spec, module="nn")
def relu(x):
    """Rectified linear unit: ``max(x, 0)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.relu([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    return _nn.relu(x)


@op(_activation_spec, module="nn")
def relu6(x):
    """ReLU capped at 6: ``min(max(x, 0), 6)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.relu6([-1.0, 8.0])).tolist()
        [0.0, 6.0]
    """
    return _nn.relu6(x)


@op(_activation_spec, module="nn")
def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.sigmoid([0.0])).tolist()
        [0.5]
    """
    return _nn.sigmoid(x)


@op(_activation_spec, module="nn")
def softplus(x):
    """Smooth ReLU ``log(1 + exp(x))``.

    Example:
        >>> import kiln
        >>> round(float(kiln.ops.convert_to_numpy(kiln.ops.softplus([0.0]))[0]), 4)
        0.6931
    """
    return _nn.softplus(x)


@op(_activation_spec, module="nn")
def softsign(x):
    """``x / (1 + |x|)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.softsign([1.0])).tolist()
        [0.5]
    """
    return _nn.softsign(x)


@op(_activation_spec, module="nn")
def silu(x):
    """Sigmoid-weighted linear unit ``x * sigmoid(x)`` (also called swish).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.silu([0.0])).tolist()
        [0.0]
    """
    return _nn.silu(x)


swish = silu


@op(_activation_spec, module="nn")
def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation unless ``approximate=False``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.gelu([0.0])).tolist()
        [0.0]
    """
    return _nn.gelu(x, approximate=approximate)


@op(_activation_spec, module="nn")
def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` if positive, else ``alpha * (exp(x) - 1)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.elu([0.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    return _nn.elu(x, alpha=alpha)


@op(_activation_spec, module="nn")
def selu(x):
    """Scaled ELU with the self-normalizing constants.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.selu([0.0])).tolist()
        [0.0]
    """
    return _nn.selu(x)


@op(_activation_spec, module="nn")
def leaky_relu(x, negative_slope=0.2):
    """``x`` if positive, else ``negative_slope * x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.leaky_relu([-1.0, 1.0], 0.5)).tolist()
        [-0.5, 1.0]
    """
    return _nn.leaky_relu(x, negative_slope=negative_slope)


@op(_activation_spec, module="nn")
def hard_sigmoid(x):
    """Piecewise-linear sigmoid ``relu6(x + 3) / 6``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.hard_sigmoid([0.0, 5.0])).tolist()
        [0.5, 1.0]
    """
    return _nn.hard_sigmoid(x)


@op(_activation_spec, module="nn")
def hard_silu(x):
    """``x * hard_sigmoid(x)`` (also called hard swish).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.hard_silu([0.0, 5.0])).tolist()
        [0.0, 5.0]
    """
    return _nn.hard_silu(x)


hard_swish = hard_silu


@op(_activation_spec, module="nn")
def log_sigmoid(x):
    """``log(sigmoid(x))``, computed stably.

    Example:
        >>> import kiln
        >>> round(float(kiln.ops.convert_to_numpy(kiln.ops.log_sigmoid([0.0]))[0]), 4)
        -0.6931
    """
    return _nn.log_sigmoid(x)


@op(_softmax_spec, module="nn")
def softmax(x, axis=-1):
    """Exponentials normalized to sum to 1 along ``axis``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.softmax([0.0, 0.0])).tolist()
        [0.5, 0.5]
    """
    return _nn.softmax(x, axis=axis)


@op(_softmax_spec, module="nn")
def log_softmax(x, axis=-1):
    """Logarithm of :func:`softmax`, computed stably.

    Example:
        >>> import kiln
        >>> round(float(kiln.ops.convert_to_numpy(kiln.ops.log_softmax([0.0, 0.0]))[0]), 4)
        -0.6931
    """
    return _nn.log_softmax(x, axis=axis)


# -- convolution and pooling ------------------------------------------------------------
def _tuple(value, n, name, arg):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"{name}: `{arg}` must be an int or a tuple of {n} ints, received {value}")
    return value


def _data_format(data_format):
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"data_format must be 'channels_last' or 'channels_first', received {data_format!r}")
    return data_format


def _split_channels(shape, data_format, name):
    if len(shape) not in (3, 4, 5):
        raise ValueError(f"{name}: inputs must have rank 3, 4 or 5 (batch, spatial..., channels), "
                         f"received shape {shape}")
    if data_format == "channels_last":
        return shape[0], shape[1:-1], shape[-1]
    return shape[0], shape[2:], shape[1]


def _join_channels(batch, spatial, channels, data_format):
    if data_format == "channels_last":
        return (batch,) + tuple(spatial) + (channels,)
    return (batch, channels) + tuple(spatial)


def _padding(padding, name):
    padding = padding.lower() if isinstance(padding, str) else padding
    if padding not in ("valid", "same"):
        raise ValueError(f"{name}: padding must be 'valid' or 'same', received {padding!r}")
    return padding


def _conv_like_spec(name, inputs, kernel, strides, padding, data_format, dilation_rate, out_channels):
    data_format = _data_format(data_format)
    padding = _padding(padding, name)
    shape = rules.shape_of(inputs)
    kshape = rules.shape_of(kernel)
    batch, spatial, channels = _split_channels(shape, data_format, name)
    n = len(spatial)
    if len(kshape) != n + 2:
        raise ValueError(f"{name}: kernel must have rank {n + 2} for inputs of shape {shape}, "
                         f"received kernel shape {kshape}")
    if channels is not None and kshape[-2] is not None and channels != kshape[-2] and name == "depthwise_conv":
        raise ValueError(f"{name}: inputs have {channels} channels but the kernel expects {kshape[-2]}")
    if (name == "conv" and channels is not None and kshape[-2] is not None
            and channels % kshape[-2] != 0):
        raise ValueError(f"conv: inputs have {channels} channels, which the kernel's input-channel "
                         f"dimension {kshape[-2]} does not divide (kernel shape {kshape})")
    strides = _tuple(strides, n, name, "strides")
    dilation = _tuple(dilation_rate, n, name, "dilation_rate")
    out_spatial = []
    for length, k, s, d in zip(spatial, kshape[:n], strides, dilation):
        out = rules.conv_output_length(length, k, s, padding, d)
        if out is not None and out <= 0:
            raise ValueError(f"{name}: inputs of shape {shape} are too small for a kernel of shape "
                             f"{kshape} with padding {padding!r}")
        out_spatial.append(out)
    dtype = dtypes.result_type(rules.dtype_of(inputs), rules.dtype_of(kernel))
    return KerasTensor(_join_channels(batch, out_spatial, out_channels(kshape), data_format), dtype)


def _conv_spec(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    return _conv_like_spec("conv", inputs, kernel, strides, padding, data_format, dilation_rate,
                           lambda k: k[-1])


def _depthwise_spec(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    return _conv_like_spec("depthwise_conv", inputs, kernel, strides, padding, data_format,
                           dilation_rate, lambda k: None if None in k[-2:] else k[-2] * k[-1])


@op(_conv_spec, module="nn")
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1D/2D/3D); ``kernel`` is laid out ``(*spatial, in_channels, out_channels)``.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.conv(kiln.ops.ones((1, 5, 5, 2)), kiln.ops.ones((3, 3, 2, 4)),
        ...                              data_format="channels_last"))
        (1, 3, 3, 4)
    """
    return _nn.conv(inputs, kernel, strides=strides, padding=padding, data_format=data_format,
                    dilation_rate=dilation_rate)


@op(_depthwise_spec, module="nn")
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Convolve each input channel separately; ``kernel`` is ``(*spatial, in_channels, multiplier)``.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.depthwise_conv(kiln.ops.ones((1, 5, 5, 2)),
        ...     kiln.ops.ones((3, 3, 2, 2)), padding="same", data_format="channels_last"))
        (1, 5, 5, 4)
    """
    return _nn.depthwise_conv(inputs, kernel, strides=strides, padding=padding,
                              data_format=data_format, dilation_rate=dilation_rate)


def _pool_spec(name):
    def spec(inputs, pool_size, strides=None, padding="valid", data_format=None):
        data_format = _data_format(data_format)
        padding = _padding(padding, name)
        shape = rules.shape_of(inputs)
        batch, spatial, channels = _split_channels(shape, data_format, name)
        n = len(spatial)
        pool = _tuple(pool_size, n, name, "pool_size")
        strides_ = pool if strides is None else _tuple(strides, n, name, "strides")
        out = []
        for length, p, s in zip(spatial, pool, strides_):
            o = rules.conv_output_length(length, p, s, padding)
            if o is not None and o <= 0:
                raise ValueError(f"{name}: inputs of shape {shape} are smaller than pool_size {pool}")
            out.append(o)
        return KerasTensor(_join_channels(batch, out, channels, data_format),
                           dtypes.result_type(rules.dtype_of(inputs)))
    return spec


@op(_pool_spec("max_pool"), module="nn")
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Maximum over sliding windows of size ``pool_size`` (strides default to ``pool_size``).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.max_pool(kiln.ops.ones((1, 4, 4, 1)), 2, data_format="channels_last"))
        (1, 2, 2, 1)
    """
    return _nn.max_pool(inputs, pool_size, strides=strides, padding=padding, data_format=data_format)


@op(_pool_spec("average_pool"), module="nn")
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over sliding windows; with "same" padding only real elements are averaged.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.average_pool(kiln.ops.ones((1, 5, 1)), 2, padding="same",
        ...                                      data_format="channels_last"))
        (1, 3, 1)
    """
    return _nn.average_pool(inputs, pool_size, strides=strides, padding=padding,
                            data_format=data_format)


# -- encoding, statistics, normalization ------------------------------------------------
def _one_hot_spec(x, num_classes, axis=-1, dtype=None, sparse=False):
    shape = list(rules.shape_of(x))
    position = len(shape) if axis == -1 else axis
    if not -len(shape) - 1 <= position <= len(shape):
        raise ValueError(f"one_hot: axis {axis} is out of range for an input of rank {len(shape)}")
    if position < 0:
        position += len(shape) + 1
    shape.insert(position, num_classes)
    return KerasTensor(tuple(shape), dtypes.standardize_dtype(dtype), sparse=sparse)


@op(_one_hot_spec, module="nn")
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encode integer labels into a new axis of size ``num_classes``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.one_hot([0, 2], 3)).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    return _nn.one_hot(x, num_classes, axis=axis, dtype=dtype, sparse=sparse)


def _moments_spec(x, axes, keepdims=False, synchronized=False):
    shape = rules.reduce_shape(rules.shape_of(x), axes, keepdims, "moments")
    dtype = dtypes.float_result_type(rules.dtype_of(x))
    return KerasTensor(shape, dtype), KerasTensor(shape, dtype)


@op(_moments_spec, module="nn")
def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance of ``x`` over ``axes`` (computed in float32 for half-precision inputs).

    Example:
        >>> import kiln
        >>> m, v = kiln.ops.moments([1.0, 3.0], axes=[0])
        >>> float(kiln.ops.convert_to_numpy(m)), float(kiln.ops.convert_to_numpy(v))
        (2.0, 1.0)
    """
    return _nn.moments(x, axes, keepdims=keepdims, synchronized=synchronized)


def _batch_norm_spec(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    shape = rules.shape_of(x)
    axis = rules.canonical_axes(axis, len(shape), "batch_normalization")[0]
    for arg_name, arg in (("mean", mean), ("variance", variance), ("offset", offset), ("scale", scale)):
        if arg is None:
            continue
        s = rules.shape_of(arg)
        if len(s) == 1 and None not in (s[0], shape[axis]) and s[0] != shape[axis]:
            raise ValueError(f"batch_normalization: `{arg_name}` has shape {s}, expected "
                             f"({shape[axis]},) to match axis {axis} of x with shape {shape}")
    return KerasTensor(shape, dtypes.result_type(rules.dtype_of(x)))


@op(_batch_norm_spec, module="nn")
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``, parameters along ``axis``.

    Example:
        >>> import kiln
        >>> y = kiln.ops.batch_normalization([[1.0, 2.0]], [1.0, 2.0], [1.0, 1.0], axis=-1, epsilon=0.0)
        >>> kiln.ops.convert_to_numpy(y).tolist()
        [[0.0, 0.0]]
    """
    return _nn.batch_normalization(x, mean, variance, axis, offset=offset, scale=scale,
                                   epsilon=epsilon)


def _layer_norm_spec(x, gamma=None, beta=None, axis=-1, epsilon=None):
    rules.canonical_axes(axis, len(rules.shape_of(x)), "layer_normalization")
    return KerasTensor(rules.shape_of(x), dtypes.float_result_type(rules.dtype_of(x)))


@op(_layer_norm_spec, module="nn")
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None):
    """Normalize ``x`` over ``axis`` to zero mean and unit variance, then ``* gamma + beta``.

    ``epsilon`` defaults to ``kiln.config.epsilon()``.

    Example:
        >>> import kiln
        >>> y = kiln.ops.layer_normalization([[1.0, 3.0]], epsilon=0.0)
        >>> kiln.ops.convert_to_numpy(y).tolist()
        [[-1.0, 1.0]]
    """
    return _nn.layer_normalization(x, gamma=gamma, beta=beta, axis=axis, epsilon=epsilon)


# -- cross-entropies --------------------------------------------------------------------
def _same_shapes(name, target, output):
    t, o = rules.shape_of(target), rules.shape_of(output)
    if len(t) != len(o) or any(a is not None and b is not None and a != b for a, b in zip(t, o)):
        raise ValueError(f"{name}: target and output must have the same shape, "
                         f"received target.shape={t}, output.shape={o}")
    return tuple(a if a is not None else b for a, b in zip(t, o))


def _loss_dtype(target, output):
    return dtypes.float_result_type(rules.dtype_of(output))


def _bce_spec(target, output, from_logits=False):
    shape = _same_shapes("binary_crossentropy", target, output)
    return KerasTensor(shape, _loss_dtype(target, output))


def _cce_spec(target, output, from_logits=False, axis=-1):
    shape = _same_shapes("categorical_crossentropy", target, output)
    if not shape:
        raise ValueError("categorical_crossentropy: output must have rank >= 1, received a scalar")
    axis = rules.canonical_axes(axis, len(shape), "categorical_crossentropy")[0]
    return KerasTensor(shape[:axis] + shape[axis + 1:], _loss_dtype(target, output))


def _scce_spec(target, output, from_logits=False, axis=-1):
    t, o = rules.shape_of(target), rules.shape_of(output)
    if not o:
        raise ValueError("sparse_categorical_crossentropy: output must have rank >= 1")
    axis = rules.canonical_axes(axis, len(o), "sparse_categorical_crossentropy")[0]
    expected = o[:axis] + o[axis + 1:]
    if len(t) == len(o) and t[-1] == 1:
        t = t[:-1]
    if len(t) != len(expected) or any(a is not None and b is not None and a != b
                                      for a, b in zip(t, expected)):
        raise ValueError("sparse_categorical_crossentropy: target shape must be output.shape without "
                         f"the class axis, received target.shape={rules.shape_of(target)}, "
                         f"output.shape={o}")
    shape = tuple(a if a is not None else b for a, b in zip(t, expected))
    return KerasTensor(shape, _loss_dtype(target, output))


@op(_bce_spec, module="nn")
def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy between targets and probabilities (or logits).

    Example:
        >>> import kiln
        >>> y = kiln.ops.binary_crossentropy([1.0], [0.0], from_logits=True)
        >>> round(float(kiln.ops.convert_to_numpy(y)[0]), 4)
        0.6931
    """
    return _nn.binary_crossentropy(target, output, from_logits=from_logits)


@op(_cce_spec, module="nn")
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between one-hot (or soft) targets and a distribution over ``axis``.

    Example:
        >>> import kiln
        >>> y = kiln.ops.categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])
        >>> round(float(kiln.ops.convert_to_numpy(y)[0]), 4)
        0.6931
    """
    return _nn.categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


@op(_scce_spec, module="nn")
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy with integer class targets (shape ``output.shape`` without ``axis``).

    Example:
        >>> import kiln
        >>> y = kiln.ops.sparse_categorical_crossentropy([1], [[0.5, 0.5]])
        >>> round(float(kiln.ops.convert_to_numpy(y)[0]), 4)
        0.6931
    """
    return _nn.sparse_categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)
