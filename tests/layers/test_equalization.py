"""Equalization: conformance, values vs a NumPy histogram-equalization reference (bins,
value ranges, channels_first, single-valued channels), tf.data, config and bad input."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers


def numpy_equalize(x, value_range=(0, 255), bins=256, channel_axis=-1):
    low, high = value_range
    pixels = (x.astype("float64") - low) * 255.0 / (high - low)
    pixels = pixels.astype("float32")
    moved = np.moveaxis(pixels, channel_axis, 0)
    out = np.empty_like(moved)
    for c, channel in enumerate(moved):
        index = np.clip((channel * ((bins - 1) / 255.0)).astype("int32"), 0, bins - 1)
        hist = np.bincount(index.ravel(), minlength=bins)
        if np.count_nonzero(hist) <= 1:
            out[c] = channel
            continue
        cdf = np.cumsum(hist)
        cdf_min = cdf[np.nonzero(cdf)[0][0]]
        denominator = cdf[-1] - cdf_min or 1
        lut = np.clip(np.round((cdf - cdf_min) * 255.0 / denominator), 0, 255)
        out[c] = lut[np.clip(channel / 255.0 * (bins - 1), 0, bins - 1).astype("int32")]
    out = np.moveaxis(out, 0, channel_axis)
    return out * (high - low) / 255.0 + low


def images(shape=(2, 6, 5, 3), seed=0, value_range=(0, 255)):
    rng = np.random.default_rng(seed)
    low, high = value_range
    # Skewed towards the dark end so equalization has work to do.
    return (low + (high - low) * rng.beta(2.0, 5.0, shape)).astype("float32")


def test_conformance():
    run_layer_test(layers.Equalization, {"bins": 32}, input_shape=(2, 4, 5, 3),
                   input_data=images((2, 4, 5, 3)), expected_output_shape=(2, 4, 5, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("value_range,bins", [((0, 255), 256), ((0, 1), 64), ((-1, 1), 16)])
def test_matches_numpy(value_range, bins):
    x = images(value_range=value_range)
    x[:, :, :, 1] = value_range[0]  # a channel with one occupied bin stays as it is
    y = to_numpy(layers.Equalization(value_range=value_range, bins=bins)(x))
    np.testing.assert_allclose(y, numpy_equalize(x, value_range, bins), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(y[..., 1], x[..., 1])


def test_channels_first_unbatched_and_inference():
    x = images((3, 6, 7))
    layer = layers.Equalization(data_format="channels_first", bins=128)
    np.testing.assert_allclose(to_numpy(layer(x)), numpy_equalize(x, bins=128, channel_axis=0),
                               rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(to_numpy(layer(x, training=False)), x)
    uint8 = np.round(images((1, 5, 5, 2))).astype("uint8")
    np.testing.assert_allclose(to_numpy(layers.Equalization()(uint8)),
                               numpy_equalize(uint8.astype("float32")), atol=1e-4)


def test_inside_tf_data():
    tf = pytest.importorskip("tensorflow")
    layer = layers.Equalization(bins=64)
    x = images()
    out = next(iter(tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)))
    assert isinstance(out, tf.Tensor)
    np.testing.assert_allclose(out.numpy(), numpy_equalize(x, bins=64), rtol=1e-5, atol=1e-4)


def test_config():
    config = layers.Equalization(value_range=(0, 1), bins=64, name="eq").get_config()
    assert config["bins"] == 64 and config["value_range"] == [0, 1] and "seed" not in config
    assert layers.Equalization.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs,match", [
    ({"bins": 1}, "bins"),
    ({"bins": 2.5}, "bins"),
    ({"value_range": (1, 1)}, "value_range"),
    ({"data_format": "nhwc"}, "data_format"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"Equalization.*{match}"):
        layers.Equalization(**kwargs)
