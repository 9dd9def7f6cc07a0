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

import jax
import numpy as np
import jax.numpy as jnp

from kiln import config
from kiln.backend.jax.core import (
    cast,
    convert_to_tensor,
    native_dtype,
    promote2,
    to_float,
)

_t = convert_to_tensor


# -- activations --------------------------------------------------------------------

def relu(x):
    return jax.nn.relu(to_float(x))


def relu6(x):
    return jax.nn.relu6(to_float(x))


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


def _softmax_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def softmax(x, axis=-1):
    return jax.nn.softmax(to_float(x), axis=_softmax_axis(axis))


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(to_float(x), axis=_softmax_axis(axis))


# -- convolution and pooling --------------------------------------------------------

_SPATIAL = {1: "W", 2: "HW", 3: "DHW"}


def _dimension_numbers(n, data_format):
    spatial = _SPATIAL[n]
    if data_format == "channels_last":
        lhs = "N" + spatial + "C"
    else:
        lhs = "NC" + spatial
    return (lhs, spatial + "IO", lhs)


def _tuple(value, n, name, op_name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"{op_name}: `{name}` must be an int or a tuple of {n} ints, received {value}")
    return value


def _padding(padding, op_name):
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"{op_name}: padding must be 'valid' or 'same', received {padding!r}")
    return padding.upper()


def _check_rank(inputs, op_name):
    if inputs.ndim not in (3, 4, 5):
        raise ValueError(
            f"{op_name}: inputs must have rank 3, 4 or 5 (batch, spatial..., channels), "
            f"received shape {inputs.shape}"
        )
    return inputs.ndim - 2


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; the kernel is ``(*spatial, in_channels // groups, out_channels)``."""
    inputs, kernel = promote2(_t(inputs), _t(kernel))
    data_format = config.standardize_data_format(data_format)
    n = _check_rank(inputs, "conv")
    if kernel.ndim != n + 2:
        raise ValueError(
            f"conv: expected a kernel of rank {n + 2} for inputs of rank {inputs.ndim}, "
            f"received kernel shape {kernel.shape}"
        )
    channels = inputs.shape[-1] if data_format == "channels_last" else inputs.shape[1]
    kernel_in = kernel.shape[-2]
    if kernel_in == 0 or channels % kernel_in:
        raise ValueError(
            f"conv: input channels ({channels}) must be a multiple of the kernel's input "
            f"channels ({kernel_in}); inputs {inputs.shape}, kernel {kernel.shape}, "
            f"data_format={data_format!r}"
        )
    groups = channels // kernel_in
    return jax.lax.conv_general_dilated(
        inputs,
        kernel,
        window_strides=_tuple(strides, n, "strides", "conv"),
        padding=_padding(padding, "conv"),
        rhs_dilation=_tuple(dilation_rate, n, "dilation_rate", "conv"),
        dimension_numbers=_dimension_numbers(n, data_format),
        feature_group_count=groups,
    )


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; the kernel is ``(*spatial, in_channels, multiplier)``."""
    inputs, kernel = promote2(_t(inputs), _t(kernel))
    data_format = config.standardize_data_format(data_format)
    n = _check_rank(inputs, "depthwise_conv")
    if kernel.ndim != n + 2:
        raise ValueError(
            f"depthwise_conv: expected a kernel of rank {n + 2}, received kernel shape {kernel.shape}"
        )
    channels = inputs.shape[-1] if data_format == "channels_last" else inputs.shape[1]
    if kernel.shape[-2] != channels:
        raise ValueError(
            f"depthwise_conv: the kernel's input channels ({kernel.shape[-2]}) must equal the "
            f"inputs' channels ({channels}); inputs {inputs.shape}, kernel {kernel.shape}"
        )
    kernel = jnp.reshape(kernel, kernel.shape[:-2] + (1, kernel.shape[-2] * kernel.shape[-1]))
    return jax.lax.conv_general_dilated(
        inputs,
        kernel,
        window_strides=_tuple(strides, n, "strides", "depthwise_conv"),
        padding=_padding(padding, "depthwise_conv"),
        rhs_dilation=_tuple(dilation_rate, n, "dilation_rate", "depthwise_conv"),
        dimension_numbers=_dimension_numbers(n, data_format),
        feature_group_count=channels,
    )


def _window(inputs, pool_size, strides, data_format, op_name):
    n = _check_rank(inputs, op_name)
    pool = _tuple(pool_size, n, "pool_size", op_name)
    strides = pool if strides is None else _tuple(strides, n, "strides", op_name)
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
                                 strides, _padding(padding, "max_pool"))


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    inputs = to_float(inputs)
    data_format = config.standardize_data_format(data_format)
    window, strides = _window(inputs, pool_size, strides, data_format, "average_pool")
    pad = _padding(padding, "average_pool")
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
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
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
    if same_shape and target.shape != output.shape:
        raise ValueError(
            f"{op_name}: target and output must have the same shape, received "
            f"target.shape={target.shape} and output.shape={output.shape}"
        )
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
    expected = output.shape[:axis % output.ndim] + output.shape[axis % output.ndim + 1:]
    if target.shape != expected:
        raise ValueError(
            "sparse_categorical_crossentropy: target must have the shape of output without its "
            f"class axis, expected {expected}, received target.shape={target.shape} "
            f"(output.shape={output.shape})"
        )
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
