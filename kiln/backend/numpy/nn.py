"""Neural-network ops in NumPy: activations, convolution, pooling, losses, normalization.

Convolutions are im2col on a strided window view followed by one ``tensordot``
(a single BLAS call); depthwise convolution and pooling loop over the kernel
positions only (a handful of vectorized steps), never over pixels. Float16 and
bfloat16 inputs are computed in float32 and cast back.

Example:
    >>> import numpy as np
    >>> conv(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 4)), padding="same").shape
    (1, 5, 5, 4)
"""

import math as _math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from kiln import config
from kiln.backend.common import nn_rules as rules
from kiln.backend.numpy.core import (
    BOOL,
    FLOAT32,
    HALF_NP,
    cast,
    convert_to_tensor,
    floatx_np,
    np_dtype,
    promote,
    promote_float,
    to_float,
)

_SQRT_2_OVER_PI = _math.sqrt(2.0 / _math.pi)
_SQRT_HALF = _math.sqrt(0.5)
_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


def _prep(x):
    """Float tensor to compute on, and the dtype to cast the result back to (or None)."""
    x = to_float(x)
    if x.dtype in HALF_NP:
        return x.astype(FLOAT32), x.dtype
    return x, None


def _done(y, dtype):
    y = y if type(y) is np.ndarray else np.asarray(y)
    return y if dtype is None else y.astype(dtype)


# ---------------------------------------------------------------------------
# activations
# ---------------------------------------------------------------------------
def relu(x):
    """max(x, 0); keeps the dtype.

    Example:
        >>> relu(np.array([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    x = convert_to_tensor(x)
    return np.maximum(x, np.zeros((), dtype=x.dtype))


def relu6(x):
    """min(max(x, 0), 6); keeps the dtype.

    Example:
        >>> relu6(np.array([-1.0, 8.0])).tolist()
        [0.0, 6.0]
    """
    x = convert_to_tensor(x)
    return np.clip(x, np.zeros((), dtype=x.dtype), np.asarray(6, dtype=x.dtype))


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), computed without overflow.

    Example:
        >>> sigmoid(np.array([0.0])).tolist()
        [0.5]
    """
    x, dtype = _prep(x)
    return _done(_sigmoid(x), dtype)


def softplus(x):
    """log(1 + exp(x)), computed stably.

    Example:
        >>> round(float(softplus(np.array([0.0]))[0]), 4)
        0.6931
    """
    x, dtype = _prep(x)
    return _done(np.logaddexp(0.0, x), dtype)


def softsign(x):
    """x / (1 + |x|).

    Example:
        >>> softsign(np.array([1.0])).tolist()
        [0.5]
    """
    x, dtype = _prep(x)
    return _done(x / (1.0 + np.abs(x)), dtype)


def silu(x):
    """x * sigmoid(x) (a.k.a. swish).

    Example:
        >>> silu(np.array([0.0])).tolist()
        [0.0]
    """
    x, dtype = _prep(x)
    return _done(x * _sigmoid(x), dtype)


def _erf(x):
    try:
        from scipy.special import erf as scipy_erf
    except ImportError:  # pragma: no cover - scipy is normally present
        return np.vectorize(_math.erf, otypes=[x.dtype])(x)
    return scipy_erf(x).astype(x.dtype, copy=False)


def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation unless ``approximate=False``).

    Example:
        >>> gelu(np.array([0.0])).tolist()
        [0.0]
    """
    x, dtype = _prep(x)
    if approximate:
        y = 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x))))
    else:
        y = 0.5 * x * (1.0 + _erf(x * _SQRT_HALF))
    return _done(y, dtype)


def elu(x, alpha=1.0):
    """x if x > 0 else alpha * (exp(x) - 1).

    Example:
        >>> elu(np.array([1.0])).tolist()
        [1.0]
    """
    x, dtype = _prep(x)
    y = np.where(x > 0, x, float(alpha) * np.expm1(np.minimum(x, 0.0)))
    return _done(y, dtype)


def selu(x):
    """Scaled ELU with the self-normalizing constants.

    Example:
        >>> selu(np.array([0.0])).tolist()
        [0.0]
    """
    x, dtype = _prep(x)
    y = _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, 0.0)))
    return _done(y, dtype)


def leaky_relu(x, negative_slope=0.2):
    """x if x >= 0 else negative_slope * x.

    Example:
        >>> leaky_relu(np.array([-1.0])).tolist()
        [-0.2]
    """
    x, dtype = _prep(x)
    return _done(np.where(x >= 0, x, float(negative_slope) * x), dtype)


def hard_sigmoid(x):
    """relu6(x + 3) / 6.

    Example:
        >>> hard_sigmoid(np.array([0.0])).tolist()
        [0.5]
    """
    x, dtype = _prep(x)
    return _done(np.clip(x + 3.0, 0.0, 6.0) / 6.0, dtype)


def hard_silu(x):
    """x * hard_sigmoid(x).

    Example:
        >>> hard_silu(np.array([3.0])).tolist()
        [3.0]
    """
    x, dtype = _prep(x)
    return _done(x * (np.clip(x + 3.0, 0.0, 6.0) / 6.0), dtype)


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), computed stably.

    Example:
        >>> round(float(log_sigmoid(np.array([0.0]))[0]), 4)
        -0.6931
    """
    x, dtype = _prep(x)
    return _done(-np.logaddexp(0.0, -x), dtype)


