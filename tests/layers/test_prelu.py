"""PReLU layer: conformance, alpha weight (shape, shared axes), values against torch, bad input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance import make_input, run_layer_test, to_numpy
from kiln import initializers, layers, ops


def test_conformance():
    run_layer_test(layers.PReLU, {"alpha_initializer": initializers.Constant(0.25)},
                   input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=1, expected_num_non_trainable_weights=0,
                   input_mask=np.ones((2, 3), bool), expected_output_mask=np.ones((2, 3), bool))


def test_conformance_shared_axes():
    run_layer_test(layers.PReLU, {"shared_axes": [1, 2]}, input_shape=(2, 3, 3, 4),
                   expected_output_shape=(2, 3, 3, 4), expected_num_trainable_weights=1)


def test_weight_name_shape_and_config():
    layer = layers.PReLU(shared_axes=2, name="p")
    layer.build((None, 5, 6, 3))
    assert [v.path for v in layer.weights] == ["p/alpha"]
    assert tuple(layer.alpha.shape) == (5, 1, 3)
    config = layer.get_config()
    assert list(config)[-4:] == ["alpha_initializer", "alpha_regularizer", "alpha_constraint",
                                 "shared_axes"]
    assert config["shared_axes"] == [2]
    assert config["alpha_initializer"]["class_name"] == "Zeros"


def test_matches_torch_per_channel():
    x = make_input((2, 4, 4, 3))
    alpha = np.array([0.1, -0.5, 2.0], np.float32)
    layer = layers.PReLU(shared_axes=[1, 2])
    layer.build(x.shape)
    layer.set_weights([alpha.reshape(1, 1, 3)])
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    want = F.prelu(torch.from_numpy(x).permute(0, 3, 1, 2), torch.from_numpy(alpha))
    np.testing.assert_allclose(y, want.permute(0, 2, 3, 1).numpy(), atol=1e-5)


def test_matches_torch_unshared():
    x = make_input((3, 5))
    alpha = make_input((5,), seed=1)
    layer = layers.PReLU()
    layer.build(x.shape)
    layer.set_weights([alpha])
    want = F.prelu(torch.from_numpy(x), torch.from_numpy(alpha)).numpy()
    np.testing.assert_allclose(to_numpy(layer(ops.convert_to_tensor(x))), want, atol=1e-5)


def test_unknown_non_shared_dimension_rejected():
    with pytest.raises(ValueError, match="PReLU.*known size"):
        layers.PReLU().build((None, None, 3))


@pytest.mark.parametrize("shared_axes", [0, [1, "a"]])
def test_bad_shared_axes(shared_axes):
    with pytest.raises(ValueError, match="PReLU.*shared_axes"):
        layers.PReLU(shared_axes=shared_axes)


def test_wrong_feature_size_after_build():
    layer = layers.PReLU(name="pr")
    layer(ops.ones((1, 3)))
    with pytest.raises(ValueError, match="pr"):
        layer(ops.ones((1, 4)))
