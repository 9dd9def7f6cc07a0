"""AutoContrast: conformance, values vs a NumPy reference (value ranges, channels_first,
constant channels), tf.data, config and bad input."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers


def numpy_auto_contrast(x, value_range=(0, 255), axes=(1, 2)):
    low, high = value_range
    lo = x.min(axis=axes, keepdims=True)
    hi = x.max(axis=axes, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.clip((x - lo) / (hi - lo) * (high - low) + low, low, high)
    return np.where(hi == lo, x, out)


def images(shape=(2, 5, 6, 3), low=0.0, high=255.0, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(low + (high - low) * 0.2, low + (high - low) * 0.7, shape).astype("float32")


def test_conformance():
    run_layer_test(layers.AutoContrast, {"value_range": (0, 1)}, input_shape=(2, 4, 5, 3),
                   input_data=images((2, 4, 5, 3), 0, 1), expected_output_shape=(2, 4, 5, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("value_range", [(0, 255), (0, 1), (-1, 1)])
def test_matches_numpy(value_range):
    x = images(low=value_range[0], high=value_range[1])
    x[1, :, :, 2] = value_range[0] + 0.25 * (value_range[1] - value_range[0])  # a constant channel
    y = to_numpy(layers.AutoContrast(value_range=value_range)(x))
    np.testing.assert_allclose(y, numpy_auto_contrast(x, value_range), rtol=1e-5, atol=1e-5)
    assert y[0].min() == pytest.approx(value_range[0]) and y[0].max() == pytest.approx(value_range[1])
    np.testing.assert_allclose(y[1, :, :, 2], x[1, :, :, 2])


def test_unbatched_channels_first_and_inference():
    x = images((3, 5, 4))  # one channels_first image
    layer = layers.AutoContrast(data_format="channels_first")
    expected = numpy_auto_contrast(x[None], axes=(2, 3))[0]
    np.testing.assert_allclose(to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(to_numpy(layer(x, training=False)), expected, rtol=1e-5, atol=1e-4)
    uint8 = np.round(images((2, 4, 4, 1))).astype("uint8")
    out = to_numpy(layers.AutoContrast()(uint8))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, numpy_auto_contrast(uint8.astype("float32")), atol=1e-4)


def test_inside_tf_data():
    tf = pytest.importorskip("tensorflow")
    layer = layers.AutoContrast()
    x = images()
    out = next(iter(tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)))
    assert isinstance(out, tf.Tensor)
    np.testing.assert_allclose(out.numpy(), numpy_auto_contrast(x), rtol=1e-5, atol=1e-4)


def test_config():
    config = layers.AutoContrast(value_range=(0, 1), name="ac").get_config()
    assert config["value_range"] == [0, 1] and "seed" not in config
    assert layers.AutoContrast.from_config(config).value_range == (0, 1)


@pytest.mark.parametrize("value_range", [(1, 0), (0,), "0-255", (0, 1, 2)])
def test_bad_value_range(value_range):
    with pytest.raises(ValueError, match="AutoContrast.*value_range"):
        layers.AutoContrast(value_range=value_range)


def test_bad_rank():
    with pytest.raises(ValueError, match="AutoContrast 'ac_x'.*rank"):
        layers.AutoContrast(name="ac_x")(np.zeros((4, 4), "float32"))
