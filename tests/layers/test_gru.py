"""GRU / GRUCell: conformance, Keras weight layout (reset_after both ways), config, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def test_conformance_reset_after():
    run_layer_test(layers.GRU, {"units": 3}, input_shape=(2, 4, 5), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=3, expected_num_non_trainable_weights=0)


def test_conformance_reset_before_sequences_with_dropout():
    run_layer_test(layers.GRU, {"units": 4, "reset_after": False, "return_sequences": True,
                                "dropout": 0.1, "recurrent_dropout": 0.1, "seed": 2,
                                "go_backwards": True},
                   input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=3,
                   # Fresh dropout masks at every step of a 2-sample batch make five small Adam
                   # steps too noisy to lower the loss reliably; the configuration without
                   # dropout runs the training check.
                   run_training_check=False)


def test_weights_names_and_shapes():
    layer = layers.GRU(3, name="g")
    layer.build((None, 4, 5))
    assert [v.path for v in layer.weights] == ["g/gru_cell/kernel", "g/gru_cell/recurrent_kernel",
                                               "g/gru_cell/bias"]
    assert [tuple(v.shape) for v in layer.weights] == [(5, 9), (3, 9), (2, 9)]
    before = layers.GRU(3, reset_after=False, use_bias=True)
    before.build((None, 4, 5))
    assert tuple(before.weights[2].shape) == (9,)


def test_config_keys_match_keras():
    config = layers.GRU(4).get_config()
    assert set(config) == {
        "name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards",
        "stateful", "unroll", "zero_output_for_mask", "units", "activation",
        "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
        "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
        "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
        "dropout", "recurrent_dropout", "reset_after", "seed"}
    assert layers.GRU.from_config(config).reset_after is True
    assert layers.GRUCell.from_config(layers.GRUCell(2, reset_after=False).get_config()).reset_after is False


def test_return_state_equals_last_output():
    out, h = layers.GRU(3, return_state=True)(ops.convert_to_tensor(make_input((2, 4, 2))))
    np.testing.assert_allclose(to_numpy(out), to_numpy(h))


def test_symbolic_shapes():
    out, h = layers.GRU(5, return_sequences=True, return_state=True)(KerasTensor((None, None, 3)))
    assert out.shape == (None, None, 5) and h.shape == (None, 5)


@pytest.mark.parametrize("units", [0, -1, "4"])
def test_invalid_units(units):
    with pytest.raises(ValueError, match="units"):
        layers.GRU(units)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="use_cudnn"):
        layers.GRU(2, use_cudnn=None)
    with pytest.raises(ValueError, match="recurrent_dropout"):
        layers.GRUCell(2, recurrent_dropout=None)


def test_wrong_input_rank_names_layer():
    with pytest.raises(ValueError, match="my_gru"):
        layers.GRU(2, name="my_gru")(ops.ones((2, 3, 4, 5)))
