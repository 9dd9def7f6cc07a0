"""Embedding: conformance, lookup against NumPy, masks, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.Embedding, {"input_dim": 10, "output_dim": 4}, input_shape=(2, 5),
                   input_dtype="int32", expected_output_shape=(2, 5, 4),
                   expected_num_trainable_weights=1, expected_num_non_trainable_weights=0)


def test_lookup_matches_numpy():
    layer = layers.Embedding(6, 3)
    idx = np.array([[0, 5, 2], [1, 1, 4]], dtype="int32")
    out = to_numpy(layer(ops.convert_to_tensor(idx)))
    table = layer.embeddings.numpy()
    np.testing.assert_allclose(out, table[idx])
    assert [v.path for v in layer.weights] == [f"{layer.name}/embeddings"]


def test_float_indices_are_cast():
    layer = layers.Embedding(4, 2)
    out = to_numpy(layer(ops.convert_to_tensor([[1.0, 3.0]])))
    np.testing.assert_allclose(out, layer.embeddings.numpy()[[[1, 3]]])


def test_mask_zero():
    layer = layers.Embedding(5, 2, mask_zero=True)
    mask = layer.compute_mask(ops.convert_to_tensor([[0, 2, 0]]))
    assert to_numpy(mask).tolist() == [[False, True, False]]
    assert layers.Embedding(5, 2).compute_mask(ops.convert_to_tensor([[0]])) is None


def test_weights_argument():
    table = np.arange(6, dtype="float32").reshape(3, 2)
    layer = layers.Embedding(3, 2, weights=[table])
    np.testing.assert_allclose(to_numpy(layer(ops.convert_to_tensor([2]))), [[4.0, 5.0]])


def test_config_keys_match_keras():
    config = layers.Embedding(40, 8).get_config()
    assert list(config) == ["name", "trainable", "dtype", "input_dim", "output_dim",
                            "embeddings_initializer", "embeddings_regularizer",
                            "activity_regularizer", "embeddings_constraint", "mask_zero",
                            "quantization_config"]
    assert config["embeddings_initializer"]["class_name"] == "RandomUniform"
    assert config["embeddings_initializer"]["config"] == {"seed": None, "minval": -0.05, "maxval": 0.05}


@pytest.mark.parametrize("kwargs", [{"input_dim": 0, "output_dim": 2}, {"input_dim": 3, "output_dim": -1}])
def test_invalid_dims(kwargs):
    with pytest.raises(ValueError):
        layers.Embedding(**kwargs)
