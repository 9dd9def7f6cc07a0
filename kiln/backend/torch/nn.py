"""Torch backend: neural-network ops (activations, conv, pooling, losses, normalization).

Convolutions take Keras layouts — kernels ``(*spatial, in, out)``, inputs
channels-last or channels-first — and map them to ``torch.nn.functional``.
A channels-last input permuted to NCHW is already in torch's channels_last
memory format, so no copy is made on the way in.

Example:
    >>> import torch
    >>> conv(torch.ones(1, 5, 5, 2), torch.ones(3, 3, 2, 4), padding="same").shape
    torch.Size([1, 5, 5, 4])
"""

import torch
import torch.nn.functional as F

from kiln import config
from kiln.backend.torch.core import (
    HALF_DTYPES,
    convert_to_tensor,
    floatx_dtype,
    to_torch_dtype,
)
from kiln.backend.torch.array_ops import _INEXACT, _fx, _t


# -- activations ------------------------------------------------------------------------
def relu(x):
    """``max(x, 0)``."""
    return F.relu(_fx(x))


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return F.relu6(_fx(x))


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return torch.sigmoid(_fx(x))


def softplus(x):
    """``log(1 + exp(x))``, computed stably."""
    return F.softplus(_fx(x))


def softsign(x):
    """``x / (1 + |x|)``."""
    return F.softsign(_fx(x))


def silu(x):
    """``x * sigmoid(x)``."""
    return F.silu(_fx(x))


def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation by default)."""
    return F.gelu(_fx(x), approximate="tanh" if approximate else "none")


def elu(x, alpha=1.0):
    """``x`` for positive x, ``alpha * (exp(x) - 1)`` otherwise."""
    return F.elu(_fx(x), alpha=alpha)


def selu(x):
    """Scaled ELU with the self-normalizing constants."""
    return F.selu(_fx(x))


def leaky_relu(x, negative_slope=0.2):
    """``x`` for positive x, ``negative_slope * x`` otherwise."""
    return F.leaky_relu(_fx(x), negative_slope=negative_slope)


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``."""
    return F.hardsigmoid(_fx(x))


def hard_silu(x):
    """``x * hard_sigmoid(x)``."""
    return F.hardswish(_fx(x))


def log_sigmoid(x):
    """``log(sigmoid(x))``, computed stably."""
    return F.logsigmoid(_fx(x))


def softmax(x, axis=-1):
    """Softmax along ``axis`` (an int or a tuple of axes)."""
    x = _fx(x)
    if axis is None or not isinstance(axis, int):
        if axis is None:
            axis = tuple(range(x.ndim))
        return torch.exp(x - torch.logsumexp(x, dim=tuple(axis), keepdim=True))
    return torch.softmax(x, dim=axis)


def log_softmax(x, axis=-1):
    """Log-softmax along ``axis`` (an int or a tuple of axes)."""
    x = _fx(x)
    if axis is None or not isinstance(axis, int):
        if axis is None:
            axis = tuple(range(x.ndim))
        return x - torch.logsumexp(x, dim=tuple(axis), keepdim=True)
    return torch.log_softmax(x, dim=axis)


# -- convolution and pooling ------------------------------------------------------------
def _tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"{name}: expected an int or {n} values, received {value!r}")
    return value


