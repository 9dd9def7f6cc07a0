"""GroupQueryAttention: conformance, NumPy reference (key/value heads repeated per query group)
with attention_mask, causal mask and scores, weight shapes and config, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops

Q_SHAPE = (2, 4, 8)


def test_conformance():
    run_layer_test(layers.GroupQueryAttention,
                   {"head_dim": 4, "num_query_heads": 2, "num_key_value_heads": 1},
                   input_shape={"query": Q_SHAPE, "value": Q_SHAPE},
                   expected_output_shape=Q_SHAPE, expected_num_trainable_weights=8,
                   expected_num_non_trainable_weights=0)


def _numpy_gqa(layer, q, v, k, allowed):
    wq, bq, wk, bk, wv, bv, wo, bo = layer.get_weights()
    repeats = wq.shape[1] // wk.shape[1]
    qh = np.einsum("btd,dnh->btnh", q, wq) + bq
    kh = np.repeat(np.einsum("bsd,dnh->bsnh", k, wk) + bk, repeats, axis=2)
    vh = np.repeat(np.einsum("bsd,dnh->bsnh", v, wv) + bv, repeats, axis=2)
    logits = np.einsum("btnh,bsnh->bnts", qh, kh) / np.sqrt(wq.shape[2])
    logits = np.where(allowed[:, None], logits, -1e9)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    out = np.einsum("bnts,bsnh->btnh", probs, vh)
    return np.einsum("btnh,nhd->btd", out, wo) + bo, probs


def test_matches_numpy_reference():
    q, v, k = make_input([Q_SHAPE, Q_SHAPE, Q_SHAPE])
    layer = layers.GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2,
                                       bias_initializer="random_normal")
    layer(q, v, key=k)
    allowed = np.random.default_rng(2).random((2, 4, 4)) > 0.3
    allowed &= np.tril(np.ones((4, 4), bool))[None]
    allowed[..., 0] = True
    ref_out, ref_probs = _numpy_gqa(layer, q, v, k, allowed)
    fused = layer(q, v, key=k, attention_mask=allowed, use_causal_mask=True)
    out, scores = layer(q, v, key=k, attention_mask=allowed, use_causal_mask=True,
                        return_attention_scores=True)
    np.testing.assert_allclose(to_numpy(fused), ref_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(to_numpy(out), ref_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(to_numpy(scores), ref_probs, rtol=1e-5, atol=1e-5)


def test_weights_config_and_symbolic_scores():
    layer = layers.GroupQueryAttention(4, 2, 1, use_bias=False, name="gqa")
    layer.build((None, 4, 8), (None, 6, 8))
    assert [(v.path, tuple(v.shape)) for v in layer.weights] == [
        ("gqa/query/kernel", (8, 2, 4)), ("gqa/key/kernel", (8, 1, 4)),
        ("gqa/value/kernel", (8, 1, 4)), ("gqa/attention_output/kernel", (2, 4, 8))]
    assert list(layer.get_config())[3:] == [
        "head_dim", "num_query_heads", "num_key_value_heads", "use_bias", "use_gate", "dropout",
        "sliding_window", "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
        "activity_regularizer", "kernel_constraint", "bias_constraint", "seed"]
    out, scores = layers.GroupQueryAttention(4, 2, 1)(
        KerasTensor((None, 3, 8)), KerasTensor((None, 6, 8)), return_attention_scores=True)
    assert out.shape == (None, 3, 8) and scores.shape == (None, 2, 3, 6)


def test_dropout_and_query_mask():
    q = make_input(Q_SHAPE)
    layer = layers.GroupQueryAttention(4, 2, 1, dropout=0.5, seed=2)
    inference = to_numpy(layer(q, q, training=False))
    assert not np.allclose(to_numpy(layer(q, q, training=True)), inference)
    query_mask = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
    masked = to_numpy(layer(q, q, query_mask=query_mask))
    np.testing.assert_allclose(masked[1], inference[1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("args,match", [
    ((4, 3, 2), "divisible"),
    ((0, 2, 1), "head_dim"),
    ((4, 2, -1), "num_key_value_heads"),
])
def test_invalid_arguments(args, match):
    with pytest.raises(ValueError, match=f"GroupQueryAttention.*{match}"):
        layers.GroupQueryAttention(*args)


def test_use_gate_not_supported():
    with pytest.raises(NotImplementedError, match="use_gate"):
        layers.GroupQueryAttention(4, 2, 1, use_gate=True)


def test_rank_4_input_rejected():
    with pytest.raises(ValueError, match=r"g4.*query.*rank 3.*\(2, 2, 4, 8\)"):
        layers.GroupQueryAttention(4, 2, 1, name="g4")(ops.ones((2, 2, 4, 8)), ops.ones((2, 2, 4, 8)))
