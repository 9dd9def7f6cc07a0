"""Bidirectional: conformance, LSTM numerics vs two one-way LSTMs, merge modes, states, masks, bad input."""

import json
import zipfile

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
import kiln
from kiln import KerasTensor, layers, ops
from keras3_fixtures import FIXTURES


def test_conformance_concat():
    run_layer_test(layers.Bidirectional, {"layer": layers.LSTM(3)}, input_shape=(2, 4, 5),
                   expected_output_shape=(2, 6), expected_num_trainable_weights=6,
                   expected_num_non_trainable_weights=0)


def test_conformance_sum_sequences_with_mask():
    mask = np.array([[True, True, True, False], [True, True, False, False]])
    run_layer_test(layers.Bidirectional,
                   {"layer": layers.SimpleRNN(3, return_sequences=True), "merge_mode": "sum"},
                   input_shape=(2, 4, 5), expected_output_shape=(2, 4, 3),
                   input_mask=mask, expected_output_mask=mask)


def _lstm_pair(units=3, **kwargs):
    """A built Bidirectional(LSTM) and two one-way LSTMs holding its forward/backward weights."""
    bi = layers.Bidirectional(layers.LSTM(units, **kwargs), name="bi")
    x = make_input((2, 5, 4))
    bi(ops.convert_to_tensor(x))
    weights = bi.get_weights()
    forward, backward = layers.LSTM(units, **kwargs), layers.LSTM(units, **kwargs)
    forward(ops.convert_to_tensor(x))
    backward(ops.convert_to_tensor(x))
    forward.set_weights(weights[:3])
    backward.set_weights(weights[3:])
    return bi, forward, backward, x


def test_lstm_equals_forward_and_reversed_backward_lstm():
    bi, forward, backward, x = _lstm_pair(return_sequences=True)
    y = to_numpy(bi(ops.convert_to_tensor(x)))
    fwd = to_numpy(forward(ops.convert_to_tensor(x)))
    # The backward direction is an LSTM over the time-reversed input, re-reversed.
    bwd = to_numpy(backward(ops.convert_to_tensor(x[:, ::-1].copy())))[:, ::-1]
    np.testing.assert_allclose(y, np.concatenate([fwd, bwd], axis=-1), rtol=1e-5, atol=1e-5)