def _log_softmax(x, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis`` (an int or a tuple).

    Example:
        >>> softmax(np.array([0.0, 0.0])).tolist()
        [0.5, 0.5]
    """
    x, dtype = _prep(x)
    axis = rules.axis_argument(axis)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return _done(e / np.sum(e, axis=axis, keepdims=True), dtype)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis``.

    Example:
        >>> round(float(log_softmax(np.array([0.0, 0.0]))[0]), 4)
        -0.6931
    """
    x, dtype = _prep(x)
    return _done(_log_softmax(x, rules.axis_argument(axis)), dtype)


# ---------------------------------------------------------------------------
# convolution and pooling helpers
# ---------------------------------------------------------------------------
def _data_format(data_format):
    return config.standardize_data_format(data_format)


def _channels_last(x, data_format):
    return np.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def _restore_format(x, data_format):
    return np.moveaxis(x, -1, 1) if data_format == "channels_first" else x


def _padding_amounts(spatial, effective, strides, padding, op):
    """Per-dimension (before, after) padding; TF-style "same" (extra at the end)."""
    if rules.padding_mode(padding, op) == "same":
        return rules.same_padding(spatial, effective, strides)
    for length, size in zip(spatial, effective):
        if length < size:
            raise ValueError(
                f"{op}: with padding='valid' every spatial dimension must be at least the "
                f"(dilated) window size {tuple(effective)}, received spatial shape "
                f"{tuple(spatial)}"
            )
    return [(0, 0)] * len(spatial)


def _pad(x, pads, value=0):
    if not any(p for pair in pads for p in pair):
        return x
    return np.pad(x, [(0, 0)] + list(pads) + [(0, 0)], mode="constant", constant_values=value)


def _shifted(x, position, dilation, strides, out_sizes):
    """The strided slice of padded ``x`` (N, *S, C) seen by one kernel position."""
    return x[(slice(None),) + rules.window_slices(position, dilation, strides, out_sizes)
             + (slice(None),)]


# ---------------------------------------------------------------------------
# convolution
# ---------------------------------------------------------------------------
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1, 2 or 3 spatial dims); kernel ``(*spatial, in/groups, out)``.

    ``padding="same"`` pads like TensorFlow (extra element at the end). When
    ``in_channels`` is a multiple of the kernel's input channels, the channels are
    split into groups (grouped convolution).

    Example:
        >>> conv(np.ones((1, 4, 3)), np.ones((2, 3, 5)), strides=2).shape
        (1, 2, 5)
    """
    data_format = _data_format(data_format)
    inputs, kernel = promote_float(inputs, kernel)
    n = rules.spatial_rank(inputs.shape, "conv")
    rules.check_kernel_rank(kernel.shape, inputs.shape, "conv")
    result_dtype = inputs.dtype
    if result_dtype in HALF_NP:
        inputs, kernel = inputs.astype(FLOAT32), kernel.astype(FLOAT32)
    strides = rules.spatial_tuple(strides, n, "strides", "conv")
    dilation = rules.spatial_tuple(dilation_rate, n, "dilation_rate", "conv")
    x = _channels_last(inputs, data_format)
    channels = x.shape[-1]
    k_spatial, k_in, k_out = kernel.shape[:n], kernel.shape[-2], kernel.shape[-1]
    groups = rules.conv_groups(channels, kernel.shape, inputs.shape)
    effective = tuple(map(rules.dilated_size, k_spatial, dilation))
    pads = _padding_amounts(x.shape[1:-1], effective, strides, padding, "conv")
    x = _pad(x, pads)
    windows = sliding_window_view(x, effective, axis=tuple(range(1, n + 1)))
    # windows: (N, *S', C, *effective) -> take strides and dilation.
    index = ((slice(None),) + tuple(slice(None, None, s) for s in strides) + (slice(None),)
             + tuple(slice(None, None, d) for d in dilation))
    windows = windows[index]
    contract_w = [n + 1] + list(range(n + 2, 2 * n + 2))
    contract_k = [n] + list(range(n))
    if groups == 1:
        out = np.tensordot(windows, kernel, axes=(contract_w, contract_k))
    else:
        group_out = k_out // groups
        parts = []
        for g in range(groups):
            w_g = windows[(slice(None),) * (n + 1) + (slice(g * k_in, (g + 1) * k_in),)]
            k_g = kernel[..., g * group_out:(g + 1) * group_out]
            parts.append(np.tensordot(w_g, k_g, axes=(contract_w, contract_k)))
        out = np.concatenate(parts, axis=-1)
    return cast(_restore_format(out, data_format), result_dtype)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution; kernel ``(*spatial, in_channels, multiplier)``.

    Output channel ``c * multiplier + m`` is input channel ``c`` filtered by
    ``kernel[..., c, m]``.

    Example:
        >>> depthwise_conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3, 2))).shape
        (1, 3, 3, 6)
    """
    data_format = _data_format(data_format)
    inputs, kernel = promote_float(inputs, kernel)
    n = rules.spatial_rank(inputs.shape, "depthwise_conv")
    rules.check_kernel_rank(kernel.shape, inputs.shape, "depthwise_conv")
    result_dtype = inputs.dtype
    compute = FLOAT32 if result_dtype in HALF_NP else result_dtype
    strides = rules.spatial_tuple(strides, n, "strides", "depthwise_conv")
    dilation = rules.spatial_tuple(dilation_rate, n, "dilation_rate", "depthwise_conv")
    x = _channels_last(inputs, data_format).astype(compute, copy=False)
    kernel = kernel.astype(compute, copy=False)
    channels = x.shape[-1]
    rules.check_depthwise_channels(channels, kernel.shape, inputs.shape)
    multiplier = kernel.shape[-1]
    effective = tuple(map(rules.dilated_size, kernel.shape[:n], dilation))
    pads = _padding_amounts(x.shape[1:-1], effective, strides, padding, "depthwise_conv")
    x = _pad(x, pads)
    out_sizes = rules.window_counts(x.shape[1:-1], effective, strides)
    out = np.zeros((x.shape[0],) + out_sizes + (channels, multiplier), dtype=compute)
    for position in np.ndindex(*kernel.shape[:n]):
        window = _shifted(x, position, dilation, strides, out_sizes)
        out += window[..., None] * kernel[position]
    out = out.reshape(out.shape[:-2] + (channels * multiplier,))
    return cast(_restore_format(out, data_format), result_dtype)


