"""RandomElasticTransform: conformance, identity settings, seeded warps, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images


def test_conformance():
    run_layer_test(layers.RandomElasticTransform, {"scale": 0.5, "seed": 1}, input_shape=(2, 6, 7, 3),
                   input_data=images(), expected_output_shape=(2, 6, 7, 3),
                   expected_num_trainable_weights=0, expected_num_seed_generators=1)


def test_identity_settings_and_flat_images():
    x = images()
    np.testing.assert_allclose(to_numpy(layers.RandomElasticTransform(factor=0.0, seed=1)(x)), x)
    np.testing.assert_allclose(to_numpy(layers.RandomElasticTransform(scale=0.0, seed=1)(x)), x, atol=1e-3)
    flat = np.full((2, 6, 7, 3), 9.0, "float32")
    np.testing.assert_allclose(to_numpy(layers.RandomElasticTransform(seed=2)(flat)), flat, atol=1e-3)


def test_warps_move_pixels_and_stay_in_range():
    x = images()
    out = to_numpy(layers.RandomElasticTransform((1.0, 1.0), scale=1.0, seed=3)(x))
    assert not np.allclose(out, x) and out.min() >= 0 and out.max() <= 255


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomElasticTransform.*fill_mode"):
        layers.RandomElasticTransform(fill_mode="mirror")
    with pytest.raises(ValueError, match="RandomElasticTransform.*scale"):
        layers.RandomElasticTransform(scale=-1.0)
    with pytest.raises(ValueError, match="RandomElasticTransform.*value_range"):
        layers.RandomElasticTransform(value_range=(3, 3))
