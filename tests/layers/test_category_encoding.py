"""CategoryEncoding: conformance, one_hot/multi_hot/count vs NumPy, count_weights, model and tf.data, bad input."""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import run_layer_test, to_numpy
from kiln import layers, ops

IDS = np.array([[0, 1, 1, 3], [2, 2, 2, 0]], "int32")


def _counts(ids, depth):
    return np.stack([np.bincount(row, minlength=depth) for row in ids]).astype("float32")


@pytest.mark.parametrize("mode, shape", [("one_hot", (2, 4, 5))])
def test_conformance(mode, shape):
    run_layer_test(layers.CategoryEncoding, {"num_tokens": 5, "output_mode": mode},
                   input_shape=(2, 4), input_dtype="int32", input_data=IDS,
                   expected_output_shape=shape, expected_num_trainable_weights=0)


def test_values_match_numpy():
    x = ops.convert_to_tensor(IDS)
    np.testing.assert_array_equal(to_numpy(layers.CategoryEncoding(4, "count")(x)), _counts(IDS, 4))
    np.testing.assert_array_equal(to_numpy(layers.CategoryEncoding(4, "multi_hot")(x)),
                                  _counts(IDS, 4) > 0)
    np.testing.assert_array_equal(to_numpy(layers.CategoryEncoding(4, "one_hot")(ops.convert_to_tensor([3, 0]))),
                                  np.eye(4)[[3, 0]])
    # A last axis of size 1 is replaced by the one-hot axis; a rank-1 multi_hot input is one sample.
    assert ops.shape(layers.CategoryEncoding(4, "one_hot")(ops.convert_to_tensor([[1], [2]]))) == (2, 4)
    np.testing.assert_array_equal(to_numpy(layers.CategoryEncoding(4)(ops.convert_to_tensor([1, 3]))),
                                  [0, 1, 0, 1])


def test_count_weights():
    weights = np.array([[1.0, 0.5, 0.5, 2.0], [1.0, 1.0, 1.0, 3.0]], "float32")
    y = layers.CategoryEncoding(4, "count")(ops.convert_to_tensor(IDS), count_weights=ops.convert_to_tensor(weights))
    np.testing.assert_allclose(to_numpy(y), [[1, 1, 0, 2], [3, 0, 3, 0]])


def test_model_and_tf_data():
    layer = layers.CategoryEncoding(4, "count")
    inputs = layers.Input((4,), dtype="int32")
    model = kiln.Model(inputs, layer(inputs))
    np.testing.assert_array_equal(model.predict(IDS, verbose=0), _counts(IDS, 4))
    ds = tf.data.Dataset.from_tensor_slices(IDS).batch(2).map(layer)
    np.testing.assert_array_equal(next(iter(ds)).numpy(), _counts(IDS, 4))


@pytest.mark.parametrize("kwargs, match", [({"num_tokens": None}, "num_tokens"),
                                           ({"num_tokens": -2}, "num_tokens"),
                                           ({"num_tokens": 3, "output_mode": "int"}, "output_mode"),
                                           ({"num_tokens": 3, "sparse": True}, "sparse")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"CategoryEncoding.*{match}"):
        layers.CategoryEncoding(**kwargs)


def test_rank_3_multi_hot_rejected():
    with pytest.raises(ValueError, match="rank"):
        layers.CategoryEncoding(3)(ops.zeros((2, 2, 2), "int32"))
