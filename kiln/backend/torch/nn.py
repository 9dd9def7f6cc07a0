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
from torch import Tensor

from kiln import config
from kiln.backend.common import dtypes as _dtypes
from kiln.backend.common import nn_rules as rules
from kiln.backend.torch.core import (
    DTYPE_NAMES,
    TORCH_DTYPES,
    HALF_DTYPES,
    convert_to_tensor,
    floatx_dtype,
    to_torch_dtype,
)
from kiln.backend.torch.array_ops import _INEXACT, _fx, _t


# -- activations ------------------------------------------------------------------------
def relu(x):
    """``max(x, 0)``; integer inputs keep their dtype."""
    if x.__class__ is not Tensor:
        x = _t(x)
    if x.dtype in _INEXACT:
        return torch.relu(x)
    return x if x.dtype is torch.bool else torch.clamp(x, min=0)


def relu6(x):
    """``min(max(x, 0), 6)``; integer inputs keep their dtype."""
    x = _t(x)
    if x.dtype in _INEXACT:
        return F.relu6(x)
    return x if x.dtype is torch.bool else torch.clamp(x, 0, 6)


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
def _to_channels_first(inputs, data_format, op_name):
    data_format = config.standardize_data_format(data_format)
    rules.spatial_rank(inputs.shape, op_name)
    if data_format == "channels_last":
        inputs = inputs.permute(rules.channels_first_axes(inputs.ndim))
    return inputs, data_format


def _from_channels_first(outputs, data_format):
    if data_format == "channels_last":
        return outputs.permute(rules.channels_last_axes(outputs.ndim))
    return outputs


def _pad_arguments(pads):
    """Per-dim (before, after) pairs as ``F.pad``'s flat list, last dim first."""
    return [amount for pair in reversed(pads) for amount in pair]


_CONV_FNS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _conv_nd(inputs, weight, strides, padding, dilation_rate, groups, data_format, op_name):
    inputs, data_format = _to_channels_first(inputs, data_format, op_name)
    spatial = inputs.ndim - 2
    strides = rules.spatial_tuple(strides, spatial, "strides", op_name)
    dilations = rules.spatial_tuple(dilation_rate, spatial, "dilation_rate", op_name)
    kernel_size = tuple(weight.shape[2:])
    torch_pad = 0
    if rules.padding_mode(padding, op_name) == "same":
        pads = rules.same_padding(tuple(inputs.shape[2:]), kernel_size, strides, dilations)
        if all(a == b for a, b in pads):
            torch_pad = tuple(a for a, _ in pads)
        else:
            inputs = F.pad(inputs, _pad_arguments(pads))
    outputs = _CONV_FNS[spatial](inputs, weight, None, strides, torch_pad, dilations, groups)
    return _from_channels_first(outputs, data_format)


