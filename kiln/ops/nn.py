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
    "celu",
    "glu",
    "hard_shrink",
    "hard_tanh",
    "soft_shrink",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "tanh_shrink",
    "threshold",
    "sparsemax",
    "polar",
    "normalize",
    "rms_normalization",
    "psnr",
    "multi_hot",
    "depth_to_space",
    "space_to_depth",
    "conv_transpose",
    "separable_conv",
    "adaptive_average_pool",
    "adaptive_max_pool",
    "unfold",
    "fold",
    "dot_product_attention",
    "ctc_loss",
    "ctc_decode",
]


_nn = _backend.nn


def _activation_spec(x, *args, **kwargs):
    return KerasTensor(rules.shape_of(x), dtypes.float_result_type(rules.dtype_of(x)))


def _keep_dtype_spec(x):
    return KerasTensor(rules.shape_of(x), dtypes.result_type(rules.dtype_of(x)))


def _softmax_spec(x, axis=-1):
    shape = rules.shape_of(x)
    if axis is not None:
        rules.canonical_axes(axis, len(shape), "softmax")
    return _activation_spec(x)


# -- activations ------------------------------------------------------------------------
# relu and relu6 keep integer dtypes; every other activation of integers gives floatx.
@op(_keep_dtype_spec, module="nn")
def relu(x):
    """Rectified linear unit: ``max(x, 0)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.relu([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    return _nn.relu(x)


@op(_keep_dtype_spec, module="nn")
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
        out = None if k is None else rules.conv_output_length(length, k, s, padding, d)
        if out is not None and out <= 0:
            raise ValueError(f"{name}: inputs of shape {shape} are too small for a kernel of shape "
                             f"{kshape} with padding {padding!r}")
        out_spatial.append(out)
    dtype = dtypes.float_result_type(rules.dtype_of(inputs), rules.dtype_of(kernel))
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
        dtype = (dtypes.result_type(rules.dtype_of(inputs)) if name == "max_pool"
                 else dtypes.float_result_type(rules.dtype_of(inputs)))
        return KerasTensor(_join_channels(batch, out, channels, data_format), dtype)
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
    return KerasTensor(shape, dtypes.float_result_type(rules.dtype_of(x)))


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


def _layer_norm_spec(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    rules.canonical_axes(axis, len(rules.shape_of(x)), "layer_normalization")
    return KerasTensor(rules.shape_of(x), dtypes.float_result_type(rules.dtype_of(x)))


@op(_layer_norm_spec, module="nn")
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Normalize ``x`` over ``axis`` to zero mean and unit variance, then ``* gamma + beta``.

    ``epsilon`` defaults to ``kiln.config.epsilon()``. The deprecated keyword
    ``rms_scaling=True`` computes :func:`rms_normalization` with ``scale=gamma``
    instead; any other keyword argument is an error.

    Example:
        >>> import kiln
        >>> y = kiln.ops.layer_normalization([[1.0, 3.0]], epsilon=0.0)
        >>> kiln.ops.convert_to_numpy(y).tolist()
        [[-1.0, 1.0]]
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization: unexpected keyword arguments {sorted(kwargs)}")
    if rms_scaling:
        return _nn.rms_normalization(x, scale=gamma, axis=axis, epsilon=epsilon)
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


# -- more activations -------------------------------------------------------------------
def _float_spec(x, *args, **kwargs):
    return KerasTensor(rules.shape_of(x), dtypes.float_result_type(rules.dtype_of(x)))


@op(_float_spec, module="nn")
def celu(x, alpha=1.0):
    """Continuously differentiable ELU: ``max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.celu([0.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    return _nn.celu(x, alpha=alpha)


def _glu_spec(x, axis=-1):
    shape = list(rules.shape_of(x))
    a = rules.canonical_axes(axis, len(shape), "glu")[0]
    if shape[a] is not None:
        if shape[a] % 2:
            raise ValueError(f"glu: the size of axis {axis} must be even, received shape {tuple(shape)}")
        shape[a] //= 2
    return KerasTensor(tuple(shape), dtypes.float_result_type(rules.dtype_of(x)))


@op(_glu_spec, module="nn")
def glu(x, axis=-1):
    """Gated linear unit: split ``x`` in two halves ``a, b`` along ``axis``; ``a * sigmoid(b)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.glu([2.0, 0.0])).tolist()
        [1.0]
    """
    return _nn.glu(x, axis=axis)


@op(_float_spec, module="nn")
def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.hard_shrink([-1.0, 0.25, 2.0])).tolist()
        [-1.0, 0.0, 2.0]
    """
    return _nn.hard_shrink(x, threshold=threshold)


@op(_float_spec, module="nn")
def hard_tanh(x):
    """``x`` clipped to ``[-1, 1]``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.hard_tanh([-3.0, 0.5, 2.0])).tolist()
        [-1.0, 0.5, 1.0]
    """
    return _nn.hard_tanh(x)


@op(_float_spec, module="nn")
def soft_shrink(x, threshold=0.5):
    """Move ``x`` toward 0 by ``threshold``; values within ``threshold`` of 0 become 0.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.soft_shrink([-1.0, 0.25, 2.0])).tolist()
        [-0.5, 0.0, 1.5]
    """
    return _nn.soft_shrink(x, threshold=threshold)


@op(_float_spec, module="nn")
def sparse_plus(x):
    """0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``-1 < x < 1``, ``x`` for ``x >= 1``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.sparse_plus([-2.0, 0.0, 2.0])).tolist()
        [0.0, 0.25, 2.0]
    """
    return _nn.sparse_plus(x)


@op(_float_spec, module="nn")
def sparse_sigmoid(x):
    """Piecewise-linear sigmoid: ``clip((x + 1) / 2, 0, 1)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.sparse_sigmoid([-2.0, 0.0, 2.0])).tolist()
        [0.0, 0.5, 1.0]
    """
    return _nn.sparse_sigmoid(x)


@op(_float_spec, module="nn")
def squareplus(x, b=4):
    """Smooth ReLU ``(x + sqrt(x**2 + b)) / 2``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.squareplus([0.0])).tolist()
        [1.0]
    """
    return _nn.squareplus(x, b=b)


@op(_float_spec, module="nn")
def tanh_shrink(x):
    """``x - tanh(x)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.tanh_shrink([0.0])).tolist()
        [0.0]
    """
    return _nn.tanh_shrink(x)


def _threshold_spec(x, threshold, default_value):
    return KerasTensor(rules.shape_of(x), dtypes.result_type(rules.dtype_of(x)))


@op(_threshold_spec, module="nn")
def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value`` (the result keeps ``x``'s dtype).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.threshold([0.5, 2.0], 1.0, -1.0)).tolist()
        [-1.0, 2.0]
    """
    return _nn.threshold(x, threshold, default_value)


