"""GaussianDropout: conformance, multiplicative noise statistics, identity at inference, bad rate."""

import math

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.GaussianDropout, {"rate": 0.4, "seed": 1}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   expected_num_seed_generators=1, training_changes_output=True,
                   input_mask=np.ones((2, 3), bool), expected_output_mask=np.ones((2, 3), bool))


def test_mean_preserved_and_noise_stddev():
    rate = 0.3
    x = np.full((200, 100), 2.0, np.float32)
    y = to_numpy(layers.GaussianDropout(rate, seed=4)(ops.convert_to_tensor(x), training=True))
    noise = y / x
    assert abs(noise.mean() - 1.0) < 0.02
    assert abs(noise.std() - math.sqrt(rate / (1 - rate))) < 0.02


def test_identity_at_inference():
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    layer = layers.GaussianDropout(0.5)
    np.testing.assert_array_equal(to_numpy(layer(ops.convert_to_tensor(x), training=False)), x)
    np.testing.assert_array_equal(to_numpy(layer(ops.convert_to_tensor(x))), x)


def test_config_keys():
    assert list(layers.GaussianDropout(0.1).get_config())[-2:] == ["rate", "seed"]


@pytest.mark.parametrize("rate", [-0.1, 1.01])
def test_bad_rate(rate):
    with pytest.raises(ValueError, match="GaussianDropout.*rate"):
        layers.GaussianDropout(rate)
