"""Conv1D/2D/3DTranspose: conformance, weights and config as Keras, output sizes, bad input.

Values against torch.nn.functional live in test_conv_torch_numerics.py.
"""

import pytest

from conformance import run_layer_test
from kiln import KerasTensor, layers, ops


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (layers.Conv1DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2}, (2, 4, 2), (2, 9, 3)),
    (layers.Conv2DTranspose, {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                              "activation": "relu", "data_format": "channels_first",
                              "output_padding": (1, 0)}, (2, 3, 4, 3), (2, 2, 8, 5)),
    (layers.Conv3DTranspose, {"filters": 2, "kernel_size": 2, "strides": 2}, (1, 2, 2, 1, 2),
     (1, 4, 4, 2, 2)),
])
def test_conformance(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("kwargs,length,expected", [
    ({"kernel_size": 3, "strides": 2}, 5, 11),
    ({"kernel_size": 2, "strides": 3}, 5, 15),
    ({"kernel_size": 3, "strides": 2, "padding": "same"}, 5, 10),
    ({"kernel_size": 3, "strides": 2, "output_padding": 1}, 5, 12),
    ({"kernel_size": 4, "strides": 2, "padding": "same", "output_padding": 1}, 5, 9),
    ({"kernel_size": 3, "dilation_rate": 2}, 5, 9),
])
def test_output_length(kwargs, length, expected):
    layer = layers.Conv1DTranspose(2, **kwargs)
    assert layer(KerasTensor((None, length, 3))).shape == (None, expected, 2)
    assert layer.compute_output_shape((None, None, 3)) == (None, None, 2)


def test_weights_as_keras():
    layer = layers.Conv2DTranspose(5, (3, 2), name="up", kernel_initializer="zeros")
    layer.build((None, 4, 4, 3))
    assert [v.path for v in layer.weights] == ["up/kernel", "up/bias"]
    assert layer.kernel.shape == (3, 2, 5, 3) and layer.bias.shape == (5,)
    plain = layers.Conv1DTranspose(2, 3, use_bias=False, kernel_initializer="ones")
    assert plain(ops.ones((1, 4, 3))).shape == (1, 6, 2) and len(plain.weights) == 1


def test_config_keys():
    config = layers.Conv2DTranspose(4, 3, output_padding=(1, 0), strides=2).get_config()
    assert list(config) == ["name", "trainable", "dtype", "filters", "kernel_size", "strides",
                            "padding", "output_padding", "data_format", "dilation_rate",
                            "activation", "use_bias", "kernel_initializer", "bias_initializer",
                            "kernel_regularizer", "bias_regularizer", "activity_regularizer",
                            "kernel_constraint", "bias_constraint"]
    assert config["output_padding"] == [1, 0] and config["kernel_size"] == [3, 3]
    assert layers.Conv2DTranspose.from_config(config).output_padding == (1, 0)
    assert layers.Conv3DTranspose(2, 2).get_config()["output_padding"] is None


def test_aliases():
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.Convolution1DTranspose is layers.Conv1DTranspose
    assert layers.Convolution3DTranspose is layers.Conv3DTranspose


@pytest.mark.parametrize("kwargs,match", [
    ({"filters": 0, "kernel_size": 3}, "filters"),
    ({"filters": 2, "kernel_size": (3, 3, 3)}, "kernel_size"),
    ({"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding"),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 2}, "output_padding"),
    ({"filters": 2, "kernel_size": 3, "output_padding": -1}, "output_padding"),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, "dilation_rate"),
    ({"filters": 2, "kernel_size": 3, "data_format": "nhwc"}, "data_format"),
    ({"filters": 2, "kernel_size": 3, "activation": "no_such_activation"}, "no_such_activation"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.Conv2DTranspose(**kwargs)


def test_invalid_argument_names_layer():
    with pytest.raises(ValueError, match="Conv1DTranspose 'deconv'"):
        layers.Conv1DTranspose(-1, 3, name="deconv")


def test_wrong_rank_and_channels():
    layer = layers.Conv2DTranspose(2, 3, name="deconv_x")
    with pytest.raises(ValueError, match="deconv_x.*ndim=4"):
        layer(ops.ones((1, 4, 3)))
    layer(ops.ones((1, 4, 4, 3)))
    with pytest.raises(ValueError, match="deconv_x"):
        layer(ops.ones((1, 4, 4, 5)))
