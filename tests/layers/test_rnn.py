"""RNN (cell wrapper) and StackedRNNCells: conformance, options, stateful, masks, custom cells."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
import kiln
from kiln import KerasTensor, Input, Model, layers, ops


class MinimalCell(layers.Layer):
    """A custom cell: h_t = tanh(x_t W + h_{t-1} U); only call, build and state_size."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")

    def call(self, inputs, states):
        h = ops.tanh(ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel))
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class ConstantsCell(MinimalCell):
    """Adds a per-sample constant to every step (the `constants` call argument)."""

    def call(self, inputs, states, constants=None):
        h, _ = super().call(inputs, states)
        h = h + constants[0]
        return h, [h]


def _x(shape=(2, 5, 3), seed=0):
    return ops.convert_to_tensor(make_input(shape, seed=seed))


def test_conformance_stacked_cells_with_mask():
    # A list of cells is stacked; the single-cell path runs in the LSTM/GRU/SimpleRNN tests.
    run_layer_test(layers.RNN, {"cell": [layers.LSTMCell(3), layers.SimpleRNNCell(2)],
                                "return_sequences": True},
                   input_shape=(2, 4, 5), expected_output_shape=(2, 4, 2),
                   expected_num_trainable_weights=6,
                   input_mask=[[True, True, True, False], [True, True, False, False]],
                   expected_output_mask=[[True, True, True, False], [True, True, False, False]])


def test_stacked_cells_config_round_trip():
    stacked = layers.StackedRNNCells([layers.LSTMCell(2), layers.GRUCell(3, reset_after=False)])
    config = stacked.get_config()
    assert [c["class_name"] for c in config["cells"]] == ["LSTMCell", "GRUCell"]
    clone = layers.StackedRNNCells.from_config(config)
    assert clone.state_size == [[2, 2], 3] and clone.output_size == 3


def test_stacked_equals_two_layers():
    x = _x()
    stacked = layers.RNN([layers.SimpleRNNCell(4), layers.SimpleRNNCell(2)], return_sequences=True)
    out = stacked(x)
    first, second = layers.SimpleRNN(4, return_sequences=True), layers.SimpleRNN(2, return_sequences=True)
    second(first(x))
    first.set_weights(stacked.get_weights()[:3])
    second.set_weights(stacked.get_weights()[3:])
    np.testing.assert_allclose(to_numpy(out), to_numpy(second(first(x))), atol=1e-5)


def test_custom_cell_and_weights():
    layer = layers.RNN(MinimalCell(4), return_state=True)
    out, h = layer(_x())
    assert tuple(out.shape) == (2, 4)
    np.testing.assert_allclose(to_numpy(out), to_numpy(h))
    assert [v.path for v in layer.weights] == ["rnn/minimal_cell/kernel", "rnn/minimal_cell/recurrent_kernel"]


def test_constants_reach_every_step():
    cell = ConstantsCell(2)
    layer = layers.RNN(cell, return_sequences=True)
    c = ops.convert_to_tensor(np.full((2, 2), 3.0, "float32"))
    out = to_numpy(layer(_x(), constants=c))
    assert out.min() > 1.9  # tanh(...) + 3 >= 2


def test_go_backwards_equals_reversed_input():
    x = make_input((2, 5, 3))
    backwards = layers.SimpleRNN(3, go_backwards=True, return_sequences=True)
    forwards = layers.SimpleRNN(3, return_sequences=True)
    out_b = backwards(ops.convert_to_tensor(x))
    forwards(ops.convert_to_tensor(x))
    forwards.set_weights(backwards.get_weights())
    np.testing.assert_allclose(to_numpy(out_b), to_numpy(forwards(ops.convert_to_tensor(x[:, ::-1].copy()))),
                               atol=1e-5)


