"""RandomRotation: conformance, quarter turns vs NumPy, general angles vs a NumPy warp, bad arguments."""

import math

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images, numpy_warp


def test_conformance():
    run_layer_test(layers.RandomRotation, {"factor": 0.2, "seed": 1}, input_shape=(2, 6, 7, 3),
                   expected_output_shape=(2, 6, 7, 3), expected_num_trainable_weights=0,
                   expected_num_seed_generators=1)


def test_quarter_turn_is_rot90():
    x = images((2, 5, 5, 3))
    out = to_numpy(layers.RandomRotation((0.25, 0.25), fill_mode="constant")(x))
    np.testing.assert_allclose(out, np.rot90(x, 1, axes=(1, 2)), atol=1e-3)


def test_angle_matches_numpy_warp():
    x = images((2, 6, 5, 1))
    layer = layers.RandomRotation((-0.3, 0.3), fill_mode="constant", seed=5)
    transformation = layer.get_random_transformation(x)
    out = to_numpy(layer.transform_images(x, transformation))
    transform = to_numpy(transformation["transform"])
    for t in transform:  # a pure rotation: [cos, -sin, ., sin, cos, ., 0, 0]
        assert abs(t[0] ** 2 + t[3] ** 2 - 1) < 1e-5 and abs(t[0] - t[4]) < 1e-6
        assert abs(math.atan2(t[3], t[0])) <= 0.3 * 2 * math.pi + 1e-5
    np.testing.assert_allclose(out, numpy_warp(x, transform), atol=1e-3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomRotation.*fill_mode.*reflect"):
        layers.RandomRotation(0.1, fill_mode="mirror-ish")
    with pytest.raises(ValueError, match="RandomRotation.*interpolation.*bilinear"):
        layers.RandomRotation(0.1, interpolation="bicubic")
    with pytest.raises(ValueError, match="RandomRotation.*factor"):
        layers.RandomRotation((0.3, 0.1))
    with pytest.raises(ValueError, match="RandomRotation.*factor"):
        layers.RandomRotation("a lot")