def _same_padding(sizes, kernel, strides, dilations):
    """TF 'same' padding per spatial dim: (before, after), extra at the end."""
    pads = []
    for size, k, s, d in zip(sizes, kernel, strides, dilations):
        effective = (k - 1) * d + 1
        out = -(-size // s)
        total = max((out - 1) * s + effective - size, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _to_channels_first(inputs, data_format, op_name, kernel_rank=None):
    data_format = config.standardize_data_format(data_format)
    ndim = inputs.ndim
    if ndim not in (3, 4, 5):
        raise ValueError(f"{op_name}: expected inputs of rank 3, 4 or 5, received shape {tuple(inputs.shape)}")
    if kernel_rank is not None and kernel_rank != ndim:
        raise ValueError(
            f"{op_name}: kernel rank {kernel_rank} does not match inputs rank {ndim} "
            f"(inputs shape {tuple(inputs.shape)})"
        )
    if data_format == "channels_last":
        inputs = inputs.permute((0, ndim - 1) + tuple(range(1, ndim - 1)))
    return inputs, data_format


def _from_channels_first(outputs, data_format):
    if data_format == "channels_last":
        ndim = outputs.ndim
        return outputs.permute((0,) + tuple(range(2, ndim)) + (1,))
    return outputs


_CONV_FNS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _conv_nd(inputs, weight, strides, padding, dilation_rate, groups, data_format, op_name):
    inputs, data_format = _to_channels_first(inputs, data_format, op_name, weight.ndim)
    spatial = inputs.ndim - 2
    strides = _tuple(strides, spatial, f"{op_name} strides")
    dilations = _tuple(dilation_rate, spatial, f"{op_name} dilation_rate")
    kernel_size = tuple(weight.shape[2:])
    padding = padding.lower() if isinstance(padding, str) else padding
    if padding == "valid":
        torch_pad = 0
    elif padding == "same":
        pads = _same_padding(tuple(inputs.shape[2:]), kernel_size, strides, dilations)
        if all(a == b for a, b in pads):
            torch_pad = tuple(a for a, _ in pads)
        else:
            flat = []
            for before, after in reversed(pads):
                flat.extend((before, after))
            inputs = F.pad(inputs, flat)
            torch_pad = 0
    else:
        raise ValueError(f"{op_name}: padding must be 'valid' or 'same', received {padding!r}")
    outputs = _CONV_FNS[spatial](inputs, weight, None, strides, torch_pad, dilations, groups)
    return _from_channels_first(outputs, data_format)


def _conv_operands(inputs, kernel):
    inputs = _fx(inputs)
    kernel = _t(kernel)
    if kernel.dtype is not inputs.dtype:
        from kiln.backend.common import dtypes
        from kiln.backend.torch.core import DTYPE_NAMES, TORCH_DTYPES

        dt = TORCH_DTYPES[dtypes.result_type(DTYPE_NAMES[inputs.dtype], DTYPE_NAMES[kernel.dtype])]
        if dt not in _INEXACT:
            dt = floatx_dtype()
        inputs, kernel = inputs.to(dt), kernel.to(dt)
    return inputs, kernel


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; ``kernel`` is ``(*spatial, in_channels // groups, out_channels)``."""
    inputs, kernel = _conv_operands(inputs, kernel)
    nd = kernel.ndim
    # (*spatial, in, out) -> (out, in, *spatial)
    weight = kernel.permute((nd - 1, nd - 2) + tuple(range(nd - 2)))
    channels_axis = 1 if config.standardize_data_format(data_format) == "channels_first" else -1
    in_channels = inputs.shape[channels_axis]
    kernel_in = kernel.shape[-2]
    if kernel_in == 0 or in_channels % kernel_in:
        raise ValueError(
            f"conv: the inputs' channel count ({in_channels}) must be a multiple of the kernel's "
            f"input channels ({kernel_in}); inputs shape {tuple(inputs.shape)}, kernel shape "
            f"{tuple(kernel.shape)}"
        )
    groups = in_channels // kernel_in
    return _conv_nd(inputs, weight, strides, padding, dilation_rate, groups, data_format, "conv")


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; ``kernel`` is ``(*spatial, in_channels, multiplier)``."""
    inputs, kernel = _conv_operands(inputs, kernel)
    nd = kernel.ndim
    in_channels, multiplier = kernel.shape[-2], kernel.shape[-1]
    # (*spatial, in, mult) -> (in * mult, 1, *spatial)
    weight = kernel.reshape(tuple(kernel.shape[:-2]) + (1, in_channels * multiplier))
    weight = weight.permute((nd - 1, nd - 2) + tuple(range(nd - 2)))
    return _conv_nd(inputs, weight, strides, padding, dilation_rate, in_channels, data_format,
                    "depthwise_conv")


_MAX_POOL_FNS = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL_FNS = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def _pool(inputs, pool_size, strides, padding, data_format, op_name, is_max):
    inputs = _t(inputs)
    back = None
    if is_max:
        if inputs.dtype not in _INEXACT:
            # torch has no integer max-pool kernels on CPU: float64 holds int32 exactly.
            back = inputs.dtype
            inputs = inputs.to(torch.float64)
    elif inputs.dtype not in _INEXACT:
        inputs = inputs.to(floatx_dtype())
    inputs, data_format = _to_channels_first(inputs, data_format, op_name)
    spatial = inputs.ndim - 2
    pool_size = _tuple(pool_size, spatial, f"{op_name} pool_size")
    strides = pool_size if strides is None else _tuple(strides, spatial, f"{op_name} strides")
    padding = padding.lower() if isinstance(padding, str) else padding
    if padding == "valid":
        pads = [(0, 0)] * spatial
    elif padding == "same":
        pads = _same_padding(tuple(inputs.shape[2:]), pool_size, strides, (1,) * spatial)
    else:
        raise ValueError(f"{op_name}: padding must be 'valid' or 'same', received {padding!r}")
    symmetric = all(a == b and 2 * a <= k for (a, b), k in zip(pads, pool_size))
    if is_max:
        if symmetric:
            out = _MAX_POOL_FNS[spatial](inputs, pool_size, strides, tuple(a for a, _ in pads))
        else:
            flat = []
            for before, after in reversed(pads):
                flat.extend((before, after))
            fill = float("-inf")
            out = _MAX_POOL_FNS[spatial](F.pad(inputs, flat, value=fill), pool_size, strides)
        if back is not None:
            out = out.to(back)
    else:
        if symmetric:
            out = _AVG_POOL_FNS[spatial](inputs, pool_size, strides, tuple(a for a, _ in pads),
                                         count_include_pad=False)
        else:
            flat = []
            for before, after in reversed(pads):
                flat.extend((before, after))
            padded = F.pad(inputs, flat)
            ones = F.pad(torch.ones((1, 1) + tuple(inputs.shape[2:]), dtype=inputs.dtype,
                                    device=inputs.device), flat)
            out = _AVG_POOL_FNS[spatial](padded, pool_size, strides) / \
                _AVG_POOL_FNS[spatial](ones, pool_size, strides)
    return _from_channels_first(out, data_format)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over 1-3 spatial dims (TF-style 'same' padding)."""
    return _pool(inputs, pool_size, strides, padding, data_format, "max_pool", True)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with 'same' padding, divides by the count of real elements."""
    return _pool(inputs, pool_size, strides, padding, data_format, "average_pool", False)


# -- misc -------------------------------------------------------------------------------
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encode integer labels; out-of-range labels give all zeros."""
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported by the torch backend")
    x = _t(x)
    dt = floatx_dtype() if dtype is None else to_torch_dtype(dtype)
    classes = torch.arange(int(num_classes), device=x.device, dtype=x.dtype)
    out = (x.unsqueeze(-1) == classes).to(dt)
    if axis != -1 and axis != out.ndim - 1:
        out = torch.movedim(out, -1, axis)
    return out


def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) over ``axes``; float16/bfloat16 computed in float32."""
    x = _fx(x)
    back = None
    if x.dtype in HALF_DTYPES:
        back = x.dtype
        x = x.float()
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    variance, mean = torch.var_mean(x, dim=axes, correction=0, keepdim=keepdims)
    if back is not None:
        mean, variance = mean.to(back), variance.to(back)
    return mean, variance


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``, statistics along ``axis``."""
    x = _fx(x)
    ndim = x.ndim
    axis = axis % ndim

    def shaped(v):
        v = convert_to_tensor(v)
        if v.dtype is not x.dtype:
            v = v.to(x.dtype)
        if v.ndim == 1 and ndim > 1:
            shape = [1] * ndim
            shape[axis] = v.shape[0]
            v = v.reshape(shape)
        return v

    inv = torch.rsqrt(shaped(variance) + epsilon)
    if scale is not None:
        inv = inv * shaped(scale)
    shift = -shaped(mean) * inv
    if offset is not None:
        shift = shift + shaped(offset)
    return x * inv + shift


# -- losses -----------------------------------------------------------------------------
def _loss_operands(target, output, op_name, same_shape=True):
    output = _fx(output)
    target = _t(target)
    if target.dtype is not output.dtype:
        target = target.to(output.dtype)
    if same_shape and target.shape != output.shape:
        raise ValueError(
            f"{op_name}: target and output must have the same shape, received "
            f"target.shape={tuple(target.shape)} and output.shape={tuple(output.shape)}"
        )
    return target, output


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (probabilities clipped to [eps, 1 - eps])."""
    target, output = _loss_operands(target, output, "binary_crossentropy")
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output) + (1.0 - target) * torch.log1p(-output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of one-hot/soft ``target`` against ``output``, reduced over ``axis``."""
    target, output = _loss_operands(target, output, "categorical_crossentropy")
    if output.ndim < 1:
        raise ValueError("categorical_crossentropy: expected output of rank >= 1, received a scalar")
    if from_logits:
        log_prob = torch.log_softmax(output, dim=axis)
    else:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        eps = config.epsilon()
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    return -torch.sum(target * log_prob, dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of integer class ``target`` against ``output`` along ``axis``."""
    output = _fx(output)
    target = _t(target)
    if target.ndim == output.ndim and target.ndim > 0 and target.shape[-1] == 1:
        target = target.squeeze(-1)
    if target.dtype is not torch.int64:
        target = target.long()
    axis = axis % output.ndim
    expected = tuple(output.shape[:axis]) + tuple(output.shape[axis + 1:])
    if tuple(target.shape) != expected:
        raise ValueError(
            "sparse_categorical_crossentropy: target shape must be output shape without the "
            f"class axis, expected {expected}, received target.shape={tuple(target.shape)} "
            f"(output.shape={tuple(output.shape)})"
        )
    if from_logits and axis == output.ndim - 1 and output.ndim == 2:
        return F.cross_entropy(output, target, reduction="none")
    if from_logits:
        log_prob = torch.log_softmax(output, dim=axis)
    else:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        eps = config.epsilon()
        log_prob = torch.log(torch.clamp(output, eps, 1.0 - eps))
    picked = torch.gather(log_prob, axis, target.unsqueeze(axis)).squeeze(axis)
    return -picked


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None):
    """Normalize over ``axis`` to zero mean and unit variance, then scale by gamma and shift by beta.

    Over trailing axes with matching gamma/beta this is torch's fused layer_norm.
    """
    epsilon = config.epsilon() if epsilon is None else epsilon
    x = _fx(x)
    ndim = x.dim()
    axes = sorted(a % ndim for a in ((axis,) if isinstance(axis, int) else axis))
    trailing = axes == list(range(ndim - len(axes), ndim))
    normalized = tuple(x.shape[ndim - len(axes):])
    gamma = None if gamma is None else _t(gamma)
    beta = None if beta is None else _t(beta)
    if (trailing and x.dtype is torch.float32
            and (gamma is None or tuple(gamma.shape) == normalized)
            and (beta is None or tuple(beta.shape) == normalized)):
        return F.layer_norm(x, normalized, gamma, beta, float(epsilon))
    mean, variance = moments(x, axes, keepdims=True)
    outputs = (x - mean) * torch.rsqrt(variance + epsilon)
    if gamma is not None:
        outputs = outputs * gamma
    if beta is not None:
        outputs = outputs + beta
    return outputs
