"""RandomErasing: conformance, one box per image within the area range, noise fill, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images


def test_conformance():
    run_layer_test(layers.RandomErasing, {"seed": 1}, input_shape=(2, 6, 7, 3),
                   input_data=images(), expected_output_shape=(2, 6, 7, 3),
                   expected_num_trainable_weights=0, expected_num_seed_generators=1)


def test_one_rectangle_of_fill_per_image():
    x = images((6, 10, 12, 2)) + 1.0
    out = to_numpy(layers.RandomErasing((1.0, 1.0), scale=(0.1, 0.3), fill_value=0.0, seed=3)(x))
    for image, result in zip(x, out):
        erased = np.all(result == 0.0, axis=-1)
        rows, cols = np.nonzero(erased)
        assert rows.size > 0
        box = erased[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        assert box.all(), "the erased pixels form one rectangle"
        assert 0.1 * 120 * 0.5 <= box.size <= 0.3 * 120 * 1.5
        np.testing.assert_array_equal(result[~erased], image[~erased])


def test_factor_zero_and_noise_fill():
    x = images()
    np.testing.assert_array_equal(to_numpy(layers.RandomErasing(0.0, seed=1)(x)), x)
    out = to_numpy(layers.RandomErasing((1.0, 1.0), scale=(0.3, 0.3), value_range=(0, 255), seed=2)(x))
    changed = out != x
    assert changed.any() and out.min() >= 0 and out.max() <= 255
    assert len(np.unique(out[changed])) > 10, "noise, not a constant"


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomErasing.*factor"):
        layers.RandomErasing(factor=1.5)
    with pytest.raises(ValueError, match="RandomErasing.*scale"):
        layers.RandomErasing(scale=(0.5, 0.1))
    with pytest.raises(ValueError, match="RandomErasing.*fill_value"):
        layers.RandomErasing(fill_value="black")
