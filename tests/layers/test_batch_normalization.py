"""BatchNormalization: conformance, training vs inference, moving statistics vs torch batch_norm, stateless use."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.BatchNormalization, {}, input_shape=(4, 3),
                   expected_output_shape=(4, 3), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=2)


def test_conformance_conv_axis_and_no_center():
    run_layer_test(layers.BatchNormalization, {"axis": 1, "center": False},
                   input_shape=(2, 3, 4, 4), expected_output_shape=(2, 3, 4, 4),
                   expected_num_trainable_weights=1, expected_num_non_trainable_weights=2)


def test_weight_order_and_names():
    layer = layers.BatchNormalization(name="bn")
    layer.build((None, 5))
    assert [v.path for v in layer.weights] == ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"]
    assert [v.trainable for v in layer.weights] == [True, True, False, False]


def test_training_uses_batch_moments_and_updates_moving_stats():
    x = make_input((16, 3)) * 2 + 1
    layer = layers.BatchNormalization(momentum=0.9)
    y = to_numpy(layer(ops.convert_to_tensor(x), training=True))
    mean, var = x.mean(axis=0), x.var(axis=0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
    layer(ops.convert_to_tensor(x), training=True)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.19 * mean, rtol=1e-5, atol=1e-6)


def test_inference_uses_moving_stats():
    x = make_input((8, 2))
    layer = layers.BatchNormalization(epsilon=0.0)
    layer.build((None, 2))
    layer.moving_mean.assign(np.array([1.0, -1.0], dtype="float32"))
    layer.moving_variance.assign(np.array([4.0, 0.25], dtype="float32"))
    layer.gamma.assign(np.array([2.0, 1.0], dtype="float32"))
    layer.beta.assign(np.array([0.5, 0.0], dtype="float32"))
    expected = (x - [1.0, -1.0]) / np.sqrt([4.0, 0.25]) * [2.0, 1.0] + [0.5, 0.0]
    for training in (None, False):
        np.testing.assert_allclose(to_numpy(layer(ops.convert_to_tensor(x), training=training)),
                                   expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), [1.0, -1.0])


def test_frozen_layer_runs_in_inference_mode():
    x = make_input((8, 2))
    layer = layers.BatchNormalization()
    layer.build((None, 2))
    layer.trainable = False
    y = to_numpy(layer(ops.convert_to_tensor(x), training=True))
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), [0.0, 0.0])


def test_stateless_call_returns_updated_moving_stats():
    x = make_input((8, 2))
    layer = layers.BatchNormalization(momentum=0.5)
    layer.build((None, 2))
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]
    _, new_ntv = layer.stateless_call(tv, ntv, ops.convert_to_tensor(x), training=True)
    np.testing.assert_allclose(to_numpy(new_ntv[0]), 0.5 * x.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.moving_mean.numpy(), [0.0, 0.0])


def test_config_keys_match_keras():
    assert list(layers.BatchNormalization().get_config()) == [
        "name", "trainable", "dtype", "axis", "momentum", "epsilon", "center", "scale",
        "beta_initializer", "gamma_initializer", "moving_mean_initializer",
        "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
        "beta_constraint", "gamma_constraint", "synchronized", "renorm", "renorm_clipping",
        "renorm_momentum"]


def test_wrong_feature_size_after_build():
    layer = layers.BatchNormalization(name="bn_x")
    layer(ops.ones((2, 3)))
    with pytest.raises(ValueError, match="bn_x"):
        layer(ops.ones((2, 4)))


def _torch_reference_setup(shape, axis):
    import torch

    x = make_input(shape, seed=3) * 2 + 0.5
    channels = shape[axis]
    gamma, beta = make_input((channels,), seed=4), make_input((channels,), seed=5)
    layer = layers.BatchNormalization(axis=axis, momentum=0.8, epsilon=1e-5)
    layer.build((None,) + shape[1:])
    moving_mean, moving_var = make_input((channels,), seed=6), np.abs(make_input((channels,), seed=7)) + 0.5
    layer.set_weights([gamma, beta, moving_mean, moving_var])
    # torch wants the channels on axis 1.
    xt = torch.from_numpy(np.moveaxis(x, axis, 1).copy())
    return torch, x, xt, layer, gamma, beta, moving_mean, moving_var


@pytest.mark.parametrize("shape, axis", [((16, 3), -1), ((4, 3, 2, 5), 1)])
def test_training_step_matches_torch_batch_norm(shape, axis):
    import torch.nn.functional as F

    torch, x, xt, layer, gamma, beta, mm, mv = _torch_reference_setup(shape, axis)
    running_mean, running_var = torch.from_numpy(mm.copy()), torch.from_numpy(mv.copy())
    # Keras momentum m keeps m of the old statistic; torch's momentum is the new batch's share.
    want = F.batch_norm(xt, running_mean, running_var, torch.from_numpy(gamma),
                        torch.from_numpy(beta), training=True, momentum=1 - 0.8, eps=1e-5)
    y = to_numpy(layer(ops.convert_to_tensor(x), training=True))
    np.testing.assert_allclose(y, np.moveaxis(want.numpy(), 1, axis), atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), running_mean.numpy(), atol=1e-5)
    # torch updates running_var with the unbiased batch variance, Keras with the biased one.
    n = x.size // x.shape[axis]
    torch_batch_var = (running_var.numpy() - 0.8 * mv) / 0.2
    np.testing.assert_allclose(layer.moving_variance.numpy(),
                               0.8 * mv + 0.2 * torch_batch_var * (n - 1) / n, atol=1e-5)


@pytest.mark.parametrize("shape, axis", [((16, 3), -1), ((4, 3, 2, 5), 1)])
def test_inference_matches_torch_batch_norm(shape, axis):
    import torch.nn.functional as F

    torch, x, xt, layer, gamma, beta, mm, mv = _torch_reference_setup(shape, axis)
    want = F.batch_norm(xt, torch.from_numpy(mm), torch.from_numpy(mv), torch.from_numpy(gamma),
                        torch.from_numpy(beta), training=False, eps=1e-5)
    y = to_numpy(layer(ops.convert_to_tensor(x), training=False))
    np.testing.assert_allclose(y, np.moveaxis(want.numpy(), 1, axis), atol=1e-5)
