"""Rescaling: conformance, x * scale + offset vs NumPy, per-channel scale, model and tf.data, bad input."""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance_per_channel():
    run_layer_test(layers.Rescaling, {"scale": [1.0, 2.0, 3.0], "offset": [0.0, 0.5, 1.0]},
                   input_shape=(2, 4, 4, 3), expected_output_shape=(2, 4, 4, 3))


def test_matches_numpy_and_int_inputs_become_float():
    x = make_input((2, 5), "int32", high=255)
    y = layers.Rescaling(1 / 255, offset=-0.5)(ops.convert_to_tensor(x))
    assert ops.dtype(y) == "float32"
    np.testing.assert_allclose(to_numpy(y), x / 255 - 0.5, atol=1e-6)


def test_model_and_tf_data():
    x = make_input((4, 3))
    layer = layers.Rescaling(2.0, offset=1.0)
    inputs = layers.Input((3,))
    model = kiln.Model(inputs, layer(inputs))
    np.testing.assert_allclose(model.predict(x, verbose=0), 2 * x + 1, atol=1e-6)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)
    np.testing.assert_allclose(np.concatenate([b.numpy() for b in ds]), 2 * x + 1, atol=1e-6)


@pytest.mark.parametrize("scale", [None, "big"])
def test_bad_scale(scale):
    with pytest.raises(ValueError, match="Rescaling.*scale"):
        layers.Rescaling(scale)
