"""TimeDistributed: conformance, Dense/Conv2D per step vs NumPy, masks, shapes, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
import kiln
from kiln import KerasTensor, layers, ops


def test_conformance_dense():
    run_layer_test(layers.TimeDistributed, {"layer": layers.Dense(3)}, input_shape=(2, 4, 5),
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0)


def test_dense_matches_numpy():
    x = make_input((3, 4, 5))
    layer = layers.TimeDistributed(layers.Dense(2, activation="relu"))
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    kernel, bias = (v.numpy() for v in layer.weights)
    want = np.stack([np.maximum(x[:, t] @ kernel + bias, 0) for t in range(4)], axis=1)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)


def test_weights_are_shared_and_named_under_the_wrapper():
    layer = layers.TimeDistributed(layers.Dense(3, name="fc"), name="td")
    layer(ops.ones((1, 6, 2)))
    assert [v.path for v in layer.weights] == ["td/fc/kernel", "td/fc/bias"]
    assert layer.layer.kernel.shape == (2, 3)


def test_symbolic_shapes_keep_none():
    out = layers.TimeDistributed(layers.Dense(4))(KerasTensor((None, None, 3)))
    assert out.shape == (None, None, 4)
    layer = layers.TimeDistributed(layers.Conv2D(5, 3, strides=2))
    assert layer.compute_output_shape((None, 7, 9, 9, 2)) == (None, 7, 4, 4, 5)


def test_output_dtype_follows_the_wrapped_layer():
    out = layers.TimeDistributed(layers.Embedding(10, 3))(KerasTensor((None, 4, 2), dtype="int32"))
    assert out.shape == (None, 4, 2, 3) and out.dtype == "float32"


class _MaskSum(layers.Layer):
    """Sums the feature rows of each sample where the mask is True."""

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.sum(inputs, axis=1)
        return ops.sum(inputs * ops.cast(mask, inputs.dtype)[..., None], axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


def test_mask_is_folded_for_the_wrapped_layer():
    x = make_input((2, 3, 4, 5))
    mask = np.random.default_rng(1).random((2, 3, 4)) > 0.5
    y = to_numpy(layers.TimeDistributed(_MaskSum())(ops.convert_to_tensor(x),
                                                    mask=ops.convert_to_tensor(mask)))
    np.testing.assert_allclose(y, (x * mask[..., None]).sum(axis=2), rtol=1e-5, atol=1e-5)


def test_mask_passes_through_in_a_model():
    tokens = kiln.Input((4,), dtype="int32")
    embedded = layers.Embedding(6, 3, mask_zero=True)(tokens)
    out = layers.TimeDistributed(layers.Dense(2))(embedded)
    assert out._keras_mask is not None and tuple(out._keras_mask.shape) == (None, 4)
    mask = ops.convert_to_tensor(np.array([[True, False, True, True]]))
    assert layers.TimeDistributed(layers.Dense(2)).compute_mask(ops.ones((1, 4, 3)), mask) is mask


def test_finer_mask_goes_through_the_wrapped_layer():
    tokens = kiln.Input((3, 4), dtype="int32")
    embedding = layers.Embedding(7, 2, mask_zero=True)
    embedded = embedding(tokens)
    assert tuple(embedded._keras_mask.shape) == (None, 3, 4)
    # An LSTM returning its last output drops the inner mask: a step survives if any token does.
    summed = layers.TimeDistributed(layers.LSTM(3))(embedded)
    assert tuple(summed.shape) == (None, 3, 3) and tuple(summed._keras_mask.shape) == (None, 3)
    sequences = layers.TimeDistributed(layers.LSTM(3, return_sequences=True))(embedded)
    assert tuple(sequences._keras_mask.shape) == (None, 3, 4)
    data = np.array([[[1, 2, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]]], dtype="int32")
    layer = layers.TimeDistributed(layers.LSTM(3))
    vectors = ops.convert_to_tensor(embedding.embeddings.numpy()[data])
    y = to_numpy(layer(vectors, mask=ops.convert_to_tensor(data != 0)))
    np.testing.assert_array_equal(to_numpy(layer.compute_mask(vectors, ops.convert_to_tensor(data != 0))),
                                  [[True, False, True]])
    lstm = layer.layer
    for t, n in ((0, 2), (2, 4)):
        np.testing.assert_allclose(y[:, t], to_numpy(lstm(vectors[:, t, :n])), rtol=1e-5, atol=1e-5)


def test_config_round_trip_nests_the_envelope():
    layer = layers.TimeDistributed(layers.Dense(3, name="inner"), name="td")
    config = layer.get_config()
    assert list(config) == ["name", "trainable", "dtype", "layer"]
    assert config["layer"]["module"] == "keras.layers" and config["layer"]["class_name"] == "Dense"
    clone = layers.TimeDistributed.from_config(config)
    assert isinstance(clone.layer, layers.Dense) and clone.layer.name == "inner"
    assert clone.get_config() == config


def test_training_flag_reaches_the_wrapped_layer():
    layer = layers.TimeDistributed(layers.Dropout(0.5, seed=1))
    x = ops.ones((2, 3, 20))
    np.testing.assert_array_equal(to_numpy(layer(x, training=False)), np.ones((2, 3, 20)))
    dropped = to_numpy(layer(x, training=True))
    assert (dropped == 0).any() and set(np.unique(dropped)) <= {0.0, 2.0}


def test_rank_2_input_rejected():
    with pytest.raises(ValueError, match="min_ndim"):
        layers.TimeDistributed(layers.Dense(2), name="td_rank")(ops.ones((3, 4)))
    with pytest.raises(ValueError, match="TimeDistributed .* at least 3 dimensions"):
        layers.TimeDistributed(layers.Dense(2)).compute_output_shape((None, 4))


def test_not_a_layer_rejected():
    with pytest.raises(ValueError, match="TimeDistributed: `layer` must be a kiln.layers.Layer"):
        layers.TimeDistributed(lambda x: x)


def test_mask_shape_mismatch_rejected():
    with pytest.raises(ValueError, match="mask"):
        layers.TimeDistributed(_MaskSum())(ops.ones((2, 3, 4, 5)), mask=ops.ones((2, 4, 4), dtype="bool"))
