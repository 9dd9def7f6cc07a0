"""Flatten: conformance, element order for both data formats."""

import numpy as np

from conformance import run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def test_conformance():
    run_layer_test(layers.Flatten, {}, input_shape=(2, 3, 4, 5), expected_output_shape=(2, 60),
                   expected_num_trainable_weights=0)


def test_values_channels_last_and_first():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_array_equal(to_numpy(layers.Flatten()(ops.convert_to_tensor(x))), x.reshape(2, 12))
    y = to_numpy(layers.Flatten(data_format="channels_first")(ops.convert_to_tensor(x)))
    np.testing.assert_array_equal(y, np.transpose(x, (0, 2, 1)).reshape(2, 12))


def test_rank_1_and_symbolic_unknown():
    assert tuple(layers.Flatten()(ops.ones((3,))).shape) == (3, 1)
    assert layers.Flatten()(KerasTensor((None, None, 4))).shape == (None, None)


def test_new_shape_after_build():
    layer = layers.Flatten()
    layer(ops.ones((2, 3, 4)))
    assert tuple(layer(ops.ones((2, 5, 4))).shape) == (2, 20)


def test_config_keys_match_keras():
    assert list(layers.Flatten().get_config()) == ["name", "trainable", "dtype", "data_format"]
