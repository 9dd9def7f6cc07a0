"""Discretization: conformance, bins vs np.digitize, adapt (quantiles), output modes, model and tf.data, bad input."""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops

BOUNDARIES = [-0.5, 0.0, 0.7]


def test_conformance_int():
    # Outputs are bin indices: integers, so there is nothing to compute in half precision
    # (the layer's dtype is int64 whatever the policy).
    run_layer_test(layers.Discretization, {"bin_boundaries": BOUNDARIES}, input_shape=(2, 5),
                   expected_output_shape=(2, 5), expected_num_trainable_weights=0,
                   run_mixed_precision_check=False)


def test_one_hot_shape():
    layer = layers.Discretization(bin_boundaries=BOUNDARIES, output_mode="one_hot")
    assert ops.shape(layer(ops.convert_to_tensor([0.1, 1.0, -2.0]))) == (3, 4)
    assert layer(kiln.KerasTensor((None,))).shape == (None, 4)


def test_matches_numpy_digitize():
    x = make_input((4, 6))
    y = to_numpy(layers.Discretization(bin_boundaries=BOUNDARIES)(ops.convert_to_tensor(x)))
    np.testing.assert_array_equal(y, np.digitize(x, BOUNDARIES))


@pytest.mark.parametrize("mode", ["multi_hot", "count"])
def test_encoded_modes_match_numpy(mode):
    x = make_input((3, 5))
    y = to_numpy(layers.Discretization(bin_boundaries=BOUNDARIES, output_mode=mode)(ops.convert_to_tensor(x)))
    counts = np.stack([np.bincount(row, minlength=4) for row in np.digitize(x, BOUNDARIES)])
    np.testing.assert_array_equal(y, counts if mode == "count" else (counts > 0))


def test_adapt_quantiles():
    layer = layers.Discretization(num_bins=4, epsilon=0.01)
    layer.adapt(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]))
    y = to_numpy(layer(ops.convert_to_tensor([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])))
    np.testing.assert_array_equal(y, [[0, 2, 3, 1], [1, 3, 2, 1]])
    ds_layer = layers.Discretization(num_bins=4)
    ds_layer.adapt(tf.data.Dataset.from_tensor_slices(np.arange(8.0)).batch(3))
    assert ds_layer.bin_boundaries == [2.0, 4.0, 6.0]
    assert ds_layer.get_config()["bin_boundaries"] == [2.0, 4.0, 6.0]


def test_model_and_tf_data():
    x = make_input((4, 3))
    layer = layers.Discretization(bin_boundaries=BOUNDARIES)
    inputs = layers.Input((3,))
    model = kiln.Model(inputs, layer(inputs))
    np.testing.assert_array_equal(model.predict(x, verbose=0), np.digitize(x, BOUNDARIES))
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)
    np.testing.assert_array_equal(np.concatenate([b.numpy() for b in ds]), np.digitize(x, BOUNDARIES))


@pytest.mark.parametrize("kwargs, match", [
    ({}, "bin_boundaries.*num_bins"),
    ({"bin_boundaries": [0.0], "num_bins": 2}, "bin_boundaries.*num_bins"),
    ({"num_bins": 0}, "num_bins"),
    ({"bin_boundaries": [1.0, 0.0]}, "sorted"),
    ({"num_bins": 2, "output_mode": "tf_idf"}, "output_mode"),
    ({"num_bins": 2, "sparse": True}, "sparse"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"Discretization.*{match}"):
        layers.Discretization(**kwargs)


def test_call_before_adapt():
    with pytest.raises(ValueError, match="Discretization.*adapt"):
        layers.Discretization(num_bins=3)(ops.ones((2, 2)))
