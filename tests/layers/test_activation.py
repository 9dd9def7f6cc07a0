"""Activation layer: conformance, values, config."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import activations, layers, ops


@pytest.mark.parametrize("name", ["relu", "softmax", "gelu", "linear"])
def test_conformance(name):
    run_layer_test(layers.Activation, {"activation": name}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0)


def test_values_and_callable():
    x = np.array([[-1.0, 2.0]], dtype="float32")
    np.testing.assert_allclose(to_numpy(layers.Activation("relu")(ops.convert_to_tensor(x))), [[0.0, 2.0]])
    layer = layers.Activation(activations.sigmoid)
    np.testing.assert_allclose(to_numpy(layer(ops.convert_to_tensor(x))), 1 / (1 + np.exp(-x)), rtol=1e-6)
    assert layer.get_config()["activation"] == "sigmoid"


def test_config_keys_match_keras():
    assert list(layers.Activation("relu").get_config()) == ["name", "trainable", "dtype", "activation"]


def test_unknown_name():
    with pytest.raises(ValueError, match="Unknown activation"):
        layers.Activation("nope")
