"""Reshape: conformance, -1 inference, bad target shapes."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def test_conformance():
    run_layer_test(layers.Reshape, {"target_shape": (3, 4)}, input_shape=(2, 12),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0)


def test_inferred_axis():
    run_layer_test(layers.Reshape, {"target_shape": (-1, 2)}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 6, 2))
    assert layers.Reshape((-1, 2))(KerasTensor((None, 3, 4))).shape == (None, 6, 2)


def test_values():
    x = np.arange(12, dtype="float32").reshape(1, 12)
    np.testing.assert_array_equal(to_numpy(layers.Reshape((3, 4))(ops.convert_to_tensor(x))),
                                  x.reshape(1, 3, 4))


def test_incompatible_size_names_layer():
    with pytest.raises(ValueError, match="my_reshape"):
        layers.Reshape((5, 5), name="my_reshape")(ops.ones((2, 12)))


def test_two_unknown_axes_rejected():
    with pytest.raises(ValueError):
        layers.Reshape((-1, -1))
