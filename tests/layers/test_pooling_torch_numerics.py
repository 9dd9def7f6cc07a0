"""Pooling layers vs torch.nn.functional (atol 1e-5): max/average 1D/2D/3D with "valid"
and "same" padding and strides, global 1D/2D/3D, adaptive average/max 1D/2D/3D, in both
data formats.

Torch pads symmetrically and counts padding in averages, so "same" windows are padded by
hand the way Keras does (extra element at the end; -inf for max; averages divide by the
number of real elements).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance import make_input, to_numpy
from kiln import layers, ops

MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
ADAPTIVE = {("average", 1): F.adaptive_avg_pool1d, ("average", 2): F.adaptive_avg_pool2d,
            ("average", 3): F.adaptive_avg_pool3d, ("max", 1): F.adaptive_max_pool1d,
            ("max", 2): F.adaptive_max_pool2d, ("max", 3): F.adaptive_max_pool3d}


def same_pads(spatial, pool_size, strides):
    pads = []
    for length, k, s in zip(spatial, pool_size, strides):
        total = max((-(-length // s) - 1) * s + k - length, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def torch_pad(x, pads, value=0.0):
    return F.pad(x, [p for pair in reversed(pads) for p in pair], value=value)


def channels_first(x, data_format):
    t = x if data_format == "channels_first" else np.moveaxis(x, -1, 1)
    return torch.from_numpy(np.ascontiguousarray(t))


def back(y, data_format):
    y = y.numpy()
    return y if data_format == "channels_first" else np.moveaxis(y, 1, -1)


def torch_pool(x, layer, mode):
    rank = len(layer.pool_size)
    t = channels_first(x, layer.data_format)
    kw = {"kernel_size": layer.pool_size, "stride": layer.strides}
    if layer.padding == "valid":
        y = (MAX if mode == "max" else AVG)[rank](t, **kw)
    else:
        pads = same_pads(t.shape[2:], layer.pool_size, layer.strides)
        if mode == "max":
            y = MAX[rank](torch_pad(t, pads, float("-inf")), **kw)
        else:
            total = AVG[rank](torch_pad(t, pads), **kw)
            count = AVG[rank](torch_pad(torch.ones_like(t), pads), **kw)
            y = total / count
    return back(y, layer.data_format)


def shape_for(data_format, spatial, channels=3):
    return (2,) + spatial + (channels,) if data_format == "channels_last" else (2, channels) + spatial


def run_kiln(layer, x):
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    assert y.shape == layer.compute_output_shape(x.shape)
    return y


@pytest.mark.parametrize("mode,rank,data_format,kwargs,spatial", [
    ("max", 1, "channels_last", {"pool_size": 3, "strides": 2}, (9,)),
    ("max", 1, "channels_first", {"pool_size": 2, "padding": "same"}, (7,)),
    ("average", 1, "channels_last", {"pool_size": 3, "strides": 2, "padding": "same"}, (8,)),
    ("max", 2, "channels_first", {"pool_size": (3, 2), "strides": (2, 1), "padding": "same"}, (7, 5)),
    ("average", 2, "channels_last", {"pool_size": 2}, (6, 5)),
    ("average", 2, "channels_first", {"pool_size": 3, "strides": 2, "padding": "same"}, (6, 7)),
    ("max", 3, "channels_last", {"pool_size": 2, "padding": "same"}, (3, 4, 5)),
    ("max", 3, "channels_first", {"pool_size": (2, 1, 2)}, (4, 3, 4)),
    ("average", 3, "channels_last", {"pool_size": 2, "strides": 1}, (3, 4, 3)),
    ("average", 3, "channels_first", {"pool_size": 3, "strides": 2, "padding": "same"}, (4, 5, 3)),
])
def test_pooling_matches_torch(mode, rank, data_format, kwargs, spatial):
    cls = {("max", 1): layers.MaxPooling1D, ("max", 2): layers.MaxPooling2D,
           ("max", 3): layers.MaxPooling3D, ("average", 1): layers.AveragePooling1D,
           ("average", 2): layers.AveragePooling2D, ("average", 3): layers.AveragePooling3D}[mode, rank]
    layer = cls(data_format=data_format, **kwargs)
    x = make_input(shape_for(data_format, spatial))
    np.testing.assert_allclose(run_kiln(layer, x), torch_pool(x, layer, mode), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("mode,rank,data_format,output_size,spatial", [
    ("average", 1, "channels_last", 4, (10,)),
    ("max", 1, "channels_first", 3, (7,)),
    ("average", 2, "channels_first", (3, 2), (7, 5)),
    ("max", 2, "channels_last", (2, 4), (5, 9)),
    ("average", 3, "channels_last", (2, 3, 2), (5, 4, 3)),
    ("max", 3, "channels_first", 2, (3, 5, 4)),
])
def test_adaptive_pooling_matches_torch(mode, rank, data_format, output_size, spatial):
    cls = getattr(layers, f"Adaptive{mode.capitalize()}Pooling{rank}D")
    layer = cls(output_size, data_format=data_format)
    x = make_input(shape_for(data_format, spatial))
    t = channels_first(x, data_format)
    expected = back(ADAPTIVE[mode, rank](t, layer.output_size), data_format)
    np.testing.assert_allclose(run_kiln(layer, x), expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("rank,data_format", [(1, "channels_first"), (2, "channels_last"),
                                              (3, "channels_first"), (3, "channels_last")])
def test_global_pooling_matches_torch(rank, data_format):
    spatial = (5, 3, 4)[:rank]
    x = make_input(shape_for(data_format, spatial))
    t = channels_first(x, data_format)
    avg = getattr(layers, f"GlobalAveragePooling{rank}D")(data_format=data_format)
    mx = getattr(layers, f"GlobalMaxPooling{rank}D")(data_format=data_format, keepdims=True)
    np.testing.assert_allclose(run_kiln(avg, x), ADAPTIVE["average", rank](t, 1).flatten(1).numpy(),
                               atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(run_kiln(mx, x), back(ADAPTIVE["max", rank](t, 1), data_format),
                               atol=1e-5, rtol=1e-5)
