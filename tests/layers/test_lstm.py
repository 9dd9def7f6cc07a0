"""LSTM / LSTMCell: conformance, Keras weight layout and config, options, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def test_conformance_last_output():
    run_layer_test(layers.LSTM, {"units": 3}, input_shape=(2, 4, 5), expected_output_shape=(2, 3),
                   expected_num_trainable_weights=3, expected_num_non_trainable_weights=0)


def test_conformance_sequences_and_states_with_dropout():
    run_layer_test(layers.LSTM, {"units": 2, "return_sequences": True, "return_state": True,
                                 "dropout": 0.2, "recurrent_dropout": 0.3, "seed": 1},
                   input_shape=(2, 3, 4), expected_output_shape=[(2, 3, 2), (2, 2), (2, 2)],
                   expected_num_trainable_weights=3,
                   # Fresh dropout masks on a 2-sample batch make a few small Adam steps too
                   # noisy to lower the loss reliably (seen failing on tensorflow); the
                   # configuration without dropout runs the training check.
                   run_training_check=False)


def test_weights_names_shapes_order_and_forget_bias():
    layer = layers.LSTM(3, name="enc")
    layer.build((None, 4, 5))
    assert [v.path for v in layer.weights] == [
        "enc/lstm_cell/kernel", "enc/lstm_cell/recurrent_kernel", "enc/lstm_cell/bias"]
    assert [tuple(v.shape) for v in layer.weights] == [(5, 12), (3, 12), (12,)]
    np.testing.assert_array_equal(layer.weights[2].numpy(), [0] * 3 + [1] * 3 + [0] * 6)
    plain = layers.LSTM(3, unit_forget_bias=False)
    plain.build((None, 4, 5))
    np.testing.assert_array_equal(plain.weights[2].numpy(), np.zeros(12))


def test_config_keys_match_keras():
    config = layers.LSTM(4).get_config()
    assert set(config) == {
        "name", "trainable", "dtype", "return_sequences", "return_state", "go_backwards",
        "stateful", "unroll", "zero_output_for_mask", "units", "activation",
        "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
        "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
        "bias_regularizer", "activity_regularizer", "kernel_constraint", "recurrent_constraint",
        "bias_constraint", "dropout", "recurrent_dropout", "seed"}
    cell_config = layers.LSTMCell(4).get_config()
    assert "unit_forget_bias" in cell_config and "return_sequences" not in cell_config
    assert layers.LSTMCell.from_config(cell_config).units == 4


def test_unroll_matches_loop():
    x = ops.convert_to_tensor(make_input((2, 4, 3)))
    looped = layers.LSTM(2, return_sequences=True, use_cudnn=False)
    unrolled = layers.LSTM(2, return_sequences=True, unroll=True)
    looped(x)
    unrolled(x)
    unrolled.set_weights(looped.get_weights())
    np.testing.assert_allclose(to_numpy(unrolled(x)), to_numpy(looped(x)), atol=1e-6)


def test_cell_step_matches_layer_first_step():
    x = make_input((2, 1, 3))
    layer = layers.LSTM(2, return_state=True)
    out, h, c = layer(ops.convert_to_tensor(x))
    cell = layer.cell
    zeros = ops.zeros((2, 2))
    step_out, (step_h, step_c) = cell(ops.convert_to_tensor(x[:, 0]), [zeros, zeros])
    np.testing.assert_allclose(to_numpy(step_out), to_numpy(out), atol=1e-6)
    np.testing.assert_allclose(to_numpy(step_c), to_numpy(c), atol=1e-6)


def test_symbolic_shapes():
    out, h, c = layers.LSTM(5, return_sequences=True, return_state=True)(KerasTensor((None, 7, 3)))
    assert out.shape == (None, 7, 5) and h.shape == (None, 5) and c.shape == (None, 5)


@pytest.mark.parametrize("units", [0, -2, 1.5, None])
def test_invalid_units(units):
    with pytest.raises(ValueError, match="units"):
        layers.LSTM(units)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="use_cudnn"):
        layers.LSTM(2, use_cudnn="sometimes")
    with pytest.raises(ValueError, match="dropout"):
        layers.LSTMCell(2, dropout="high")
    with pytest.raises(ValueError, match="relu"):
        layers.LSTM(2, activation="not_an_activation")


def test_wrong_input_rank_names_layer():
    with pytest.raises(ValueError, match="my_lstm"):
        layers.LSTM(2, name="my_lstm")(ops.ones((2, 3)))


def test_wrong_initial_state_count():
    with pytest.raises(ValueError, match="initial_state"):
        layers.LSTM(2)(ops.ones((1, 3, 2)), initial_state=[ops.zeros((1, 2))])