def test_stateful_carries_states_and_resets():
    x = make_input((2, 6, 3))
    stateful = layers.LSTM(4, stateful=True)
    whole = layers.LSTM(4)
    stateful.build((2, 6, 3))
    whole.build((2, 6, 3))
    whole.set_weights([v.numpy() for v in stateful.trainable_weights])
    assert len(stateful.non_trainable_weights) == 2  # the carried h and c
    stateful(ops.convert_to_tensor(x[:, :3].copy()))
    second = stateful(ops.convert_to_tensor(x[:, 3:].copy()))
    np.testing.assert_allclose(to_numpy(second), to_numpy(whole(ops.convert_to_tensor(x))), atol=1e-5)
    stateful.reset_states()
    assert all(np.all(v.numpy() == 0) for v in stateful.states)
    np.testing.assert_allclose(to_numpy(stateful(ops.convert_to_tensor(x[:, :3].copy()))),
                               to_numpy(whole(ops.convert_to_tensor(x[:, :3].copy()))), atol=1e-5)


def test_stateful_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match="batch size"):
        layers.GRU(2, stateful=True)(KerasTensor((None, 4, 3)))


def test_mask_from_embedding_in_a_model():
    tokens = np.array([[3, 4, 0, 0], [1, 2, 5, 0]], "int32")
    inp = Input((4,), dtype="int32")
    embedded = layers.Embedding(6, 3, mask_zero=True)(inp)
    model = Model(inp, layers.GRU(2, return_sequences=True)(embedded))
    out = to_numpy(model(ops.convert_to_tensor(tokens)))
    # Masked steps repeat the last unmasked output.
    np.testing.assert_allclose(out[0, 2], out[0, 1], atol=1e-6)
    np.testing.assert_allclose(out[0, 3], out[0, 1], atol=1e-6)
    np.testing.assert_allclose(out[1, 3], out[1, 2], atol=1e-6)


def test_zero_output_for_mask():
    mask = ops.convert_to_tensor(np.array([[True, True, False], [True, False, False]]))
    layer = layers.RNN(layers.SimpleRNNCell(2), return_sequences=True, zero_output_for_mask=True)
    out = to_numpy(layer(_x((2, 3, 3)), mask=mask))
    np.testing.assert_array_equal(out[0, 2], 0)
    np.testing.assert_array_equal(out[1, 1:], 0)


def test_return_state_symbolic_and_mask_structure():
    layer = layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_state=True)
    outputs = layer(KerasTensor((None, 7, 4)))
    assert [o.shape for o in outputs] == [(None, 2), (None, 3), (None, 3), (None, 2)]
    assert layer.compute_mask(None, None) is None
    mask = layer.compute_mask(None, ops.ones((1, 7), dtype="bool"))
    assert mask == [None, None, None, None]  # the last output and the states carry no mask


def test_initial_state_is_used():
    x = _x((1, 3, 2))
    layer = layers.SimpleRNN(2, return_sequences=True)
    zero = to_numpy(layer(x))
    h0 = ops.convert_to_tensor(np.ones((1, 2), "float32"))
    assert not np.allclose(to_numpy(layer(x, initial_state=[h0])), zero)
    np.testing.assert_allclose(to_numpy(layer(x, initial_state=[ops.zeros((1, 2))])), zero, atol=1e-6)


def test_bad_cells_and_inputs():
    with pytest.raises(ValueError, match="cell"):
        layers.RNN(object())
    with pytest.raises(ValueError, match="cells"):
        layers.StackedRNNCells([])
    with pytest.raises(ValueError, match="rank"):
        layers.RNN(layers.SimpleRNNCell(2), name="r")(ops.ones((2, 3)))
    with pytest.raises(ValueError, match="unroll"):
        layers.RNN(layers.SimpleRNNCell(2), unroll=True)(KerasTensor((None, None, 3)))


def test_stateful_model_trains_and_keeps_states():
    if kiln.backend.backend() == "numpy":
        pytest.skip("numpy backend has no autodiff")
    from kiln import Sequential

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 3, 2)).astype("float32"), rng.standard_normal((4, 1)).astype("float32")
    model = Sequential([Input(batch_shape=(2, 3, 2)), layers.LSTM(3, stateful=True), layers.Dense(1)])
    model.compile("adam", "mse")
    losses = model.fit(x, y, batch_size=2, epochs=2, verbose=0, shuffle=False).history["loss"]
    assert np.all(np.isfinite(losses))
    assert np.abs(model.layers[0].states[0].numpy()).sum() > 0
