"""LayerNormalization: conformance, values vs NumPy and torch layer_norm, multiple axes, rms_scaling."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.LayerNormalization, {}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0)


def test_values():
    x = make_input((3, 5)) * 3 + 2
    layer = layers.LayerNormalization()
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    expected = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)
    assert [v.path for v in layer.weights] == [f"{layer.name}/gamma", f"{layer.name}/beta"]


def test_multiple_axes_with_gamma_beta():
    x = make_input((2, 3, 4))
    layer = layers.LayerNormalization(axis=[1, 2], epsilon=1e-6)
    layer.build((None, 3, 4))
    gamma = np.random.rand(3, 4).astype("float32")
    beta = np.random.rand(3, 4).astype("float32")
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-6) * gamma + beta, rtol=1e-4, atol=1e-4)


def test_non_trailing_axis():
    x = make_input((2, 3, 4))
    layer = layers.LayerNormalization(axis=1)
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    expected = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)


def test_rms_scaling():
    x = make_input((2, 6))
    layer = layers.LayerNormalization(rms_scaling=True)
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(y, x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-3), rtol=1e-4, atol=1e-5)
    assert len(layer.weights) == 1


def test_config_keys_match_keras():
    config = layers.LayerNormalization().get_config()
    assert list(config) == ["name", "trainable", "dtype", "axis", "epsilon", "center", "scale",
                            "rms_scaling", "beta_initializer", "gamma_initializer",
                            "beta_regularizer", "gamma_regularizer", "beta_constraint",
                            "gamma_constraint"]
    assert config["axis"] == [-1] and config["epsilon"] == 1e-3


@pytest.mark.parametrize("axis, normalized_shape", [(-1, (5,)), ([-2, -1], (4, 5))])
def test_matches_torch_layer_norm(axis, normalized_shape):
    import torch
    import torch.nn.functional as F

    x = make_input((2, 4, 5), seed=1) * 3 + 1
    layer = layers.LayerNormalization(axis=axis, epsilon=1e-5)
    layer.build(x.shape)
    gamma, beta = make_input(normalized_shape, seed=2), make_input(normalized_shape, seed=3)
    layer.set_weights([gamma, beta])
    want = F.layer_norm(torch.from_numpy(x), normalized_shape, torch.from_numpy(gamma),
                        torch.from_numpy(beta), eps=1e-5).numpy()
    np.testing.assert_allclose(to_numpy(layer(ops.convert_to_tensor(x))), want, atol=1e-5)