def _axis_float_spec(name):
    def spec(x, axis=-1, *args, **kwargs):
        shape = rules.shape_of(x)
        if len(shape) == 0:
            raise ValueError(f"{name}: x must have rank >= 1, received a scalar")
        rules.canonical_axes(axis, len(shape), name)
        return KerasTensor(shape, dtypes.float_result_type(rules.dtype_of(x)))
    return spec


@op(_axis_float_spec("sparsemax"), module="nn")
def sparsemax(x, axis=-1):
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    Like softmax the outputs are non-negative and sum to 1, but small logits get exactly 0.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.sparsemax([0.0, 2.0])).tolist()
        [0.0, 1.0]
    """
    return _nn.sparsemax(x, axis=axis)


# -- complex numbers, normalization, metrics, encodings -----------------------------------
def _polar_spec(abs_, angle):
    shape = rules.broadcast_shapes(rules.shape_of(abs_), rules.shape_of(angle), "polar")
    real = dtypes.float_result_type(rules.dtype_of(abs_), rules.dtype_of(angle))
    return KerasTensor(shape, "complex128" if real == "float64" else "complex64")


@op(_polar_spec, module="nn")
def polar(abs_, angle):
    """The complex number with magnitude ``abs_`` and phase ``angle``: ``abs_ * exp(1j * angle)``.

    Example:
        >>> import kiln
        >>> complex(kiln.ops.convert_to_numpy(kiln.ops.polar(2.0, 0.0)))
        (2+0j)
    """
    return _nn.polar(abs_, angle)


def _normalize_spec(x, axis=-1, order=2, epsilon=None):
    _check_order(order)
    shape = rules.shape_of(x)
    if len(shape) == 0:
        shape = (1,)
    rules.canonical_axes(axis, len(shape), "normalize")
    return KerasTensor(shape, dtypes.float_result_type(rules.dtype_of(x)))


def _check_order(order):
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: `order` must be an int >= 1, received {order!r}")


@op(_normalize_spec, module="nn")
def normalize(x, axis=-1, order=2, epsilon=None):
    """Divide ``x`` by its ``order``-norm along ``axis`` (the norm floored at ``epsilon``).

    ``epsilon`` defaults to ``kiln.config.epsilon()``; a scalar ``x`` is treated as shape ``(1,)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.normalize([3.0, 4.0])).tolist()
        [0.6000000238418579, 0.800000011920929]
    """
    _check_order(order)
    return _nn.normalize(x, axis=axis, order=order, epsilon=epsilon)


def _rms_spec(x, scale=None, axis=-1, epsilon=None):
    shape = rules.shape_of(x)
    rules.canonical_axes(axis, len(shape), "rms_normalization")
    items = [rules.dtype_of(x)]
    return KerasTensor(shape, dtypes.float_result_type(*items))


@op(_rms_spec, module="nn")
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x / sqrt(mean(x**2, axis) + epsilon) * scale`` (root-mean-square normalization).

    ``epsilon`` defaults to ``kiln.config.epsilon()``; ``scale=None`` means 1.

    Example:
        >>> import kiln
        >>> y = kiln.ops.rms_normalization([[3.0, 4.0]], epsilon=0.0)
        >>> [round(v, 4) for v in kiln.ops.convert_to_numpy(y)[0].tolist()]
        [0.8485, 1.1314]
    """
    return _nn.rms_normalization(x, scale=scale, axis=axis, epsilon=epsilon)


