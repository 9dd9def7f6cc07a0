"""The colour augmentations: RandomColorDegeneration, RandomSaturation, RandomHue, RandomColorJitter,
RandomGrayscale, RandomInvert, RandomPosterization, RandomSharpness — conformance, values vs NumPy or
colorsys, bad arguments."""

import colorsys

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images

LUMA = np.array([0.2989, 0.5870, 0.1140], "float32")

CONFORMANCE = [
    (layers.RandomColorDegeneration, {"factor": 0.5}),
    (layers.RandomSaturation, {"factor": 0.8}),
    (layers.RandomHue, {"factor": 0.4}),
    (layers.RandomColorJitter, {"brightness_factor": 0.2, "contrast_factor": 0.3,
                                "saturation_factor": (0.2, 0.7), "hue_factor": 0.2}),
    (layers.RandomGrayscale, {"factor": 0.5}),
    (layers.RandomInvert, {"factor": 0.5}),
    (layers.RandomPosterization, {"factor": (3, 5)}),
    (layers.RandomSharpness, {"factor": 0.7}),
]


@pytest.mark.parametrize("cls,kwargs", CONFORMANCE, ids=[c.__name__ for c, _ in CONFORMANCE])
def test_conformance(cls, kwargs):
    run_layer_test(cls, {**kwargs, "seed": 1}, input_shape=(2, 6, 7, 3),
                   input_data=images(), expected_output_shape=(2, 6, 7, 3),
                   expected_num_trainable_weights=0, expected_num_seed_generators=1)


def test_color_degeneration_matches_numpy():
    x = images()
    layer = layers.RandomColorDegeneration((0.2, 0.9), seed=2)
    t = layer.get_random_transformation(x)
    f = to_numpy(t["factor"]).reshape(-1, 1, 1, 1)
    gray = (x @ LUMA)[..., None]
    np.testing.assert_allclose(to_numpy(layer.transform_images(x, t)), x + f * (gray - x), atol=1e-2)


def _hsv_reference(image01, saturation_scale=1.0, hue_delta=0.0):
    out = np.empty_like(image01)
    for index in np.ndindex(image01.shape[:-1]):
        h, s, v = colorsys.rgb_to_hsv(*image01[index])
        out[index] = colorsys.hsv_to_rgb((h + hue_delta) % 1.0, min(s * saturation_scale, 1.0), v)
    return out


def test_saturation_and_hue_match_colorsys():
    x = images()
    out = to_numpy(layers.RandomSaturation((0.25, 0.25))(x))
    np.testing.assert_allclose(out, _hsv_reference(x / 255.0, saturation_scale=1.0 / 3.0) * 255.0, atol=0.05)
    np.testing.assert_allclose(to_numpy(layers.RandomSaturation((0.5, 0.5))(x)), x, atol=0.05)
    hue = layers.RandomHue((0.2, 0.6), seed=3)
    t = hue.get_random_transformation(x)
    deltas = to_numpy(t["factor"])
    assert np.all((np.abs(deltas) >= 0.1 - 1e-6) & (np.abs(deltas) <= 0.3 + 1e-6))
    out = to_numpy(hue.transform_images(x, t))
    for image, result, delta in zip(x, out, deltas):
        np.testing.assert_allclose(result, _hsv_reference(image / 255.0, hue_delta=delta) * 255.0, atol=0.05)


def test_jitter_runs_its_steps_in_order():
    x = np.full((1, 2, 2, 3), 100.0, "float32")
    out = layers.RandomColorJitter(brightness_factor=(0.1, 0.1), contrast_factor=0.0)(x)
    np.testing.assert_allclose(to_numpy(out), x + 25.5, atol=1e-4)
    assert len(layers.RandomColorJitter(hue_factor=0.1)._steps) == 1


def test_grayscale_invert_posterization_match_numpy():
    x = images()
    gray = to_numpy(layers.RandomGrayscale(1.0)(x))
    np.testing.assert_allclose(gray, np.repeat((x @ LUMA)[..., None], 3, axis=-1), atol=1e-2)
    np.testing.assert_allclose(to_numpy(layers.RandomGrayscale(0.0)(x)), x)
    np.testing.assert_allclose(to_numpy(layers.RandomInvert((1.0, 1.0))(x)), 255.0 - x, atol=1e-4)
    np.testing.assert_allclose(to_numpy(layers.RandomInvert(0.0)(x)), x)
    out = to_numpy(layers.RandomPosterization(3)(x))
    np.testing.assert_allclose(out, np.floor(np.round(x) / 32.0) * 32.0, atol=1e-3)
    scaled = to_numpy(layers.RandomPosterization(1, value_range=(0, 1))(x / 255.0))
    np.testing.assert_allclose(scaled, np.floor(np.round(x) / 128.0) * 128.0 / 255.0, atol=1e-5)


def test_sharpness_matches_numpy():
    x = images()
    np.testing.assert_allclose(to_numpy(layers.RandomSharpness((0.5, 0.5))(x)), x, atol=1e-3)
    kernel = np.ones((3, 3)) / 13.0
    kernel[1, 1] = 5.0 / 13.0
    smooth = x.copy()
    for i in range(1, 5):
        for j in range(1, 6):
            smooth[:, i, j] = np.einsum("bhwc,hw->bc", x[:, i - 1:i + 2, j - 1:j + 2], kernel)
    np.testing.assert_allclose(to_numpy(layers.RandomSharpness((0.0, 0.0))(x)), smooth, atol=1e-3)
    sharp = np.clip(smooth + 2.0 * (x - smooth), 0, 255)
    np.testing.assert_allclose(to_numpy(layers.RandomSharpness((1.0, 1.0))(x)), sharp, atol=1e-3)


@pytest.mark.parametrize("cls", [layers.RandomColorDegeneration, layers.RandomSaturation,
                                 layers.RandomHue, layers.RandomSharpness, layers.RandomInvert])
def test_bad_factor_and_value_range(cls):
    with pytest.raises(ValueError, match=f"{cls.__name__}.*factor.*\\[0"):
        cls(factor=1.5)
    with pytest.raises(ValueError, match=f"{cls.__name__}.*value_range"):
        cls(factor=0.5, value_range=(255, 0))


def test_bad_arguments_other_layers():
    with pytest.raises(ValueError, match="RandomGrayscale.*factor.*\\[0, 1\\]"):
        layers.RandomGrayscale(2.0)
    with pytest.raises(ValueError, match="RandomPosterization.*factor.*\\[1, 8\\]"):
        layers.RandomPosterization(9)
    with pytest.raises(ValueError, match="RandomPosterization.*factor"):
        layers.RandomPosterization(2.5)
    with pytest.raises(ValueError, match="RandomColorJitter.*value_range"):
        layers.RandomColorJitter(value_range=(0, 1, 2))
    with pytest.raises(ValueError, match="RandomBrightness.*factor"):
        layers.RandomColorJitter(brightness_factor=3.0)
