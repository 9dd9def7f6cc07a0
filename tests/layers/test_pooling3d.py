"""MaxPooling3D, AveragePooling3D, GlobalMaxPooling3D, GlobalAveragePooling3D: conformance,
config, bad input. Values against torch live in test_pooling_torch_numerics.py."""

import pytest

from conformance import run_layer_test
from kiln import KerasTensor, layers, ops


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (layers.MaxPooling3D, {}, (2, 4, 4, 2, 3), (2, 2, 2, 1, 3)),
    (layers.AveragePooling3D, {"pool_size": 2, "strides": 1, "padding": "same",
                               "data_format": "channels_first"}, (1, 2, 3, 3, 2), (1, 2, 3, 3, 2)),
    (layers.GlobalMaxPooling3D, {}, (2, 2, 3, 2, 4), (2, 4)),
    (layers.GlobalAveragePooling3D, {"keepdims": True, "data_format": "channels_first"},
     (2, 4, 2, 3, 2), (2, 4, 1, 1, 1)),
])
def test_conformance(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


def test_config_and_aliases():
    assert layers.MaxPooling3D(name="p").get_config() == {
        "name": "p", "trainable": True, "dtype": layers.MaxPooling3D(name="p").get_config()["dtype"],
        "pool_size": [2, 2, 2], "padding": "valid", "strides": [2, 2, 2],
        "data_format": "channels_last"}
    assert list(layers.GlobalAveragePooling3D().get_config())[-2:] == ["data_format", "keepdims"]
    assert layers.MaxPool3D is layers.MaxPooling3D and layers.AvgPool3D is layers.AveragePooling3D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D


def test_symbolic_none_dims():
    assert layers.AveragePooling3D(2)(KerasTensor((None, None, 4, 6, 2))).shape == (None, None, 2, 3, 2)


def test_bad_input():
    with pytest.raises(ValueError, match="pool_size"):
        layers.MaxPooling3D(pool_size=(2, 2))
    with pytest.raises(ValueError, match="padding"):
        layers.AveragePooling3D(2, padding="causal")
    with pytest.raises(ValueError, match="pool3.*ndim=5"):
        layers.MaxPooling3D(name="pool3")(ops.ones((1, 4, 4, 2)))
    with pytest.raises(ValueError, match="gap3.*ndim=5"):
        layers.GlobalAveragePooling3D(name="gap3")(ops.ones((1, 4, 2)))
