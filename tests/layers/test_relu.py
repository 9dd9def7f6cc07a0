"""ReLU layer: conformance, values against torch / NumPy, bad constructor arguments."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.ReLU, {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5},
                   input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   input_mask=np.ones((2, 3), bool), expected_output_mask=np.ones((2, 3), bool))


def test_matches_torch_relu_and_relu6():
    x = make_input((3, 5)) * 5
    np.testing.assert_allclose(to_numpy(layers.ReLU()(ops.convert_to_tensor(x))),
                               F.relu(torch.from_numpy(x)).numpy(), atol=1e-5)
    np.testing.assert_allclose(to_numpy(layers.ReLU(max_value=6.0)(ops.convert_to_tensor(x))),
                               F.relu6(torch.from_numpy(x)).numpy(), atol=1e-5)


def test_slope_threshold_and_cap_against_numpy():
    x = make_input((4, 6)) * 4
    y = to_numpy(layers.ReLU(max_value=3.0, negative_slope=0.2, threshold=1.0)(ops.convert_to_tensor(x)))
    want = np.where(x >= 1.0, np.minimum(x, 3.0), 0.2 * (x - 1.0))
    np.testing.assert_allclose(y, want, atol=1e-5)


def test_config_keys():
    config = layers.ReLU(max_value=2.0).get_config()
    assert list(config)[-3:] == ["max_value", "negative_slope", "threshold"]


@pytest.mark.parametrize("kwargs, arg", [({"max_value": -1.0}, "max_value"),
                                         ({"negative_slope": -0.1}, "negative_slope"),
                                         ({"threshold": -2.0}, "threshold"),
                                         ({"negative_slope": None}, "negative_slope")])
def test_negative_arguments_rejected(kwargs, arg):
    with pytest.raises(ValueError, match=f"ReLU.*{arg}"):
        layers.ReLU(**kwargs)
