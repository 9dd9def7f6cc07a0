"""TextVectorization: Keras' documented outputs, standardize/split/ngrams modes, vector modes, adapt,
config, model and tf.data, bad input."""

import json

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import to_numpy
from kiln import layers
from kiln.saving import serialization_lib

TEXTS = np.array(["foo bar", "bar baz", "baz bada boom"])


def test_documented_adapt_and_int_output():
    layer = layers.TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(tf.data.Dataset.from_tensor_slices(TEXTS).batch(2))
    y = layer(np.array([["foo qux bar"], ["qux baz"]]))
    np.testing.assert_array_equal(to_numpy(y), [[4, 1, 3, 0], [1, 2, 0, 0]])
    assert layer.get_vocabulary() == ["", "[UNK]", "baz", "bar", "foo", "boom", "bada"]


def test_documented_vocabulary_and_truncation():
    layer = layers.TextVectorization(vocabulary=["earth", "wind", "and", "fire"],
                                     output_sequence_length=4)
    np.testing.assert_array_equal(to_numpy(layer(np.array([["earth wind and also fire"]]))),
                                  [[2, 3, 4, 1]])


def test_padding_to_longest_and_standardize():
    layer = layers.TextVectorization(vocabulary=["hello", "world"])
    y = to_numpy(layer(["Hello, WORLD!", "world"]))
    np.testing.assert_array_equal(y, [[2, 3], [3, 0]])
    lower_only = layers.TextVectorization(vocabulary=["hello,"], standardize="lower")
    np.testing.assert_array_equal(to_numpy(lower_only(["HELLO, x"])), [[2, 1]])
    raw = layers.TextVectorization(vocabulary=["Hello"], standardize=None)
    np.testing.assert_array_equal(to_numpy(raw(["Hello hello"])), [[2, 1]])


def test_character_split_and_ngrams_match_tf():
    chars = layers.TextVectorization(vocabulary=["a", "b"], split="character")
    np.testing.assert_array_equal(to_numpy(chars(["abca"])), [[2, 3, 1, 2]])
    layer = layers.TextVectorization(ngrams=2)
    layer.adapt(["x y z"])
    want = tf.strings.ngrams(tf.strings.split(["x y z"]), ngram_width=(1, 2), separator=" ")
    assert sorted(layer.get_vocabulary()[2:]) == sorted(t.decode() for t in want.flat_values.numpy())


@pytest.mark.parametrize("mode", ["multi_hot", "count", "tf_idf"])
def test_vector_modes_match_numpy(mode):
    layer = layers.TextVectorization(output_mode=mode, max_tokens=6, pad_to_max_tokens=True)
    layer.adapt(TEXTS)
    vocab = layer.get_vocabulary()
    assert vocab[0] == "[UNK]" and len(vocab) == 6
    y = to_numpy(layer(np.array(["bar bar qux", "boom"])))
    counts = np.zeros((2, 6))
    for row, text in enumerate(["bar bar qux", "boom"]):
        for token in text.split():
            counts[row, vocab.index(token) if token in vocab else 0] += 1
    if mode == "multi_hot":
        counts = (counts > 0).astype(float)
    if mode == "tf_idf":
        idf = np.array(layer.get_config()["idf_weights"])
        weights = np.concatenate([[idf.mean()], idf, np.zeros(6 - 1 - idf.size)])
        counts = counts * weights
    np.testing.assert_allclose(y, counts, rtol=1e-5, atol=1e-6)


def test_config_round_trip_keeps_adapted_vocabulary():
    layer = layers.TextVectorization(output_sequence_length=3, name="tv")
    layer.adapt(TEXTS)
    config = layer.get_config()
    assert config["vocabulary"] == ["baz", "bar", "foo", "boom", "bada"]
    assert config["vocabulary_size"] == 7
    rebuilt = serialization_lib.deserialize_kiln_object(
        json.loads(json.dumps(serialization_lib.serialize_kiln_object(layer))))
    np.testing.assert_array_equal(to_numpy(rebuilt(["foo baz"])), to_numpy(layer(["foo baz"])))
    assert rebuilt.get_config() == config


def test_symbolic_shapes():
    assert layers.TextVectorization(vocabulary=["a"], output_sequence_length=5)(
        kiln.KerasTensor((None, 1), "string")).shape == (None, 5)
    assert layers.TextVectorization(vocabulary=["a"], output_mode="count")(
        kiln.KerasTensor((None,), "string")).shape == (None, 2)


def test_tf_data_then_model():
    layer = layers.TextVectorization(output_sequence_length=4)
    layer.adapt(TEXTS)
    ds = tf.data.Dataset.from_tensor_slices(TEXTS).batch(3).map(layer)
    ids = next(iter(ds)).numpy()
    np.testing.assert_array_equal(ids, to_numpy(layer(TEXTS)))
    inputs = layers.Input((4,), dtype="int64")
    model = kiln.Model(inputs, layers.CategoryEncoding(layer.vocabulary_size(), "count")(inputs))
    counts = model.predict(ids, verbose=0)
    assert counts.shape == (3, 7) and counts.sum() == 12  # 7 tokens + 5 paddings


@pytest.mark.parametrize("kwargs, match", [
    ({"standardize": "upper"}, "standardize"),
    ({"split": "comma"}, "split"),
    ({"ngrams": 0}, "ngrams"),
    ({"output_mode": "one_hot"}, "output_mode"),
    ({"output_mode": "count", "output_sequence_length": 3}, "output_sequence_length"),
    ({"output_sequence_length": 0}, "output_sequence_length"),
    ({"ragged": True}, "ragged"),
    ({"sparse": True}, "sparse"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"TextVectorization.*{match}"):
        layers.TextVectorization(**kwargs)


def test_bad_inputs():
    with pytest.raises(ValueError, match="TextVectorization.*vocabulary"):
        layers.TextVectorization()(["a"])
    with pytest.raises(ValueError, match="TextVectorization.*strings"):
        layers.TextVectorization(vocabulary=["a"])(np.array([1, 2]))
    with pytest.raises(ValueError, match=r"TextVectorization.*\(batch, 1\)"):
        layers.TextVectorization(vocabulary=["a"])(np.array([["a", "b"]]))
