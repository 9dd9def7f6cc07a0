"""Softmax layer: conformance, values against torch (one and several axes), mask, bad axis."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.Softmax, {"axis": 1}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   input_mask=np.ones((2, 3), bool), expected_output_mask=np.ones((2, 3), bool))


@pytest.mark.parametrize("axis", [-1, 1])
def test_matches_torch(axis):
    x = make_input((2, 3, 5))
    y = to_numpy(layers.Softmax(axis=axis)(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(y, F.softmax(torch.from_numpy(x), dim=axis).numpy(), atol=1e-5)


def test_several_axes():
    x = make_input((2, 3, 4))
    y = to_numpy(layers.Softmax(axis=[1, 2])(ops.convert_to_tensor(x)))
    want = F.softmax(torch.from_numpy(x).reshape(2, 12), dim=-1).reshape(2, 3, 4).numpy()
    np.testing.assert_allclose(y, want, atol=1e-5)


def test_mask_zeroes_masked_entries_and_renormalizes():
    x = make_input((2, 5))
    mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)
    y = to_numpy(layers.Softmax()(ops.convert_to_tensor(x), mask=ops.convert_to_tensor(mask)))
    want = F.softmax(torch.from_numpy(np.where(mask, x, -np.inf)), dim=-1).numpy()
    np.testing.assert_allclose(y, want, atol=1e-5)
    assert (y[~mask] == 0).all()


@pytest.mark.parametrize("axis", ["last", 1.5, []])
def test_bad_axis(axis):
    with pytest.raises(ValueError, match="Softmax.*axis"):
        layers.Softmax(axis=axis)