def _psnr_spec(x1, x2, max_val):
    s1, s2 = rules.shape_of(x1), rules.shape_of(x2)
    if len(s1) != len(s2) or any(a is not None and b is not None and a != b for a, b in zip(s1, s2)):
        raise ValueError(f"psnr: x1 and x2 must have the same shape, received x1.shape={s1}, "
                         f"x2.shape={s2}")
    return KerasTensor((), dtypes.float_result_type(rules.dtype_of(x1), rules.dtype_of(x2)))


@op(_psnr_spec, module="nn")
def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio in dB: ``20 * log10(max_val) - 10 * log10(mean((x1 - x2)**2))``.

    Example:
        >>> import kiln
        >>> round(float(kiln.ops.convert_to_numpy(kiln.ops.psnr([0.0, 0.0], [0.1, 0.1], 1.0))), 3)
        20.0
    """
    return _nn.psnr(x1, x2, max_val)


def _multi_hot_args(num_classes, kwargs):
    if "num_tokens" in kwargs:
        if num_classes is not None:
            raise ValueError("multi_hot: pass `num_classes` or its old name `num_tokens`, not both")
        num_classes = kwargs.pop("num_tokens")
    if kwargs:
        raise TypeError(f"multi_hot: unexpected keyword arguments {sorted(kwargs)}")
    if num_classes is None:
        raise ValueError("multi_hot: `num_classes` is required")
    return int(num_classes)


def _multi_hot_spec(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    num_classes = _multi_hot_args(num_classes, dict(kwargs))
    encoded = _one_hot_spec(inputs, num_classes, axis=axis, dtype=dtype)
    shape = list(encoded.shape)
    del shape[1 if len(rules.shape_of(inputs)) > 1 else 0]
    return KerasTensor(tuple(shape), encoded.dtype, sparse=sparse)


@op(_multi_hot_spec, module="nn")
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encode integer labels: one row per sample with a 1 at every label present.

    A rank-1 input is one sample; for higher ranks the first axis is the batch and the
    labels of axis 1 are merged. ``num_tokens`` is accepted as the old name of ``num_classes``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.multi_hot([[0, 2], [1, 1]], 3)).tolist()
        [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    num_classes = _multi_hot_args(num_classes, kwargs)
    return _nn.multi_hot(inputs, num_classes, axis=axis, dtype=dtype, sparse=sparse)


# -- depth <-> space --------------------------------------------------------------------
def _block_spec(name, to_space):
    def spec(x, block_size, data_format="channels_last"):
        data_format = _data_format(data_format)
        shape = rules.shape_of(x)
        if len(shape) != 4:
            raise ValueError(f"{name}: x must have rank 4, received shape {shape}")
        b = int(block_size)
        if b < 2:
            raise ValueError(f"{name}: `block_size` must be >= 2, received {block_size}")
        batch, (h, w), c = _split_channels(shape, data_format, name)
        if to_space:
            if c is not None and c % (b * b):
                raise ValueError(f"{name}: the channel count of shape {shape} must be divisible "
                                 f"by block_size**2 = {b * b}")
            h, w = (None if h is None else h * b), (None if w is None else w * b)
            c = None if c is None else c // (b * b)
        else:
            for d in (h, w):
                if d is not None and d % b:
                    raise ValueError(f"{name}: spatial dims of shape {shape} must be divisible by "
                                     f"block_size={b}")
            h, w = (None if h is None else h // b), (None if w is None else w // b)
            c = None if c is None else c * b * b
        return KerasTensor(_join_channels(batch, (h, w), c, data_format),
                           dtypes.result_type(rules.dtype_of(x)))
    return spec


@op(_block_spec("depth_to_space", True), module="nn")
def depth_to_space(x, block_size, data_format="channels_last"):
    """Move channels into ``block_size x block_size`` spatial blocks (inverse of space_to_depth).

    Channel ``(i * block_size + j) * C_out + c`` of an input pixel lands at offset ``(i, j)``
    of its output block, as in TensorFlow's ``depth_to_space``.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.depth_to_space(kiln.ops.ones((1, 2, 2, 8)), 2))
        (1, 4, 4, 2)
    """
    return _nn.depth_to_space(x, int(block_size), data_format=_data_format(data_format))


@op(_block_spec("space_to_depth", False), module="nn")
def space_to_depth(x, block_size, data_format="channels_last"):
    """Move each ``block_size x block_size`` spatial block into the channel axis.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.space_to_depth(kiln.ops.ones((1, 4, 4, 2)), 2))
        (1, 2, 2, 8)
    """
    return _nn.space_to_depth(x, int(block_size), data_format=_data_format(data_format))


# -- transposed and separable convolution -------------------------------------------------
def _conv_transpose_length(length, kernel_size, stride, padding, output_padding, dilation):
    """Output length of one spatial dim of a transposed convolution (None if unknown)."""
    if length is None or kernel_size is None:
        return None
    effective = (kernel_size - 1) * dilation + 1
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(effective - stride, 0)
        return length * stride
    pad = effective // 2 if padding == "same" else 0
    return (length - 1) * stride + effective - 2 * pad + output_padding


def _conv_transpose_spec(inputs, kernel, strides=1, padding="valid", output_padding=None,
                         data_format=None, dilation_rate=1):
    name = "conv_transpose"
    data_format = _data_format(data_format)
    padding = _padding(padding, name)
    shape, kshape = rules.shape_of(inputs), rules.shape_of(kernel)
    batch, spatial, channels = _split_channels(shape, data_format, name)
    n = len(spatial)
    if len(kshape) != n + 2:
        raise ValueError(f"{name}: kernel must have rank {n + 2} (*spatial, out_channels, "
                         f"in_channels) for inputs of shape {shape}, received kernel shape {kshape}")
    if channels is not None and kshape[-1] is not None and channels != kshape[-1]:
        raise ValueError(f"{name}: inputs have {channels} channels but the kernel's last dim "
                         f"(input channels) is {kshape[-1]}; inputs {shape}, kernel {kshape}")
    strides = _tuple(strides, n, name, "strides")
    dilation = _tuple(dilation_rate, n, name, "dilation_rate")
    out_pad = (None,) * n if output_padding is None else _tuple(output_padding, n, name,
                                                                  "output_padding")
    for p, s, d in zip(out_pad, strides, dilation):
        if p is not None and p >= max(s, d):
            raise ValueError(f"{name}: `output_padding` {output_padding} must be smaller than the "
                             f"stride or the dilation rate")
    out = [_conv_transpose_length(length, k, s, padding, p, d)
           for length, k, s, p, d in zip(spatial, kshape[:n], strides, out_pad, dilation)]
    dtype = dtypes.float_result_type(rules.dtype_of(inputs), rules.dtype_of(kernel))
    return KerasTensor(_join_channels(batch, out, kshape[-2], data_format), dtype)


@op(_conv_transpose_spec, module="nn")
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed N-D convolution (1D/2D/3D), the gradient of :func:`conv` w.r.t. its input.

    ``kernel`` is laid out ``(*spatial, out_channels, in_channels)``. The output length of
    each spatial dim is ``L * stride`` ("same"), ``L * stride + max(k - stride, 0)``
    ("valid"), or, when ``output_padding`` is given, ``(L - 1) * stride + k - 2 * pad +
    output_padding`` with ``pad = k // 2`` for "same" and 0 for "valid" (``k`` dilated).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.conv_transpose(kiln.ops.ones((1, 4, 4, 3)),
        ...     kiln.ops.ones((3, 3, 2, 3)), strides=2, padding="same", data_format="channels_last"))
        (1, 8, 8, 2)
    """
    return _nn.conv_transpose(inputs, kernel, strides=strides, padding=padding,
                              output_padding=output_padding, data_format=data_format,
                              dilation_rate=dilation_rate)


