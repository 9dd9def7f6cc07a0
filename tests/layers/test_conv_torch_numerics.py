"""Convolution layers vs torch.nn.functional with the same weights copied in (atol 1e-5).

Covers Conv1D/2D/3D, Conv1D/2D/3DTranspose, DepthwiseConv1D/2D and SeparableConv1D/2D in
both data formats, "valid"/"same" (and "causal") padding, strides, dilation and groups.
Torch works channels-first and pads symmetrically, so "same" inputs are padded by hand
the way Keras does (the extra element, if any, at the end).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance import make_input, to_numpy
from kiln import layers, ops
from kiln.layers.convolutional.base_conv_transpose import transpose_output_length

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def same_pads(spatial, kernel_size, strides, dilation):
    """Keras/TensorFlow "same" padding as (before, after) per spatial axis."""
    pads = []
    for length, k, s, d in zip(spatial, kernel_size, strides, dilation):
        eff = (k - 1) * d + 1
        total = max((-(-length // s) - 1) * s + eff - length, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def torch_pad(x, pads, value=0.0):
    flat = [p for pair in reversed(pads) for p in pair]
    return F.pad(x, flat, value=value)


def to_channels_first(x, data_format):
    return x if data_format == "channels_first" else np.moveaxis(x, -1, 1)


def from_channels_first(y, data_format):
    y = y.detach().numpy()
    return y if data_format == "channels_first" else np.moveaxis(y, 1, -1)


def kernel_to_torch(w):
    """(k..., a, b) -> (b, a, k...)."""
    rank = w.ndim - 2
    return torch.from_numpy(np.ascontiguousarray(np.transpose(w, (rank + 1, rank) + tuple(range(rank)))))


def torch_conv(x, kernel, bias, layer):
    rank = kernel.ndim - 2
    t = torch.from_numpy(np.ascontiguousarray(to_channels_first(x, layer.data_format)))
    if layer.padding == "same":
        t = torch_pad(t, same_pads(t.shape[2:], layer.kernel_size, layer.strides, layer.dilation_rate))
    elif layer.padding == "causal":
        t = torch_pad(t, [((layer.kernel_size[0] - 1) * layer.dilation_rate[0], 0)])
    groups = t.shape[1] // kernel.shape[-2]
    y = CONV[rank](t, kernel_to_torch(kernel), None if bias is None else torch.tensor(bias),
                   stride=layer.strides, dilation=layer.dilation_rate, groups=groups)
    return from_channels_first(y, layer.data_format)


def torch_conv_transpose(x, kernel, bias, layer):
    rank = kernel.ndim - 2
    t = torch.from_numpy(np.ascontiguousarray(to_channels_first(x, layer.data_format)))
    w = kernel_to_torch(kernel)  # (k..., out, in) -> (in, out, k...)
    b = None if bias is None else torch.tensor(bias)
    effs = [(k - 1) * d + 1 for k, d in zip(layer.kernel_size, layer.dilation_rate)]
    out_pad = layer.output_padding or (None,) * rank
    # The full transposed convolution (length (L - 1) * s + k), then Keras' window of the
    # output size: "valid" starts at 0 (zeros past the end when the output is longer),
    # "same" drops half the excess first, the smaller half, as TensorFlow's "SAME" does.
    y = CONV_T[rank](t, w, None, stride=layer.strides, dilation=layer.dilation_rate)
    for axis, (length, e, s, p) in enumerate(zip(t.shape[2:], effs, layer.strides, out_pad)):
        size = transpose_output_length(length, e, s, layer.padding, p, 1)
        full = (length - 1) * s + e
        start = max(full - size, 0) // 2 if layer.padding == "same" else 0
        extra = start + size - y.shape[axis + 2]
        if extra > 0:
            pads = [(0, 0)] * rank
            pads[axis] = (0, extra)
            y = torch_pad(y, pads)
        y = y.narrow(axis + 2, start, size)
    if b is not None:
        y = y + b.reshape((1, -1) + (1,) * rank)
    return from_channels_first(y, layer.data_format)


def torch_depthwise(x, kernel, bias, layer):
    rank = kernel.ndim - 2
    t = torch.from_numpy(np.ascontiguousarray(to_channels_first(x, layer.data_format)))
    if layer.padding == "same":
        t = torch_pad(t, same_pads(t.shape[2:], layer.kernel_size, layer.strides, layer.dilation_rate))
    flat = kernel.reshape(kernel.shape[:-2] + (-1,))  # output channel c * multiplier + m
    w = torch.from_numpy(np.ascontiguousarray(np.moveaxis(flat, -1, 0)[:, None]))
    y = CONV[rank](t, w, None if bias is None else torch.tensor(bias), stride=layer.strides,
                   dilation=layer.dilation_rate, groups=t.shape[1])
    return y


def torch_separable(x, depthwise, pointwise, bias, layer):
    rank = depthwise.ndim - 2
    mid = torch_depthwise(x, depthwise, None, layer)
    y = CONV[rank](mid, kernel_to_torch(pointwise), None if bias is None else torch.tensor(bias))
    return from_channels_first(y, layer.data_format)


def make_layer(cls, data_format, kwargs):
    """The layer with constant initializers: its weights are replaced by random ones anyway,
    and jax compiles a random initializer once per shape (seconds each)."""
    inits = {name: "zeros" for name in ("kernel_initializer", "depthwise_initializer",
                                        "pointwise_initializer")
             if name in cls.__init__.__code__.co_varnames}
    return cls(data_format=data_format, **inits, **kwargs)


def randomize_weights(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.standard_normal(w.shape).astype("float32") for w in layer.get_weights()])
    return [np.asarray(w) for w in layer.get_weights()]


def input_for(rank, data_format, channels, spatial, seed=0):
    shape = (2,) + spatial + (channels,) if data_format == "channels_last" else (2, channels) + spatial
    return make_input(shape, seed=seed)


def run_kiln(layer, x):
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    assert y.shape == layer.compute_output_shape(x.shape)
    return y


SPATIAL = {1: (9,), 2: (7, 6), 3: (5, 4, 6)}
TRANSPOSE_SPATIAL = {1: (5,), 2: (4, 3), 3: (3, 2, 4)}


@pytest.mark.parametrize("rank,data_format,kwargs", [
    (1, "channels_last", {"filters": 3, "kernel_size": 3}),
    (1, "channels_first", {"filters": 2, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}),  # left pad only
    (1, "channels_last", {"filters": 4, "kernel_size": 2, "strides": 2, "padding": "same", "groups": 2}),
    (2, "channels_first", {"filters": 3, "kernel_size": (3, 2), "strides": (2, 1), "padding": "same"}),
    (2, "channels_last", {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "padding": "same"}),
    (3, "channels_first", {"filters": 2, "kernel_size": 2, "strides": 2}),
    (3, "channels_last", {"filters": 2, "kernel_size": 3, "padding": "same", "dilation_rate": (1, 2, 1)}),
])
def test_conv_matches_torch(rank, data_format, kwargs):
    layer = make_layer({1: layers.Conv1D, 2: layers.Conv2D, 3: layers.Conv3D}[rank], data_format, kwargs)
    x = input_for(rank, data_format, 4, SPATIAL[rank])
    layer.build(x.shape)
    kernel, bias = randomize_weights(layer)
    np.testing.assert_allclose(run_kiln(layer, x), torch_conv(x, kernel, bias, layer), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("rank,data_format,kwargs", [
    (1, "channels_last", {"filters": 3, "kernel_size": 3, "strides": 2}),
    (1, "channels_first", {"filters": 2, "kernel_size": 2, "strides": 3}),
    (1, "channels_last", {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "padding": "same"}),
    (2, "channels_first", {"filters": 3, "kernel_size": (3, 2), "strides": (2, 1), "padding": "same"}),
    (2, "channels_last", {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 1}),
    (2, "channels_first", {"filters": 2, "kernel_size": 4, "strides": 2, "padding": "same", "output_padding": (1, 0)}),
    (3, "channels_last", {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same"}),
    (3, "channels_first", {"filters": 2, "kernel_size": 3, "dilation_rate": (2, 1, 1)}),
])
def test_conv_transpose_matches_torch(rank, data_format, kwargs):
    cls = {1: layers.Conv1DTranspose, 2: layers.Conv2DTranspose, 3: layers.Conv3DTranspose}[rank]
    layer = make_layer(cls, data_format, kwargs)
    x = input_for(rank, data_format, 3, TRANSPOSE_SPATIAL[rank])
    layer.build(x.shape)
    kernel, bias = randomize_weights(layer)
    expected = torch_conv_transpose(x, kernel, bias, layer)
    np.testing.assert_allclose(run_kiln(layer, x), expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("rank,data_format,kwargs", [
    (1, "channels_last", {"kernel_size": 3, "depth_multiplier": 2}),
    (1, "channels_first", {"kernel_size": 2, "strides": 2, "padding": "same"}),
    (2, "channels_last", {"kernel_size": (3, 2), "depth_multiplier": 3, "padding": "same", "strides": (1, 2)}),
    (2, "channels_first", {"kernel_size": 3, "dilation_rate": 2}),
])
def test_depthwise_conv_matches_torch(rank, data_format, kwargs):
    layer = make_layer({1: layers.DepthwiseConv1D, 2: layers.DepthwiseConv2D}[rank], data_format, kwargs)
    x = input_for(rank, data_format, 3, SPATIAL[rank])
    layer.build(x.shape)
    kernel, bias = randomize_weights(layer)
    expected = from_channels_first(torch_depthwise(x, kernel, bias, layer), data_format)
    np.testing.assert_allclose(run_kiln(layer, x), expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("rank,data_format,kwargs", [
    (1, "channels_last", {"filters": 4, "kernel_size": 3, "depth_multiplier": 2}),
    (1, "channels_first", {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"}),
    (2, "channels_last", {"filters": 5, "kernel_size": 3, "padding": "same", "depth_multiplier": 2}),
    (2, "channels_first", {"filters": 3, "kernel_size": (2, 3), "dilation_rate": (2, 1)}),
])
def test_separable_conv_matches_torch(rank, data_format, kwargs):
    layer = make_layer({1: layers.SeparableConv1D, 2: layers.SeparableConv2D}[rank], data_format, kwargs)
    x = input_for(rank, data_format, 3, SPATIAL[rank])
    layer.build(x.shape)
    depthwise, pointwise, bias = randomize_weights(layer)
    expected = torch_separable(x, depthwise, pointwise, bias, layer)
    np.testing.assert_allclose(run_kiln(layer, x), expected, atol=1e-5, rtol=1e-5)