def _conv_operands(inputs, kernel):
    inputs = _fx(inputs)
    kernel = _t(kernel)
    if kernel.dtype is not inputs.dtype:
        dt = TORCH_DTYPES[_dtypes.result_type(DTYPE_NAMES[inputs.dtype], DTYPE_NAMES[kernel.dtype])]
        if dt not in _INEXACT:
            dt = floatx_dtype()
        inputs, kernel = inputs.to(dt), kernel.to(dt)
    return inputs, kernel


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; ``kernel`` is ``(*spatial, in_channels // groups, out_channels)``."""
    inputs, kernel = _conv_operands(inputs, kernel)
    rules.check_kernel_rank(kernel.shape, inputs.shape, "conv")
    nd = kernel.ndim
    # (*spatial, in, out) -> (out, in, *spatial)
    weight = kernel.permute((nd - 1, nd - 2) + tuple(range(nd - 2)))
    channels_axis = 1 if config.standardize_data_format(data_format) == "channels_first" else -1
    groups = rules.conv_groups(inputs.shape[channels_axis], kernel.shape, inputs.shape)
    return _conv_nd(inputs, weight, strides, padding, dilation_rate, groups, data_format, "conv")


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; ``kernel`` is ``(*spatial, in_channels, multiplier)``."""
    inputs, kernel = _conv_operands(inputs, kernel)
    rules.check_kernel_rank(kernel.shape, inputs.shape, "depthwise_conv")
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
    if spatial == 3 and back is None and inputs.dtype in (torch.float16, torch.bfloat16) \
            and inputs.device.type == "cpu":
        # No half-precision CPU kernels for 3D pooling: pool in float32, cast back.
        back = inputs.dtype
        inputs = inputs.float()
    pool_size, strides = rules.pool_window(pool_size, strides, spatial, op_name)
    if rules.padding_mode(padding, op_name) == "same":
        pads = rules.same_padding(tuple(inputs.shape[2:]), pool_size, strides)
    else:
        pads = [(0, 0)] * spatial
    symmetric = all(a == b and 2 * a <= k for (a, b), k in zip(pads, pool_size))
    if is_max:
        if symmetric:
            out = _MAX_POOL_FNS[spatial](inputs, pool_size, strides, tuple(a for a, _ in pads))
        else:
            padded = F.pad(inputs, _pad_arguments(pads), value=float("-inf"))
            out = _MAX_POOL_FNS[spatial](padded, pool_size, strides)
        if back is not None:
            out = out.to(back)
    else:
        if symmetric:
            out = _AVG_POOL_FNS[spatial](inputs, pool_size, strides, tuple(a for a, _ in pads),
                                         count_include_pad=False)
        else:
            flat = _pad_arguments(pads)
            padded = F.pad(inputs, flat)
            ones = F.pad(torch.ones((1, 1) + tuple(inputs.shape[2:]), dtype=inputs.dtype,
                                    device=inputs.device), flat)
            out = _AVG_POOL_FNS[spatial](padded, pool_size, strides) / \
                _AVG_POOL_FNS[spatial](ones, pool_size, strides)
        if back is not None:
            out = out.to(back)
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
    axes = rules.axes_tuple(axes)
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
    if same_shape:
        rules.check_same_shape(op_name, "target", target.shape, "output", output.shape)
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
    rules.check_sparse_target_shape(target.shape, output.shape, axis)
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


# -- more activations -------------------------------------------------------------------
def celu(x, alpha=1.0):
    """``max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return F.celu(_fx(x), alpha=float(alpha))


def glu(x, axis=-1):
    """``a * sigmoid(b)`` for the halves ``a, b`` of ``x`` along ``axis``."""
    x = _fx(x)
    rules.check_even_axis(x.shape, axis, "glu")
    return F.glu(x, dim=axis)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0."""
    return F.hardshrink(_fx(x), lambd=float(threshold))


def hard_tanh(x):
    """``x`` clipped to ``[-1, 1]``."""
    return F.hardtanh(_fx(x))


def soft_shrink(x, threshold=0.5):
    """``sign(x) * max(|x| - threshold, 0)``."""
    return F.softshrink(_fx(x), lambd=float(threshold))


def sparse_plus(x):
    """0 below -1, ``(x + 1)**2 / 4`` on (-1, 1), ``x`` above 1."""
    x = _fx(x)
    zero = torch.zeros((), dtype=x.dtype, device=x.device)
    return torch.where(x <= -1.0, zero, torch.where(x >= 1.0, x, torch.square(x + 1.0) / 4.0))


def sparse_sigmoid(x):
    """``clip((x + 1) / 2, 0, 1)``."""
    return torch.clamp(0.5 * (_fx(x) + 1.0), 0.0, 1.0)


def squareplus(x, b=4):
    """``(x + sqrt(x**2 + b)) / 2``."""
    x = _fx(x)
    return (x + torch.sqrt(torch.square(x) + b)) / 2.0


def tanh_shrink(x):
    """``x - tanh(x)``."""
    return F.tanhshrink(_fx(x))


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value`` (keeps ``x``'s dtype)."""
    x = _t(x)
    default = torch.as_tensor(default_value, device=x.device).to(x.dtype)
    return torch.where(x > threshold, x, default)


def sparsemax(x, axis=-1):
    """Projection onto the probability simplex along ``axis``."""
    x = _fx(x)
    z = torch.movedim(x, axis, -1)
    z_sorted = torch.sort(z, dim=-1, descending=True).values
    k = torch.arange(1, z.shape[-1] + 1, dtype=z.dtype, device=z.device)
    cumsum = torch.cumsum(z_sorted, dim=-1)
    support = (1.0 + k * z_sorted) > cumsum
    k_z = torch.sum(support, dim=-1, keepdim=True)
    tau = (torch.gather(cumsum, -1, k_z - 1) - 1.0) / k_z.to(z.dtype)
    return torch.movedim(torch.clamp(z - tau, min=0.0), -1, axis)


# -- complex, normalization, metrics, encodings -----------------------------------------
def polar(abs_, angle):
    """``abs_ * exp(1j * angle)``: complex64 (complex128 for float64)."""
    abs_, angle = _conv_operands(abs_, angle)
    if abs_.dtype in HALF_DTYPES:
        abs_, angle = abs_.float(), angle.float()
    return torch.polar(abs_, angle)


def normalize(x, axis=-1, order=2, epsilon=None):
    """``x`` over its ``order``-norm along ``axis`` (the norm floored at ``epsilon``)."""
    x = _fx(x)
    if x.ndim == 0:
        x = x.reshape(1)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        norm = torch.sqrt(torch.sum(torch.square(x), dim=axis, keepdim=True))
    else:
        norm = torch.sum(torch.abs(x) ** order, dim=axis, keepdim=True) ** (1.0 / order)
    return x / torch.clamp(norm, min=float(epsilon))


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x / sqrt(mean(x**2) + epsilon) * scale`` over ``axis``."""
    x = _fx(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    dims = rules.axis_argument(axis)
    xc = x.float() if x.dtype in HALF_DTYPES else x
    y = xc * torch.rsqrt(torch.mean(torch.square(xc), dim=dims, keepdim=True) + float(epsilon))
    if scale is not None:
        y = y * _t(scale).to(xc.dtype)
    return y.to(x.dtype)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio in dB."""
    x1, x2 = _conv_operands(x1, x2)
    rules.check_same_shape("psnr", "x1", x1.shape, "x2", x2.shape)
    mse = torch.mean(torch.square(x1 - x2))
    max_val = torch.as_tensor(max_val, device=x1.device).to(x1.dtype)
    return 20.0 * torch.log10(max_val) - 10.0 * torch.log10(mse)


def multi_hot(inputs, num_classes, axis=-1, dtype=None, sparse=False):
    """One row per sample with 1 at every label present (axis 1 merged for rank > 1)."""
    inputs = _t(inputs)
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return torch.amax(encoded, dim=1 if inputs.ndim > 1 else 0)


# -- depth <-> space ----------------------------------------------------------------------
def depth_to_space(x, block_size, data_format="channels_last"):
    """Channels into ``block_size`` spatial blocks (TensorFlow's channel ordering)."""
    x = _t(x)
    return _rearrange(x, rules.depth_to_space_plan(tuple(x.shape), block_size, data_format))


def space_to_depth(x, block_size, data_format="channels_last"):
    """Spatial blocks into channels (TensorFlow's channel ordering)."""
    x = _t(x)
    return _rearrange(x, rules.space_to_depth_plan(tuple(x.shape), block_size, data_format))


def _rearrange(x, plan):
    split, permutation, output = plan
    return x.reshape(split).permute(permutation).reshape(output)


# -- transposed and separable convolution -------------------------------------------------
_CONV_TRANSPOSE_FNS = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; ``kernel`` is ``(*spatial, out_channels, in_channels)``.

    torch's kernel gives the full output; it is then cropped (or zero-extended) to the
    Keras output size.
    """
    inputs, kernel = _conv_operands(inputs, kernel)
    rules.check_kernel_rank(kernel.shape, inputs.shape, "conv_transpose")
    nd = kernel.ndim
    inputs, data_format = _to_channels_first(inputs, data_format, "conv_transpose")
    n = nd - 2
    strides = rules.spatial_tuple(strides, n, "strides", "conv_transpose")
    dilation = rules.spatial_tuple(dilation_rate, n, "dilation_rate", "conv_transpose")
    pads = rules.conv_transpose_padding(kernel.shape[:n], strides, padding, output_padding,
                                        dilation, "conv_transpose")
    # (*spatial, out, in) -> (in, out, *spatial)
    weight = kernel.permute((nd - 1, nd - 2) + tuple(range(n)))
    full = _CONV_TRANSPOSE_FNS[n](inputs, weight, None, strides, 0, 0, 1, dilation)
    # torch's output is the input padded by span - 1 on both sides: trim (or extend) to ours.
    spans = [rules.dilated_size(k, d) for k, d in zip(kernel.shape[:n], dilation)]
    flat = _pad_arguments([(before - (span - 1), after - (span - 1))
                           for (before, after), span in zip(pads, spans)])
    if any(flat):
        full = F.pad(full, flat)
    return _from_channels_first(full, data_format)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise convolution, then a pointwise (1x1) convolution."""
    mid = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(mid, pointwise_kernel, 1, "valid", data_format, 1)


# -- adaptive pooling, fold / unfold ------------------------------------------------------
_ADAPTIVE_AVG = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}
_ADAPTIVE_MAX = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}


