"""RandAugment: conformance, per-image operation choice, identity settings, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images


def test_conformance():
    run_layer_test(layers.RandAugment, {"num_ops": 1, "seed": 1}, input_shape=(2, 6, 7, 3),
                   input_data=images(), expected_output_shape=(2, 6, 7, 3),
                   expected_num_trainable_weights=0)


def test_no_operations_is_the_identity():
    x = images()
    np.testing.assert_allclose(to_numpy(layers.RandAugment(num_ops=0, seed=1)(x)), x)


def test_images_draw_different_operations_and_seeds_repeat():
    x = np.repeat(images()[:1], 8, axis=0)
    layer = layers.RandAugment(num_ops=1, factor=0.9, seed=4)
    choices = to_numpy(layer.get_random_transformation(x)["choices"][0])
    assert len(set(choices.tolist())) > 2 and choices.min() >= 0 and choices.max() < 13
    out = to_numpy(layers.RandAugment(num_ops=2, factor=0.9, seed=5)(x))
    assert len({o.tobytes() for o in out}) > 2
    np.testing.assert_allclose(out, to_numpy(layers.RandAugment(num_ops=2, factor=0.9, seed=5)(x)),
                               atol=1e-3)
    assert out.min() >= 0 and out.max() <= 255


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandAugment.*num_ops"):
        layers.RandAugment(num_ops=-1)
    with pytest.raises(ValueError, match="RandAugment.*factor"):
        layers.RandAugment(factor=1.5)
    with pytest.raises(ValueError, match="RandAugment.*interpolation"):
        layers.RandAugment(interpolation="lanczos3")
