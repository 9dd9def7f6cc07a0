"""Max/average pooling 1D/2D: conformance, values vs NumPy, config, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (layers.MaxPooling2D, {}, (2, 6, 6, 3), (2, 3, 3, 3)),
    (layers.MaxPooling2D, {"pool_size": 3, "strides": 2, "padding": "same"}, (1, 7, 5, 2), (1, 4, 3, 2)),
    (layers.AveragePooling2D, {"pool_size": 2}, (2, 4, 4, 3), (2, 2, 2, 3)),
    (layers.MaxPooling1D, {}, (2, 7, 3), (2, 3, 3)),
    (layers.AveragePooling1D, {"pool_size": 3, "strides": 1}, (2, 7, 3), (2, 5, 3)),
])
def test_conformance(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


def test_values_2d():
    x = make_input((2, 4, 6, 3))
    blocks = x.reshape(2, 2, 2, 3, 2, 3)
    np.testing.assert_allclose(to_numpy(layers.MaxPooling2D()(ops.convert_to_tensor(x))),
                               blocks.max(axis=(2, 4)), rtol=1e-6)
    np.testing.assert_allclose(to_numpy(layers.AveragePooling2D(2)(ops.convert_to_tensor(x))),
                               blocks.mean(axis=(2, 4)), rtol=1e-5, atol=1e-6)


def test_values_1d_and_channels_first():
    x = make_input((1, 6, 2))
    np.testing.assert_allclose(to_numpy(layers.MaxPooling1D(3)(ops.convert_to_tensor(x))),
                               x.reshape(1, 2, 3, 2).max(axis=2), rtol=1e-6)
    xc = make_input((1, 2, 4, 4))
    y = to_numpy(layers.MaxPooling2D(data_format="channels_first")(ops.convert_to_tensor(xc)))
    np.testing.assert_allclose(y, xc.reshape(1, 2, 2, 2, 2, 2).max(axis=(3, 5)), rtol=1e-6)
    assert layers.MaxPooling2D(data_format="channels_first")(KerasTensor((None, 2, 4, 4))).shape == (None, 2, 2, 2)


def test_config_keys_match_keras():
    config = layers.MaxPooling2D(name="pool_1").get_config()
    assert config == {"name": "pool_1", "trainable": True, "dtype": config["dtype"],
                      "pool_size": [2, 2], "padding": "valid", "strides": [2, 2],
                      "data_format": "channels_last"}
    assert layers.MaxPooling1D().get_config()["pool_size"] == [2]


def test_wrong_rank():
    with pytest.raises(ValueError, match="ndim=4"):
        layers.MaxPooling2D()(ops.ones((2, 4, 4)))


def test_invalid_padding():
    with pytest.raises(ValueError, match="padding"):
        layers.MaxPooling2D(padding="full")