def _adaptive_pool(inputs, output_size, data_format, op_name, fns):
    inputs = _fx(inputs) if fns is _ADAPTIVE_AVG else _t(inputs)
    back = None
    if inputs.dtype not in _INEXACT:
        back, inputs = inputs.dtype, inputs.to(torch.float64)
    x, data_format = _to_channels_first(inputs, data_format, op_name)
    n = x.ndim - 2
    out = fns[n](x, rules.spatial_tuple(output_size, n, "output_size", op_name))
    if isinstance(out, tuple):
        out = out[0]
    if back is not None:
        out = out.to(back)
    return _from_channels_first(out, data_format)


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average over adaptive bins (``floor(i*L/out)`` to ``ceil((i+1)*L/out)``)."""
    return _adaptive_pool(inputs, output_size, data_format, "adaptive_average_pool", _ADAPTIVE_AVG)


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max over adaptive bins."""
    return _adaptive_pool(inputs, output_size, data_format, "adaptive_max_pool", _ADAPTIVE_MAX)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """im2col of an (N, C, H, W) image (``torch.nn.functional.unfold``)."""
    x = _t(x)
    rules.check_unfold_rank(x.shape)
    kernel, dilation, padding, stride = rules.fold_arguments(kernel_size, dilation, padding,
                                                             stride, "unfold")
    back = None
    if x.dtype not in _INEXACT:
        back, x = x.dtype, x.to(torch.float64)
    out = F.unfold(x, kernel, dilation=dilation, padding=padding, stride=stride)
    return out if back is None else out.to(back)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: sum (N, C * kh * kw, L) blocks into (N, C, *output_size)."""
    x = _t(x)
    size = rules.spatial_tuple(output_size, 2, "output_size", "fold")
    kernel, dilation, padding, stride = rules.fold_arguments(kernel_size, dilation, padding,
                                                             stride, "fold")
    rules.fold_block_counts(tuple(x.shape), size, kernel, dilation, padding, stride)
    back = None
    if x.dtype not in _INEXACT:
        back, x = x.dtype, x.to(torch.float64)
    out = F.fold(x, size, kernel, dilation=dilation, padding=padding, stride=stride)
    return out if back is None else out.to(back)


# -- attention ----------------------------------------------------------------------------
def _to_4d(x):
    return x.reshape(rules.leading_ones_shape(x.shape, 4))


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Attention over (B, T, N, H) queries with ``scaled_dot_product_attention``.

    Boolean masks become an additive mask with a large finite negative value, so a fully
    masked row averages all values (as on the other backends) instead of giving NaN.
    """
    query, key, value = _fx(query), _fx(key), _fx(value)
    dt = query.dtype
    if key.dtype is not dt or value.dtype is not dt:
        dt = TORCH_DTYPES[_dtypes.result_type(DTYPE_NAMES[dt], DTYPE_NAMES[key.dtype],
                                              DTYPE_NAMES[value.dtype])]
        query, key, value = query.to(dt), key.to(dt), value.to(dt)
    heads, kv_heads = query.shape[2], key.shape[2]
    rules.check_attention_heads(heads, kv_heads)
    if flash_attention and query.device.type != "cuda":
        raise ValueError("dot_product_attention: flash_attention=True needs a CUDA device; pass "
                         "flash_attention=None or False here")
    scale = rules.attention_scale(scale, query.shape[-1])
    q, k, v = (t.transpose(1, 2) for t in (query, key, value))  # (B, N, T, H)
    t_len, s_len = q.shape[2], k.shape[2]
    compute = torch.float32 if dt in HALF_DTYPES else dt
    if attn_logits_soft_cap is not None:
        if heads != kv_heads:
            k = k.repeat_interleave(heads // kv_heads, dim=1)
            v = v.repeat_interleave(heads // kv_heads, dim=1)
        cap = float(attn_logits_soft_cap)
        logits = torch.matmul(q.to(compute), k.to(compute).transpose(-1, -2)) * scale
        logits = cap * torch.tanh(logits / cap)
        if bias is not None:
            logits = logits + _to_4d(_t(bias)).to(compute)
        allowed = None if mask is None else _to_4d(_t(mask)).to(torch.bool)
        if is_causal:
            causal = torch.ones((t_len, s_len), dtype=torch.bool, device=q.device).tril()
            allowed = causal if allowed is None else allowed & causal
        if allowed is not None:
            logits = logits.masked_fill(~allowed, rules.ATTENTION_MASK_VALUE)
        probs = torch.softmax(logits, dim=-1).to(dt)
        return torch.matmul(probs, v).transpose(1, 2)
    attn_mask = None
    if bias is not None:
        attn_mask = _to_4d(_t(bias)).to(dt)
    allowed = None if mask is None else _to_4d(_t(mask)).to(torch.bool)
    if is_causal and (allowed is not None or attn_mask is not None):
        causal = torch.ones((t_len, s_len), dtype=torch.bool, device=q.device).tril()
        allowed = causal if allowed is None else allowed & causal
        is_causal = False
    if allowed is not None:
        fill = torch.tensor(max(rules.ATTENTION_MASK_VALUE, 0.7 * float(torch.finfo(dt).min)),
                            dtype=dt, device=q.device)
        additive = torch.where(allowed, torch.zeros((), dtype=dt, device=q.device), fill)
        attn_mask = additive if attn_mask is None else attn_mask + additive
    kwargs = {"enable_gqa": True} if heads != kv_heads else {}
    if flash_attention:
        from torch.nn.attention import SDPBackend, sdpa_kernel

        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=is_causal,
                                                 scale=scale, **kwargs)
    else:
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=is_causal,
                                             scale=scale, **kwargs)
    return out.transpose(1, 2)


