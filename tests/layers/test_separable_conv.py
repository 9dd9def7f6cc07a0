"""SeparableConv1D/2D: conformance, weights and config as Keras, bad input.

Values against torch.nn.functional live in test_conv_torch_numerics.py.
"""

import pytest

from conformance import run_layer_test
from kiln import KerasTensor, layers, ops


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (layers.SeparableConv1D, {"filters": 4, "kernel_size": 3, "depth_multiplier": 2}, (2, 7, 3),
     (2, 5, 4)),
    (layers.SeparableConv2D, {"filters": 3, "kernel_size": 3, "padding": "same", "strides": 2,
                              "activation": "tanh", "data_format": "channels_first"},
     (2, 2, 5, 4), (2, 3, 3, 2)),
])
def test_conformance(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=3, expected_num_non_trainable_weights=0)


def test_weights_as_keras():
    layer = layers.SeparableConv2D(5, (3, 2), depth_multiplier=2, name="sep",
                                   depthwise_initializer="zeros", pointwise_initializer="zeros")
    layer.build((None, 6, 6, 3))
    assert [v.path for v in layer.weights] == ["sep/depthwise_kernel", "sep/pointwise_kernel",
                                               "sep/bias"]
    assert layer.depthwise_kernel.shape == (3, 2, 3, 2)
    assert layer.pointwise_kernel.shape == (1, 1, 6, 5) and layer.bias.shape == (5,)
    one = layers.SeparableConv1D(4, 3, use_bias=False, depthwise_initializer="zeros",
                                 pointwise_initializer="zeros")
    one.build((None, 5, 2))
    assert [tuple(v.shape) for v in one.weights] == [(3, 2, 1), (1, 2, 4)]


def test_symbolic_shapes():
    layer = layers.SeparableConv1D(6, 3, strides=2, padding="same")
    assert layer(KerasTensor((None, None, 2))).shape == (None, None, 6)
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    assert layers.SeparableConvolution1D is layers.SeparableConv1D


def test_config_keys():
    config = layers.SeparableConv2D(8, 3).get_config()
    assert list(config) == ["name", "trainable", "dtype", "depth_multiplier", "filters",
                            "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                            "activation", "use_bias", "depthwise_initializer",
                            "pointwise_initializer", "bias_initializer", "depthwise_regularizer",
                            "pointwise_regularizer", "bias_regularizer", "activity_regularizer",
                            "depthwise_constraint", "pointwise_constraint", "bias_constraint"]


@pytest.mark.parametrize("kwargs,match", [
    ({"filters": 0, "kernel_size": 3}, "filters"),
    ({"filters": 2, "kernel_size": 3, "depth_multiplier": 0}, "depth_multiplier"),
    ({"filters": 2, "kernel_size": (3, 3, 3)}, "kernel_size"),
    ({"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding"),
    ({"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, "dilation_rate"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.SeparableConv2D(**kwargs)


def test_wrong_rank_and_channels():
    layer = layers.SeparableConv1D(2, 3, name="sep_x")
    with pytest.raises(ValueError, match="sep_x"):
        layer(ops.ones((1, 5, 5, 3)))
    layer(ops.ones((1, 5, 3)))
    with pytest.raises(ValueError, match="sep_x"):
        layer(ops.ones((1, 5, 4)))