# ---------------------------------------------------------------------------
# pooling
# ---------------------------------------------------------------------------
def _pool_setup(inputs, pool_size, strides, padding, data_format, op):
    data_format = _data_format(data_format)
    inputs = convert_to_tensor(inputs)
    n = rules.spatial_rank(inputs.shape, op)
    pool, strides = rules.pool_window(pool_size, strides, n, op)
    x = _channels_last(inputs, data_format)
    pads = _padding_amounts(x.shape[1:-1], pool, strides, padding, op)
    return data_format, inputs.dtype, x, n, pool, strides, pads


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max over windows of ``pool_size`` (``strides`` default to ``pool_size``).

    Example:
        >>> max_pool(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0].tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """
    data_format, dtype, x, n, pool, strides, pads = _pool_setup(
        inputs, pool_size, strides, padding, data_format, "max_pool")
    if dtype in HALF_NP:
        x = x.astype(FLOAT32)
    if x.dtype.kind == "f":
        low = -np.inf
    elif x.dtype == BOOL:
        low = False
    else:
        low = np.iinfo(x.dtype).min
    x = _pad(x, pads, low)
    out_sizes = rules.window_counts(x.shape[1:-1], pool, strides)
    ones = (1,) * n
    out = None
    for position in np.ndindex(*pool):
        window = _shifted(x, position, ones, strides, out_sizes)
        out = window.copy() if out is None else np.maximum(out, window, out=out)
    return cast(_restore_format(out, data_format), dtype)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over windows; with "same" padding, divides by the count of real elements.

    Example:
        >>> average_pool(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0].tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """
    data_format, dtype, x, n, pool, strides, pads = _pool_setup(
        inputs, pool_size, strides, padding, data_format, "average_pool")
    target = dtype if dtype.kind == "f" or dtype in HALF_NP else floatx_np()
    compute = FLOAT32 if target in HALF_NP else target
    x = x.astype(compute, copy=False)
    spatial = x.shape[1:-1]
    x = _pad(x, pads)
    out_sizes = rules.window_counts(x.shape[1:-1], pool, strides)
    ones = (1,) * n
    out = None
    for position in np.ndindex(*pool):
        window = _shifted(x, position, ones, strides, out_sizes)
        out = window.copy() if out is None else np.add(out, window, out=out)
    if any(p for pair in pads for p in pair):
        # Count of non-padded elements in each window: a product over dimensions.
        count = np.ones((), dtype=compute)
        for dim, (length, size, stride, (before, _)) in enumerate(
                zip(spatial, pool, strides, pads)):
            starts = np.arange(out_sizes[dim]) * stride - before
            counts = np.minimum(starts + size, length) - np.maximum(starts, 0)
            count = np.multiply.outer(count, counts.astype(compute))
        out = out / count[None, ..., None]
    else:
        out = out / np.asarray(_math.prod(pool), dtype=compute)
    return cast(_restore_format(out, data_format), target)