# -- CTC ----------------------------------------------------------------------------------
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss per sample with ``torch.nn.functional.ctc_loss`` on log-softmaxed logits."""
    output = _fx(output)
    dtype = output.dtype
    compute = torch.float32 if dtype in HALF_DTYPES else dtype
    log_probs = torch.log_softmax(output.to(compute), dim=-1).transpose(0, 1)  # (T, B, C)
    target = _t(target).long()
    target_length = _t(target_length).long().reshape(-1)
    output_length = _t(output_length).long().reshape(-1)
    target = torch.clamp(target, 0, output.shape[-1] - 1)
    loss = F.ctc_loss(log_probs, target, output_length, target_length, blank=int(mask_index),
                      reduction="none", zero_infinity=False)
    return loss.to(dtype)


def _ctc_greedy(inputs, lengths, merge_repeated, mask_index):
    batch, steps, _ = inputs.shape
    scores, best = torch.max(inputs, dim=-1)
    best = best.to(torch.int32)
    positions = torch.arange(steps, device=inputs.device)[None, :]
    beyond = positions >= lengths[:, None]
    blank_value = torch.full((), mask_index, dtype=torch.int32, device=inputs.device)
    best = torch.where(beyond, blank_value, best)
    scores = torch.where(beyond, torch.zeros((), dtype=scores.dtype, device=scores.device), scores)
    if merge_repeated:
        repeat = torch.zeros_like(beyond)
        repeat[:, 1:] = best[:, 1:] == best[:, :-1]
        best = torch.where(repeat, blank_value, best)
    blank = best == mask_index
    order = torch.argsort(torch.where(blank, steps, 0) + positions, dim=-1)
    decoded = torch.gather(torch.where(blank, torch.full_like(best, -1), best), 1, order)
    return decoded[None], -torch.sum(scores, dim=1, keepdim=True)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Greedy decoding in torch; beam search runs the shared host routine on CPU arrays."""
    rules.check_ctc_strategy(strategy)
    inputs = _fx(inputs)
    dtype = inputs.dtype
    if dtype in HALF_DTYPES:
        inputs = inputs.float()
    lengths = _t(sequence_lengths).long().reshape(-1).to(inputs.device)
    if strategy == "greedy":
        decoded, scores = _ctc_greedy(inputs, lengths, merge_repeated, int(mask_index))
        return decoded, scores.to(dtype)
    log_probs = torch.log_softmax(inputs, dim=-1).detach().cpu().numpy()
    decoded, scores = rules.ctc_beam_search(log_probs, lengths.cpu().numpy(), int(beam_width),
                                      int(top_paths), int(mask_index))
    return (torch.as_tensor(decoded, device=inputs.device),
            torch.as_tensor(scores, device=inputs.device).to(dtype))