def _separable_spec(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                    data_format=None, dilation_rate=1):
    mid = _conv_like_spec("separable_conv", inputs, depthwise_kernel, strides, padding, data_format,
                          dilation_rate, lambda k: None if None in k[-2:] else k[-2] * k[-1])
    pshape = rules.shape_of(pointwise_kernel)
    n = len(mid.shape) - 2
    if len(pshape) != n + 2:
        raise ValueError(f"separable_conv: pointwise_kernel must have rank {n + 2}, received shape "
                         f"{pshape}")
    channels = mid.shape[-1] if _data_format(data_format) == "channels_last" else mid.shape[1]
    if channels is not None and pshape[-2] is not None and channels != pshape[-2]:
        raise ValueError(f"separable_conv: the depthwise output has {channels} channels but "
                         f"pointwise_kernel expects {pshape[-2]} (shape {pshape})")
    batch, spatial, _ = _split_channels(mid.shape, _data_format(data_format), "separable_conv")
    dtype = dtypes.float_result_type(mid.dtype, rules.dtype_of(pointwise_kernel))
    return KerasTensor(_join_channels(batch, spatial, pshape[-1], _data_format(data_format)), dtype)


@op(_separable_spec, module="nn")
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise convolution followed by a 1x1 (pointwise) convolution.

    ``depthwise_kernel`` is ``(*spatial, in_channels, multiplier)``; ``pointwise_kernel``
    is ``(1, ..., 1, in_channels * multiplier, out_channels)``.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.separable_conv(kiln.ops.ones((1, 5, 5, 2)),
        ...     kiln.ops.ones((3, 3, 2, 2)), kiln.ops.ones((1, 1, 4, 3)), data_format="channels_last"))
        (1, 3, 3, 3)
    """
    return _nn.separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=strides,
                              padding=padding, data_format=data_format, dilation_rate=dilation_rate)


# -- adaptive pooling, fold/unfold -------------------------------------------------------
def _adaptive_spec(name):
    def spec(inputs, output_size, data_format=None):
        data_format = _data_format(data_format)
        shape = rules.shape_of(inputs)
        batch, spatial, channels = _split_channels(shape, data_format, name)
        size = _tuple(output_size, len(spatial), name, "output_size")
        if any(s < 1 for s in size):
            raise ValueError(f"{name}: `output_size` must be positive, received {output_size}")
        return KerasTensor(_join_channels(batch, size, channels, data_format),
                           dtypes.float_result_type(rules.dtype_of(inputs)) if name.startswith(
                               "adaptive_average") else dtypes.result_type(rules.dtype_of(inputs)))
    return spec


@op(_adaptive_spec("adaptive_average_pool"), module="nn")
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed ``output_size``; bin ``i`` of a dim of length ``L`` covers
    ``[floor(i * L / out), ceil((i + 1) * L / out))``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.reshape(kiln.ops.arange(4.0), (1, 4, 1))
        >>> kiln.ops.convert_to_numpy(kiln.ops.adaptive_average_pool(x, 2, "channels_last")).ravel().tolist()
        [0.5, 2.5]
    """
    return _nn.adaptive_average_pool(inputs, output_size, data_format=data_format)


