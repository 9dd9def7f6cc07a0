"""RandomFlip: conformance, flips vs NumPy through the transformation API, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images


@pytest.mark.parametrize("mode", ["horizontal", "horizontal_and_vertical"])
def test_conformance(mode):
    run_layer_test(layers.RandomFlip, {"mode": mode, "seed": 1}, input_shape=(2, 6, 7, 3),
                   expected_output_shape=(2, 6, 7, 3), expected_num_trainable_weights=0,
                   expected_num_seed_generators=1)


@pytest.mark.parametrize("mode,axes", [("horizontal", (1,)), ("vertical", (0,)),
                                       ("horizontal_and_vertical", (0, 1))])
def test_flips_match_numpy(mode, axes):
    x = images()
    layer = layers.RandomFlip(mode, seed=3)
    transformation = layer.get_random_transformation(x)
    out = to_numpy(layer.transform_images(x, transformation))
    flips = to_numpy(transformation["flips"]).reshape(-1)
    for image, result, flip in zip(x, out, flips):
        np.testing.assert_array_equal(result, np.flip(image, axes) if flip else image)


def test_both_outcomes_occur_and_seed_repeats():
    x = images((16, 2, 3, 1))
    out = to_numpy(layers.RandomFlip("horizontal", seed=4)(x))
    flipped = [np.array_equal(o, np.flip(i, 1)) for o, i in zip(out, x)]
    assert 0 < sum(flipped) < 16
    np.testing.assert_array_equal(out, to_numpy(layers.RandomFlip("horizontal", seed=4)(x)))


def test_segmentation_masks_follow_images():
    x = images((6, 3, 4, 1))
    out = layers.RandomFlip("horizontal", seed=2)({"images": x, "segmentation_masks": x.copy(),
                                                   "labels": np.arange(6)})
    np.testing.assert_array_equal(to_numpy(out["images"]), to_numpy(out["segmentation_masks"]))
    np.testing.assert_array_equal(to_numpy(out["labels"]), np.arange(6))


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomFlip.*mode.*horizontal"):
        layers.RandomFlip("diagonal")
    with pytest.raises(ValueError, match="RandomFlip.*data_format"):
        layers.RandomFlip(data_format="channels_middle")
    with pytest.raises(ValueError, match="RandomFlip.*rank 3.*4.*received.*\\(2, 3\\)"):
        layers.RandomFlip()(np.ones((2, 3), "float32"))
