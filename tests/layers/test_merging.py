"""Merging layers: conformance, values, shape checks, functional forms."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


@pytest.mark.parametrize("cls,fn", [
    (layers.Add, lambda a, b: a + b),
    (layers.Subtract, lambda a, b: a - b),
    (layers.Multiply, lambda a, b: a * b),
    (layers.Average, lambda a, b: (a + b) / 2),
    (layers.Maximum, np.maximum),
    (layers.Minimum, np.minimum),
])
def test_elementwise(cls, fn):
    a, b = make_input([(2, 3, 4), (2, 3, 4)])
    run_layer_test(cls, {}, input_shape=[(2, 3, 4), (2, 3, 4)], input_data=[a, b],
                   expected_output=fn(a, b), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=0)


def test_add_three_inputs_and_broadcast():
    a, b, c = make_input([(2, 4), (2, 4), (1, 4)])
    y = layers.Add()([ops.convert_to_tensor(v) for v in (a, b, c)])
    np.testing.assert_allclose(to_numpy(y), a + b + c, rtol=1e-6)


def test_concatenate():
    a, b = make_input([(2, 3), (2, 5)])
    run_layer_test(layers.Concatenate, {}, input_shape=[(2, 3), (2, 5)], input_data=[a, b],
                   expected_output=np.concatenate([a, b], -1), expected_output_shape=(2, 8))
    out = layers.Concatenate(axis=1)([KerasTensor((None, 2, 4)), KerasTensor((None, 3, 4))])
    assert out.shape == (None, 5, 4)


def test_concatenate_mismatch_names_layer():
    with pytest.raises(ValueError, match="merge_x"):
        layers.Concatenate(name="merge_x")([ops.ones((2, 3)), ops.ones((3, 3))])
    with pytest.raises(ValueError):
        layers.Concatenate()([KerasTensor((None, 2, 4)), KerasTensor((None, 3, 5))])


def test_add_incompatible_shapes():
    with pytest.raises(ValueError, match="add_x"):
        layers.Add(name="add_x")([KerasTensor((None, 3)), KerasTensor((None, 4))])


def test_subtract_needs_two_inputs():
    with pytest.raises(ValueError, match="exactly 2"):
        layers.Subtract()([ops.ones((1, 2))] * 3)


def test_single_tensor_rejected():
    with pytest.raises(ValueError, match="list"):
        layers.Add()(ops.ones((2, 2)))


def test_functional_forms_and_config():
    a, b = ops.ones((1, 2)), ops.ones((1, 2))
    np.testing.assert_allclose(to_numpy(layers.add([a, b])), [[2.0, 2.0]])
    assert tuple(layers.concatenate([a, b]).shape) == (1, 4)
    assert list(layers.Concatenate().get_config()) == ["name", "trainable", "dtype", "axis"]
    assert list(layers.Add().get_config()) == ["name", "trainable", "dtype"]


def test_build_config_is_list_of_shapes():
    from kiln.saving import serialization_lib

    layer = layers.Concatenate()
    layer([KerasTensor((None, 16)), KerasTensor((None, 8))])
    envelope = serialization_lib.serialize_kiln_object(layer)
    assert envelope["build_config"] == {"input_shape": [[None, 16], [None, 8]]}
