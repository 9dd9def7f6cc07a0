"""RandomShear: conformance, shear matrices and warps vs NumPy, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images, numpy_warp


def test_conformance():
    run_layer_test(layers.RandomShear, {"x_factor": 0.3, "y_factor": 0.2, "seed": 1},
                   input_shape=(2, 6, 7, 3), expected_output_shape=(2, 6, 7, 3),
                   expected_num_trainable_weights=0, expected_num_seed_generators=1)


def test_matches_numpy_warp():
    x = images()
    layer = layers.RandomShear(x_factor=(0.2, 0.2), y_factor=(0.1, 0.1), fill_mode="constant", seed=2)
    t = layer.get_random_transformation(x)
    transform = to_numpy(t["transform"])
    np.testing.assert_allclose(np.abs(transform[:, 1]), 0.2, atol=1e-6)
    np.testing.assert_allclose(np.abs(transform[:, 3]), 0.1, atol=1e-6)
    np.testing.assert_allclose(transform[:, 2], -transform[:, 1] * 2.5, atol=1e-5)  # about the centre
    np.testing.assert_allclose(to_numpy(layer.transform_images(x, t)), numpy_warp(x, transform), atol=1e-3)


def test_zero_factors_are_the_identity():
    x = images((2, 4, 4, 3))
    np.testing.assert_allclose(to_numpy(layers.RandomShear()(x)), x, atol=1e-4)


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomShear.*x_factor"):
        layers.RandomShear(x_factor=-0.2)
    with pytest.raises(ValueError, match="RandomShear.*y_factor"):
        layers.RandomShear(y_factor=(0.4, 0.1))
    with pytest.raises(ValueError, match="RandomShear.*fill_value"):
        layers.RandomShear(fill_value=None)
