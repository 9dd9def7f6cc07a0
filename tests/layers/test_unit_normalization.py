"""UnitNormalization: conformance, unit L2 norm along one or several axes, bad axis."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.UnitNormalization, {"axis": -1}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   input_mask=np.ones((2, 3), bool), expected_output_mask=np.ones((2, 3), bool))


def test_matches_torch_normalize():
    x = make_input((3, 5))
    y = to_numpy(layers.UnitNormalization()(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(y, F.normalize(torch.from_numpy(x), dim=-1).numpy(), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(y, axis=-1), 1.0, atol=1e-5)


def test_several_axes():
    x = make_input((2, 3, 4))
    y = to_numpy(layers.UnitNormalization(axis=[1, 2])(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(y, x / np.sqrt((x ** 2).sum(axis=(1, 2), keepdims=True)), atol=1e-5)


def test_zero_vector_stays_zero():
    y = to_numpy(layers.UnitNormalization()(ops.zeros((1, 3))))
    np.testing.assert_array_equal(y, np.zeros((1, 3)))


def test_config():
    assert layers.UnitNormalization(axis=(1, 2)).get_config()["axis"] == [1, 2]


def test_bad_axis():
    with pytest.raises(TypeError, match="UnitNormalization.*axis"):
        layers.UnitNormalization(axis="last")
    with pytest.raises(ValueError, match="un.*axis 3 is out of range"):
        layers.UnitNormalization(axis=3, name="un")(ops.ones((2, 3)))
