"""StringLookup: Keras' documented lookups, OOV hashing vs tf, invert, vector modes, adapt,
file vocabularies, model and tf.data, bad input."""

import json

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import to_numpy
from kiln import layers, ops
from kiln.saving import serialization_lib

VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d"], ["d", "z", "b"]]


def test_int_lookup():
    y = layers.StringLookup(vocabulary=VOCAB)(np.array(DATA))
    np.testing.assert_array_equal(to_numpy(y), [[1, 3, 4], [4, 0, 2]])
    assert ops.is_tensor(y)


def test_mask_and_several_oov_indices_hash_like_tf():
    layer = layers.StringLookup(vocabulary=VOCAB, mask_token="", num_oov_indices=3)
    data = np.array([["a", "", "zz"], ["qq", "d", "b"]])
    y = to_numpy(layer(data))
    oov = tf.strings.to_hash_bucket_fast(["zz", "qq"], 3).numpy() + 1
    np.testing.assert_array_equal(y, [[4, 0, oov[0]], [oov[1], 7, 5]])
    assert layer.get_vocabulary() == ["", "[UNK]", "[UNK]", "[UNK]"] + VOCAB
    assert layer.vocabulary_size() == 8


@pytest.mark.parametrize("mode, want", [
    ("multi_hot", [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]),
    ("count", [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]),
    ("tf_idf", [[0.0, 0.25, 0.0, 0.6, 0.8], [1.0, 0.0, 0.75, 0.0, 0.4]]),
])
def test_vector_modes(mode, want):
    data = np.array([["a", "c", "d", "d"], ["d", "z", "b", "z"]]) if mode != "multi_hot" else np.array(DATA)
    kwargs = {"idf_weights": [0.25, 0.75, 0.6, 0.4]} if mode == "tf_idf" else {}
    y = layers.StringLookup(vocabulary=VOCAB, output_mode=mode, **kwargs)(data)
    np.testing.assert_allclose(to_numpy(y), want, atol=1e-6)


def test_one_hot_and_pad_to_max_tokens():
    y = layers.StringLookup(vocabulary=VOCAB, output_mode="one_hot")(np.array(["a", "b", "z"]))
    np.testing.assert_array_equal(to_numpy(y), np.eye(5)[[1, 2, 0]])
    y = layers.StringLookup(vocabulary=VOCAB, output_mode="multi_hot", max_tokens=8,
                            pad_to_max_tokens=True)(np.array(DATA))
    assert ops.shape(y) == (2, 8)


def test_invert():
    layer = layers.StringLookup(vocabulary=VOCAB, invert=True)
    y = layer(ops.convert_to_tensor(np.array([[1, 3, 4], [4, 0, 2]])))
    assert np.asarray(y).tolist() in ([["a", "c", "d"], ["d", "[UNK]", "b"]],
                                      [[b"a", b"c", b"d"], [b"d", b"[UNK]", b"b"]])


def test_adapt_orders_by_frequency():
    layer = layers.StringLookup()
    layer.adapt(np.array(DATA))
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    ds_layer = layers.StringLookup(max_tokens=3)
    ds_layer.adapt(tf.data.Dataset.from_tensor_slices(np.array(DATA)).batch(1))
    assert ds_layer.get_vocabulary() == ["[UNK]", "d", "z"]
    idf_layer = layers.StringLookup(output_mode="tf_idf")
    idf_layer.adapt(np.array(DATA))
    np.testing.assert_allclose(idf_layer.get_config()["idf_weights"][0], np.log(1 + 2 / 3))


def test_vocabulary_file_is_read_at_construction(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("a\nb\nc\nd\n")
    layer = layers.StringLookup(vocabulary=str(path))
    path.unlink()
    config = layer.get_config()
    assert config["vocabulary"] == VOCAB
    rebuilt = serialization_lib.deserialize_kiln_object(
        json.loads(json.dumps(serialization_lib.serialize_kiln_object(layer))))
    np.testing.assert_array_equal(to_numpy(rebuilt(np.array(DATA))), [[1, 3, 4], [4, 0, 2]])


def test_config_keys():
    config = layers.StringLookup(vocabulary=VOCAB, name="lk").get_config()
    for key in ("invert", "max_tokens", "num_oov_indices", "oov_token", "mask_token", "output_mode",
                "sparse", "pad_to_max_tokens", "vocabulary", "idf_weights", "vocabulary_size",
                "encoding", "name"):
        assert key in config
    assert layers.StringLookup.from_config(config).get_config() == config
    assert layers.StringLookup.from_config({**config, "vocabulary_dtype": "string"}).get_config() == config


def test_symbolic_shape():
    out = layers.StringLookup(vocabulary=VOCAB, output_mode="count")(kiln.KerasTensor((None, 3), "string"))
    assert out.shape == (None, 5)


def test_tf_data():
    layer = layers.StringLookup(vocabulary=VOCAB)
    ds = tf.data.Dataset.from_tensor_slices(np.array(DATA)).batch(2).map(layer)
    np.testing.assert_array_equal(next(iter(ds)).numpy(), [[1, 3, 4], [4, 0, 2]])
    counts = layers.StringLookup(vocabulary=VOCAB, output_mode="count")
    ds = tf.data.Dataset.from_tensor_slices(np.array(DATA)).batch(2).map(counts)
    np.testing.assert_array_equal(next(iter(ds)).numpy(), [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])


def test_model_after_lookup():
    # Strings are looked up before the model (backends have no string tensors); the ids feed it.
    ids = to_numpy(layers.StringLookup(vocabulary=VOCAB)(np.array(DATA)))
    inputs = layers.Input((3,), dtype="int64")
    model = kiln.Model(inputs, layers.CategoryEncoding(5, "count")(inputs))
    np.testing.assert_array_equal(model.predict(ids, verbose=0), [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])


@pytest.mark.parametrize("kwargs, match", [
    ({"output_mode": "binary"}, "output_mode"),
    ({"max_tokens": 1}, "max_tokens"),
    ({"num_oov_indices": -1}, "num_oov_indices"),
    ({"invert": True, "output_mode": "count"}, "invert"),
    ({"pad_to_max_tokens": True}, "pad_to_max_tokens"),
    ({"vocabulary": ["a", "a"]}, "repeated"),
    ({"vocabulary": ["a", "[UNK]"]}, "OOV"),
    ({"output_mode": "tf_idf", "vocabulary": ["a"]}, "idf_weights"),
    ({"sparse": True}, "sparse"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"StringLookup.*{match}"):
        layers.StringLookup(**kwargs)


def test_bad_inputs():
    with pytest.raises(ValueError, match="StringLookup.*vocabulary"):
        layers.StringLookup()(np.array(["a"]))
    with pytest.raises(ValueError, match="StringLookup.*strings"):
        layers.StringLookup(vocabulary=VOCAB)(np.array([1, 2]))
    with pytest.raises(ValueError, match="StringLookup.*out-of-vocabulary"):
        layers.StringLookup(vocabulary=VOCAB, num_oov_indices=0)(np.array(["a", "zz"]))
