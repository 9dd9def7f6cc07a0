"""RandomContrast: conformance, (x - mean) * c + mean vs NumPy, value_range clipping, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images


def test_conformance():
    run_layer_test(layers.RandomContrast, {"factor": 0.5, "seed": 1}, input_shape=(2, 6, 7, 3),
                   expected_output_shape=(2, 6, 7, 3), expected_num_trainable_weights=0,
                   expected_num_seed_generators=1)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_matches_numpy(data_format):
    x = images()
    axes = (1, 2)
    if data_format == "channels_first":
        x, axes = np.transpose(x, (0, 3, 1, 2)), (2, 3)
    layer = layers.RandomContrast((0.3, 0.6), seed=4, data_format=data_format)
    t = layer.get_random_transformation(x)
    factor = to_numpy(t["contrast_factor"]).reshape(-1, 1, 1, 1)
    assert np.all((factor >= 0.7) & (factor <= 1.6))
    mean = x.mean(axis=axes, keepdims=True)
    expected = np.clip((x - mean) * factor + mean, 0, 255)
    np.testing.assert_allclose(to_numpy(layer.transform_images(x, t)), expected, rtol=1e-5, atol=1e-3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomContrast.*factor"):
        layers.RandomContrast(-0.2)
    with pytest.raises(ValueError, match="RandomContrast.*factor"):
        layers.RandomContrast((1.5, 2.0))
    with pytest.raises(ValueError, match="RandomContrast.*value_range"):
        layers.RandomContrast(0.2, value_range=(1, 0))
