"""GroupNormalization: conformance, values against torch group_norm, weights/config, bad input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.GroupNormalization, {"groups": 2}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0,
                   input_mask=np.ones((2, 3), bool), expected_output_mask=np.ones((2, 3), bool))


def test_conformance_channels_first_no_center():
    run_layer_test(layers.GroupNormalization, {"groups": 3, "axis": 1, "center": False},
                   input_shape=(2, 6, 2, 2), expected_output_shape=(2, 6, 2, 2),
                   expected_num_trainable_weights=1)


def _random_weights(layer, channels):
    gamma = make_input((channels,), seed=5)
    beta = make_input((channels,), seed=6)
    layer.set_weights([gamma, beta])
    return gamma, beta


@pytest.mark.parametrize("groups", [1, 3, 6, -1])
def test_matches_torch_channels_last(groups):
    x = make_input((2, 4, 5, 6)) * 3 + 1
    layer = layers.GroupNormalization(groups=groups, epsilon=1e-5)
    layer.build(x.shape)
    gamma, beta = _random_weights(layer, 6)
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    torch_groups = 6 if groups == -1 else groups  # -1: one group per channel
    want = F.group_norm(torch.from_numpy(x).permute(0, 3, 1, 2), torch_groups, torch.from_numpy(gamma),
                        torch.from_numpy(beta), eps=1e-5).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(y, want, atol=1e-5)


def test_matches_torch_channels_first():
    x = make_input((3, 4, 7))
    layer = layers.GroupNormalization(groups=2, axis=1)
    layer.build(x.shape)
    gamma, beta = _random_weights(layer, 4)
    want = F.group_norm(torch.from_numpy(x), 2, torch.from_numpy(gamma), torch.from_numpy(beta),
                        eps=1e-3).numpy()
    np.testing.assert_allclose(to_numpy(layer(ops.convert_to_tensor(x))), want, atol=1e-5)


def test_weights_and_config_keys():
    layer = layers.GroupNormalization(groups=2, name="gn")
    layer.build((None, 3, 4))
    assert [(v.path, tuple(v.shape)) for v in layer.weights] == [("gn/gamma", (4,)), ("gn/beta", (4,))]
    assert list(layer.get_config())[3:] == [
        "groups", "axis", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
        "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"]


def test_groups_must_divide_channels():
    with pytest.raises(ValueError, match="gn.*groups.*divide"):
        layers.GroupNormalization(groups=4, name="gn")(ops.ones((1, 2, 6)))
    with pytest.raises(ValueError, match="groups.*more than"):
        layers.GroupNormalization(groups=8)(ops.ones((1, 2, 6)))


@pytest.mark.parametrize("groups", [0, -2, 1.5, True])
def test_bad_groups(groups):
    with pytest.raises(ValueError, match="GroupNormalization.*groups"):
        layers.GroupNormalization(groups=groups)


def test_axis_as_one_element_list_and_bad_axis():
    assert layers.GroupNormalization(axis=[1]).axis == 1
    with pytest.raises(ValueError, match="GroupNormalization.*axis"):
        layers.GroupNormalization(axis=[1, 2])


def test_batch_axis_and_unknown_channels_rejected():
    with pytest.raises(ValueError, match="axis"):
        layers.GroupNormalization(groups=1, axis=0)(ops.ones((2, 3)))
    with pytest.raises(ValueError, match="known"):
        layers.GroupNormalization(groups=1).build((None, 3, None))


def test_wrong_channels_after_build():
    layer = layers.GroupNormalization(groups=2, name="gn2")
    layer(ops.ones((1, 4)))
    with pytest.raises(ValueError, match="gn2"):
        layer(ops.ones((1, 6)))
