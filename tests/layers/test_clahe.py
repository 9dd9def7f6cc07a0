"""ContrastLimitedAdaptiveHistogramEqualization: conformance, values vs a loop-by-loop NumPy
CLAHE (clip limits, tile grids that do not divide the image, value ranges, channels_first),
tf.data, config and bad input."""

import math

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers

CLAHE = layers.ContrastLimitedAdaptiveHistogramEqualization


def numpy_clahe(x, value_range=(0, 255), clip_limit=4.0, grid=(8, 8)):
    """CLAHE on channels-last batches, one tile and one pixel at a time."""
    low, high = value_range
    pixels = ((x.astype("float64") - low) * 255.0 / (high - low)).astype("float32")
    batch, height, width, channels = pixels.shape
    rows, cols = grid
    th, tw = math.ceil(height / rows), math.ceil(width / cols)
    padded = np.pad(pixels, [(0, 0), (0, th * rows - height), (0, tw * cols - width), (0, 0)],
                    mode="symmetric")
    levels = np.clip(padded.astype("int32"), 0, 255)
    tables = np.zeros((batch, rows + 2, cols + 2, channels, 256))
    for b in range(batch):
        for r in range(rows):
            for c in range(cols):
                for ch in range(channels):
                    tile = levels[b, r * th:(r + 1) * th, c * tw:(c + 1) * tw, ch]
                    hist = np.bincount(tile.ravel(), minlength=256).astype("float64")
                    if clip_limit > 0:
                        limit = clip_limit * th * tw / 256.0
                        excess = np.maximum(hist - limit, 0).sum()
                        hist = np.minimum(hist, limit) + excess / 256.0
                    cdf = np.cumsum(hist)
                    denominator = (th * tw - cdf[0]) or 1.0
                    tables[b, r + 1, c + 1, ch] = np.clip((cdf - cdf[0]) * 255.0 / denominator, 0, 255)
    tables[:, 0], tables[:, -1] = tables[:, 1], tables[:, -2]
    tables[:, :, 0], tables[:, :, -1] = tables[:, :, 1], tables[:, :, -2]
    out = np.zeros(padded.shape)
    for y in range(th * rows):
        py = (y - th / 2.0) / th + 1.0
        y0 = math.floor(py)
        wy = py - y0
        y0, y1 = min(max(y0, 0), rows + 1), min(max(y0 + 1, 0), rows + 1)
        for xx in range(tw * cols):
            px = (xx - tw / 2.0) / tw + 1.0
            x0 = math.floor(px)
            wx = px - x0
            x0, x1 = min(max(x0, 0), cols + 1), min(max(x0 + 1, 0), cols + 1)
            for b in range(batch):
                for ch in range(channels):
                    v = levels[b, y, xx, ch]
                    top = tables[b, y0, x0, ch, v] * (1 - wx) + tables[b, y0, x1, ch, v] * wx
                    bottom = tables[b, y1, x0, ch, v] * (1 - wx) + tables[b, y1, x1, ch, v] * wx
                    out[b, y, xx, ch] = top * (1 - wy) + bottom * wy
    out = out[:, :height, :width]
    return out * (high - low) / 255.0 + low


def images(shape=(2, 9, 7, 2), value_range=(0, 255), seed=0):
    rng = np.random.default_rng(seed)
    low, high = value_range
    return (low + (high - low) * rng.beta(2.0, 5.0, shape)).astype("float32")


def test_conformance():
    run_layer_test(CLAHE, {"tile_grid_size": (2, 2)}, input_shape=(2, 6, 5, 3),
                   input_data=images((2, 6, 5, 3)), expected_output_shape=(2, 6, 5, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("kwargs", [
    {"tile_grid_size": (3, 2), "clip_limit": 1.5, "value_range": (0, 1)},
    {"tile_grid_size": (1, 1), "clip_limit": 0.0, "value_range": (-1, 1)},
])
def test_matches_numpy(kwargs):
    x = images(value_range=kwargs.get("value_range", (0, 255)))
    y = to_numpy(CLAHE(**kwargs)(x))
    expected = numpy_clahe(x, kwargs.get("value_range", (0, 255)), kwargs.get("clip_limit", 4.0),
                           kwargs["tile_grid_size"])
    scale = (kwargs.get("value_range", (0, 255))[1] - kwargs.get("value_range", (0, 255))[0]) / 255.0
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-3 * scale)


def test_channels_first_unbatched_and_inference():
    x = images((2, 8, 6))  # one channels_first image
    layer = CLAHE(tile_grid_size=(2, 2), data_format="channels_first")
    expected = np.moveaxis(numpy_clahe(np.moveaxis(x, 0, -1)[None], grid=(2, 2))[0], -1, 0)
    np.testing.assert_allclose(to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(to_numpy(layer(x, training=False)), expected, rtol=1e-5, atol=1e-3)


def test_inside_tf_data():
    tf = pytest.importorskip("tensorflow")
    layer = CLAHE(tile_grid_size=(2, 2))
    x = images((4, 6, 6, 1))
    out = next(iter(tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)))
    assert isinstance(out, tf.Tensor)
    np.testing.assert_allclose(out.numpy(), numpy_clahe(x[:2], grid=(2, 2)), rtol=1e-5, atol=1e-3)


def test_config():
    config = CLAHE(value_range=(0, 1), clip_limit=2.0, tile_grid_size=(4, 4)).get_config()
    assert list(config)[-4:] == ["value_range", "clip_limit", "tile_grid_size", "data_format"]
    assert CLAHE.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs,match", [
    ({"clip_limit": -1.0}, "clip_limit"),
    ({"tile_grid_size": (0, 2)}, "tile_grid_size"),
    ({"tile_grid_size": 8}, "tile_grid_size"),
    ({"value_range": (5, 5)}, "value_range"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"ContrastLimitedAdaptiveHistogramEqualization.*{match}"):
        CLAHE(**kwargs)
