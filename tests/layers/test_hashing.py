"""Hashing: Keras' documented bins, the same values as tf.strings hashing, mask, salt, output modes,
model and tf.data, bad input."""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import run_layer_test, to_numpy
from kiln import layers, ops

WORDS = np.array([["A"], ["B"], ["C"], ["D"], ["E"]])
INTS = np.array([[1, 20, 300], [4000, 5, 66]], "int32")


def test_conformance_integer_inputs():
    # Integer inputs and bins: no gradient and no weights; hashing runs in TensorFlow, which a
    # compiled jax/torch training step cannot call, so the training check does not apply.
    run_layer_test(layers.Hashing, {"num_bins": 4, "output_mode": "multi_hot"}, input_shape=(2, 3),
                   input_dtype="int32", input_data=INTS, expected_output_shape=(2, 4),
                   expected_num_trainable_weights=0, run_training_check=False)


def test_documented_bins():
    np.testing.assert_array_equal(to_numpy(layers.Hashing(num_bins=3)(WORDS)).ravel(), [1, 0, 1, 1, 2])
    masked = layers.Hashing(num_bins=3, mask_value="")(np.array([["A"], ["B"], [""], ["C"], ["D"]]))
    np.testing.assert_array_equal(to_numpy(masked).ravel(), [1, 1, 0, 2, 2])
    salted = layers.Hashing(num_bins=3, salt=133)(WORDS)
    np.testing.assert_array_equal(to_numpy(salted).ravel(), [0, 0, 2, 1, 0])


def test_same_values_as_tf_ops():
    words = np.array(["kiln", "keras", "", "ünïcode", "a b"])
    np.testing.assert_array_equal(to_numpy(layers.Hashing(17)(words)),
                                  tf.strings.to_hash_bucket_fast(words, 17).numpy())
    np.testing.assert_array_equal(to_numpy(layers.Hashing(17, salt=[1, 2])(words)),
                                  tf.strings.to_hash_bucket_strong(words, 17, key=[1, 2]).numpy())
    y = to_numpy(layers.Hashing(9)(ops.convert_to_tensor(INTS)))
    np.testing.assert_array_equal(y, tf.strings.to_hash_bucket_fast(tf.strings.as_string(INTS), 9).numpy())


def test_integer_mask_and_one_hot():
    y = to_numpy(layers.Hashing(5, mask_value=20)(ops.convert_to_tensor(INTS)))
    assert y[0, 1] == 0 and np.all(y[y != 0] >= 1) and np.all(y < 5)
    one_hot = layers.Hashing(4, output_mode="one_hot")(np.array(["a", "b"]))
    assert ops.shape(one_hot) == (2, 4) and to_numpy(one_hot).sum() == 2


def test_model_and_tf_data():
    layer = layers.Hashing(6)
    want = tf.strings.to_hash_bucket_fast(tf.strings.as_string(INTS), 6).numpy()
    inputs = layers.Input((3,), dtype="int32")
    model = kiln.Model(inputs, layer(inputs))
    if kiln.backend.backend() == "jax":
        model.compile(jit_compile=False)  # the hash runs in TensorFlow, outside jax's tracer
    np.testing.assert_array_equal(model.predict(INTS, verbose=0), want)
    ds = tf.data.Dataset.from_tensor_slices(INTS).batch(2).map(layer)
    np.testing.assert_array_equal(next(iter(ds)).numpy(), want)
    words = tf.data.Dataset.from_tensor_slices(WORDS).batch(5).map(layers.Hashing(3))
    np.testing.assert_array_equal(next(iter(words)).numpy().ravel(), [1, 0, 1, 1, 2])


def test_symbolic_shape():
    assert layers.Hashing(4)(kiln.KerasTensor((None, 3), "int32")).shape == (None, 3)
    assert layers.Hashing(4, output_mode="count")(kiln.KerasTensor((None, 3), "int32")).shape == (None, 4)


@pytest.mark.parametrize("kwargs, match", [
    ({"num_bins": 0}, "num_bins"),
    ({"num_bins": 1, "mask_value": ""}, "num_bins"),
    ({"num_bins": 3, "salt": "x"}, "salt"),
    ({"num_bins": 3, "output_mode": "tf_idf"}, "output_mode"),
    ({"num_bins": 3, "sparse": True}, "sparse"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"Hashing.*{match}"):
        layers.Hashing(**kwargs)


def test_float_inputs_rejected():
    with pytest.raises(ValueError, match="Hashing.*strings or integers"):
        layers.Hashing(3)(ops.convert_to_tensor([1.5]))
