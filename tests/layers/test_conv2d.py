"""Conv2D: conformance, values vs a NumPy convolution, data formats, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def numpy_conv2d(x, w, b, strides=(1, 1), padding="valid", dilation=(1, 1), groups=1):
    """Reference channels-last 2D convolution (x: NHWC, w: HWIO)."""
    kh, kw, cin_g, cout = w.shape
    eff = [(kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1]
    if padding == "same":
        pads = []
        for length, e, s in zip(x.shape[1:3], eff, strides):
            out = -(-length // s)
            total = max((out - 1) * s + e - length, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])
    n, h, wd, _ = x.shape
    oh = (h - eff[0]) // strides[0] + 1
    ow = (wd - eff[1]) // strides[1] + 1
    out = np.zeros((n, oh, ow, cout), dtype=np.float64)
    cout_g = cout // groups
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * strides[0]:i * strides[0] + eff[0]:dilation[0],
                      j * strides[1]:j * strides[1] + eff[1]:dilation[1], :]
            for g in range(groups):
                p = patch[..., g * cin_g:(g + 1) * cin_g]
                k = w[..., g * cout_g:(g + 1) * cout_g]
                out[:, i, j, g * cout_g:(g + 1) * cout_g] = np.tensordot(p, k, axes=([1, 2, 3], [0, 1, 2]))
    return out + (b if b is not None else 0)


def test_conformance():
    run_layer_test(layers.Conv2D, {"filters": 4, "kernel_size": 3}, input_shape=(2, 8, 8, 3),
                   expected_output_shape=(2, 6, 6, 4), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0)


def test_conformance_same_strides():
    run_layer_test(layers.Conv2D, {"filters": 2, "kernel_size": (3, 2), "strides": 2,
                                   "padding": "same", "activation": "relu"},
                   input_shape=(1, 7, 6, 2), expected_output_shape=(1, 4, 3, 2))


@pytest.mark.parametrize("kwargs", [
    {"filters": 3, "kernel_size": 3},
    {"filters": 2, "kernel_size": (2, 3), "strides": (2, 1), "padding": "same"},
    {"filters": 2, "kernel_size": 3, "dilation_rate": 2},
    {"filters": 4, "kernel_size": 2, "groups": 2},
])
def test_matches_numpy(kwargs):
    x = make_input((2, 7, 7, 4))
    layer = layers.Conv2D(**kwargs)
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    w, b = layer.kernel.numpy(), layer.bias.numpy()
    expected = numpy_conv2d(x, w, b, strides=layer.strides, padding=layer.padding,
                            dilation=layer.dilation_rate, groups=layer.groups)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)
    assert y.shape == layer.compute_output_shape(x.shape)


def test_channels_first():
    x = make_input((1, 3, 6, 6))
    layer = layers.Conv2D(2, 3, data_format="channels_first")
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    expected = numpy_conv2d(np.transpose(x, (0, 2, 3, 1)), layer.kernel.numpy(), layer.bias.numpy())
    np.testing.assert_allclose(y, np.transpose(expected, (0, 3, 1, 2)), rtol=1e-4, atol=1e-4)
    assert layer(KerasTensor((None, 3, 6, 6))).shape == (None, 2, 4, 4)


def test_kernel_shape_and_names():
    layer = layers.Conv2D(8, (3, 5), name="c")
    layer.build((None, 10, 10, 3))
    assert [v.path for v in layer.weights] == ["c/kernel", "c/bias"]
    assert layer.kernel.shape == (3, 5, 3, 8)


def test_config_keys_match_keras():
    config = layers.Conv2D(8, 3, padding="same", activation="relu").get_config()
    assert list(config) == ["name", "trainable", "dtype", "filters", "kernel_size", "strides",
                            "padding", "data_format", "dilation_rate", "groups", "activation",
                            "use_bias", "kernel_initializer", "bias_initializer",
                            "kernel_regularizer", "bias_regularizer", "activity_regularizer",
                            "kernel_constraint", "bias_constraint"]
    assert config["kernel_size"] == [3, 3] and config["strides"] == [1, 1]


def test_rank_3_input_rejected():
    with pytest.raises(ValueError, match="ndim=4"):
        layers.Conv2D(2, 3, name="conv_x")(ops.ones((2, 8, 3)))


def test_wrong_channels_after_build():
    layer = layers.Conv2D(2, 3, name="conv_y")
    layer(ops.ones((1, 5, 5, 3)))
    with pytest.raises(ValueError, match="conv_y"):
        layer(ops.ones((1, 5, 5, 4)))


@pytest.mark.parametrize("kwargs", [
    {"filters": 0, "kernel_size": 3},
    {"filters": 3, "kernel_size": 3, "groups": 2},
    {"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
    {"filters": 2, "kernel_size": 3, "padding": "causal"},
    {"filters": 2, "kernel_size": (3, 3, 3)},
])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError):
        layers.Conv2D(**kwargs)


def test_groups_must_divide_input_channels():
    with pytest.raises(ValueError, match="groups"):
        layers.Conv2D(4, 3, groups=2)(ops.ones((1, 5, 5, 3)))


def test_mixed_precision():
    layer = layers.Conv2D(2, 3, dtype="mixed_float16")
    y = layer(ops.ones((1, 5, 5, 3)))
    assert ops.dtype(y) == "float16" and layer.kernel.dtype == "float32"
