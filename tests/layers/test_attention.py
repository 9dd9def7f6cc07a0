"""Attention and AdditiveAttention: conformance, NumPy references (scale, concat, masks,
causal mask, scores), masks from the inputs, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import Input, KerasTensor, Model, layers, ops


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _reference(q, v, k, scores, q_mask=None, v_mask=None, causal=False):
    allowed = np.ones(scores.shape, bool)
    if v_mask is not None:
        allowed &= v_mask[:, None, :]
    if causal:
        allowed &= np.tril(np.ones(scores.shape[-2:], bool))[None]
    weights = _softmax(np.where(allowed, scores, scores - 1e9))
    out = weights @ v
    if q_mask is not None:
        out = out * q_mask[..., None]
    return out, weights


def test_conformance_dot_scaled():
    # No input_mask here: the helper's mask check passes one tensor mask, while Attention takes a
    # list [query_mask, value_mask]; test_masks_carried_by_symbolic_inputs and the NumPy tests
    # cover mask propagation and masked values.
    run_layer_test(layers.Attention, {"use_scale": True}, input_shape=[(2, 3, 4), (2, 5, 4)],
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1)


def test_conformance_concat_with_key():
    run_layer_test(layers.Attention, {"score_mode": "concat"},
                   input_shape=[(2, 3, 4), (2, 5, 4), (2, 5, 4)], expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=1, training_changes_output=False)


def test_dropout_only_in_training():
    q, v = make_input([(2, 3, 4), (2, 6, 4)])
    layer = layers.Attention(dropout=0.5, seed=3)
    assert len(layer._seed_generators) == 1
    plain = to_numpy(layers.Attention()([q, v]))
    np.testing.assert_allclose(to_numpy(layer([q, v], training=False)), plain, rtol=1e-5, atol=1e-5)
    _, dropped = layer([q, v], training=True, return_attention_scores=True)
    dropped = to_numpy(dropped)
    assert (dropped == 0).any() and not np.allclose(dropped.sum(-1), 1.0)


def test_conformance_additive():
    run_layer_test(layers.AdditiveAttention, {}, input_shape=[(2, 3, 4), (2, 5, 4)],
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=1)


def test_dot_attention_matches_numpy_with_masks_causal_and_scores():
    q, v, k = make_input([(2, 4, 3), (2, 4, 3), (2, 4, 3)])
    q_mask = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
    v_mask = np.array([[1, 1, 0, 1], [1, 1, 1, 1]], bool)
    layer = layers.Attention(use_scale=True)
    layer.build([q.shape, v.shape, k.shape])
    layer.scale.assign(0.7)
    out, weights = layer([q, v, k], mask=[q_mask, v_mask], use_causal_mask=True,
                         return_attention_scores=True)
    scores = 0.7 * q @ k.transpose(0, 2, 1)
    ref_out, ref_w = _reference(q, v, k, scores, q_mask, v_mask, causal=True)
    np.testing.assert_allclose(to_numpy(out), ref_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(to_numpy(weights), ref_w, rtol=1e-5, atol=1e-5)


def test_concat_scores_match_numpy():
    q, v = make_input([(2, 3, 4), (2, 5, 4)])
    layer = layers.Attention(use_scale=True, score_mode="concat")
    layer.build([q.shape, v.shape])
    layer.scale.assign(0.5)
    layer.concat_score_weight.assign(1.5)
    out = to_numpy(layer([q, v]))
    scores = 1.5 * np.tanh(0.5 * (q[:, :, None, :] + v[:, None, :, :])).sum(-1)
    np.testing.assert_allclose(out, _reference(q, v, v, scores)[0], rtol=1e-5, atol=1e-5)
    assert [w.name for w in layer.weights] == ["scale", "concat_score_weight"]


def test_additive_attention_matches_numpy():
    q, v = make_input([(2, 3, 4), (2, 5, 4)])
    v_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    layer = layers.AdditiveAttention()
    out, weights = layer([q, v], mask=[None, v_mask], return_attention_scores=True)
    scale = layer.scale.numpy()
    assert scale.shape == (4,)
    scores = (scale * np.tanh(q[:, :, None, :] + v[:, None, :, :])).sum(-1)
    ref_out, ref_w = _reference(q, v, v, scores, v_mask=v_mask)
    np.testing.assert_allclose(to_numpy(out), ref_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(to_numpy(weights), ref_w, rtol=1e-5, atol=1e-5)
    plain = layers.AdditiveAttention(use_scale=False)([q, v])
    np.testing.assert_allclose(to_numpy(plain),
                               _reference(q, v, v, np.tanh(q[:, :, None] + v[:, None]).sum(-1))[0],
                               rtol=1e-5, atol=1e-5)


def test_masks_carried_by_symbolic_inputs():
    q, v = KerasTensor((None, 3, 4)), KerasTensor((None, 5, 4))
    q._keras_mask = KerasTensor((None, 3), dtype="bool")
    out, scores = layers.Attention()([q, v], return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 3, 5)
    assert out._keras_mask is not None and out._keras_mask.shape == (None, 3)


def test_masks_from_embedding_in_a_functional_model():
    tokens = Input((4,), dtype="int32")
    x = layers.Embedding(10, 3, mask_zero=True)(tokens)
    out = layers.Attention()([x, x])
    assert out._keras_mask is not None
    model = Model(tokens, out)
    ids = np.array([[3, 4, 0, 0], [1, 2, 5, 6]], dtype="int32")
    emb = to_numpy(model.layers[1](ids))
    ref = _reference(emb, emb, emb, emb @ emb.transpose(0, 2, 1), ids != 0, ids != 0)[0]
    np.testing.assert_allclose(to_numpy(model(ids)), ref, rtol=1e-5, atol=1e-5)


def test_eager_compute_mask_is_the_query_mask():
    q_mask = ops.convert_to_tensor(np.array([[True, False, True]]))
    layer = layers.Attention()
    mask = layer.compute_mask([ops.ones((1, 3, 2)), ops.ones((1, 4, 2))], [q_mask, None])
    assert to_numpy(mask).tolist() == [[True, False, True]]
    assert layer.compute_mask([ops.ones((1, 3, 2)), ops.ones((1, 4, 2))], None) is None


def test_config_keys():
    assert list(layers.Attention().get_config())[3:] == ["use_scale", "score_mode", "dropout"]
    assert list(layers.AdditiveAttention().get_config())[3:] == ["use_scale", "dropout"]


def test_invalid_score_mode():
    with pytest.raises(ValueError, match="score_mode.*dot"):
        layers.Attention(score_mode="bilinear")


def test_invalid_dropout():
    with pytest.raises(ValueError, match="AdditiveAttention.*dropout"):
        layers.AdditiveAttention(dropout=1.5)


def test_single_input_rejected():
    with pytest.raises(ValueError, match="attn.*list"):
        layers.Attention(name="attn")(ops.ones((1, 2, 3)))


def test_rank_and_dimension_errors():
    with pytest.raises(ValueError, match="query.*rank 3"):
        layers.Attention()([ops.ones((2, 3)), ops.ones((2, 3, 3))])
    with pytest.raises(ValueError, match=r"last dimension.*\(2, 3, 4\).*\(2, 5, 3\)"):
        layers.Attention()([ops.ones((2, 3, 4)), ops.ones((2, 5, 3))])