@op(_adaptive_spec("adaptive_max_pool"), module="nn")
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed ``output_size`` (bins as in :func:`adaptive_average_pool`).

    Example:
        >>> import kiln
        >>> x = kiln.ops.reshape(kiln.ops.arange(4.0), (1, 4, 1))
        >>> kiln.ops.convert_to_numpy(kiln.ops.adaptive_max_pool(x, 2, "channels_last")).ravel().tolist()
        [1.0, 3.0]
    """
    return _nn.adaptive_max_pool(inputs, output_size, data_format=data_format)


def _patch_args(name, kernel_size, dilation, padding, stride):
    out = []
    for arg, value, low in (("kernel_size", kernel_size, 1), ("dilation", dilation, 1),
                            ("padding", padding, 0), ("stride", stride, 1)):
        value = _tuple(value, 2, name, arg)
        if any(v < low for v in value):
            raise ValueError(f"{name}: `{arg}` must be >= {low}, received {value}")
        out.append(value)
    return out


def _blocks(spatial, kernel, dilation, padding, stride):
    counts = []
    for length, k, d, p, s in zip(spatial, kernel, dilation, padding, stride):
        counts.append(None if length is None else (length + 2 * p - d * (k - 1) - 1) // s + 1)
    return counts


def _unfold_spec(x, kernel_size, dilation=1, padding=0, stride=1):
    shape = rules.shape_of(x)
    if len(shape) != 4:
        raise ValueError(f"unfold: x must have rank 4 (N, C, H, W), received shape {shape}")
    kernel, dilation, padding, stride = _patch_args("unfold", kernel_size, dilation, padding, stride)
    counts = _blocks(shape[2:], kernel, dilation, padding, stride)
    if any(c is not None and c <= 0 for c in counts):
        raise ValueError(f"unfold: x of shape {shape} is too small for kernel_size {kernel}")
    blocks = None if None in counts else counts[0] * counts[1]
    channels = None if shape[1] is None else shape[1] * kernel[0] * kernel[1]
    return KerasTensor((shape[0], channels, blocks), dtypes.result_type(rules.dtype_of(x)))


@op(_unfold_spec, module="nn")
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks of a ``(N, C, H, W)`` image (im2col): ``(N, C * kh * kw, L)``.

    Row ``c * kh * kw + i * kw + j`` holds pixel ``(i, j)`` of the block for channel ``c``;
    the ``L`` blocks are in row-major order.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.unfold(kiln.ops.ones((1, 2, 4, 4)), 2))
        (1, 8, 9)
    """
    kernel, dilation, padding, stride = _patch_args("unfold", kernel_size, dilation, padding, stride)
    return _nn.unfold(x, kernel, dilation=dilation, padding=padding, stride=stride)


