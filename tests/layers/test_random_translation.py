"""RandomTranslation: conformance, whole-pixel shifts vs NumPy, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images


def test_conformance():
    run_layer_test(layers.RandomTranslation, {"height_factor": 0.2, "width_factor": 0.3, "seed": 1},
                   input_shape=(2, 6, 7, 3), expected_output_shape=(2, 6, 7, 3),
                   expected_num_trainable_weights=0, expected_num_seed_generators=1)


def test_shift_matches_numpy():
    x = images((2, 5, 4, 3))
    out = to_numpy(layers.RandomTranslation((0.4, 0.4), (-0.25, -0.25), fill_mode="constant")(x))
    expected = np.zeros_like(x)
    expected[:, 2:, :3] = x[:, :3, 1:]  # two rows down, one column left
    np.testing.assert_allclose(out, expected, atol=1e-4)


def test_reflect_fill_keeps_values_from_the_image():
    x = images((1, 4, 4, 1))
    out = to_numpy(layers.RandomTranslation((0.5, 0.5), 0.0, fill_mode="nearest")(x))
    np.testing.assert_allclose(out[0, :2], np.repeat(x[0, :1], 2, axis=0), atol=1e-4)


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomTranslation.*height_factor.*\\[-1"):
        layers.RandomTranslation(1.5, 0.1)
    with pytest.raises(ValueError, match="RandomTranslation.*width_factor"):
        layers.RandomTranslation(0.1, (0.2, -0.2))
    with pytest.raises(ValueError, match="RandomTranslation.*interpolation"):
        layers.RandomTranslation(0.1, 0.1, interpolation="area")
