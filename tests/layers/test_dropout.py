"""Dropout: conformance, identity at inference, rate and scaling in training, noise_shape."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.Dropout, {"rate": 0.5}, input_shape=(2, 3),
                   expected_output_shape=(2, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, expected_num_seed_generators=1)


def test_identity_at_inference():
    x = ops.convert_to_tensor(np.random.rand(4, 5).astype("float32"))
    layer = layers.Dropout(0.7)
    for training in (None, False):
        np.testing.assert_array_equal(to_numpy(layer(x, training=training)), to_numpy(x))


def test_rate_and_scale_in_training():
    layer = layers.Dropout(0.25, seed=3)
    y = to_numpy(layer(ops.ones((200, 100)), training=True))
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert abs(1 - kept.mean() - 0.25) < 0.02


def test_new_mask_each_call():
    layer = layers.Dropout(0.5, seed=1)
    x = ops.ones((8, 16))
    a, b = to_numpy(layer(x, training=True)), to_numpy(layer(x, training=True))
    assert not np.array_equal(a, b)


def test_noise_shape_with_none():
    layer = layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=0)
    y = to_numpy(layer(ops.ones((3, 4, 6)), training=True))
    # The same features are dropped at every step.
    assert (y == y[:, :1, :]).all()


def test_rate_zero_and_config():
    layer = layers.Dropout(0.0)
    np.testing.assert_array_equal(to_numpy(layer(ops.ones((2, 2)), training=True)), np.ones((2, 2)))
    assert list(layers.Dropout(0.1).get_config()) == ["name", "trainable", "dtype", "rate", "seed",
                                                      "noise_shape"]


@pytest.mark.parametrize("rate", [-0.1, 1.5, "x"])
def test_invalid_rate(rate):
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(rate)


def test_seed_state_lives_under_the_layer_and_advances_statelessly():
    layer = layers.Dropout(0.5, seed=2, name="drop")
    assert [v.path for v in layer.non_trainable_variables] == ["drop/seed_generator/seed_generator_state"]
    x = ops.ones((4, 32))
    state = [v.value for v in layer.non_trainable_variables]
    y1, state2 = layer.stateless_call([], state, x, training=True)
    y2, _ = layer.stateless_call([], state2, x, training=True)
    y1_again, _ = layer.stateless_call([], state, x, training=True)
    assert not np.array_equal(to_numpy(y1), to_numpy(y2))
    np.testing.assert_array_equal(to_numpy(y1), to_numpy(y1_again))
