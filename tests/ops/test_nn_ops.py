"""nn ops against NumPy: activations, losses, normalization, and conv/pool vs a reference here."""

import itertools

import numpy as np
import pytest

import kiln
from kiln import ops




# -- reference convolution / pooling (channels_last) -----------------------------------
def _pads(spatial, window, strides, padding, dilation):
    pads = []
    for length, k, s, d in zip(spatial, window, strides, dilation):
        eff = (k - 1) * d + 1
        if padding == "valid":
            pads.append((0, 0))
        else:
            out = -(-length // s)
            total = max((out - 1) * s + eff - length, 0)
            pads.append((total // 2, total - total // 2))
    return pads


def _windows(x, window, strides, padding, dilation, fill):
    """Yield (output index, window values of shape (*window, C)) for x of shape (*spatial, C)."""
    spatial = x.shape[:-1]
    pads = _pads(spatial, window, strides, padding, dilation)
    xp = np.pad(x, pads + [(0, 0)], constant_values=fill)
    out_shape = []
    for length, k, s, d, (lo, hi) in zip(spatial, window, strides, dilation, pads):
        eff = (k - 1) * d + 1
        out_shape.append((length + lo + hi - eff) // s + 1)
    for idx in itertools.product(*(range(n) for n in out_shape)):
        sl = tuple(slice(i * s, i * s + (k - 1) * d + 1, d)
                   for i, k, s, d in zip(idx, window, strides, dilation))
        yield idx, xp[sl], out_shape


def np_conv(x, kernel, strides, padding, dilation=1, depthwise=False):
    n = x.ndim - 2
    window = kernel.shape[:n]
    strides = (strides,) * n if isinstance(strides, int) else strides
    dilation = (dilation,) * n if isinstance(dilation, int) else dilation
    outs = []
    for sample in x:
        result = None
        for idx, win, out_shape in _windows(sample, window, strides, padding, dilation, 0.0):
            if result is None:
                channels = kernel.shape[-2] * kernel.shape[-1] if depthwise else kernel.shape[-1]
                result = np.zeros(tuple(out_shape) + (channels,), "float64")
            if depthwise:
                letters = "ijk"[:n]
                val = np.einsum(f"{letters}c,{letters}cm->cm", win, kernel).reshape(-1)
            else:
                val = np.tensordot(win, kernel, axes=n + 1)
            result[idx] = val
        outs.append(result)
    return np.stack(outs).astype("float32")


def np_pool(x, pool, strides, padding, kind):
    n = x.ndim - 2
    pool = (pool,) * n if isinstance(pool, int) else pool
    strides = pool if strides is None else ((strides,) * n if isinstance(strides, int) else strides)
    outs = []
    for sample in x:
        result = None
        for idx, win, out_shape in _windows(sample, pool, strides, padding, (1,) * n, np.nan):
            if result is None:
                result = np.zeros(tuple(out_shape) + (x.shape[-1],), "float64")
            flat = win.reshape(-1, x.shape[-1])
            result[idx] = np.nanmax(flat, 0) if kind == "max" else np.nanmean(flat, 0)
        outs.append(result)
    return np.stack(outs).astype("float32")


def _to_first(x):
    return np.moveaxis(x, -1, 1)


def _to_last(x):
    return np.moveaxis(x, 1, -1)


RNG = np.random.RandomState(1)
CONV_GRID = list(itertools.product([1, 2], ["valid", "same"], [1, 2],
                                   ["channels_last", "channels_first"]))


@pytest.mark.parametrize("rank,padding,strides,data_format", CONV_GRID)
def test_conv_matches_reference(rank, padding, strides, data_format):
    spatial = (7,) * rank
    x = RNG.normal(size=(2,) + spatial + (3,)).astype("float32")
    kernel = RNG.normal(size=(3,) * rank + (3, 4)).astype("float32")
    expected = np_conv(x, kernel, strides, padding)
    inputs = x if data_format == "channels_last" else _to_first(x)
    got = ops.convert_to_numpy(ops.conv(inputs, kernel, strides=strides, padding=padding,
                                        data_format=data_format))
    if data_format == "channels_first":
        got = _to_last(got)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_dilation_and_3d(padding):
    x = RNG.normal(size=(1, 8, 8, 2)).astype("float32")
    kernel = RNG.normal(size=(3, 3, 2, 3)).astype("float32")
    got = ops.conv(x, kernel, padding=padding, dilation_rate=2, data_format="channels_last")
    np.testing.assert_allclose(ops.convert_to_numpy(got), np_conv(x, kernel, 1, padding, dilation=2),
                               rtol=1e-4, atol=1e-4)
    x3 = RNG.normal(size=(1, 4, 5, 4, 2)).astype("float32")
    k3 = RNG.normal(size=(2, 2, 2, 2, 3)).astype("float32")
    got3 = ops.conv(x3, k3, strides=2, padding=padding, data_format="channels_last")
    np.testing.assert_allclose(ops.convert_to_numpy(got3), np_conv(x3, k3, 2, padding),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("padding,strides,data_format", list(itertools.product(
    ["valid", "same"], [1, 2], ["channels_last", "channels_first"])))
def test_depthwise_conv_matches_reference(padding, strides, data_format):
    x = RNG.normal(size=(2, 6, 7, 3)).astype("float32")
    kernel = RNG.normal(size=(3, 3, 3, 2)).astype("float32")
    expected = np_conv(x, kernel, strides, padding, depthwise=True)
    inputs = x if data_format == "channels_last" else _to_first(x)
    got = ops.convert_to_numpy(ops.depthwise_conv(inputs, kernel, strides=strides, padding=padding,
                                                  data_format=data_format))
    if data_format == "channels_first":
        got = _to_last(got)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kind,rank,padding,strides,data_format", list(itertools.product(
    ["max", "average"], [1, 2], ["valid", "same"], [None, 1, 2],
    ["channels_last", "channels_first"])))
def test_pool_matches_reference(kind, rank, padding, strides, data_format):
    x = RNG.normal(size=(2,) + (7,) * rank + (3,)).astype("float32")
    expected = np_pool(x, 2 if rank == 1 else (2, 3), strides, padding, kind)
    inputs = x if data_format == "channels_last" else _to_first(x)
    fn = ops.max_pool if kind == "max" else ops.average_pool
    got = ops.convert_to_numpy(fn(inputs, 2 if rank == 1 else (2, 3), strides=strides,
                                  padding=padding, data_format=data_format))
    if data_format == "channels_first":
        got = _to_last(got)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fn,kwargs", [
    ("conv", {}), ("depthwise_conv", {}), ("max_pool", {}), ("average_pool", {}),
])
@pytest.mark.parametrize("padding,strides", [("valid", 1), ("same", 2)])
def test_conv_pool_symbolic_shapes(fn, kwargs, padding, strides):
    from kiln.backend import KerasTensor

    x = RNG.normal(size=(2, 9, 8, 3)).astype("float32")
    if fn in ("conv", "depthwise_conv"):
        kernel = RNG.normal(size=(3, 3, 3, 2)).astype("float32")
        eager = getattr(ops, fn)(x, kernel, strides=strides, padding=padding,
                                 data_format="channels_last")
        sym = getattr(ops, fn)(KerasTensor((None, 9, None, 3)), KerasTensor(kernel.shape),
                               strides=strides, padding=padding, data_format="channels_last")
    else:
        eager = getattr(ops, fn)(x, 3, strides=strides, padding=padding, data_format="channels_last")
        sym = getattr(ops, fn)(KerasTensor((None, 9, None, 3)), 3, strides=strides, padding=padding,
                               data_format="channels_last")
    shape = tuple(ops.shape(eager))
    assert sym.shape == (None, shape[1], None, shape[3])
    assert sym.dtype == ops.dtype(eager)


