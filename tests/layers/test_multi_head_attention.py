"""MultiHeadAttention: conformance, numerics against torch.nn.functional.multi_head_attention_forward
(attention_mask, causal mask, key padding, scores), attention over several axes, masks carried by
inputs, saving, bad input."""

import json
import zipfile

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conformance import make_input, run_layer_test, to_numpy
from kiln import Input, KerasTensor, Model, layers, ops
from kiln.saving import serialization_lib
from keras3_fixtures import FIXTURES


# Most tests share one set of shapes (query/value (2, 4, 8), 2 heads of 4) so that jax compiles
# each kernel once per run.
Q_SHAPE = (2, 4, 8)


def test_conformance_self_attention():
    run_layer_test(layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 4},
                   input_shape={"query": Q_SHAPE, "value": Q_SHAPE},
                   expected_output_shape=Q_SHAPE, expected_num_trainable_weights=8,
                   expected_num_non_trainable_weights=0)


def test_conformance_cross_attention_with_key_and_output_shape():
    # Scores are returned as a tuple (as in Keras), which the helper's training-step model does
    # not reduce; test_matches_torch_* and test_symbolic_shapes check return_attention_scores.
    run_layer_test(layers.MultiHeadAttention,
                   {"num_heads": 2, "key_dim": 3, "value_dim": 2, "output_shape": 5, "use_bias": False},
                   input_shape={"query": (2, 3, 4), "value": (2, 5, 6), "key": (2, 5, 7)},
                   call_kwargs={"use_causal_mask": True},
                   expected_output_shape=(2, 3, 5), expected_num_trainable_weights=4)


def _torch_reference(layer, q, v, k, disallowed=None, key_padding=None):
    """torch.nn.functional.multi_head_attention_forward with the layer's weights copied in."""
    wq, bq, wk, bk, wv, bv, wo, bo = layer.get_weights()
    heads, head = wq.shape[1], wq.shape[2]
    embed = heads * head

    def t(a):
        return torch.tensor(np.asarray(a))

    mask = None
    if disallowed is not None:
        mask = t(np.repeat(disallowed, heads, axis=0))
    out, weights = F.multi_head_attention_forward(
        t(q).transpose(0, 1), t(k).transpose(0, 1), t(v).transpose(0, 1), embed, heads,
        None, t(np.concatenate([bq.reshape(-1), bk.reshape(-1), bv.reshape(-1)])), None, None,
        False, 0.0, t(wo.reshape(embed, -1).T), t(bo), training=False,
        key_padding_mask=None if key_padding is None else t(key_padding), need_weights=True,
        attn_mask=mask, use_separate_proj_weight=True, q_proj_weight=t(wq.reshape(-1, embed).T),
        k_proj_weight=t(wk.reshape(-1, embed).T), v_proj_weight=t(wv.reshape(-1, embed).T),
        average_attn_weights=False)
    return out.transpose(0, 1).numpy(), weights.numpy()


def _layer(q, v, k, **kwargs):
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, bias_initializer="random_normal",
                                      **kwargs)
    layer(q, v, key=k)
    return layer


def test_matches_torch_with_attention_mask_and_scores():
    q, v, k = make_input([Q_SHAPE, Q_SHAPE, Q_SHAPE])
    allowed = np.random.default_rng(3).random((2, 4, 4)) > 0.4
    allowed[..., 0] = True  # no fully masked row (torch gives NaN there)
    layer = _layer(q, v, k)
    ref_out, ref_w = _torch_reference(layer, q, v, k, disallowed=~allowed)
    fused = to_numpy(layer(q, v, key=k, attention_mask=allowed))
    out, scores = layer(q, v, key=k, attention_mask=allowed, return_attention_scores=True)
    np.testing.assert_allclose(fused, ref_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(to_numpy(out), ref_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(to_numpy(scores), ref_w, rtol=1e-5, atol=1e-5)


def test_matches_torch_with_causal_mask_and_key_padding():
    q, v = make_input([Q_SHAPE, Q_SHAPE])
    value_mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]], bool)
    layer = _layer(q, v, v)
    disallowed = np.broadcast_to(~np.tril(np.ones((4, 4), bool)), (2, 4, 4))
    ref_out, ref_w = _torch_reference(layer, q, v, v, disallowed=disallowed,
                                      key_padding=~value_mask)
    got = to_numpy(layer(q, v, value_mask=value_mask, use_causal_mask=True))
    np.testing.assert_allclose(got, ref_out, rtol=1e-5, atol=1e-5)
    _, scores = layer(q, v, value_mask=value_mask, use_causal_mask=True, return_attention_scores=True)
    np.testing.assert_allclose(to_numpy(scores), ref_w, rtol=1e-5, atol=1e-5)


