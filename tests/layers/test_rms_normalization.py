"""RMSNormalization: conformance, values against torch rms_norm, the scale weight, bad input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.RMSNormalization, {}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1,
                   expected_num_non_trainable_weights=0,
                   input_mask=np.ones((2, 3), bool), expected_output_mask=np.ones((2, 3), bool))


def test_conformance_non_trailing_axes():
    run_layer_test(layers.RMSNormalization, {"axis": [1]}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1)


def test_matches_torch_rms_norm():
    x = make_input((2, 3, 8)) * 2
    layer = layers.RMSNormalization(epsilon=1e-5)
    layer.build(x.shape)
    scale = make_input((8,), seed=3)
    layer.set_weights([scale])
    want = F.rms_norm(torch.from_numpy(x), (8,), torch.from_numpy(scale), eps=1e-5).numpy()
    np.testing.assert_allclose(to_numpy(layer(ops.convert_to_tensor(x))), want, atol=1e-5)


def test_two_trailing_axes_match_torch():
    x = make_input((2, 3, 4))
    layer = layers.RMSNormalization(axis=[-2, -1])
    layer.build(x.shape)
    scale = make_input((3, 4), seed=2)
    layer.set_weights([scale])
    want = F.rms_norm(torch.from_numpy(x), (3, 4), torch.from_numpy(scale), eps=1e-6).numpy()
    np.testing.assert_allclose(to_numpy(layer(ops.convert_to_tensor(x))), want, atol=1e-5)


def test_non_trailing_axis_against_numpy():
    x = make_input((2, 3, 4))
    layer = layers.RMSNormalization(axis=1)
    layer.build(x.shape)
    scale = make_input((3,), seed=4)
    layer.set_weights([scale])
    want = x / np.sqrt((x ** 2).mean(axis=1, keepdims=True) + 1e-6) * scale.reshape(1, 3, 1)
    np.testing.assert_allclose(to_numpy(layer(ops.convert_to_tensor(x))), want, atol=1e-5)


def test_weight_and_config():
    layer = layers.RMSNormalization(name="rms")
    layer.build((None, 5))
    assert [(v.path, tuple(v.shape)) for v in layer.weights] == [("rms/scale", (5,))]
    np.testing.assert_array_equal(layer.scale.numpy(), np.ones(5))
    assert list(layer.get_config())[3:] == ["axis", "epsilon"]


def test_bad_input():
    with pytest.raises(ValueError, match="RMSNormalization.*epsilon"):
        layers.RMSNormalization(epsilon=-1.0)
    with pytest.raises(TypeError, match="RMSNormalization.*axis"):
        layers.RMSNormalization(axis=None)
    with pytest.raises(ValueError, match="rn.*out of range"):
        layers.RMSNormalization(axis=4, name="rn")(ops.ones((2, 3)))
