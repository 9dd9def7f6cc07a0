"""HashedCrossing: Keras' documented crosses, the same values as tf.sparse.cross_hashed, one_hot,
model and tf.data, bad input."""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import to_numpy
from kiln import layers, ops

FEAT1 = np.array(["A", "B", "A", "B", "A"])
FEAT2 = np.array([101, 101, 101, 102, 102], "int64")


def test_documented_crosses():
    y = layers.HashedCrossing(num_bins=5)((FEAT1, FEAT2))
    np.testing.assert_array_equal(to_numpy(y), [1, 4, 1, 1, 3])
    hot = layers.HashedCrossing(num_bins=5, output_mode="one_hot")((FEAT1, FEAT2))
    np.testing.assert_array_equal(to_numpy(hot), np.eye(5)[[1, 4, 1, 1, 3]])


def test_same_values_as_tf_cross_hashed():
    a = np.array([["x"], ["y"], ["z"]])
    b = np.array([[1], [2], [3]], "int64")
    want = tf.sparse.to_dense(tf.sparse.cross_hashed([tf.constant(a), tf.constant(b)], 11)).numpy()
    y = layers.HashedCrossing(11)((a, ops.convert_to_tensor(b)))
    assert ops.shape(y) == (3, 1)
    np.testing.assert_array_equal(to_numpy(y).ravel(), want.ravel())


def test_symbolic_shape_and_config():
    layer = layers.HashedCrossing(7, output_mode="one_hot", name="cross")
    out = layer((kiln.KerasTensor((None,), "string"), kiln.KerasTensor((None,), "int64")))
    assert out.shape == (None, 7)
    config = layer.get_config()
    assert {"num_bins", "output_mode", "sparse", "name", "dtype"} <= set(config)
    assert layers.HashedCrossing.from_config(config).get_config() == config


def test_model_and_tf_data():
    a = np.array([[1], [2], [3]], "int32")
    b = np.array([[4], [5], [6]], "int32")
    want = tf.sparse.to_dense(tf.sparse.cross_hashed(
        [tf.constant(a, tf.int64), tf.constant(b, tf.int64)], 8)).numpy()
    layer = layers.HashedCrossing(8)
    ia, ib = layers.Input((1,), dtype="int32"), layers.Input((1,), dtype="int32")
    model = kiln.Model([ia, ib], layer((ia, ib)))
    if kiln.backend.backend() == "jax":
        model.compile(jit_compile=False)  # the hash runs in TensorFlow, outside jax's tracer
    np.testing.assert_array_equal(model.predict([a, b], verbose=0), want)
    ds = tf.data.Dataset.from_tensor_slices((FEAT1, FEAT2)).batch(5).map(lambda x, y: layer((x, y)))
    ref = to_numpy(layers.HashedCrossing(8)((FEAT1, FEAT2)))
    np.testing.assert_array_equal(next(iter(ds)).numpy(), ref)


@pytest.mark.parametrize("kwargs, match", [({"num_bins": 0}, "num_bins"),
                                           ({"num_bins": 3, "output_mode": "count"}, "output_mode"),
                                           ({"num_bins": 3, "sparse": True}, "sparse")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"HashedCrossing.*{match}"):
        layers.HashedCrossing(**kwargs)


def test_single_input_rejected():
    with pytest.raises(ValueError, match="HashedCrossing.*at least two"):
        layers.HashedCrossing(3)(FEAT1)
