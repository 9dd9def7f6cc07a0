"""GaussianNoise: conformance, additive noise statistics, identity at inference, bad stddev."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.GaussianNoise, {"stddev": 0.5, "seed": 1}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   expected_num_seed_generators=1, training_changes_output=True,
                   input_mask=np.ones((2, 3), bool), expected_output_mask=np.ones((2, 3), bool))


def test_noise_statistics():
    x = np.random.default_rng(0).standard_normal((200, 100)).astype(np.float32)
    y = to_numpy(layers.GaussianNoise(0.25, seed=5)(ops.convert_to_tensor(x), training=True))
    noise = y - x
    assert abs(noise.mean()) < 0.01
    assert abs(noise.std() - 0.25) < 0.01


def test_identity_at_inference_and_zero_stddev():
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_array_equal(to_numpy(layers.GaussianNoise(0.3)(ops.convert_to_tensor(x))), x)
    np.testing.assert_array_equal(
        to_numpy(layers.GaussianNoise(0.0)(ops.convert_to_tensor(x), training=True)), x)


def test_new_noise_each_call():
    layer = layers.GaussianNoise(0.5, seed=0)
    x = ops.zeros((2, 8))
    a, b = to_numpy(layer(x, training=True)), to_numpy(layer(x, training=True))
    assert not np.allclose(a, b)


@pytest.mark.parametrize("stddev", [-1.0, 3.0, "x"])
def test_bad_stddev(stddev):
    with pytest.raises(ValueError, match="GaussianNoise.*stddev"):
        layers.GaussianNoise(stddev)