def test_merge_modes_and_states():
    bi, forward, backward, x = _lstm_pair(return_state=True)
    fwd_out, fwd_h, fwd_c = (to_numpy(t) for t in forward(ops.convert_to_tensor(x)))
    bwd_out, bwd_h, bwd_c = (to_numpy(t) for t in backward(ops.convert_to_tensor(x[:, ::-1].copy())))
    expected = {"concat": np.concatenate([fwd_out, bwd_out], -1), "sum": fwd_out + bwd_out,
                "mul": fwd_out * bwd_out, "ave": (fwd_out + bwd_out) / 2}
    for mode, want in list(expected.items()) + [(None, None)]:
        layer = layers.Bidirectional(layers.LSTM(3, return_state=True), merge_mode=mode)
        layer(ops.convert_to_tensor(x))
        layer.set_weights(bi.get_weights())
        outputs = [to_numpy(t) for t in layer(ops.convert_to_tensor(x))]
        heads = outputs[:2] if mode is None else outputs[:1]
        if mode is None:
            np.testing.assert_allclose(heads[0], fwd_out, rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(heads[1], bwd_out, rtol=1e-5, atol=1e-5)
        else:
            np.testing.assert_allclose(heads[0], want, rtol=1e-5, atol=1e-5)
        states = outputs[len(heads):]
        for got, ref in zip(states, [fwd_h, fwd_c, bwd_h, bwd_c]):
            np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
        assert len(states) == 4


def test_initial_state_is_split_between_directions():
    bi, forward, backward, x = _lstm_pair()
    rng = np.random.default_rng(3)
    states = [rng.standard_normal((2, 3)).astype("float32") for _ in range(4)]
    y = to_numpy(bi(ops.convert_to_tensor(x), initial_state=[ops.convert_to_tensor(s) for s in states]))
    fwd = to_numpy(forward(ops.convert_to_tensor(x), initial_state=states[:2]))
    bwd = to_numpy(backward(ops.convert_to_tensor(x[:, ::-1].copy()), initial_state=states[2:]))
    np.testing.assert_allclose(y, np.concatenate([fwd, bwd], -1), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="initial_state"):
        bi(ops.convert_to_tensor(x), initial_state=[ops.convert_to_tensor(s) for s in states[:3]])


def test_mask_skips_padded_steps_in_both_directions():
    bi, forward, backward, x = _lstm_pair()
    lengths = [5, 3]
    mask = np.arange(5)[None, :] < np.array(lengths)[:, None]
    y = to_numpy(bi(ops.convert_to_tensor(x), mask=ops.convert_to_tensor(mask)))
    for row, n in enumerate(lengths):
        seq = x[row:row + 1, :n]
        fwd = to_numpy(forward(ops.convert_to_tensor(seq)))
        bwd = to_numpy(backward(ops.convert_to_tensor(seq[:, ::-1].copy())))
        np.testing.assert_allclose(y[row:row + 1], np.concatenate([fwd, bwd], -1), rtol=1e-5, atol=1e-5)


def test_masks_in_a_functional_model():
    tokens = kiln.Input((4,), dtype="int32")
    embedded = layers.Embedding(6, 3, mask_zero=True)(tokens)
    seq = layers.Bidirectional(layers.LSTM(2, return_sequences=True))(embedded)
    assert seq._keras_mask is not None and tuple(seq._keras_mask.shape) == (None, 4)
    outs = layers.Bidirectional(layers.LSTM(2, return_state=True), merge_mode=None)(embedded)
    assert len(outs) == 6 and all(o._keras_mask is None for o in outs)
    seq_outs = layers.Bidirectional(layers.LSTM(2, return_sequences=True, return_state=True))(embedded)
    assert seq_outs[0]._keras_mask is not None and all(o._keras_mask is None for o in seq_outs[1:])


def test_symbolic_shapes():
    x = KerasTensor((None, None, 4))
    assert layers.Bidirectional(layers.GRU(3, return_sequences=True))(x).shape == (None, None, 6)
    outs = layers.Bidirectional(layers.GRU(3, return_state=True), merge_mode="ave")(x)
    assert [o.shape for o in outs] == [(None, 3), (None, 3), (None, 3)]
    layer = layers.Bidirectional(layers.LSTM(2, return_state=True), merge_mode=None)
    assert layer.compute_output_shape((7, 5, 4)) == ((7, 2), (7, 2), (7, 2), (7, 2), (7, 2), (7, 2))


def test_weight_names_order_and_weights_argument():
    layer = layers.Bidirectional(layers.GRU(2, name="gru"), name="bi")
    layer(ops.ones((1, 3, 4)))
    assert layer.forward_layer.name == "forward_gru" and layer.backward_layer.name == "backward_gru"
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    assert [v.path for v in layer.weights] == [
        "bi/forward_gru/gru_cell/kernel", "bi/forward_gru/gru_cell/recurrent_kernel",
        "bi/forward_gru/gru_cell/bias", "bi/backward_gru/gru_cell/kernel",
        "bi/backward_gru/gru_cell/recurrent_kernel", "bi/backward_gru/gru_cell/bias"]
    weights = [np.full(w.shape, i, dtype="float32") for i, w in enumerate(layer.get_weights())]
    seeded = layers.Bidirectional(layers.GRU(2), weights=weights)
    seeded(ops.ones((1, 3, 4)))
    for got, want in zip(seeded.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_config_round_trip_with_backward_layer():
    backward = layers.LSTM(2, go_backwards=True, return_sequences=True, name="back")
    layer = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="concat",
                                 backward_layer=backward, name="bi")
    assert layer.backward_layer is backward
    x = ops.convert_to_tensor(make_input((2, 4, 3)))
    y = layer(x)
    assert tuple(y.shape) == (2, 4, 5)
    config = layer.get_config()
    assert list(config) == ["name", "trainable", "dtype", "merge_mode", "layer", "backward_layer"]
    assert config["layer"]["config"]["name"] == "forward_lstm"
    assert config["backward_layer"]["config"]["name"] == "back"
    clone = layers.Bidirectional.from_config(config)
    assert clone.forward_layer.name == "forward_lstm" and clone.backward_layer.name == "back"
    assert clone.get_config() == config
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(to_numpy(clone(x)), to_numpy(y), rtol=1e-5, atol=1e-5)
    assert all(v.path.startswith("bi/") for v in clone.weights)


def test_stateful_reset():
    layer = layers.Bidirectional(layers.SimpleRNN(2, stateful=True))
    x = ops.convert_to_tensor(make_input((1, 3, 2)))
    first = to_numpy(layer(x))
    second = to_numpy(layer(x))
    assert not np.allclose(first, second)
    assert len(layer.states) == 2
    layer.reset_state()
    np.testing.assert_allclose(to_numpy(layer(x)), first, rtol=1e-5, atol=1e-6)


def test_non_recurrent_layer_rejected():
    with pytest.raises(ValueError, match="Bidirectional: `layer` must be a recurrent layer"):
        layers.Bidirectional(layers.Dense(3))
    with pytest.raises(ValueError, match="Bidirectional: `layer` must be a kiln.layers.Layer"):
        layers.Bidirectional("lstm")


def test_bad_merge_mode_rejected():
    with pytest.raises(ValueError, match="merge_mode 'max'.*'concat'"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")


def test_mismatched_backward_layer_rejected():
    with pytest.raises(ValueError, match="different `go_backwards`"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="same `return_sequences`"):
        layers.Bidirectional(layers.LSTM(2),
                             backward_layer=layers.LSTM(2, go_backwards=True, return_sequences=True))
    with pytest.raises(ValueError, match="`backward_layer` must be a kiln.layers.Layer"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=3)
    with pytest.raises(ValueError, match="`backward_layer` must be a recurrent layer"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.Dense(2))


def test_wrong_rank_rejected():
    with pytest.raises(ValueError, match="bi_rank"):
        layers.Bidirectional(layers.LSTM(2), name="bi_rank")(ops.ones((2, 3)))




def _strip_ids(value):
    if isinstance(value, dict):
        return {k: _strip_ids(v) for k, v in value.items() if k != "shared_object_id"}
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    return value


def test_keras3_bidirectional_gru_fixture():
    """A Keras 3 file (Embedding(mask_zero) -> Bidirectional(GRU)): same config back, same predictions."""
    if not (FIXTURES / "embedding_bigru.keras").exists():
        pytest.skip("Keras 3 fixtures not available")
    from kiln.saving import serialization_lib, weights_h5

    config = json.loads(zipfile.ZipFile(FIXTURES / "embedding_bigru.keras").read("config.json"))
    config.pop("compile_config", None)
    entry = [e for e in config["config"]["layers"] if e["class_name"] == "Bidirectional"][0]
    entry = _strip_ids({k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")})
    rebuilt = serialization_lib.deserialize_kiln_object(entry)
    assert serialization_lib.serialize_kiln_object(rebuilt) == entry
    model = serialization_lib.deserialize_kiln_object(config)
    weights_h5.load_weights_h5(model, str(FIXTURES / "embedding_bigru.weights.h5"))
    data = np.load(FIXTURES / "embedding_bigru.npz", allow_pickle=False)
    np.testing.assert_allclose(np.asarray(model.predict(data["x"], verbose=0)), data["y"],
                               rtol=1e-5, atol=1e-5)
