"""JAX backend neural-network ops: activations, convolution, pooling, losses.

Convolutions use ``jax.lax.conv_general_dilated`` with kernels laid out
``(*spatial, in_channels, out_channels)`` for both data formats; pooling uses
``jax.lax.reduce_window``.

Example:
    >>> import jax.numpy as jnp
    >>> from kiln.backend.jax import nn
    >>> nn.conv(jnp.ones((1, 5, 5, 2)), jnp.ones((3, 3, 2, 4)), padding="same").shape
    (1, 5, 5, 4)
"""

import functools

import jax
import numpy as np
import jax.numpy as jnp

from kiln import config
from kiln.backend.common import nn_rules as rules
from kiln.backend.jax.core import (
    cast,
    convert_to_tensor,
    is_float_tensor,
    native_dtype,
    promote2,
    to_float,
)

_t = convert_to_tensor


# -- activations --------------------------------------------------------------------

def relu(x):
    x = _t(x)
    if is_float_tensor(x):
        return jax.nn.relu(x)
    return x if x.dtype == jnp.bool_ else jnp.maximum(x, 0)


def relu6(x):
    x = _t(x)
    if is_float_tensor(x):
        return jax.nn.relu6(x)
    return x if x.dtype == jnp.bool_ else jnp.clip(x, 0, 6)


def sigmoid(x):
    return jax.nn.sigmoid(to_float(x))


def softplus(x):
    return jax.nn.softplus(to_float(x))


def softsign(x):
    return jax.nn.soft_sign(to_float(x))


def silu(x):
    return jax.nn.silu(to_float(x))


def gelu(x, approximate=True):
    return jax.nn.gelu(to_float(x), approximate=approximate)


def elu(x, alpha=1.0):
    return jax.nn.elu(to_float(x), alpha=alpha)


def selu(x):
    return jax.nn.selu(to_float(x))


def leaky_relu(x, negative_slope=0.2):
    return jax.nn.leaky_relu(to_float(x), negative_slope=negative_slope)


def hard_sigmoid(x):
    x = to_float(x)
    return jax.nn.relu6(x + 3.0) / 6.0


def hard_silu(x):
    x = to_float(x)
    return x * (jax.nn.relu6(x + 3.0) / 6.0)


def log_sigmoid(x):
    return jax.nn.log_sigmoid(to_float(x))


def softmax(x, axis=-1):
    return jax.nn.softmax(to_float(x), axis=rules.axis_argument(axis))


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(to_float(x), axis=rules.axis_argument(axis))


# -- convolution and pooling --------------------------------------------------------

_SPATIAL = {1: "W", 2: "HW", 3: "DHW"}


def _dimension_numbers(n, data_format):
    spatial = _SPATIAL[n]
    if data_format == "channels_last":
        lhs = "N" + spatial + "C"
    else:
        lhs = "NC" + spatial
    return (lhs, spatial + "IO", lhs)


def _conv_operands(inputs, kernel, data_format, op_name):
    """Promoted float operands, the data format, the spatial rank and the inputs' channels."""
    inputs, kernel = promote2(_t(inputs), _t(kernel))
    if not is_float_tensor(inputs):
        inputs, kernel = to_float(inputs), to_float(kernel)
    data_format = config.standardize_data_format(data_format)
    n = rules.spatial_rank(inputs.shape, op_name)
    rules.check_kernel_rank(kernel.shape, inputs.shape, op_name)
    channels = inputs.shape[-1] if data_format == "channels_last" else inputs.shape[1]
    return inputs, kernel, data_format, n, channels