# ---------------------------------------------------------------------------
# encoding, normalization
# ---------------------------------------------------------------------------
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encode integer ``x`` (out-of-range values give all zeros).

    Example:
        >>> one_hot(np.array([1, 0]), 3).tolist()
        [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    """
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported by the numpy backend")
    x = convert_to_tensor(x)
    if x.dtype.kind not in "iu":
        x = x.astype(np.int64)
    out = (x[..., None] == np.arange(int(num_classes))).astype(np_dtype(dtype))
    if axis != -1 and axis != out.ndim - 1:
        out = np.moveaxis(out, -1, axis)
    return out


def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance over ``axes`` (float16/bfloat16 computed in float32).

    Example:
        >>> [m.item() for m in moments(np.array([1.0, 3.0]), axes=[0])]
        [2.0, 1.0]
    """
    x, dtype = _prep(x)
    axes = rules.axis_argument(axes)
    mean = np.mean(x, axis=axes, keepdims=True)
    variance = np.mean(np.square(x - mean), axis=axes, keepdims=True)
    if not keepdims:
        mean = np.squeeze(mean, axis=axes)
        variance = np.squeeze(variance, axis=axes)
    return _done(mean, dtype), _done(variance, dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, statistics along ``axis``.

    Example:
        >>> batch_normalization(np.array([[1.0, 2.0]]), np.array([1.0, 2.0]),
        ...                     np.array([1.0, 1.0]), axis=-1, epsilon=0.0).tolist()
        [[0.0, 0.0]]
    """
    x = to_float(x)
    dtype = x.dtype
    compute = FLOAT32 if dtype in HALF_NP else dtype
    x = x.astype(compute, copy=False)
    axis = int(axis) % x.ndim
    shape = [1] * x.ndim

    def arrange(v):
        v = convert_to_tensor(v).astype(compute, copy=False)
        if v.ndim == 1:
            shape[axis] = v.shape[0]
            return v.reshape(shape)
        return v

    mean, variance = arrange(mean), arrange(variance)
    inv = 1.0 / np.sqrt(variance + float(epsilon))
    if scale is not None:
        inv = inv * arrange(scale)
    shift = -mean * inv
    if offset is not None:
        shift = shift + arrange(offset)
    return (x * inv + shift).astype(dtype, copy=False)


# ---------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------
def _loss_inputs(target, output, op):
    target, output = promote_float(target, output)
    dtype = output.dtype
    if dtype in HALF_NP:
        target, output = target.astype(FLOAT32), output.astype(FLOAT32)
    return target, output, dtype


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (probabilities clipped to [eps, 1 - eps]).

    Example:
        >>> round(float(binary_crossentropy(np.array([1.0]), np.array([0.5]))[0]), 4)
        0.6931
    """
    target, output, dtype = _loss_inputs(target, output, "binary_crossentropy")
    rules.check_same_shape("binary_crossentropy", "target", target.shape, "output", output.shape)
    if from_logits:
        loss = (np.maximum(output, 0.0) - output * target + np.log1p(np.exp(-np.abs(output))))
    else:
        eps = config.epsilon()
        output = np.clip(output, eps, 1.0 - eps)
        loss = -(target * np.log(output) + (1.0 - target) * np.log(1.0 - output))
    return _done(loss, None if dtype not in HALF_NP else dtype)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between one-hot/soft ``target`` and ``output``, reduced over ``axis``.

    Probabilities are normalized to sum to 1 along ``axis``, then clipped.

    Example:
        >>> round(float(categorical_crossentropy(np.array([[0.0, 1.0]]),
        ...                                      np.array([[0.5, 0.5]]))[0]), 4)
        0.6931
    """
    target, output, dtype = _loss_inputs(target, output, "categorical_crossentropy")
    if target.ndim < 1:
        raise ValueError("categorical_crossentropy: output must have rank >= 1, received a scalar")
    rules.check_same_shape("categorical_crossentropy", "target", target.shape, "output",
                           output.shape)
    axis = int(axis)
    if from_logits:
        log_prob = _log_softmax(output, axis)
    else:
        output = output / np.sum(output, axis=axis, keepdims=True)
        eps = config.epsilon()
        log_prob = np.log(np.clip(output, eps, 1.0 - eps))
    loss = -np.sum(target * log_prob, axis=axis)
    return _done(loss, None if dtype not in HALF_NP else dtype)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy with integer class ``target`` (shape ``output.shape`` minus ``axis``).

    A trailing dimension of size 1 on ``target`` is squeezed.

    Example:
        >>> round(float(sparse_categorical_crossentropy(np.array([1]),
        ...                                             np.array([[0.5, 0.5]]))[0]), 4)
        0.6931
    """
    target = convert_to_tensor(target)
    output, dtype = _prep(output)
    axis = int(axis) % output.ndim
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target[..., 0]
    rules.check_sparse_target_shape(target.shape, output.shape, axis)
    if target.dtype.kind not in "iu":
        target = target.astype(np.int64)
    if from_logits:
        log_prob = _log_softmax(output, axis)
    else:
        output = output / np.sum(output, axis=axis, keepdims=True)
        eps = config.epsilon()
        log_prob = np.log(np.clip(output, eps, 1.0 - eps))
    num_classes = output.shape[axis]
    valid = (target >= 0) & (target < num_classes)
    index = np.expand_dims(np.where(valid, target, 0), axis)
    picked = np.take_along_axis(log_prob, index, axis=axis).squeeze(axis)
    loss = np.where(valid, -picked, 0.0).astype(output.dtype, copy=False)
    return _done(loss, dtype)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None):
    """Normalize over ``axis`` to zero mean and unit variance, then scale by gamma and shift by beta."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    mean, variance = moments(x, axis, keepdims=True)
    x = np.asarray(convert_to_tensor(x))
    dtype = mean.dtype
    outputs = (x.astype(dtype) - mean) / np.sqrt(variance + np.asarray(epsilon, dtype))
    if gamma is not None:
        outputs = outputs * np.asarray(convert_to_tensor(gamma))
    if beta is not None:
        outputs = outputs + np.asarray(convert_to_tensor(beta))
    return np.asarray(outputs, dtype=dtype)


# ---------------------------------------------------------------------------
# more activations
# ---------------------------------------------------------------------------
def celu(x, alpha=1.0):
    """max(x, 0) + min(0, alpha * (exp(x / alpha) - 1)).

    Example:
        >>> celu(np.array([0.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    x, dtype = _prep(x)
    alpha = float(alpha)
    return _done(np.maximum(x, 0.0) + alpha * np.expm1(np.minimum(x, 0.0) / alpha), dtype)


def glu(x, axis=-1):
    """a * sigmoid(b) for the two halves a, b of ``x`` along ``axis``.

    Example:
        >>> glu(np.array([2.0, 0.0])).tolist()
        [1.0]
    """
    x, dtype = _prep(x)
    rules.check_even_axis(x.shape, axis, "glu")
    a, b = np.split(x, 2, axis=axis)
    return _done(a * _sigmoid(b), dtype)


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0.

    Example:
        >>> hard_shrink(np.array([-1.0, 0.25])).tolist()
        [-1.0, 0.0]
    """
    x, dtype = _prep(x)
    return _done(np.where(np.abs(x) > threshold, x, np.zeros((), x.dtype)), dtype)


def hard_tanh(x):
    """x clipped to [-1, 1].

    Example:
        >>> hard_tanh(np.array([-3.0, 0.5])).tolist()
        [-1.0, 0.5]
    """
    x, dtype = _prep(x)
    return _done(np.clip(x, -1.0, 1.0), dtype)


def soft_shrink(x, threshold=0.5):
    """sign(x) * max(|x| - threshold, 0).

    Example:
        >>> soft_shrink(np.array([-1.0, 0.25])).tolist()
        [-0.5, 0.0]
    """
    x, dtype = _prep(x)
    t = float(threshold)
    y = np.where(x > t, x - t, np.where(x < -t, x + t, np.zeros((), x.dtype)))
    return _done(y, dtype)


def sparse_plus(x):
    """0 below -1, (x + 1)**2 / 4 on (-1, 1), x above 1.

    Example:
        >>> sparse_plus(np.array([-2.0, 0.0, 2.0])).tolist()
        [0.0, 0.25, 2.0]
    """
    x, dtype = _prep(x)
    y = np.where(x <= -1.0, np.zeros((), x.dtype), np.where(x >= 1.0, x, np.square(x + 1.0) / 4.0))
    return _done(y, dtype)


def sparse_sigmoid(x):
    """clip((x + 1) / 2, 0, 1).

    Example:
        >>> sparse_sigmoid(np.array([-2.0, 0.0])).tolist()
        [0.0, 0.5]
    """
    x, dtype = _prep(x)
    return _done(np.clip(0.5 * (x + 1.0), 0.0, 1.0), dtype)


def squareplus(x, b=4):
    """(x + sqrt(x**2 + b)) / 2.

    Example:
        >>> squareplus(np.array([0.0])).tolist()
        [1.0]
    """
    x, dtype = _prep(x)
    return _done((x + np.sqrt(np.square(x) + float(b))) / 2.0, dtype)


def tanh_shrink(x):
    """x - tanh(x).

    Example:
        >>> tanh_shrink(np.array([0.0])).tolist()
        [0.0]
    """
    x, dtype = _prep(x)
    return _done(x - np.tanh(x), dtype)


def threshold(x, threshold, default_value):
    """x where x > threshold, else default_value (keeps x's dtype).

    Example:
        >>> threshold(np.array([0.5, 2.0]), 1.0, -1.0).tolist()
        [-1.0, 2.0]
    """
    x = convert_to_tensor(x)
    return np.where(x > threshold, x, np.asarray(default_value).astype(x.dtype))


def sparsemax(x, axis=-1):
    """Projection of ``x`` onto the probability simplex along ``axis``.

    Example:
        >>> sparsemax(np.array([0.0, 2.0])).tolist()
        [0.0, 1.0]
    """
    x, dtype = _prep(x)
    z = np.moveaxis(x, axis, -1)
    z_sorted = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    cumsum = np.cumsum(z_sorted, axis=-1)
    support = (1.0 + k * z_sorted) > cumsum
    k_z = np.sum(support, axis=-1, keepdims=True)
    tau = (np.take_along_axis(cumsum, k_z - 1, axis=-1) - 1.0) / k_z.astype(z.dtype)
    y = np.maximum(z - tau, 0.0)
    return _done(np.moveaxis(y, -1, axis), dtype)


# ---------------------------------------------------------------------------
# complex, normalization, metrics, encodings
# ---------------------------------------------------------------------------
def polar(abs_, angle):
    """abs_ * exp(1j * angle) as complex64 (complex128 for float64 inputs).

    Example:
        >>> complex(polar(np.float32(2.0), np.float32(0.0)))
        (2+0j)
    """
    abs_, angle = promote_float(abs_, angle)
    complex_dtype = np.complex128 if abs_.dtype == np.float64 else np.complex64
    abs_, angle = abs_.astype(FLOAT32 if abs_.dtype in HALF_NP else abs_.dtype), \
        angle.astype(FLOAT32 if angle.dtype in HALF_NP else angle.dtype)
    out = np.empty(np.broadcast_shapes(abs_.shape, angle.shape), complex_dtype)
    out.real = abs_ * np.cos(angle)
    out.imag = abs_ * np.sin(angle)
    return out


def normalize(x, axis=-1, order=2, epsilon=None):
    """x divided by its ``order``-norm along ``axis`` (the norm floored at ``epsilon``).

    Example:
        >>> normalize(np.array([3.0, 4.0])).tolist()
        [0.6, 0.8]
    """
    x, dtype = _prep(x)
    if x.ndim == 0:
        x = x.reshape(1)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        norm = np.sqrt(np.sum(np.square(x), axis=axis, keepdims=True))
    else:
        norm = np.sum(np.abs(x) ** order, axis=axis, keepdims=True) ** (1.0 / order)
    return _done(x / np.maximum(norm, float(epsilon)), dtype)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x**2, axis) + epsilon) * scale.

    Example:
        >>> rms_normalization(np.array([[1.0, 1.0]]), epsilon=0.0).tolist()
        [[1.0, 1.0]]
    """
    x, dtype = _prep(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    y = x / np.sqrt(np.mean(np.square(x), axis=rules.axis_argument(axis), keepdims=True)
                    + float(epsilon))
    if scale is not None:
        y = y * convert_to_tensor(scale).astype(x.dtype)
    return _done(y, dtype)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio (dB) of x2 against x1.

    Example:
        >>> round(float(psnr(np.zeros(2), np.full(2, 0.1), 1.0)), 3)
        20.0
    """
    x1, x2 = promote_float(x1, x2)
    rules.check_same_shape("psnr", "x1", x1.shape, "x2", x2.shape)
    dtype = x1.dtype if x1.dtype in HALF_NP else None
    x1, x2 = x1.astype(FLOAT32 if dtype is not None else x1.dtype), \
        x2.astype(FLOAT32 if dtype is not None else x2.dtype)
    mse = np.mean(np.square(x1 - x2))
    max_val = np.asarray(convert_to_tensor(max_val), dtype=x1.dtype)
    return _done(20.0 * np.log10(max_val) - 10.0 * np.log10(mse), dtype).astype(
        dtype or x1.dtype)


def multi_hot(inputs, num_classes, axis=-1, dtype=None, sparse=False):
    """One row per sample with 1 at each label present (axis 1 merged for rank > 1).

    Example:
        >>> multi_hot(np.array([[0, 2]]), 3).tolist()
        [[1.0, 0.0, 1.0]]
    """
    inputs = convert_to_tensor(inputs)
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return np.max(encoded, axis=1 if inputs.ndim > 1 else 0)


# ---------------------------------------------------------------------------
# depth <-> space
# ---------------------------------------------------------------------------
def depth_to_space(x, block_size, data_format="channels_last"):
    """Channels into spatial blocks (TensorFlow's ordering).

    Example:
        >>> depth_to_space(np.arange(4.0).reshape(1, 1, 1, 4), 2)[0, :, :, 0].tolist()
        [[0.0, 1.0], [2.0, 3.0]]
    """
    x = convert_to_tensor(x)
    return _rearrange(x, rules.depth_to_space_plan(x.shape, block_size, data_format))


def space_to_depth(x, block_size, data_format="channels_last"):
    """Spatial blocks into channels (TensorFlow's ordering).

    Example:
        >>> space_to_depth(np.arange(4.0).reshape(1, 2, 2, 1), 2).ravel().tolist()
        [0.0, 1.0, 2.0, 3.0]
    """
    x = convert_to_tensor(x)
    return _rearrange(x, rules.space_to_depth_plan(x.shape, block_size, data_format))


def _rearrange(x, plan):
    split, permutation, output = plan
    return x.reshape(split).transpose(permutation).reshape(output)


# ---------------------------------------------------------------------------
# transposed and separable convolution
# ---------------------------------------------------------------------------
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; kernel ``(*spatial, out_channels, in_channels)``.

    Computed as a stride-1 convolution of the zero-interleaved, padded input with the
    spatially flipped kernel.

    Example:
        >>> conv_transpose(np.ones((1, 3, 2)), np.ones((3, 4, 2)), strides=2).shape
        (1, 7, 4)
    """
    data_format = _data_format(data_format)
    inputs, kernel = promote_float(inputs, kernel)
    n = rules.spatial_rank(inputs.shape, "conv_transpose")
    rules.check_kernel_rank(kernel.shape, inputs.shape, "conv_transpose")
    strides = rules.spatial_tuple(strides, n, "strides", "conv_transpose")
    dilation = rules.spatial_tuple(dilation_rate, n, "dilation_rate", "conv_transpose")
    pads = rules.conv_transpose_padding(kernel.shape[:n], strides, padding, output_padding,
                                        dilation, "conv_transpose")
    x = _channels_last(inputs, data_format)
    spatial = x.shape[1:-1]
    dilated_shape = (x.shape[0],) + tuple((length - 1) * s + 1 for length, s in zip(spatial, strides)) \
        + (x.shape[-1],)
    dilated = np.zeros(dilated_shape, x.dtype)
    dilated[(slice(None),) + tuple(slice(None, None, s) for s in strides)] = x
    dilated = _pad(dilated, pads)
    flipped = np.swapaxes(kernel[(slice(None, None, -1),) * n], -1, -2)
    out = conv(dilated, flipped, 1, "valid", "channels_last", dilation)
    return _restore_format(out, data_format)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise convolution followed by a pointwise (1x1) convolution.

    Example:
        >>> separable_conv(np.ones((1, 5, 2)), np.ones((3, 2, 2)), np.ones((1, 4, 3))).shape
        (1, 3, 3)
    """
    mid = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(mid, pointwise_kernel, 1, "valid", data_format, 1)


# ---------------------------------------------------------------------------
# adaptive pooling, fold / unfold
# ---------------------------------------------------------------------------
def _adaptive_pool(inputs, output_size, data_format, op, reduce_max):
    data_format = _data_format(data_format)
    inputs = convert_to_tensor(inputs)
    n = rules.spatial_rank(inputs.shape, op)
    size = rules.spatial_tuple(output_size, n, "output_size", op)
    if reduce_max:
        x, dtype = inputs, None
        if x.dtype in HALF_NP:
            x, dtype = x.astype(FLOAT32), x.dtype
    else:
        x, dtype = _prep(inputs)
    x = _channels_last(x, data_format)
    for dim in range(n):
        axis = dim + 1
        index, weights = rules.adaptive_pool_bins(x.shape[axis], size[dim])
        g = np.take(x, index.ravel(), axis=axis)
        g = g.reshape(x.shape[:axis] + index.shape + x.shape[axis + 1:])
        if reduce_max:
            x = np.max(g, axis=axis + 1)
        else:
            w = weights.astype(x.dtype).reshape(index.shape + (1,) * (x.ndim - axis - 1))
            x = np.sum(g * w, axis=axis + 1)
    return _done(_restore_format(x, data_format), dtype)


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average over ``output_size`` adaptive bins per spatial dim.

    Example:
        >>> adaptive_average_pool(np.arange(4.0).reshape(1, 4, 1), 2).ravel().tolist()
        [0.5, 2.5]
    """
    return _adaptive_pool(inputs, output_size, data_format, "adaptive_average_pool", False)


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max over ``output_size`` adaptive bins per spatial dim.

    Example:
        >>> adaptive_max_pool(np.arange(4.0).reshape(1, 4, 1), 2).ravel().tolist()
        [1.0, 3.0]
    """
    return _adaptive_pool(inputs, output_size, data_format, "adaptive_max_pool", True)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """im2col of an (N, C, H, W) image: (N, C * kh * kw, L).

    Example:
        >>> unfold(np.ones((1, 2, 4, 4)), (2, 2), (1, 1), (0, 0), (1, 1)).shape
        (1, 8, 9)
    """
    x = convert_to_tensor(x)
    rules.check_unfold_rank(x.shape)
    kernel, dilation, padding, stride = rules.fold_arguments(kernel_size, dilation, padding,
                                                             stride, "unfold")
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in padding))
    counts = rules.window_counts(x.shape[2:], kernel, stride, dilation, padding)
    parts = [xp[(slice(None), slice(None)) + rules.window_slices(o, dilation, stride, counts)]
             for o in np.ndindex(*kernel)]
    out = np.stack(parts, axis=2)
    return out.reshape(x.shape[0], x.shape[1] * kernel[0] * kernel[1], counts[0] * counts[1])


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: sum (N, C * kh * kw, L) blocks into an (N, C, *output_size) image.

    Example:
        >>> fold(np.ones((1, 4, 9)), (4, 4), (2, 2), (1, 1), (0, 0), (1, 1))[0, 0, 0].tolist()
        [1.0, 2.0, 2.0, 1.0]
    """
    x = convert_to_tensor(x)
    size = rules.spatial_tuple(output_size, 2, "output_size", "fold")
    kernel, dilation, padding, stride = rules.fold_arguments(kernel_size, dilation, padding,
                                                             stride, "fold")
    counts = rules.fold_block_counts(x.shape, size, kernel, dilation, padding, stride)
    area = kernel[0] * kernel[1]
    n, ck, _ = x.shape
    cols = x.reshape(n, ck // area, area, counts[0], counts[1])
    out = np.zeros((n, ck // area, size[0] + 2 * padding[0], size[1] + 2 * padding[1]), x.dtype)
    for i, o in enumerate(np.ndindex(*kernel)):
        out[(slice(None), slice(None)) + rules.window_slices(o, dilation, stride, counts)] += \
            cols[:, :, i]
    return out[:, :, padding[0]:padding[0] + size[0], padding[1]:padding[1] + size[1]]


# ---------------------------------------------------------------------------
# attention
# ---------------------------------------------------------------------------
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """softmax(q k^T * scale + bias, masked) v over (B, T, N, H) / (B, S, K, H) arrays.

    Example:
        >>> q = np.ones((1, 2, 1, 4), "float32")
        >>> dot_product_attention(q, q, q).shape
        (1, 2, 1, 4)
    """
    if flash_attention:
        raise ValueError("dot_product_attention: flash_attention=True is not supported by the "
                         "numpy backend")
    query, key, value = promote(query, key, value)
    query, key, value = to_float(query), to_float(key), to_float(value)
    dtype = query.dtype
    compute = FLOAT32 if dtype in HALF_NP or dtype == np.float16 else dtype
    q, k, v = (t.astype(compute) for t in (query, key, value))
    heads, kv_heads = q.shape[2], k.shape[2]
    rules.check_attention_heads(heads, kv_heads)
    if heads != kv_heads:
        k = np.repeat(k, heads // kv_heads, axis=2)
        v = np.repeat(v, heads // kv_heads, axis=2)
    scale = rules.attention_scale(scale, q.shape[-1])
    logits = np.einsum("btnh,bsnh->bnts", q, k) * np.asarray(scale, compute)
    if attn_logits_soft_cap is not None:
        cap = float(attn_logits_soft_cap)
        logits = cap * np.tanh(logits / cap)
    if bias is not None:
        logits = logits + convert_to_tensor(bias).astype(compute)
    allowed = None
    if mask is not None:
        allowed = convert_to_tensor(mask).astype(bool)
    if is_causal:
        t_len, s_len = q.shape[1], k.shape[1]
        causal = np.tril(np.ones((t_len, s_len), bool))
        allowed = causal if allowed is None else allowed & causal
    if allowed is not None:
        logits = np.where(allowed, logits, np.asarray(rules.ATTENTION_MASK_VALUE, compute))
    logits = logits - np.max(logits, axis=-1, keepdims=True)
    probs = np.exp(logits)
    probs = probs / np.sum(probs, axis=-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", probs, v).astype(dtype)


# ---------------------------------------------------------------------------
# CTC
# ---------------------------------------------------------------------------
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC negative log-likelihood per sample (forward algorithm in log space).

    Example:
        >>> round(float(ctc_loss(np.array([[1]]), np.zeros((1, 2, 2)), np.array([1]),
        ...                      np.array([2]))[0]), 4)
        0.2877
    """
    output, dtype = _prep(output)
    target = convert_to_tensor(target).astype(np.int64)
    target_length = convert_to_tensor(target_length).astype(np.int64).reshape(-1)
    output_length = convert_to_tensor(output_length).astype(np.int64).reshape(-1)
    batch, steps, classes = output.shape
    logp = _log_softmax(output, -1)
    labels = np.clip(target, 0, classes - 1)
    width = 2 * labels.shape[1] + 1
    ext = np.full((batch, width), int(mask_index), np.int64)
    ext[:, 1::2] = labels
    lp = np.take_along_axis(logp, np.broadcast_to(ext[:, None, :], (batch, steps, width)), axis=2)
    skip = np.zeros((batch, width), bool)
    skip[:, 2:] = (ext[:, 2:] != mask_index) & (ext[:, 2:] != ext[:, :-2])
    neg = np.asarray(-np.inf, logp.dtype)
    alpha = np.full((batch, width), neg)
    alpha[:, 0] = lp[:, 0, 0]
    if width > 1:
        alpha[:, 1] = lp[:, 0, 1]
    with np.errstate(invalid="ignore"):
        for t in range(1, steps):
            prev1 = np.concatenate([np.full((batch, 1), neg), alpha[:, :-1]], axis=1)
            prev2 = np.concatenate([np.full((batch, 2), neg), alpha[:, :-2]], axis=1)
            prev2 = np.where(skip, prev2, neg)
            new = np.logaddexp(np.logaddexp(alpha, prev1), prev2) + lp[:, t]
            alpha = np.where((t < output_length)[:, None], new, alpha)
    rows = np.arange(batch)
    last = alpha[rows, 2 * target_length]
    before = np.where(target_length > 0, alpha[rows, np.maximum(2 * target_length - 1, 0)], neg)
    return _done(-np.logaddexp(last, before), dtype)


def _ctc_greedy(inputs, sequence_lengths, merge_repeated, mask_index):
    batch, steps, _ = inputs.shape
    best = np.argmax(inputs, axis=-1).astype(np.int32)
    scores = np.max(inputs, axis=-1)
    beyond = np.arange(steps)[None, :] >= sequence_lengths[:, None]
    best = np.where(beyond, np.int32(mask_index), best)
    scores = np.where(beyond, np.zeros((), inputs.dtype), scores)
    if merge_repeated:
        repeat = np.zeros_like(beyond)
        repeat[:, 1:] = best[:, 1:] == best[:, :-1]
        best = np.where(repeat, np.int32(mask_index), best)
    blank = best == mask_index
    order = np.argsort(np.where(blank, steps, 0) + np.arange(steps)[None, :], axis=-1)
    decoded = np.take_along_axis(np.where(blank, np.int32(-1), best), order, axis=-1)
    return decoded[None].astype(np.int32), -np.sum(scores, axis=1, keepdims=True)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Greedy or prefix-beam-search CTC decoding: (decoded, log_probs).

    Example:
        >>> x = np.log(np.array([[[0.1, 0.9], [0.1, 0.9], [0.9, 0.1]]], "float32"))
        >>> ctc_decode(x, np.array([3]))[0].tolist()
        [[[1, -1, -1]]]
    """
    rules.check_ctc_strategy(strategy)
    inputs, dtype = _prep(inputs)
    lengths = convert_to_tensor(sequence_lengths).astype(np.int64).reshape(-1)
    if strategy == "greedy":
        decoded, scores = _ctc_greedy(inputs, lengths, merge_repeated, int(mask_index))
        return decoded, _done(scores, dtype)
    decoded, scores = rules.ctc_beam_search(_log_softmax(inputs, -1), lengths, int(beam_width),
                                      int(top_paths), int(mask_index))
    return decoded, _done(scores.astype(inputs.dtype), dtype)
