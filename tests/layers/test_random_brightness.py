"""RandomBrightness: conformance, fixed offsets vs NumPy, value_range, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images


def test_conformance():
    run_layer_test(layers.RandomBrightness, {"factor": 0.2, "seed": 1}, input_shape=(2, 6, 7, 3),
                   expected_output_shape=(2, 6, 7, 3), expected_num_trainable_weights=0,
                   expected_num_seed_generators=1)


@pytest.mark.parametrize("factor,value_range", [((0.1, 0.1), (0, 255)), ((-0.5, -0.5), (0, 1))])
def test_fixed_factor_matches_numpy(factor, value_range):
    x = images() / 255.0 * value_range[1]
    out = to_numpy(layers.RandomBrightness(factor, value_range=value_range)(x))
    expected = np.clip(x + factor[0] * (value_range[1] - value_range[0]), *value_range)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_one_offset_per_image_within_the_range():
    x = np.full((8, 2, 2, 3), 100.0, "float32")
    out = to_numpy(layers.RandomBrightness(0.2, seed=3)(x))
    deltas = out - 100.0
    assert np.allclose(deltas, deltas[:, :1, :1, :1])
    assert np.all(np.abs(deltas) <= 0.2 * 255 + 1e-3) and deltas.std() > 1


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomBrightness.*factor.*\\[-1"):
        layers.RandomBrightness(1.5)
    with pytest.raises(ValueError, match="RandomBrightness.*factor"):
        layers.RandomBrightness((0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="RandomBrightness.*value_range"):
        layers.RandomBrightness(0.1, value_range=(0,))