def test_conv_symbolic_channel_mismatch_raises():
    from kiln.backend import KerasTensor

    with pytest.raises(ValueError, match="conv"):
        ops.conv(KerasTensor((1, 5, 5, 3)), KerasTensor((3, 3, 2, 4)), data_format="channels_last")
    with pytest.raises(ValueError, match="binary_crossentropy"):
        ops.binary_crossentropy(KerasTensor((2, 3)), KerasTensor((2, 4)))


def test_gelu_silu_softmax_dtypes_follow_input():
    x = ops.cast(ops.convert_to_tensor([[-1.0, 0.0, 1.0]]), "float16")
    for fn in (ops.gelu, ops.silu, ops.softmax, ops.log_softmax, ops.relu):
        assert ops.dtype(fn(x)) == "float16"


@pytest.mark.parametrize("axis", [-1, (1, 2), 1])
def test_layer_normalization_matches_numpy(axis):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    axes = (axis,) if isinstance(axis, int) else axis
    shape = [x.shape[a] if a in [b % 3 for b in axes] else 1 for a in range(3)]
    gamma = rng.normal(size=shape).astype("float32")
    beta = rng.normal(size=shape).astype("float32")
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    want = (x - mean) / np.sqrt(var + 1e-5) * gamma + beta
    if axis == -1:
        gamma, beta = gamma.reshape(-1), beta.reshape(-1)
    got = kiln.ops.layer_normalization(x, gamma, beta, axis=axis, epsilon=1e-5)
    np.testing.assert_allclose(kiln.ops.convert_to_numpy(got), want, rtol=1e-4, atol=1e-5)
    symbolic = kiln.ops.layer_normalization(kiln.KerasTensor((None, 3, 4)), axis=axis)
    assert symbolic.shape == (None, 3, 4) and symbolic.dtype == "float32"
