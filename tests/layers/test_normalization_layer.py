"""Normalization: conformance, values vs NumPy, adapt from arrays/tensors/datasets, invert,
model and tf.data, bad input."""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_given_statistics_have_no_weights():
    layer = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0])
    x = np.ones((2, 4, 3), "float32")
    np.testing.assert_allclose(to_numpy(layer(ops.convert_to_tensor(x))), np.broadcast_to(
        [0.0, -0.5, -2 / 3], (2, 4, 3)), atol=1e-6)
    assert layer.weights == []
    assert layers.Normalization.from_config(layer.get_config()).get_config() == layer.get_config()


def test_conformance_adaptable_weights():
    layer = run_layer_test(layers.Normalization, {"axis": (1, 2)}, input_shape=(2, 4, 3),
                           expected_output_shape=(2, 4, 3), expected_num_trainable_weights=0,
                           expected_num_non_trainable_weights=3)
    assert [v.path.split("/")[-1] for v in layer.weights] == ["mean", "variance", "count"]
    assert layer.adapt_mean.shape == (4, 3) and layer.count.shape == ()


@pytest.mark.parametrize("source", ["numpy", "tensor", "dataset"])
def test_adapt_matches_numpy(source):
    x = make_input((10, 3)) * 3 + 2
    data = {"numpy": x, "tensor": ops.convert_to_tensor(x),
            "dataset": tf.data.Dataset.from_tensor_slices(x).batch(3)}[source]
    layer = layers.Normalization()
    layer.adapt(data)
    np.testing.assert_allclose(layer.adapt_mean.numpy(), x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.adapt_variance.numpy(), x.var(0), rtol=1e-5)
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0)), atol=1e-5)


def test_axis_none_and_invert():
    x = make_input((4, 2))
    layer = layers.Normalization(axis=None)
    layer.adapt(x)
    np.testing.assert_allclose(to_numpy(layer(ops.convert_to_tensor(x))),
                               (x - x.mean()) / x.std(), atol=1e-5)
    inv = layers.Normalization(mean=2.0, variance=4.0, invert=True)
    np.testing.assert_allclose(to_numpy(inv(ops.convert_to_tensor(x))), 2 + 2 * x, atol=1e-6)


def test_zero_variance_uses_epsilon():
    y = layers.Normalization(mean=0.0, variance=0.0)(ops.convert_to_tensor([[0.0, 1e-7, 2e-7]]))
    np.testing.assert_allclose(to_numpy(y), [[0.0, 1.0, 2.0]], rtol=1e-5)


def test_model_and_tf_data():
    x = make_input((6, 3))
    layer = layers.Normalization()
    layer.adapt(x)
    want = (x - x.mean(0)) / np.sqrt(x.var(0))
    inputs = layers.Input((3,))
    model = kiln.Model(inputs, layer(inputs))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, atol=1e-5)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(3).map(layer)
    np.testing.assert_allclose(np.concatenate([b.numpy() for b in ds]), want, atol=1e-5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="Normalization.*mean.*variance"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="Normalization.*axis"):
        layers.Normalization(axis="last")
    with pytest.raises(ValueError, match="Normalization.*axis"):
        layers.Normalization(axis=3)(ops.ones((2, 3)))
    with pytest.raises(ValueError, match="Normalization.*adapt"):
        layers.Normalization(mean=0.0, variance=1.0).adapt(np.zeros((2, 2)))
