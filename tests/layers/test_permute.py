"""Permute: conformance, values against NumPy's transpose, bad dims and rank."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def test_conformance_3d():
    x = make_input((2, 3, 4))
    run_layer_test(layers.Permute, {"dims": (2, 1)}, input_shape=(2, 3, 4), input_data=x,
                   expected_output_shape=(2, 4, 3), expected_output=x.transpose(0, 2, 1),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   input_mask=np.array([[True, False, True], [False, True, True]]))


def test_values_4d():
    x = make_input((2, 3, 4, 5))
    y = layers.Permute((3, 1, 2))(ops.convert_to_tensor(x))
    np.testing.assert_allclose(to_numpy(y), x.transpose(0, 3, 1, 2))


def test_symbolic_keeps_none_dims():
    assert layers.Permute((2, 1))(KerasTensor((None, None, 7))).shape == (None, 7, None)


def test_mask_passes_through():
    x = ops.convert_to_tensor(make_input((2, 3, 4)))
    assert layers.Permute((2, 1)).compute_mask(x, "m") == "m"


@pytest.mark.parametrize("dims", [(0, 1), (1, 3), (1, 1), (2,)])
def test_invalid_dims(dims):
    with pytest.raises(ValueError, match="Permute.*dims"):
        layers.Permute(dims)


def test_wrong_rank():
    with pytest.raises(ValueError, match="permute.*ndim=3"):
        layers.Permute((2, 1), name="permute")(ops.ones((2, 3)))


def test_config_keys():
    assert list(layers.Permute((2, 1)).get_config()) == ["name", "trainable", "dtype", "dims"]
    np.testing.assert_equal(layers.Permute.from_config(layers.Permute((2, 1)).get_config()).dims, (2, 1))
