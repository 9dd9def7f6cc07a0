"""ReversibleEmbedding: conformance, forward lookup and reverse logits against NumPy, bad input."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def test_conformance_forward():
    run_layer_test(layers.ReversibleEmbedding, {"input_dim": 10, "output_dim": 4}, input_shape=(2, 5),
                   input_dtype="int32", expected_output_shape=(2, 5, 4),
                   expected_num_trainable_weights=1, expected_num_non_trainable_weights=0)


def test_conformance_reverse_untied():
    run_layer_test(layers.ReversibleEmbedding,
                   {"input_dim": 7, "output_dim": 4, "tie_weights": False, "logit_soft_cap": 3.0},
                   input_shape=(2, 3, 4), call_kwargs={"reverse": True},
                   expected_output_shape=(2, 3, 7), expected_num_trainable_weights=2)


def test_forward_and_tied_reverse_match_numpy():
    layer = layers.ReversibleEmbedding(6, 3, embeddings_initializer="random_normal")
    idx = np.array([[0, 5, 2]], dtype="int32")
    table = None
    out = to_numpy(layer(ops.convert_to_tensor(idx)))
    table = layer.embeddings.numpy()
    np.testing.assert_allclose(out, table[idx])
    hidden = np.random.default_rng(0).standard_normal((2, 4, 3)).astype("float32")
    logits = to_numpy(layer(ops.convert_to_tensor(hidden), reverse=True))
    np.testing.assert_allclose(logits, hidden @ table.T, rtol=1e-5, atol=1e-5)


def test_untied_reverse_and_soft_cap_match_numpy():
    layer = layers.ReversibleEmbedding(5, 3, tie_weights=False, logit_soft_cap=2.0, name="rev")
    layer.build()
    assert [v.path for v in layer.weights] == ["rev/embeddings", "rev/reverse_embeddings"]
    assert tuple(layer.reverse_embeddings.shape) == (3, 5)
    hidden = 3 * np.random.default_rng(1).standard_normal((2, 3)).astype("float32")
    logits = to_numpy(layer(ops.convert_to_tensor(hidden), reverse=True))
    raw = hidden @ layer.reverse_embeddings.numpy()
    np.testing.assert_allclose(logits, 2.0 * np.tanh(raw / 2.0), rtol=1e-5, atol=1e-5)


def test_reverse_dtype_and_symbolic_shapes():
    layer = layers.ReversibleEmbedding(8, 4, reverse_dtype="float32", dtype="mixed_bfloat16")
    tokens = layer(ops.convert_to_tensor([[1, 2]]))
    assert ops.dtype(tokens) == "bfloat16"
    logits = layer(tokens, reverse=True)
    assert ops.dtype(logits) == "float32" and tuple(logits.shape) == (1, 2, 8)
    sym = layer(KerasTensor((None, 3, 4), dtype="bfloat16"), reverse=True)
    assert sym.shape == (None, 3, 8) and sym.dtype == "float32"
    assert layer.compute_output_shape((None, 5)) == (None, 5, 4)


def test_config_keys():
    config = layers.ReversibleEmbedding(4, 2, tie_weights=False, logit_soft_cap=1.5).get_config()
    for key in ("input_dim", "output_dim", "embeddings_initializer", "mask_zero", "tie_weights",
                "reverse_dtype", "logit_soft_cap"):
        assert key in config
    assert config["tie_weights"] is False and config["logit_soft_cap"] == 1.5


def test_mask_zero_forward():
    layer = layers.ReversibleEmbedding(5, 2, mask_zero=True)
    mask = layer.compute_mask(ops.convert_to_tensor([[0, 3]]))
    assert to_numpy(mask).tolist() == [[False, True]]


@pytest.mark.parametrize("cap", [0, -1.0, "big"])
def test_invalid_soft_cap(cap):
    with pytest.raises(ValueError, match="logit_soft_cap"):
        layers.ReversibleEmbedding(4, 2, logit_soft_cap=cap)


def test_invalid_dims():
    with pytest.raises(ValueError, match="input_dim"):
        layers.ReversibleEmbedding(0, 2)
