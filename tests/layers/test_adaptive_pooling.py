"""AdaptiveAverage/MaxPooling1D/2D/3D: conformance, config, bad input. Values against
torch's adaptive pools live in test_pooling_torch_numerics.py."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


@pytest.mark.parametrize("cls,kwargs,shape,out", [
    (layers.AdaptiveAveragePooling1D, {"output_size": 3}, (2, 7, 2), (2, 3, 2)),
    (layers.AdaptiveMaxPooling2D, {"output_size": (2, 3), "data_format": "channels_first"},
     (1, 3, 5, 7), (1, 3, 2, 3)),
    (layers.AdaptiveAveragePooling3D, {"output_size": 2, "data_format": "channels_first"},
     (1, 2, 3, 4, 5), (1, 2, 2, 2, 2)),
])
def test_conformance(cls, kwargs, shape, out):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


def test_overlapping_bins():
    x = np.arange(5, dtype="float32").reshape(1, 5, 1)
    y = to_numpy(layers.AdaptiveAveragePooling1D(3)(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(y.ravel(), [0.5, 2.0, 3.5])  # bins [0, 2), [1, 4), [3, 5)
    y = to_numpy(layers.AdaptiveMaxPooling1D(3)(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(y.ravel(), [1.0, 3.0, 4.0])


def test_config():
    config = layers.AdaptiveMaxPooling2D(3, name="amp").get_config()
    assert list(config) == ["name", "trainable", "dtype", "output_size", "data_format"]
    assert config["output_size"] == [3, 3]
    assert layers.AdaptiveMaxPooling2D.from_config(config).output_size == (3, 3)


def test_symbolic_none_dims():
    layer = layers.AdaptiveAveragePooling2D((4, 4))
    assert layer(KerasTensor((None, None, None, 3))).shape == (None, 4, 4, 3)


@pytest.mark.parametrize("kwargs,match", [
    ({"output_size": 0}, "output_size"),
    ({"output_size": (2, 2, 2)}, "output_size"),
    ({"output_size": 2, "data_format": "channels_middle"}, "data_format"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"AdaptiveAveragePooling2D.*{match}"):
        layers.AdaptiveAveragePooling2D(**kwargs)


def test_wrong_rank():
    with pytest.raises(ValueError, match="amp_x.*ndim=3"):
        layers.AdaptiveMaxPooling1D(2, name="amp_x")(ops.ones((1, 4, 4, 2)))
