"""RandomPerspective: conformance, identity settings, corner displacements, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers, ops
from test_image_preprocessing_common import images


def test_conformance():
    run_layer_test(layers.RandomPerspective, {"scale": 0.5, "seed": 1}, input_shape=(2, 6, 7, 3),
                   expected_output_shape=(2, 6, 7, 3), expected_num_trainable_weights=0,
                   expected_num_seed_generators=1)


def test_identity_settings():
    x = images()
    np.testing.assert_allclose(to_numpy(layers.RandomPerspective(scale=0.0)(x)), x, atol=1e-3)
    np.testing.assert_allclose(to_numpy(layers.RandomPerspective(factor=0.0, seed=1)(x)), x, atol=1e-3)


def test_corners_move_within_scale_and_warp_follows():
    x = images((3, 8, 10, 1))
    layer = layers.RandomPerspective((1.0, 1.0), scale=0.4, seed=3)
    t = layer.get_random_transformation(x)
    start, end = to_numpy(t["start_points"]), to_numpy(t["end_points"])
    np.testing.assert_allclose(start[0], [[0, 0], [9, 0], [0, 7], [9, 7]])
    shift = np.abs(end - start)
    assert np.all(shift[..., 0] <= 0.4 * 9 * 0.25 + 1e-5) and np.all(shift[..., 1] <= 0.4 * 7 * 0.25 + 1e-5)
    assert shift.max() > 0
    expected = ops.image.perspective_transform(x, start, end, data_format="channels_last")
    np.testing.assert_allclose(to_numpy(layer.transform_images(x, t)), to_numpy(expected), atol=1e-4)


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomPerspective.*scale"):
        layers.RandomPerspective(scale=2.0)
    with pytest.raises(ValueError, match="RandomPerspective.*interpolation"):
        layers.RandomPerspective(interpolation="cubic")
    with pytest.raises(ValueError, match="RandomPerspective.*factor"):
        layers.RandomPerspective(factor=-0.1)
