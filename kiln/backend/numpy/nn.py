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


def _axis_arg(axis):
    if axis is None or isinstance(axis, int):
        return axis
    return tuple(int(a) for a in axis)


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
    axis = _axis_arg(axis)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return _done(e / np.sum(e, axis=axis, keepdims=True), dtype)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis``.

    Example:
        >>> round(float(log_softmax(np.array([0.0, 0.0]))[0]), 4)
        -0.6931
    """
    x, dtype = _prep(x)
    return _done(_log_softmax(x, _axis_arg(axis)), dtype)


# ---------------------------------------------------------------------------
# convolution and pooling helpers
# ---------------------------------------------------------------------------
def _tuple(value, n, name, op):
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"{op}: `{name}` must be an int or a tuple of {n} ints, received {value}")
    return value


def _check_rank(x, op):
    if x.ndim not in (3, 4, 5):
        raise ValueError(
            f"{op}: inputs must have rank 3, 4 or 5 (batch, spatial..., channels), "
            f"received shape {x.shape}"
        )
    return x.ndim - 2


def _data_format(data_format):
    return config.standardize_data_format(data_format)


def _channels_last(x, data_format):
    return np.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def _restore_format(x, data_format):
    return np.moveaxis(x, -1, 1) if data_format == "channels_first" else x


def _padding_amounts(spatial, effective, strides, padding, op):
    """Per-dimension (before, after) padding; TF-style "same" (extra at the end)."""
    padding = str(padding).lower()
    if padding == "valid":
        for length, size in zip(spatial, effective):
            if length < size:
                raise ValueError(
                    f"{op}: with padding='valid' every spatial dimension must be at least the "
                    f"(dilated) window size {tuple(effective)}, received spatial shape "
                    f"{tuple(spatial)}"
                )
        return [(0, 0)] * len(spatial)
    if padding != "same":
        raise ValueError(f"{op}: padding must be 'valid' or 'same', received {padding!r}")
    pads = []
    for length, size, stride in zip(spatial, effective, strides):
        out = -(-length // stride)
        total = max((out - 1) * stride + size - length, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _output_sizes(spatial, effective, strides):
    return tuple((length - size) // stride + 1
                 for length, size, stride in zip(spatial, effective, strides))


def _pad(x, pads, value=0):
    if not any(p for pair in pads for p in pair):
        return x
    return np.pad(x, [(0, 0)] + list(pads) + [(0, 0)], mode="constant", constant_values=value)


def _shifted(x, position, dilation, strides, out_sizes):
    """The strided slice of padded ``x`` (N, *S, C) seen by one kernel position."""
    index = [slice(None)]
    for p, d, s, o in zip(position, dilation, strides, out_sizes):
        start = p * d
        index.append(slice(start, start + (o - 1) * s + 1, s))
    index.append(slice(None))
    return x[tuple(index)]


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
    inputs, kernel = promote(inputs, kernel)
    n = _check_rank(inputs, "conv")
    if kernel.ndim != n + 2:
        raise ValueError(
            f"conv: kernel must have rank {n + 2} (*spatial, in_channels, out_channels) for "
            f"inputs of rank {inputs.ndim}, received kernel shape {kernel.shape}"
        )
    result_dtype = inputs.dtype
    if result_dtype in HALF_NP:
        inputs, kernel = inputs.astype(FLOAT32), kernel.astype(FLOAT32)
    strides = _tuple(strides, n, "strides", "conv")
    dilation = _tuple(dilation_rate, n, "dilation_rate", "conv")
    x = _channels_last(inputs, data_format)
    channels = x.shape[-1]
    k_spatial, k_in, k_out = kernel.shape[:n], kernel.shape[-2], kernel.shape[-1]
    if k_in == 0 or channels % k_in:
        raise ValueError(
            f"conv: the inputs have {channels} channels, which is not a multiple of the "
            f"kernel's input channels {k_in} (kernel shape {kernel.shape})"
        )
    groups = channels // k_in
    if k_out % groups:
        raise ValueError(
            f"conv: with {groups} groups the kernel's output channels ({k_out}) must be a "
            f"multiple of {groups}"
        )
    effective = tuple((k - 1) * d + 1 for k, d in zip(k_spatial, dilation))
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
    inputs, kernel = promote(inputs, kernel)
    n = _check_rank(inputs, "depthwise_conv")
    if kernel.ndim != n + 2:
        raise ValueError(
            f"depthwise_conv: kernel must have rank {n + 2} (*spatial, in_channels, multiplier) "
            f"for inputs of rank {inputs.ndim}, received kernel shape {kernel.shape}"
        )
    result_dtype = inputs.dtype
    compute = FLOAT32 if result_dtype in HALF_NP else result_dtype
    strides = _tuple(strides, n, "strides", "depthwise_conv")
    dilation = _tuple(dilation_rate, n, "dilation_rate", "depthwise_conv")
    x = _channels_last(inputs, data_format).astype(compute, copy=False)
    kernel = kernel.astype(compute, copy=False)
    channels = x.shape[-1]
    if kernel.shape[-2] != channels:
        raise ValueError(
            f"depthwise_conv: the kernel's in_channels ({kernel.shape[-2]}) must equal the "
            f"inputs' channels ({channels}); kernel shape {kernel.shape}"
        )
    multiplier = kernel.shape[-1]
    effective = tuple((k - 1) * d + 1 for k, d in zip(kernel.shape[:n], dilation))
    pads = _padding_amounts(x.shape[1:-1], effective, strides, padding, "depthwise_conv")
    x = _pad(x, pads)
    out_sizes = _output_sizes(x.shape[1:-1], effective, strides)
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
    n = _check_rank(inputs, op)
    pool = _tuple(pool_size, n, "pool_size", op)
    strides = pool if strides is None else _tuple(strides, n, "strides", op)
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
    out_sizes = _output_sizes(x.shape[1:-1], pool, strides)
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
    out_sizes = _output_sizes(x.shape[1:-1], pool, strides)
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
    axes = _axis_arg(axes)
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
    if target.shape != output.shape:
        raise ValueError(
            "binary_crossentropy: target and output must have the same shape, received "
            f"target.shape={target.shape} and output.shape={output.shape}"
        )
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
    if target.ndim < 1 or target.shape != output.shape:
        raise ValueError(
            "categorical_crossentropy: target and output must have the same shape (rank >= 1), "
            f"received target.shape={target.shape} and output.shape={output.shape}"
        )
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
    expected = output.shape[:axis] + output.shape[axis + 1:]
    if target.shape != expected:
        raise ValueError(
            "sparse_categorical_crossentropy: target must have shape "
            f"{expected} (output.shape without the class axis), received target.shape="
            f"{target.shape} with output.shape={output.shape}"
        )
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
