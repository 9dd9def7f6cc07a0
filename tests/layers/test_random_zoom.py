"""RandomZoom: conformance, zoom in/out vs a NumPy warp, aspect ratio, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images, numpy_warp


def test_conformance():
    run_layer_test(layers.RandomZoom, {"height_factor": 0.2, "width_factor": (-0.1, 0.3), "seed": 1},
                   input_shape=(2, 6, 7, 3), expected_output_shape=(2, 6, 7, 3),
                   expected_num_trainable_weights=0, expected_num_seed_generators=1)


@pytest.mark.parametrize("factor", [(-0.5, -0.5), (0.5, 0.5)])
def test_fixed_zoom_matches_numpy(factor):
    x = images((1, 5, 7, 2))
    out = to_numpy(layers.RandomZoom(factor, fill_mode="constant")(x))
    zoom = 1.0 + factor[0]
    transform = [[zoom, 0, 3.0 * (1 - zoom), 0, zoom, 2.0 * (1 - zoom), 0, 0]]
    np.testing.assert_allclose(out, numpy_warp(x, transform), atol=1e-3)


def test_width_follows_height_when_not_given():
    x = images((3, 4, 4, 1))
    layer = layers.RandomZoom(0.4, seed=2)
    t = to_numpy(layer.get_random_transformation(x)["transform"])
    np.testing.assert_allclose(t[:, 0], t[:, 4])
    t = to_numpy(layers.RandomZoom(0.4, width_factor=0.4, seed=2).get_random_transformation(x)["transform"])
    assert not np.allclose(t[:, 0], t[:, 4])


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomZoom.*height_factor.*-1"):
        layers.RandomZoom((-1.5, 0.2))
    with pytest.raises(ValueError, match="RandomZoom.*width_factor"):
        layers.RandomZoom(0.2, width_factor=(0.5, 0.1))
    with pytest.raises(ValueError, match="RandomZoom.*fill_mode"):
        layers.RandomZoom(0.2, fill_mode="zero")