def _fold_spec(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    shape = rules.shape_of(x)
    if len(shape) != 3:
        raise ValueError(f"fold: x must have rank 3 (N, C * kh * kw, L), received shape {shape}")
    size = _tuple(output_size, 2, "fold", "output_size")
    kernel, dilation, padding, stride = _patch_args("fold", kernel_size, dilation, padding, stride)
    area = kernel[0] * kernel[1]
    if shape[1] is not None and shape[1] % area:
        raise ValueError(f"fold: dim 1 of x (shape {shape}) must be divisible by the kernel area "
                         f"{area}")
    counts = _blocks(size, kernel, dilation, padding, stride)
    if shape[2] is not None and shape[2] != counts[0] * counts[1]:
        raise ValueError(f"fold: x of shape {shape} holds {shape[2]} blocks but output_size {size} "
                         f"with kernel_size {kernel} gives {counts[0] * counts[1]}")
    channels = None if shape[1] is None else shape[1] // area
    return KerasTensor((shape[0], channels) + size, dtypes.result_type(rules.dtype_of(x)))


@op(_fold_spec, module="nn")
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks ``(N, C * kh * kw, L)`` back into an image ``(N, C, *output_size)``.

    The adjoint of :func:`unfold` (col2im): overlapping values are added.

    Example:
        >>> import kiln
        >>> y = kiln.ops.fold(kiln.ops.ones((1, 4, 9)), (4, 4), 2)
        >>> kiln.ops.convert_to_numpy(y)[0, 0, 1].tolist()
        [2.0, 4.0, 4.0, 2.0]
    """
    size = _tuple(output_size, 2, "fold", "output_size")
    kernel, dilation, padding, stride = _patch_args("fold", kernel_size, dilation, padding, stride)
    return _nn.fold(x, size, kernel, dilation=dilation, padding=padding, stride=stride)


# -- attention ----------------------------------------------------------------------------
def _attention_spec(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                    flash_attention=None, attn_logits_soft_cap=None):
    q, k, v = rules.shape_of(query), rules.shape_of(key), rules.shape_of(value)
    name = "dot_product_attention"
    if len(q) != 4 or len(k) != 4 or len(v) != 4:
        raise ValueError(f"{name}: query, key and value must have rank 4 (batch, length, heads, "
                         f"head_dim), received {q}, {k}, {v}")
    if k[1] is not None and v[1] is not None and k[1] != v[1]:
        raise ValueError(f"{name}: key and value must have the same length, received {k} and {v}")
    if q[3] is not None and k[3] is not None and q[3] != k[3]:
        raise ValueError(f"{name}: query and key must have the same head_dim, received {q} and {k}")
    if q[2] is not None and k[2] is not None and q[2] % k[2]:
        raise ValueError(f"{name}: the query heads ({q[2]}) must be a multiple of the key heads "
                         f"({k[2]}); query {q}, key {k}")
    dtype = dtypes.result_type(rules.dtype_of(query), rules.dtype_of(key), rules.dtype_of(value))
    return KerasTensor(q[:3] + (v[3],), dtype)


@op(_attention_spec, module="nn")
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention ``softmax(q @ k^T * scale + bias) @ v`` per head.

    ``query`` is ``(B, T, N, H)``, ``key``/``value`` ``(B, S, K, H)`` with ``N`` a multiple
    of ``K`` (grouped-query attention). ``mask`` is boolean, broadcastable to
    ``(B, N, T, S)``, True where attention is allowed; ``is_causal`` masks keys after each
    query position. ``scale`` defaults to ``1 / sqrt(H)``. ``attn_logits_soft_cap`` maps the
    scaled logits through ``cap * tanh(logits / cap)``. ``flash_attention``: None picks the
    backend's fused kernel when it has one, True requires a flash kernel, False forbids it.

    Example:
        >>> import kiln
        >>> q = kiln.ops.ones((1, 3, 2, 4))
        >>> kiln.ops.shape(kiln.ops.dot_product_attention(q, q, q, is_causal=True))
        (1, 3, 2, 4)
    """
    return _nn.dot_product_attention(query, key, value, bias=bias, mask=mask, scale=scale,
                                     is_causal=is_causal, flash_attention=flash_attention,
                                     attn_logits_soft_cap=attn_logits_soft_cap)


# -- CTC ----------------------------------------------------------------------------------
def _ctc_loss_spec(target, output, target_length, output_length, mask_index=0):
    t, o = rules.shape_of(target), rules.shape_of(output)
    if len(t) != 2:
        raise ValueError(f"ctc_loss: target must have rank 2 (batch, max_label_length), "
                         f"received shape {t}")
    if len(o) != 3:
        raise ValueError(f"ctc_loss: output must have rank 3 (batch, max_time, classes), "
                         f"received shape {o}")
    if t[0] is not None and o[0] is not None and t[0] != o[0]:
        raise ValueError(f"ctc_loss: target and output must have the same batch size, received "
                         f"target.shape={t}, output.shape={o}")
    return KerasTensor((o[0] if o[0] is not None else t[0],),
                       dtypes.float_result_type(rules.dtype_of(output)))


@op(_ctc_loss_spec, module="nn")
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Connectionist temporal classification loss, one value per sample.

    ``target``: int labels ``(batch, max_label_length)``; ``output``: logits
    ``(batch, max_time, num_classes)`` (a log-softmax is applied over classes);
    ``target_length``/``output_length``: ``(batch,)`` valid lengths; ``mask_index``: the
    blank class. The loss is ``-log`` of the total probability of all alignments.

    Example:
        >>> import kiln
        >>> loss = kiln.ops.ctc_loss([[1]], kiln.ops.zeros((1, 2, 2)), [1], [2])
        >>> round(float(kiln.ops.convert_to_numpy(loss)[0]), 4)
        0.2877
    """
    return _nn.ctc_loss(target, output, target_length, output_length, mask_index=mask_index)


def _ctc_decode_spec(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
                     merge_repeated=True, mask_index=0):
    shape = rules.shape_of(inputs)
    if len(shape) != 3:
        raise ValueError(f"ctc_decode: inputs must have rank 3 (batch, max_time, classes), "
                         f"received shape {shape}")
    paths = 1 if _ctc_strategy(strategy) == "greedy" else int(top_paths)
    return (KerasTensor((paths, shape[0], shape[1]), "int32"),
            KerasTensor((shape[0], paths), dtypes.float_result_type(rules.dtype_of(inputs))))


def _ctc_strategy(strategy):
    if strategy not in ("greedy", "beam_search"):
        raise ValueError(f"ctc_decode: `strategy` must be 'greedy' or 'beam_search', received "
                         f"{strategy!r}")
    return strategy


@op(_ctc_decode_spec, module="nn")
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Decode CTC outputs ``(batch, max_time, num_classes)`` into label sequences.

    Returns ``(decoded, log_probs)``: ``decoded`` is int32 ``(paths, batch, max_time)``, each
    sequence padded with -1; ``log_probs`` is ``(batch, paths)``.

    * ``"greedy"`` takes the best class per step (inputs are used as given), merges repeats
      when ``merge_repeated``, drops blanks (``mask_index``); its score is minus the sum of
      the chosen values. One path.
    * ``"beam_search"`` applies a log-softmax, then a prefix beam search keeping
      ``beam_width`` prefixes; returns the ``top_paths`` best label sequences with their
      log-probabilities (summed over alignments).

    Example:
        >>> import kiln
        >>> x = kiln.ops.log(kiln.ops.convert_to_tensor([[[0.1, 0.9], [0.1, 0.9], [0.9, 0.1]]]))
        >>> decoded, _ = kiln.ops.ctc_decode(x, [3])
        >>> kiln.ops.convert_to_numpy(decoded).tolist()
        [[[1, -1, -1]]]
    """
    strategy = _ctc_strategy(strategy)
    if strategy == "greedy":
        return _nn.ctc_decode(inputs, sequence_lengths, strategy="greedy",
                              merge_repeated=merge_repeated, mask_index=mask_index)
    if int(top_paths) < 1 or int(beam_width) < int(top_paths):
        raise ValueError(f"ctc_decode: need 1 <= top_paths <= beam_width, received top_paths="
                         f"{top_paths}, beam_width={beam_width}")
    return _nn.ctc_decode(inputs, sequence_lengths, strategy="beam_search",
                          beam_width=int(beam_width), top_paths=int(top_paths),
                          merge_repeated=merge_repeated, mask_index=mask_index)
