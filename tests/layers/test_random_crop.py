"""RandomCrop: conformance, random windows vs NumPy slices, inference resize, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops
from test_image_preprocessing_common import images


def test_conformance():
    run_layer_test(layers.RandomCrop, {"height": 3, "width": 4, "seed": 1}, input_shape=(2, 6, 7, 3),
                   expected_output_shape=(2, 3, 4, 3), expected_num_trainable_weights=0,
                   expected_num_seed_generators=1)


def test_crop_is_a_numpy_window():
    x = images((2, 6, 7, 3))
    layer = layers.RandomCrop(3, 4, seed=7)
    seen = set()
    for _ in range(6):
        t = layer.get_random_transformation(x)
        top, left = int(to_numpy(t["top"])), int(to_numpy(t["left"]))
        assert 0 <= top <= 3 and 0 <= left <= 3
        seen.add((top, left))
        np.testing.assert_array_equal(to_numpy(layer.transform_images(x, t)),
                                      x[:, top:top + 3, left:left + 4])
    assert len(seen) > 1


def test_inference_and_small_inputs_resize_to_target():
    x = images((1, 6, 8, 2))
    expected = ops.image.resize(x, (3, 3), crop_to_aspect_ratio=True, data_format="channels_last")
    np.testing.assert_allclose(to_numpy(layers.RandomCrop(3, 3)(x, training=False)), to_numpy(expected),
                               atol=1e-4)
    small = images((1, 2, 2, 1))
    assert tuple(layers.RandomCrop(4, 4)(small).shape) == (1, 4, 4, 1)


def test_symbolic_shape_channels_first():
    layer = layers.RandomCrop(3, 2, data_format="channels_first")
    assert layer(KerasTensor((None, 3, 8, 9))).shape == (None, 3, 3, 2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomCrop.*height.*positive"):
        layers.RandomCrop(0, 3)
    with pytest.raises(ValueError, match="RandomCrop.*width.*positive"):
        layers.RandomCrop(3, 2.5)