def test_sliding_window_is_a_symmetric_band():
    q = make_input(Q_SHAPE)
    layer = _layer(q, q, q, sliding_window=2)
    _, scores = layer(q, q, return_attention_scores=True)
    band = np.abs(np.arange(4)[:, None] - np.arange(4)[None, :]) < 2
    assert np.all(to_numpy(scores)[:, :, ~band] == 0)
    full = layers.MultiHeadAttention(2, 4)
    full(q, q)
    full.set_weights(layer.get_weights())
    np.testing.assert_allclose(to_numpy(full(q, q, attention_mask=band[None])),
                               to_numpy(layer(q, q)), rtol=1e-5, atol=1e-5)


def test_attention_over_two_axes_equals_flattened_sequence():
    x = make_input((2, 2, 2, 8))
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, attention_axes=(1, 2))
    out, scores = layer(x, x, return_attention_scores=True)
    assert tuple(scores.shape) == (2, 2, 2, 2, 2, 2)
    flat = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    flat_x = x.reshape(Q_SHAPE)
    flat(flat_x, flat_x)
    flat.set_weights(layer.get_weights())
    np.testing.assert_allclose(to_numpy(out).reshape(Q_SHAPE), to_numpy(flat(flat_x, flat_x)),
                               rtol=1e-5, atol=1e-5)


def test_attention_axis_2_attends_within_each_row():
    x = make_input((2, 2, 4, 8))
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, attention_axes=2)
    out = to_numpy(layer(x, x))
    rows = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    rows(x[:, 0], x[:, 0])
    rows.set_weights(layer.get_weights())
    for i in range(2):
        np.testing.assert_allclose(out[:, i], to_numpy(rows(x[:, i], x[:, i])), rtol=1e-5, atol=1e-5)


def test_dropout_applies_only_in_training():
    q = make_input(Q_SHAPE)
    layer = layers.MultiHeadAttention(2, 4, dropout=0.5, seed=1)
    inference = to_numpy(layer(q, q, training=False))
    _, scores = layer(q, q, training=True, return_attention_scores=True)
    assert len(layer.non_trainable_variables) == 1  # the dropout's seed state
    assert not np.allclose(to_numpy(layer(q, q, training=True)), inference)
    np.testing.assert_allclose(to_numpy(scores).sum(-1), 1.0, rtol=1e-5)  # scores before dropout


def test_weight_paths_order_and_config_keys():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3, name="mha")
    layer.build((None, 4, 6), (None, 5, 8))
    assert [(v.path, tuple(v.shape)) for v in layer.weights] == [
        ("mha/query/kernel", (6, 2, 4)), ("mha/query/bias", (2, 4)),
        ("mha/key/kernel", (8, 2, 4)), ("mha/key/bias", (2, 4)),
        ("mha/value/kernel", (8, 2, 3)), ("mha/value/bias", (2, 3)),
        ("mha/attention_output/kernel", (2, 3, 6)), ("mha/attention_output/bias", (6,))]
    assert list(layer.get_config())[3:] == [
        "num_heads", "key_dim", "value_dim", "dropout", "use_bias", "use_gate", "output_shape",
        "attention_axes", "sliding_window", "kernel_initializer", "bias_initializer", "kernel_regularizer",
        "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "seed"]


def test_saved_envelope_rebuilds_weights_from_shapes_dict():
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    q, v = make_input([Q_SHAPE, Q_SHAPE])
    layer(q, v)
    envelope = json.loads(json.dumps(serialization_lib.serialize_kiln_object(layer)))
    assert envelope["build_config"] == {"shapes_dict": {"query_shape": list(Q_SHAPE),
                                                        "value_shape": list(Q_SHAPE)}}
    rebuilt = serialization_lib.deserialize_kiln_object(envelope)
    assert rebuilt.built
    rebuilt.set_weights(layer.get_weights())
    np.testing.assert_allclose(to_numpy(rebuilt(q, v)), to_numpy(layer(q, v)), rtol=1e-6)


def test_masks_from_embedding_in_a_functional_model():
    tokens = Input((4,), dtype="int32")
    x = layers.Embedding(10, 8, mask_zero=True)(tokens)
    out = layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
    assert out._keras_mask is not None and out._keras_mask.shape == (None, 4)
    model = Model(tokens, out)
    ids = np.array([[3, 4, 0, 0], [1, 2, 5, 6]], dtype="int32")
    got = to_numpy(model(ids))
    # Padding keys get no attention: changing the padded embeddings' tokens changes nothing valid.
    emb, mha = model.layers[1], model.layers[2]
    ref = to_numpy(mha(emb(ids), emb(ids), query_mask=ids != 0, value_mask=ids != 0))
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


def test_symbolic_shapes():
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=4, output_shape=(2, 4))
    out, scores = mha(KerasTensor((None, 7, 8)), KerasTensor((None, 9, 8)), return_attention_scores=True)
    assert out.shape == (None, 7, 2, 4) and scores.shape == (None, 2, 7, 9)


