"""Masks flow from Embedding(mask_zero=True) to the layers that use them."""

import numpy as np
import pytest

import kiln
from kiln import layers, ops

TOKENS = np.array([[3, 4, 0, 0], [1, 0, 0, 0]], dtype="int32")


def _expected(model_embedding):
    table = model_embedding.embeddings.numpy()
    vectors = table[TOKENS]
    keep = (TOKENS != 0)[..., None]
    return (vectors * keep).sum(axis=1) / keep.sum(axis=1)


def test_sequential_masked_average():
    model = kiln.Sequential([kiln.Input((4,), dtype="int32"), layers.Embedding(6, 3, mask_zero=True),
                             layers.Dropout(0.0), layers.GlobalAveragePooling1D()])
    out = ops.convert_to_numpy(model(TOKENS))
    np.testing.assert_allclose(out, _expected(model.layers[0]), rtol=1e-5)


def test_functional_mask_is_a_graph_edge_and_survives_config():
    tokens = kiln.Input((4,), dtype="int32", name="tokens")
    embedded = layers.Embedding(6, 3, mask_zero=True, name="emb")(tokens)
    assert embedded._keras_mask is not None and embedded._keras_mask.shape == (None, 4)
    pooled = layers.GlobalAveragePooling1D(name="pool")(embedded)
    model = kiln.Model(tokens, pooled)
    want = _expected(model.get_layer("emb"))
    np.testing.assert_allclose(ops.convert_to_numpy(model(TOKENS)), want, rtol=1e-5)
    config = model.get_config()
    ops_entries = [e for e in config["layers"] if e["class_name"] == "NotEqual"]
    assert ops_entries and ops_entries[0]["module"] == "keras.src.ops.numpy"
    assert ops_entries[0]["registered_name"] == "NotEqual"
    pool = [e for e in config["layers"] if e["name"] == "pool"][0]
    assert pool["inbound_nodes"][0]["kwargs"]["mask"]["config"]["keras_history"][0] == ops_entries[0]["name"]
    clone = kiln.Model.from_config(config)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(ops.convert_to_numpy(clone(TOKENS)), want, rtol=1e-5)


def test_without_mask_zero_padding_counts():
    model = kiln.Sequential([kiln.Input((4,), dtype="int32"), layers.Embedding(6, 3),
                             layers.GlobalAveragePooling1D()])
    table = model.layers[0].embeddings.numpy()
    np.testing.assert_allclose(ops.convert_to_numpy(model(TOKENS)), table[TOKENS].mean(axis=1), rtol=1e-5)
