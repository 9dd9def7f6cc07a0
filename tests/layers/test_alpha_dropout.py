"""AlphaDropout: conformance, SELU-preserving statistics in training, identity at inference, bad rate."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers, ops

_ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946


def test_conformance():
    run_layer_test(layers.AlphaDropout, {"rate": 0.3, "seed": 2}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   expected_num_seed_generators=1, training_changes_output=True,
                   input_mask=np.ones((2, 3), bool), expected_output_mask=np.ones((2, 3), bool))


def test_statistics_in_training():
    rate = 0.2
    x = np.random.default_rng(0).standard_normal((200, 100)).astype(np.float32)
    y = to_numpy(layers.AlphaDropout(rate, seed=1)(ops.convert_to_tensor(x), training=True))
    a = ((1 - rate) * (1 + rate * _ALPHA_P ** 2)) ** -0.5
    b = -a * _ALPHA_P * rate
    dropped = np.isclose(y, a * _ALPHA_P + b, atol=1e-6)
    assert abs(dropped.mean() - rate) < 0.02
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] + b, atol=1e-5)
    # Zero mean / unit variance inputs keep their mean and variance.
    assert abs(y.mean()) < 0.03 and abs(y.var() - 1.0) < 0.05


def test_noise_shape_shares_the_pattern():
    x = np.ones((50, 6, 4), np.float32)
    y = to_numpy(layers.AlphaDropout(0.5, noise_shape=(None, 1, 4), seed=0)(
        ops.convert_to_tensor(x), training=True))
    assert (y == y[:, :1, :]).all()


def test_identity_at_inference_and_rate_zero():
    x = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    np.testing.assert_array_equal(to_numpy(layers.AlphaDropout(0.5)(ops.convert_to_tensor(x))), x)
    np.testing.assert_array_equal(
        to_numpy(layers.AlphaDropout(0.0)(ops.convert_to_tensor(x), training=True)), x)


def test_config_keys():
    assert list(layers.AlphaDropout(0.1).get_config())[-3:] == ["rate", "seed", "noise_shape"]


@pytest.mark.parametrize("rate", [-0.5, 2, None])
def test_bad_rate(rate):
    with pytest.raises(ValueError, match="AlphaDropout.*rate"):
        layers.AlphaDropout(rate)