@pytest.mark.parametrize("kwargs,match", [
    ({"num_heads": 0, "key_dim": 2}, "num_heads"),
    ({"num_heads": 2, "key_dim": -1}, "key_dim"),
    ({"num_heads": 2, "key_dim": 2, "dropout": 2.0}, "dropout"),
    ({"num_heads": 2, "key_dim": 2, "dropout": 0.1, "flash_attention": True}, "flash_attention"),
    ({"num_heads": 2, "key_dim": 2, "attention_axes": "time"}, "attention_axes"),
    ({"num_heads": 2, "key_dim": 2, "sliding_window": 0}, "sliding_window"),
    ({"num_heads": 2, "key_dim": 2, "output_shape": "wide"}, "output_shape"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"MultiHeadAttention.*{match}"):
        layers.MultiHeadAttention(**kwargs)


def test_use_gate_not_supported():
    with pytest.raises(NotImplementedError, match="use_gate"):
        layers.MultiHeadAttention(2, 2, use_gate=True)


def test_bad_input_shapes():
    with pytest.raises(ValueError, match="m1.*query.*rank >= 3"):
        layers.MultiHeadAttention(2, 2, name="m1")(ops.ones((2, 4)), ops.ones((2, 4)))
    with pytest.raises(ValueError, match=r"m2.*value and key.*\(2, 5, 4\).*\(2, 6, 4\)"):
        layers.MultiHeadAttention(2, 2, name="m2")(ops.ones((2, 3, 4)), ops.ones((2, 5, 4)),
                                                   key=ops.ones((2, 6, 4)))
    with pytest.raises(ValueError, match="m3.*attention_axes"):
        layers.MultiHeadAttention(2, 2, attention_axes=(3,), name="m3")(ops.ones((2, 3, 4)),
                                                                        ops.ones((2, 3, 4)))


def test_scores_with_flash_attention_rejected():
    flash = layers.MultiHeadAttention(2, 2, flash_attention=True, name="fl")
    with pytest.raises(ValueError, match="fl.*return_attention_scores"):
        flash(KerasTensor((None, 2, 4)), KerasTensor((None, 2, 4)), return_attention_scores=True)


needs_fixture = pytest.mark.skipif(not (FIXTURES / "transformer_block.keras").is_file(),
                                   reason="Keras 3 fixtures not available")


def _h5_tree(path):
    import h5py

    entries = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: entries.__setitem__(
            name, getattr(obj, "shape", None)) if not name.startswith("optimizer") else None)
    return entries


@needs_fixture
def test_keras_transformer_fixture_config_weights_and_predictions(tmp_path):
    with zipfile.ZipFile(FIXTURES / "transformer_block.keras") as archive:
        config = json.loads(archive.read("config.json"))
    entry = next(e for e in config["config"]["layers"] if e["class_name"] == "MultiHeadAttention")
    envelope = {k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")}
    layer = serialization_lib.deserialize_kiln_object(envelope)
    again = json.loads(json.dumps(serialization_lib.serialize_kiln_object(layer)))
    assert again["config"] == envelope["config"]  # attention_axes included, resolved to [1]
    assert list(again["config"]) == list(envelope["config"])
    assert again["build_config"] == envelope["build_config"]
    # The whole Keras model: weights written by Keras load here and predict what Keras predicted.
    model = serialization_lib.deserialize_kiln_object(config)
    model.load_weights(str(FIXTURES / "transformer_block.weights.h5"))
    io = np.load(FIXTURES / "transformer_block.npz", allow_pickle=False)
    np.testing.assert_allclose(model.predict(io["x"], verbose=0), io["y"], atol=1e-5, rtol=0)
    # And the file Kiln writes has Keras' tree: query_dense/, ..., empty _softmax/ and _dropout_layer/.
    model.save_weights(str(tmp_path / "block.weights.h5"))
    assert _h5_tree(tmp_path / "block.weights.h5") == _h5_tree(FIXTURES / "transformer_block.weights.h5")
