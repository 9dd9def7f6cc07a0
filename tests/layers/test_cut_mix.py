"""CutMix: conformance, pasting and label mixing vs a NumPy reference with the layer's own
draws, box geometry, inference/unbatched identity, tf.data, config and bad input."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers, ops


def images(shape=(4, 8, 6, 3), seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype("float32")


def one_hot(n, classes=4):
    return np.eye(classes, dtype="float32")[np.arange(n) % classes]


def test_conformance():
    run_layer_test(layers.CutMix, {"seed": 2}, input_shape=(4, 8, 6, 3), input_data=images(),
                   expected_output_shape=(4, 8, 6, 3), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_cut_matches_numpy(data_format):
    layer = layers.CutMix(factor=(0.5, 1.0), seed=6, data_format=data_format)
    x = images() if data_format == "channels_last" else np.moveaxis(images(), -1, 1).copy()
    y = one_hot(4)
    data = {"images": ops.convert_to_tensor(x), "labels": ops.convert_to_tensor(y)}
    t = layer.get_random_transformation(data, training=True)
    perm = to_numpy(t["permutation_order"])
    box = to_numpy(t["batch_masks"]).astype(bool)
    w = to_numpy(t["mix_weight"])
    out = to_numpy(layer.transform_images(data["images"], t))
    np.testing.assert_array_equal(out, np.where(box, x[perm], x))
    labels = to_numpy(layer.transform_labels(data["labels"], t))
    np.testing.assert_allclose(labels, w[:, None] * y + (1 - w[:, None]) * y[perm], atol=1e-6)
    # Each box is one axis-aligned rectangle whose area share matches 1 - w up to a pixel border.
    plane = box[..., 0] if data_format == "channels_last" else box[:, 0]
    height, width = plane.shape[1:]
    for b in range(4):
        rows, cols = np.nonzero(plane[b].any(axis=1))[0], np.nonzero(plane[b].any(axis=0))[0]
        if rows.size:
            assert plane[b].sum() == rows.size * cols.size
            assert np.array_equal(rows, np.arange(rows[0], rows[-1] + 1))
        share = 1 - w[b]
        assert abs(plane[b].sum() / (height * width) - share) <= (height + width + 1) / (height * width)


def test_inference_unbatched_and_seed():
    x = images()
    np.testing.assert_array_equal(to_numpy(layers.CutMix(seed=1)(x, training=False)), x)
    np.testing.assert_array_equal(to_numpy(layers.CutMix(seed=1)(x[0])), x[0])
    a = to_numpy(layers.CutMix(seed=8)(x))
    b = to_numpy(layers.CutMix(seed=8)(x))
    np.testing.assert_array_equal(a, b)
    # Every output pixel comes from some image of the batch at the same place.
    assert np.all(np.any(np.isclose(a[:, None], x[None]), axis=1))


def test_inside_tf_data():
    tf = pytest.importorskip("tensorflow")
    layer = layers.CutMix(seed=3)
    ds = tf.data.Dataset.from_tensor_slices({"images": images(), "labels": one_hot(4)}).batch(4)
    out = next(iter(ds.map(layer)))
    assert isinstance(out["images"], tf.Tensor) and tuple(out["images"].shape) == (4, 8, 6, 3)
    np.testing.assert_allclose(out["labels"].numpy().sum(axis=1), 1.0, atol=1e-5)


def test_config():
    config = layers.CutMix(factor=0.5, seed=5).get_config()
    assert config["factor"] == [0.0, 0.5] and config["seed"] == 5
    assert layers.CutMix.from_config(config).get_config() == config


@pytest.mark.parametrize("factor", [1.5, (0.2, 1.2), (0.8, 0.2), "all"])
def test_bad_factor(factor):
    with pytest.raises(ValueError, match="CutMix.*factor"):
        layers.CutMix(factor=factor)
