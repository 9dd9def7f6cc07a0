"""LeakyReLU layer: conformance, values against torch, the deprecated alpha, bad slope."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.LeakyReLU, {"negative_slope": 0.2}, input_shape=(2, 5),
                   expected_output_shape=(2, 5), expected_num_trainable_weights=0)


@pytest.mark.parametrize("slope", [0.3, 0.0])
def test_matches_torch(slope):
    x = make_input((3, 4))
    y = to_numpy(layers.LeakyReLU(negative_slope=slope)(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(y, F.leaky_relu(torch.from_numpy(x), slope).numpy(), atol=1e-5)


def test_alpha_is_a_deprecated_synonym():
    with pytest.warns(UserWarning, match="alpha"):
        layer = layers.LeakyReLU(alpha=0.5)
    assert layer.get_config()["negative_slope"] == 0.5


@pytest.mark.parametrize("slope", [-0.1, None])
def test_bad_slope(slope):
    with pytest.raises(ValueError, match="LeakyReLU.*negative_slope"):
        layers.LeakyReLU(negative_slope=slope)
