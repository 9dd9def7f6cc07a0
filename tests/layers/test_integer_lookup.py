"""IntegerLookup: conformance, Keras' documented lookups, floormod OOV, invert, vector modes, adapt,
model and tf.data, bad input."""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import run_layer_test, to_numpy
from kiln import layers, ops

VOCAB = [12, 36, 1138, 42]
DATA = np.array([[12, 1138, 42], [42, 1000, 36]], "int32")


def test_conformance_count():
    run_layer_test(layers.IntegerLookup, {"vocabulary": VOCAB, "output_mode": "count"},
                   input_shape=(2, 3), input_dtype="int32", input_data=DATA,
                   expected_output_shape=(2, 5), expected_num_trainable_weights=0)


def test_int_lookup():
    y = layers.IntegerLookup(vocabulary=VOCAB)(ops.convert_to_tensor(DATA))
    np.testing.assert_array_equal(to_numpy(y), [[1, 3, 4], [4, 0, 2]])
    # NumPy inputs take the TensorFlow table path; backend tensors the backend's binary search.
    np.testing.assert_array_equal(to_numpy(layers.IntegerLookup(vocabulary=VOCAB)(DATA)),
                                  [[1, 3, 4], [4, 0, 2]])


def test_mask_and_floormod_oov():
    layer = layers.IntegerLookup(vocabulary=VOCAB, mask_token=0, num_oov_indices=2)
    y = to_numpy(layer(ops.convert_to_tensor(np.array([[12, 0, 1001], [1000, 36, 7]]))))
    np.testing.assert_array_equal(y, [[3, 0, 1 + 1001 % 2], [1 + 1000 % 2, 4, 1 + 7 % 2]])
    assert layer.get_vocabulary() == [0, -1, -1] + VOCAB


def test_multi_hot_and_tf_idf():
    y = layers.IntegerLookup(vocabulary=VOCAB, output_mode="multi_hot")(ops.convert_to_tensor(DATA))
    np.testing.assert_array_equal(to_numpy(y), [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    layer = layers.IntegerLookup(vocabulary=VOCAB, output_mode="tf_idf",
                                 idf_weights=[0.25, 0.75, 0.6, 0.4])
    y = layer(ops.convert_to_tensor(np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])))
    np.testing.assert_allclose(to_numpy(y), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], atol=1e-6)


def test_invert():
    layer = layers.IntegerLookup(vocabulary=VOCAB, invert=True)
    y = layer(ops.convert_to_tensor(np.array([[1, 3, 4], [4, 0, 2]])))
    np.testing.assert_array_equal(to_numpy(y), [[12, 1138, 42], [42, -1, 36]])


def test_adapt():
    layer = layers.IntegerLookup()
    layer.adapt(DATA)
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    ds_layer = layers.IntegerLookup(max_tokens=3)
    ds_layer.adapt(tf.data.Dataset.from_tensor_slices(DATA).batch(1))
    assert ds_layer.get_vocabulary() == [-1, 42, 1138]


def test_model_and_tf_data():
    layer = layers.IntegerLookup(vocabulary=VOCAB, output_mode="count")
    inputs = layers.Input((3,), dtype="int32")
    model = kiln.Model(inputs, layer(inputs))
    want = [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]
    np.testing.assert_array_equal(model.predict(DATA, verbose=0), want)
    ds = tf.data.Dataset.from_tensor_slices(DATA).batch(2).map(layer)
    np.testing.assert_array_equal(next(iter(ds)).numpy(), want)


@pytest.mark.parametrize("kwargs, match", [
    ({"vocabulary_dtype": "float32"}, "vocabulary_dtype"),
    ({"oov_method": "modulo"}, "oov_method"),
    ({"mask_token": "x"}, "mask_token"),
    ({"max_tokens": 0}, "max_tokens"),
    ({"vocabulary": [1, 1]}, "repeated"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"IntegerLookup.*{match}"):
        layers.IntegerLookup(**kwargs)


def test_float_inputs_rejected():
    with pytest.raises(ValueError, match="IntegerLookup.*integers"):
        layers.IntegerLookup(vocabulary=VOCAB)(ops.convert_to_tensor([1.5]))
