"""MixUp: conformance, mixing vs a NumPy reference with the layer's own draws, Beta
statistics, inference/unbatched identity, tf.data, config and bad input."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers, ops
from kiln.layers.preprocessing.data_layer import kiln_backend
from kiln.layers.preprocessing.image_stats._mixing import sample_symmetric_beta
from kiln.random import SeedGenerator


def images(shape=(4, 5, 6, 3), seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype("float32")


def one_hot(n, classes=3):
    return np.eye(classes, dtype="float32")[np.arange(n) % classes]


def test_conformance():
    run_layer_test(layers.MixUp, {"alpha": 0.4, "seed": 2}, input_shape=(4, 5, 6, 3),
                   input_data=images(), expected_output_shape=(4, 5, 6, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_mixing_matches_numpy(data_format):
    layer = layers.MixUp(alpha=0.5, seed=4, data_format=data_format)
    x = images() if data_format == "channels_last" else np.moveaxis(images(), -1, 1).copy()
    y = one_hot(4)
    data = {"images": ops.convert_to_tensor(x), "labels": ops.convert_to_tensor(y)}
    t = layer.get_random_transformation(data, training=True)
    w, perm = to_numpy(t["mix_weight"]), to_numpy(t["permutation_order"])
    assert sorted(perm.tolist()) == [0, 1, 2, 3] and np.all((w >= 0) & (w <= 1))
    out_images = to_numpy(layer.transform_images(data["images"], t))
    out_labels = to_numpy(layer.transform_labels(data["labels"], t))
    wi = w[:, None, None, None]
    np.testing.assert_allclose(out_images, wi * x + (1 - wi) * x[perm], rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(out_labels, w[:, None] * y + (1 - w[:, None]) * y[perm], atol=1e-6)
    np.testing.assert_allclose(out_labels.sum(axis=1), 1.0, atol=1e-6)


def test_call_with_dict_and_seed():
    data = {"images": images(), "labels": one_hot(4), "segmentation_masks": images((4, 5, 6, 1))}
    first = layers.MixUp(alpha=0.3, seed=9)(data)
    again = layers.MixUp(alpha=0.3, seed=9)(data)
    for key in data:
        np.testing.assert_allclose(to_numpy(first[key]), to_numpy(again[key]))
        assert to_numpy(first[key]).shape == data[key].shape
    low = np.minimum(data["images"], data["images"].min(axis=0))
    assert np.all(to_numpy(first["images"]) >= low.min() - 1e-3)


def test_beta_statistics():
    w = to_numpy(sample_symmetric_beta(kiln_backend(), (4000,), 0.2, SeedGenerator(0)))
    assert abs(w.mean() - 0.5) < 0.03
    assert abs(w.var() - 1 / (4 * 1.4)) < 0.02  # Var Beta(a, a) = 1 / (4 (2a + 1))


def test_inference_and_unbatched_are_identity():
    x = images()
    layer = layers.MixUp(seed=1)
    np.testing.assert_array_equal(to_numpy(layer(x, training=False)), x)
    np.testing.assert_array_equal(to_numpy(layer(x[0])), x[0])


def test_inside_tf_data():
    tf = pytest.importorskip("tensorflow")
    layer = layers.MixUp(alpha=0.5, seed=3)
    ds = tf.data.Dataset.from_tensor_slices({"images": images(), "labels": one_hot(4)}).batch(4)
    out = next(iter(ds.map(layer)))
    assert isinstance(out["images"], tf.Tensor) and tuple(out["images"].shape) == (4, 5, 6, 3)
    np.testing.assert_allclose(out["labels"].numpy().sum(axis=1), 1.0, atol=1e-5)


def test_config():
    config = layers.MixUp(alpha=0.3, seed=5).get_config()
    assert config["alpha"] == 0.3 and config["seed"] == 5
    assert layers.MixUp.from_config(config).get_config() == config


@pytest.mark.parametrize("alpha", [0, -0.5, "big", None])
def test_bad_alpha(alpha):
    with pytest.raises(ValueError, match="MixUp.*alpha"):
        layers.MixUp(alpha=alpha)


def test_bad_rank():
    with pytest.raises(ValueError, match="MixUp 'mu'.*rank"):
        layers.MixUp(name="mu")(np.zeros((2, 3, 4, 5, 6), "float32"))
