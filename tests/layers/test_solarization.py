"""Solarization: conformance, values vs a NumPy reference (thresholds, additions, value
ranges), seeding, tf.data, config and bad input."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers, ops


def numpy_solarize(x, addition, threshold, value_range=(0, 255)):
    low, high = value_range
    pixels = (x - low) * 255.0 / (high - low)
    shifted = np.clip(pixels + addition, 0, 255)
    out = np.where(shifted < threshold, shifted, 255 - shifted)
    return out * (high - low) / 255.0 + low


def images(shape=(2, 4, 5, 3), seed=0, value_range=(0, 255)):
    rng = np.random.default_rng(seed)
    return rng.uniform(value_range[0], value_range[1], shape).astype("float32")


def test_conformance():
    run_layer_test(layers.Solarization, {"threshold_factor": 0.5, "seed": 1},
                   input_shape=(2, 4, 5, 3), input_data=images(), expected_output_shape=(2, 4, 5, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("value_range", [(0, 255), (0, 1), (-1, 1)])
def test_fixed_draws_match_numpy(value_range):
    x = images(value_range=value_range)
    # Degenerate ranges fix the draws: addition in [a, a * 255], threshold in [t, t * 255]
    # both collapse only at 0; use 0 addition and the full-inversion threshold.
    y = to_numpy(layers.Solarization(value_range=value_range)(x))
    np.testing.assert_allclose(y, numpy_solarize(x, 0.0, 0.0, value_range), rtol=1e-5, atol=1e-4)


def test_random_draws_match_numpy():
    """Recover each image's draw from the layer's transformation and compare the result."""
    layer = layers.Solarization(addition_factor=(0.1, 0.3), threshold_factor=(0.4, 0.6), seed=4)
    x = images()
    transformation = layer.get_random_transformation(x, training=True)
    add = to_numpy(transformation["additions"])
    thr = to_numpy(transformation["thresholds"])
    assert np.all((add >= 0.1) & (add <= 0.3 * 255)) and np.all((thr >= 0.4) & (thr <= 0.6 * 255))
    y = to_numpy(layer.transform_images(ops.convert_to_tensor(x), transformation))
    expected = numpy_solarize(x, add[:, None, None, None], thr[:, None, None, None])
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-4)


def test_inference_seed_and_unbatched():
    x = images()
    layer = layers.Solarization(threshold_factor=0.8, seed=7)
    np.testing.assert_array_equal(to_numpy(layer(x, training=False)), x)
    again = layers.Solarization(threshold_factor=0.8, seed=7)
    np.testing.assert_allclose(to_numpy(layer(x)), to_numpy(again(x)))
    one = to_numpy(layers.Solarization()(x[0]))
    np.testing.assert_allclose(one, numpy_solarize(x[0], 0.0, 0.0), atol=1e-4)


def test_inside_tf_data():
    tf = pytest.importorskip("tensorflow")
    layer = layers.Solarization(value_range=(0, 1))
    x = images(value_range=(0, 1))
    out = next(iter(tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)))
    assert isinstance(out, tf.Tensor)
    np.testing.assert_allclose(out.numpy(), numpy_solarize(x, 0.0, 0.0, (0, 1)), atol=1e-5)


def test_config():
    config = layers.Solarization(addition_factor=0.2, threshold_factor=(0.1, 0.5), seed=3).get_config()
    for key in ("value_range", "addition_factor", "threshold_factor", "seed"):
        assert key in config
    assert config["addition_factor"] == [0.0, 0.2] and config["threshold_factor"] == [0.1, 0.5]
    assert layers.Solarization.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs,match", [
    ({"addition_factor": 1.5}, "addition_factor"),
    ({"threshold_factor": (0.2, -0.1)}, "threshold_factor"),
    ({"threshold_factor": "high"}, "threshold_factor"),
    ({"value_range": (255, 0)}, "value_range"),
    ({"seed": 1.5}, "seed"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"Solarization.*{match}"):
        layers.Solarization(**kwargs)