def _conv_general(inputs, kernel, strides, padding, dilation_rate, data_format, groups, op_name):
    n = inputs.ndim - 2
    return jax.lax.conv_general_dilated(
        inputs,
        kernel,
        window_strides=rules.spatial_tuple(strides, n, "strides", op_name),
        padding=rules.padding_mode(padding, op_name).upper(),
        rhs_dilation=rules.spatial_tuple(dilation_rate, n, "dilation_rate", op_name),
        dimension_numbers=_dimension_numbers(n, data_format),
        feature_group_count=groups,
    )


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; the kernel is ``(*spatial, in_channels // groups, out_channels)``."""
    inputs, kernel, data_format, _, channels = _conv_operands(inputs, kernel, data_format, "conv")
    groups = rules.conv_groups(channels, kernel.shape, inputs.shape)
    return _conv_general(inputs, kernel, strides, padding, dilation_rate, data_format, groups,
                         "conv")


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; the kernel is ``(*spatial, in_channels, multiplier)``."""
    inputs, kernel, data_format, _, channels = _conv_operands(inputs, kernel, data_format,
                                                              "depthwise_conv")
    rules.check_depthwise_channels(channels, kernel.shape, inputs.shape)
    kernel = jnp.reshape(kernel, kernel.shape[:-2] + (1, kernel.shape[-2] * kernel.shape[-1]))
    return _conv_general(inputs, kernel, strides, padding, dilation_rate, data_format, channels,
                         "depthwise_conv")


def _window(inputs, pool_size, strides, data_format, op_name):
    n = rules.spatial_rank(inputs.shape, op_name)
    pool, strides = rules.pool_window(pool_size, strides, n, op_name)
    if data_format == "channels_last":
        return (1,) + pool + (1,), (1,) + strides + (1,)
    return (1, 1) + pool, (1, 1) + strides


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = _t(inputs)
    data_format = config.standardize_data_format(data_format)
    window, strides = _window(inputs, pool_size, strides, data_format, "max_pool")
    if inputs.dtype.kind in "iu":
        init = jnp.iinfo(inputs.dtype).min
    elif inputs.dtype == jnp.bool_:
        init = False
    else:
        init = -jnp.inf
    # A concrete NumPy init lets JAX recognise the max monoid, which it can differentiate.
    return jax.lax.reduce_window(inputs, np.asarray(init, inputs.dtype), jax.lax.max, window,
                                 strides, rules.padding_mode(padding, "max_pool").upper())


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = to_float(inputs)
    data_format = config.standardize_data_format(data_format)
    window, strides = _window(inputs, pool_size, strides, data_format, "average_pool")
    pad = rules.padding_mode(padding, "average_pool").upper()
    zero = np.asarray(0, inputs.dtype)
    total = jax.lax.reduce_window(inputs, zero, jax.lax.add, window, strides, pad)
    if pad == "VALID":
        count = 1
        for w in window:
            count *= w
        return total / jnp.asarray(count, inputs.dtype)
    # "same": divide by the number of real (non-padded) elements in each window.
    ones = jnp.ones((1,) + inputs.shape[1:], inputs.dtype)
    counts = jax.lax.reduce_window(ones, zero, jax.lax.add, window, strides, pad)
    return total / counts


# -- encoding and normalization -----------------------------------------------------

def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported by the jax backend; use sparse=False.")
    x = _t(x)
    if x.dtype.kind not in "iu":
        x = x.astype("int32")
    return jax.nn.one_hot(x, num_classes, dtype=native_dtype(dtype), axis=axis)


def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) over ``axes``; float16/bfloat16 are reduced in float32."""
    x = to_float(x)
    result_dtype = x.dtype
    if x.dtype in (jnp.float16, jnp.bfloat16):
        x = x.astype(jnp.float32)
    axes = rules.axes_tuple(axes)
    mean = jnp.mean(x, axis=axes, keepdims=True)
    variance = jnp.mean(jnp.square(x - jax.lax.stop_gradient(mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean = jnp.squeeze(mean, axes)
        variance = jnp.squeeze(variance, axes)
    if result_dtype == jnp.float16:
        limit = jnp.finfo(jnp.float16).max
        mean = jnp.clip(mean, -limit, limit)
        variance = jnp.clip(variance, -limit, limit)
    return mean.astype(result_dtype), variance.astype(result_dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = to_float(x)
    dtype = x.dtype
    axis = axis % x.ndim

    def prep(v):
        v = cast(_t(v), dtype)
        if v.ndim == 1 and x.ndim > 1:
            shape = [1] * x.ndim
            shape[axis] = v.shape[0]
            v = jnp.reshape(v, shape)
        return v

    mean, variance = prep(mean), prep(variance)
    inv = jax.lax.rsqrt(variance + jnp.asarray(epsilon, dtype))
    if scale is not None:
        inv = inv * prep(scale)
    shift = -mean * inv
    if offset is not None:
        shift = shift + prep(offset)
    return x * inv + shift


# -- losses -------------------------------------------------------------------------

def _loss_inputs(target, output, op_name, same_shape=True):
    output = to_float(output)
    target = cast(_t(target), output.dtype)
    if same_shape:
        rules.check_same_shape(op_name, "target", target.shape, "output", output.shape)
    return target, output


def _epsilon(dtype):
    return jnp.asarray(config.epsilon(), dtype)


def binary_crossentropy(target, output, from_logits=False):
    target, output = _loss_inputs(target, output, "binary_crossentropy")
    if from_logits:
        # softplus(x) - x * z, written to stay finite for large |x|.
        return jax.nn.relu(output) - output * target + jnp.log1p(jnp.exp(-jnp.abs(output)))
    eps = _epsilon(output.dtype)
    output = jnp.clip(output, eps, 1.0 - eps)
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    target, output = _loss_inputs(target, output, "categorical_crossentropy")
    if output.ndim < 1:
        raise ValueError("categorical_crossentropy: output must have rank >= 1, received a scalar")
    if from_logits:
        log_prob = jax.nn.log_softmax(output, axis=axis)
    else:
        output = output / jnp.sum(output, axis=axis, keepdims=True)
        eps = _epsilon(output.dtype)
        log_prob = jnp.log(jnp.clip(output, eps, 1.0 - eps))
    return -jnp.sum(target * log_prob, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    output = to_float(output)
    target = _t(target)
    if target.dtype.kind not in "iu":
        target = target.astype("int32")
    if output.ndim < 1:
        raise ValueError("sparse_categorical_crossentropy: output must have rank >= 1")
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, -1)
    rules.check_sparse_target_shape(target.shape, output.shape, axis)
    if from_logits:
        log_prob = jax.nn.log_softmax(output, axis=axis)
    else:
        output = output / jnp.sum(output, axis=axis, keepdims=True)
        eps = _epsilon(output.dtype)
        log_prob = jnp.log(jnp.clip(output, eps, 1.0 - eps))
    picked = jnp.take_along_axis(log_prob, jnp.expand_dims(target, axis), axis=axis)
    return -jnp.squeeze(picked, axis)



def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None):
    """Normalize over ``axis`` to zero mean and unit variance, then scale by gamma and shift by beta."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    mean, variance = moments(x, axis, keepdims=True)
    x = to_float(x)
    outputs = (x - mean) * jax.lax.rsqrt(variance + epsilon)
    if gamma is not None:
        outputs = outputs * _t(gamma)
    if beta is not None:
        outputs = outputs + _t(beta)
    return outputs.astype(x.dtype)


# -- more activations ---------------------------------------------------------------

def celu(x, alpha=1.0):
    return jax.nn.celu(to_float(x), alpha=alpha)


def glu(x, axis=-1):
    x = to_float(x)
    rules.check_even_axis(x.shape, axis, "glu")
    a, b = jnp.split(x, 2, axis=axis)
    return a * jax.nn.sigmoid(b)


def hard_shrink(x, threshold=0.5):
    x = to_float(x)
    return jnp.where(jnp.abs(x) > threshold, x, jnp.zeros((), x.dtype))


def hard_tanh(x):
    x = to_float(x)
    return jnp.clip(x, -1.0, 1.0)


def soft_shrink(x, threshold=0.5):
    x = to_float(x)
    zero = jnp.zeros((), x.dtype)
    return jnp.where(x > threshold, x - threshold, jnp.where(x < -threshold, x + threshold, zero))


def sparse_plus(x):
    x = to_float(x)
    zero = jnp.zeros((), x.dtype)
    return jnp.where(x <= -1.0, zero, jnp.where(x >= 1.0, x, jnp.square(x + 1.0) / 4.0))


def sparse_sigmoid(x):
    x = to_float(x)
    return jnp.clip(0.5 * (x + 1.0), 0.0, 1.0)


def squareplus(x, b=4):
    x = to_float(x)
    return (x + jnp.sqrt(jnp.square(x) + b)) / 2.0


def tanh_shrink(x):
    x = to_float(x)
    return x - jnp.tanh(x)


def threshold(x, threshold, default_value):
    x = _t(x)
    return jnp.where(x > threshold, x, jnp.asarray(default_value).astype(x.dtype))


def sparsemax(x, axis=-1):
    return _sparsemax(to_float(x), int(axis))


@functools.partial(jax.jit, static_argnums=1)
def _sparsemax(x, axis):
    z = jnp.moveaxis(x, axis, -1)
    z_sorted = -jnp.sort(-z, axis=-1)
    k = jnp.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    cumsum = jnp.cumsum(z_sorted, axis=-1)
    support = (1.0 + k * z_sorted) > cumsum
    k_z = jnp.sum(support, axis=-1, keepdims=True)
    tau = (jnp.take_along_axis(cumsum, k_z - 1, axis=-1) - 1.0) / k_z.astype(z.dtype)
    return jnp.moveaxis(jnp.maximum(z - tau, 0.0), -1, axis)


# -- complex, normalization, metrics, encodings -------------------------------------

def polar(abs_, angle):
    abs_, angle = promote2(to_float(abs_), to_float(angle))
    if abs_.dtype in (jnp.float16, jnp.bfloat16):
        abs_, angle = abs_.astype(jnp.float32), angle.astype(jnp.float32)
    return jax.lax.complex(abs_ * jnp.cos(angle), abs_ * jnp.sin(angle))


def normalize(x, axis=-1, order=2, epsilon=None):
    x = to_float(x)
    if x.ndim == 0:
        x = jnp.reshape(x, (1,))
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        norm = jnp.sqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
    else:
        norm = jnp.sum(jnp.abs(x) ** order, axis=axis, keepdims=True) ** (1.0 / order)
    return x / jnp.maximum(norm, jnp.asarray(epsilon, x.dtype))


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    x = to_float(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    axis = rules.axis_argument(axis)
    compute = jnp.float32 if x.dtype in (jnp.float16, jnp.bfloat16) else x.dtype
    xc = x.astype(compute)
    y = xc * jax.lax.rsqrt(jnp.mean(jnp.square(xc), axis=axis, keepdims=True) + epsilon)
    if scale is not None:
        y = y * _t(scale).astype(compute)
    return y.astype(x.dtype)


def psnr(x1, x2, max_val):
    x1, x2 = promote2(to_float(x1), to_float(x2))
    rules.check_same_shape("psnr", "x1", x1.shape, "x2", x2.shape)
    mse = jnp.mean(jnp.square(x1 - x2))
    max_val = jnp.asarray(max_val, x1.dtype)
    return 20.0 * jnp.log10(max_val) - 10.0 * jnp.log10(mse)


def multi_hot(inputs, num_classes, axis=-1, dtype=None, sparse=False):
    inputs = _t(inputs)
    encoded = one_hot(inputs, num_classes, axis=axis, dtype=dtype, sparse=sparse)
    return jnp.max(encoded, axis=1 if inputs.ndim > 1 else 0)


# -- depth <-> space ----------------------------------------------------------------

def _rearrange(x, plan):
    split, permutation, output = plan
    return jnp.reshape(jnp.transpose(jnp.reshape(x, split), permutation), output)


def depth_to_space(x, block_size, data_format="channels_last"):
    x = _t(x)
    return _rearrange(x, rules.depth_to_space_plan(x.shape, block_size, data_format))


def space_to_depth(x, block_size, data_format="channels_last"):
    x = _t(x)
    return _rearrange(x, rules.space_to_depth_plan(x.shape, block_size, data_format))


# -- transposed and separable convolution -------------------------------------------

def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; the kernel is ``(*spatial, out_channels, in_channels)``."""
    inputs, kernel, data_format, n, _ = _conv_operands(inputs, kernel, data_format,
                                                       "conv_transpose")
    strides = rules.spatial_tuple(strides, n, "strides", "conv_transpose")
    dilation = rules.spatial_tuple(dilation_rate, n, "dilation_rate", "conv_transpose")
    pads = rules.conv_transpose_padding(kernel.shape[:n], strides, padding, output_padding,
                                        dilation, "conv_transpose")
    flipped = jnp.swapaxes(jnp.flip(kernel, axis=tuple(range(n))), -1, -2)
    return jax.lax.conv_general_dilated(
        inputs, flipped, window_strides=(1,) * n, padding=pads, lhs_dilation=strides,
        rhs_dilation=dilation, dimension_numbers=_dimension_numbers(n, data_format))


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    mid = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(mid, pointwise_kernel, 1, "valid", data_format, 1)


# -- adaptive pooling, fold / unfold ------------------------------------------------

def _adaptive_pool(inputs, output_size, data_format, op_name, reduce_max):
    x = _t(inputs) if reduce_max else to_float(inputs)
    data_format = config.standardize_data_format(data_format)
    n = rules.spatial_rank(x.shape, op_name)
    size = rules.spatial_tuple(output_size, n, "output_size", op_name)
    return _adaptive_pool_kernel(x, size, 1 if data_format == "channels_last" else 2, reduce_max)


@functools.partial(jax.jit, static_argnums=(1, 2, 3))
def _adaptive_pool_kernel(x, size, first, reduce_max):
    n = len(size)
    for dim in range(n):
        axis = first + dim
        index, weights = rules.adaptive_pool_bins(x.shape[axis], size[dim])
        g = jnp.take(x, jnp.asarray(index.ravel()), axis=axis)
        g = jnp.reshape(g, x.shape[:axis] + index.shape + x.shape[axis + 1:])
        if reduce_max:
            x = jnp.max(g, axis=axis + 1)
        else:
            w = jnp.asarray(weights, x.dtype).reshape(index.shape + (1,) * (x.ndim - axis - 1))
            x = jnp.sum(g * w, axis=axis + 1)
    return x


def adaptive_average_pool(inputs, output_size, data_format=None):
    return _adaptive_pool(inputs, output_size, data_format, "adaptive_average_pool", False)


def adaptive_max_pool(inputs, output_size, data_format=None):
    return _adaptive_pool(inputs, output_size, data_format, "adaptive_max_pool", True)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    x = _t(x)
    rules.check_unfold_rank(x.shape)
    return _unfold(x, *rules.fold_arguments(kernel_size, dilation, padding, stride, "unfold"))


@functools.partial(jax.jit, static_argnums=(1, 2, 3, 4))
def _unfold(x, kernel, dilation, padding, stride):
    xp = jnp.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in padding))
    counts = rules.window_counts(x.shape[2:], kernel, stride, dilation, padding)
    parts = [xp[(slice(None), slice(None)) + rules.window_slices(o, dilation, stride, counts)]
             for o in np.ndindex(*kernel)]
    out = jnp.stack(parts, axis=2)
    return jnp.reshape(out, (x.shape[0], x.shape[1] * kernel[0] * kernel[1], counts[0] * counts[1]))


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    x = _t(x)
    size = rules.spatial_tuple(output_size, 2, "output_size", "fold")
    kernel, dilation, padding, stride = rules.fold_arguments(kernel_size, dilation, padding,
                                                             stride, "fold")
    rules.fold_block_counts(x.shape, size, kernel, dilation, padding, stride)
    return _fold(x, size, kernel, dilation, padding, stride)


@functools.partial(jax.jit, static_argnums=(1, 2, 3, 4, 5))
def _fold(x, size, kernel, dilation, padding, stride):
    n, ck, _ = x.shape
    area = kernel[0] * kernel[1]
    counts = rules.window_counts(size, kernel, stride, dilation, padding)
    cols = jnp.reshape(x, (n, ck // area, area, counts[0], counts[1]))
    out = jnp.zeros((n, ck // area, size[0] + 2 * padding[0], size[1] + 2 * padding[1]), x.dtype)
    for i, o in enumerate(np.ndindex(*kernel)):
        out = out.at[(slice(None), slice(None)) + rules.window_slices(o, dilation, stride, counts)
                     ].add(cols[:, :, i])
    return out[:, :, padding[0]:padding[0] + size[0], padding[1]:padding[1] + size[1]]


# -- attention ----------------------------------------------------------------------

def _to_4d(x):
    return jnp.reshape(x, rules.leading_ones_shape(x.shape, 4))


@functools.partial(jax.jit, static_argnums=(5, 6, 7))
def _attention_math(q, k, v, bias, mask, scale, is_causal, cap):
    heads, kv_heads = q.shape[2], k.shape[2]
    if heads != kv_heads:
        k = jnp.repeat(k, heads // kv_heads, axis=2)
        v = jnp.repeat(v, heads // kv_heads, axis=2)
    compute = jnp.promote_types(q.dtype, jnp.float32)
    logits = jnp.einsum("btnh,bsnh->bnts", q, k, preferred_element_type=compute) * scale
    if cap is not None:
        logits = cap * jnp.tanh(logits / cap)
    if bias is not None:
        logits = logits + bias.astype(compute)
    allowed = None if mask is None else mask.astype(bool)
    if is_causal:
        causal = jnp.tril(jnp.ones((q.shape[1], k.shape[1]), bool))
        allowed = causal if allowed is None else allowed & causal
    if allowed is not None:
        logits = jnp.where(allowed, logits, jnp.asarray(rules.ATTENTION_MASK_VALUE, compute))
    probs = jax.nn.softmax(logits, axis=-1).astype(v.dtype)
    return jnp.einsum("bnts,bsnh->btnh", probs, v)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Attention over (B, T, N, H) queries; jax.nn.dot_product_attention does the work."""
    query, key, value = (to_float(t) for t in (query, key, value))
    dtype = jnp.result_type(query.dtype, key.dtype, value.dtype)
    query, key, value = query.astype(dtype), key.astype(dtype), value.astype(dtype)
    rules.check_attention_heads(query.shape[2], key.shape[2])
    bias = None if bias is None else _to_4d(_t(bias))
    mask = None if mask is None else _to_4d(_t(mask).astype(bool))
    scale = rules.attention_scale(scale, query.shape[-1])
    if flash_attention:
        if jax.devices()[0].platform != "gpu":
            raise ValueError("dot_product_attention: flash_attention=True needs a GPU (cuDNN); "
                             "pass flash_attention=None or False on this device")
        if attn_logits_soft_cap is not None:
            raise ValueError("dot_product_attention: the flash kernel does not support "
                             "attn_logits_soft_cap")
        return jax.nn.dot_product_attention(query, key, value, bias=bias, mask=mask, scale=scale,
                                            is_causal=is_causal, implementation="cudnn")
    # jax.nn's XLA path takes its softmax in float32, which would cost float64 inputs precision,
    # and it needs value heads as wide as query/key heads (MultiHeadAttention's value_dim may differ).
    if (attn_logits_soft_cap is not None or flash_attention is False or dtype == jnp.float64
            or value.shape[-1] != query.shape[-1]):
        cap = None if attn_logits_soft_cap is None else float(attn_logits_soft_cap)
        return _attention_math(query, key, value, bias, mask, scale, is_causal, cap)
    if bias is not None:
        bias = bias.astype(dtype)
    return jax.nn.dot_product_attention(query, key, value, bias=bias, mask=mask, scale=scale,
                                        is_causal=is_causal)


# -- CTC ----------------------------------------------------------------------------

_LOG_ZERO = -1e30


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss per sample: the forward algorithm in log space under ``lax.scan``.

    The recursion is one jitted function (compiled once per shape), so eager calls do not
    dispatch the scan op by op.
    """
    output = to_float(output)
    dtype = output.dtype
    if dtype in (jnp.float16, jnp.bfloat16):
        output = output.astype(jnp.float32)
    target = _t(target).astype(jnp.int32)
    target_length = jnp.reshape(_t(target_length).astype(jnp.int32), (-1,))
    output_length = jnp.reshape(_t(output_length).astype(jnp.int32), (-1,))
    return _ctc_forward(target, output, target_length, output_length, int(mask_index)).astype(dtype)


@functools.partial(jax.jit, static_argnums=4)
def _ctc_forward(target, output, target_length, output_length, mask_index):
    batch, steps, classes = output.shape
    logp = jax.nn.log_softmax(output, axis=-1)
    labels = jnp.clip(target, 0, classes - 1)
    width = 2 * labels.shape[1] + 1
    ext = jnp.full((batch, width), mask_index, jnp.int32).at[:, 1::2].set(labels)
    lp = jnp.take_along_axis(logp, jnp.broadcast_to(ext[:, None, :], (batch, steps, width)), axis=2)
    skip = jnp.concatenate([jnp.zeros((batch, 2), bool),
                            (ext[:, 2:] != mask_index) & (ext[:, 2:] != ext[:, :-2])], axis=1)
    neg = jnp.asarray(_LOG_ZERO, logp.dtype)
    alpha0 = jnp.full((batch, width), neg).at[:, 0].set(lp[:, 0, 0])
    if width > 1:
        alpha0 = alpha0.at[:, 1].set(lp[:, 0, 1])

    def step(alpha, inputs):
        t, lp_t = inputs
        prev1 = jnp.concatenate([jnp.full((batch, 1), neg), alpha[:, :-1]], axis=1)
        prev2 = jnp.concatenate([jnp.full((batch, 2), neg), alpha[:, :-2]], axis=1)
        prev2 = jnp.where(skip, prev2, neg)
        new = jnp.logaddexp(jnp.logaddexp(alpha, prev1), prev2) + lp_t
        return jnp.where((t < output_length)[:, None], new, alpha), None

    alpha, _ = jax.lax.scan(step, alpha0, (jnp.arange(1, steps), jnp.moveaxis(lp[:, 1:], 1, 0)))
    last = jnp.take_along_axis(alpha, (2 * target_length)[:, None], axis=1)[:, 0]
    before = jnp.take_along_axis(alpha, jnp.maximum(2 * target_length - 1, 0)[:, None], axis=1)[:, 0]
    before = jnp.where(target_length > 0, before, neg)
    return -jnp.logaddexp(last, before)


@functools.partial(jax.jit, static_argnums=(2, 3))
def _ctc_greedy(inputs, lengths, merge_repeated, mask_index):
    batch, steps, _ = inputs.shape
    best = jnp.argmax(inputs, axis=-1).astype(jnp.int32)
    scores = jnp.max(inputs, axis=-1)
    beyond = jnp.arange(steps)[None, :] >= lengths[:, None]
    best = jnp.where(beyond, mask_index, best)
    scores = jnp.where(beyond, jnp.zeros((), inputs.dtype), scores)
    if merge_repeated:
        repeat = jnp.concatenate([jnp.zeros((batch, 1), bool), best[:, 1:] == best[:, :-1]], axis=1)
        best = jnp.where(repeat, mask_index, best)
    blank = best == mask_index
    order = jnp.argsort(jnp.where(blank, steps, 0) + jnp.arange(steps)[None, :], axis=-1)
    decoded = jnp.take_along_axis(jnp.where(blank, -1, best), order, axis=-1)
    return decoded[None].astype(jnp.int32), -jnp.sum(scores, axis=1, keepdims=True)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Greedy decoding in jnp; beam search runs the shared host routine via ``pure_callback``."""
    rules.check_ctc_strategy(strategy)
    inputs = to_float(inputs)
    dtype = inputs.dtype
    if dtype in (jnp.float16, jnp.bfloat16):
        inputs = inputs.astype(jnp.float32)
    lengths = jnp.reshape(_t(sequence_lengths).astype(jnp.int32), (-1,))
    if strategy == "greedy":
        decoded, scores = _ctc_greedy(inputs, lengths, merge_repeated, int(mask_index))
        return decoded, scores.astype(dtype)
    batch, steps, _ = inputs.shape
    shapes = (jax.ShapeDtypeStruct((int(top_paths), batch, steps), jnp.int32),
              jax.ShapeDtypeStruct((batch, int(top_paths)), jnp.float32))

    def host(log_probs, lens):
        return rules.ctc_beam_search(np.asarray(log_probs), np.asarray(lens), int(beam_width),
                               int(top_paths), int(mask_index))

    decoded, scores = jax.pure_callback(host, shapes, jax.nn.log_softmax(inputs, axis=-1), lengths)
    return decoded, scores.astype(dtype)
