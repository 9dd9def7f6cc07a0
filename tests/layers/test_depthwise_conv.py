"""DepthwiseConv1D/2D: conformance, weights and config as Keras, bad input.

Values against torch.nn.functional (grouped convolution) live in test_conv_torch_numerics.py.
"""

import pytest

from conformance import run_layer_test
from kiln import KerasTensor, layers, ops


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (layers.DepthwiseConv1D, {"kernel_size": 3, "depth_multiplier": 2}, (2, 7, 3), (2, 5, 6)),
    (layers.DepthwiseConv2D, {"kernel_size": 2, "data_format": "channels_first", "strides": 2,
                              "padding": "same", "depth_multiplier": 2, "activation": "relu"},
     (1, 2, 4, 3), (1, 4, 2, 2)),
])
def test_conformance(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=0)


def test_weights_as_keras():
    layer = layers.DepthwiseConv2D((3, 2), depth_multiplier=4, name="dw",
                                   depthwise_initializer="zeros")
    layer.build((None, 6, 6, 3))
    assert [v.path for v in layer.weights] == ["dw/kernel", "dw/bias"]
    assert layer.kernel.shape == (3, 2, 3, 4) and layer.bias.shape == (12,)
    plain = layers.DepthwiseConv1D(3, use_bias=False, depthwise_initializer="ones")
    assert plain(ops.ones((1, 5, 2))).shape == (1, 3, 2) and len(plain.weights) == 1


def test_symbolic_shapes():
    layer = layers.DepthwiseConv1D(3, strides=2, padding="same", depth_multiplier=3)
    assert layer(KerasTensor((None, None, 2))).shape == (None, None, 6)


def test_config_keys():
    config = layers.DepthwiseConv2D(3, depth_multiplier=2).get_config()
    assert list(config) == ["name", "trainable", "dtype", "depth_multiplier", "kernel_size",
                            "strides", "padding", "data_format", "dilation_rate", "activation",
                            "use_bias", "depthwise_initializer", "bias_initializer",
                            "depthwise_regularizer", "bias_regularizer", "activity_regularizer",
                            "depthwise_constraint", "bias_constraint"]
    assert config["kernel_size"] == [3, 3] and config["depth_multiplier"] == 2


@pytest.mark.parametrize("kwargs,match", [
    ({"kernel_size": 3, "depth_multiplier": 0}, "depth_multiplier"),
    ({"kernel_size": 0}, "kernel_size"),
    ({"kernel_size": 3, "padding": "full"}, "padding"),
    ({"kernel_size": 3, "strides": 2, "dilation_rate": 2}, "dilation_rate"),
    ({"kernel_size": 3, "depthwise_initializer": "no_such_init"}, "no_such_init"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.DepthwiseConv2D(**kwargs)
    with pytest.raises(ValueError, match="DepthwiseConv1D"):
        layers.DepthwiseConv1D(3, depth_multiplier=-2)


def test_wrong_rank_and_channels():
    layer = layers.DepthwiseConv2D(3, name="dw_x")
    with pytest.raises(ValueError, match="dw_x"):
        layer(ops.ones((1, 5, 3)))
    layer(ops.ones((1, 5, 5, 3)))
    with pytest.raises(ValueError, match="dw_x"):
        layer(ops.ones((1, 5, 5, 2)))
