"""ELU layer: conformance, values against torch, bad alpha."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.ELU, {"alpha": 0.7}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0)


@pytest.mark.parametrize("alpha", [1.0, 0.5])
def test_matches_torch(alpha):
    x = make_input((3, 6)) * 3
    y = to_numpy(layers.ELU(alpha=alpha)(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(y, F.elu(torch.from_numpy(x), alpha).numpy(), atol=1e-5)


def test_config():
    assert layers.ELU(alpha=2.0).get_config()["alpha"] == 2.0


def test_bad_alpha():
    with pytest.raises(ValueError, match="ELU.*alpha"):
        layers.ELU(alpha="big")
