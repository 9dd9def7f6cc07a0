"""The operations RandAugment and AugMix choose from, and the per-image choice between them.

Each operation is one of this package's layers configured for a magnitude
(so its randomness, seeding and tf.data support come with it), or a
parameter-free function of the images (auto contrast, solarization).

Example:
    >>> names = [name for name, _ in policy_layers(0.5, (0, 255), "bilinear", 1, "channels_last")]
    >>> names[:3]
    ['shear_x', 'shear_y', 'translate_x']
"""

import math

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer)
from kiln.layers.preprocessing.image.random_brightness import RandomBrightness
from kiln.layers.preprocessing.image.random_color_degeneration import RandomColorDegeneration
from kiln.layers.preprocessing.image.random_contrast import RandomContrast
from kiln.layers.preprocessing.image.random_posterization import RandomPosterization
from kiln.layers.preprocessing.image.random_rotation import RandomRotation
from kiln.layers.preprocessing.image.random_sharpness import RandomSharpness
from kiln.layers.preprocessing.image.random_shear import RandomShear
from kiln.layers.preprocessing.image.random_translation import RandomTranslation

GEOMETRIC = ("shear_x", "shear_y", "translate_x", "translate_y", "rotate")
COLOR = ("brightness", "color", "contrast", "sharpness")


class PolicyLayer(BaseImagePreprocessingLayer):
    """Base of RandAugment and AugMix: the operations are drawn per image inside the image
    transform, so segmentation masks (which would have to follow them) are refused.

    Example:
        >>> import kiln
        >>> issubclass(kiln.layers.RandAugment, PolicyLayer)
        True
    """

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if not training or transformation is None:
            return segmentation_masks
        raise NotImplementedError(
            f"{type(self).__name__} '{self.name}': segmentation_masks are not supported yet (its "
            "operations are drawn per image inside the image transform)")


def policy_layers(magnitude, value_range, interpolation, seed, data_format, names=None):
    """[(name, layer)] for the layer-backed operations at ``magnitude`` in [0, 1].

    Geometric operations fill with "constant" zeros (outside the image),
    colour operations move by up to ``0.9 * magnitude`` around the identity.
    """
    m = float(magnitude)
    geo = {"interpolation": interpolation, "fill_mode": "constant", "data_format": data_format}
    color = {"value_range": value_range, "data_format": data_format}
    spread = 0.9 * m
    builders = {
        "shear_x": lambda s: RandomShear(x_factor=(0.0, 0.3 * m), y_factor=0.0, seed=s, **geo),
        "shear_y": lambda s: RandomShear(x_factor=0.0, y_factor=(0.0, 0.3 * m), seed=s, **geo),
        "translate_x": lambda s: RandomTranslation(0.0, 0.3 * m, seed=s, **geo),
        "translate_y": lambda s: RandomTranslation(0.3 * m, 0.0, seed=s, **geo),
        "rotate": lambda s: RandomRotation(30.0 * m / 360.0, seed=s, **geo),
        "brightness": lambda s: RandomBrightness(0.5 * spread, seed=s, **color),
        "color": lambda s: RandomColorDegeneration((0.0, min(spread, 1.0)), seed=s, **color),
        "contrast": lambda s: RandomContrast(min(spread, 1.0), seed=s, **color),
        "sharpness": lambda s: RandomSharpness((max(0.5 - spread / 2, 0.0), min(0.5 + spread / 2, 1.0)),
                                               seed=s, **color),
        "posterize": lambda s: RandomPosterization(max(1, 8 - int(math.floor(4 * m))), seed=s, **color),
    }
    selected = names if names is not None else list(builders)
    out = []
    for i, name in enumerate(selected):
        out.append((name, builders[name](None if seed is None else seed + 1000 * (i + 1))))
    return out


def auto_contrast(layer, images, value_range):
    """Stretch each image's channels to fill ``value_range`` (constant channels are kept)."""
    np_ = layer.backend.numpy
    h_axis, w_axis, _ = layer._axes(images)
    low = np_.min(images, axis=(h_axis, w_axis), keepdims=True)
    high = np_.max(images, axis=(h_axis, w_axis), keepdims=True)
    span = high - low
    scale = (value_range[1] - value_range[0]) / np_.where(span > 0, span, 1.0)
    stretched = (images - low) * scale + value_range[0]
    return np_.where(span > 0, stretched, images)


def solarize(layer, images, value_range, magnitude):
    """Invert the pixels above ``high - magnitude * (high - low)``."""
    low, high = value_range
    threshold = high - float(magnitude) * (high - low)
    return layer.backend.numpy.where(images >= threshold, (low + high) - images, images)


def apply_operation(layer, name, op_layer, images, magnitude, value_range, training):
    """Run one non-geometric operation on ``images`` (all of them; the caller selects per image)."""
    if op_layer is not None:
        transformation = op_layer.get_random_transformation(images, training=training)
        return op_layer.transform_images(images, transformation, training=training)
    if name == "identity":
        return images
    if name == "auto_contrast":
        return auto_contrast(layer, images, value_range)
    if name == "solarize":
        return solarize(layer, images, value_range, magnitude)
    raise ValueError(f"unknown augmentation operation {name!r}")


def apply_choice(layer, operations, choice, images, magnitude, value_range, interpolation, training):
    """Image ``i`` goes through ``operations[choice[i]]``; ``choice`` is int32 (batch,).

    The geometric operations share one warp: each image's transform is picked
    first (the identity for images that drew another operation).
    """
    np_ = layer.backend.numpy
    batch = layer._batch_size(images)
    identity = np_.broadcast_to(np_.array([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0], dtype="float32"),
                                (batch, 8))
    transform = identity
    any_geometric = None
    out = None
    for index, (name, op_layer) in enumerate(operations):
        chosen = np_.equal(choice, index)
        if name in GEOMETRIC:
            drawn = op_layer._draw_transform(images, None)
            transform = np_.where(chosen[:, None], drawn, transform)
            any_geometric = chosen if any_geometric is None else np_.logical_or(any_geometric, chosen)
            continue
        result = apply_operation(layer, name, op_layer, images, magnitude, value_range, training)
        out = result if out is None else np_.where(layer._per_image(chosen, images), result, out)
    if any_geometric is not None:
        warped = layer._warp(images, transform, interpolation, "constant", 0.0)
        out = warped if out is None else np_.where(layer._per_image(any_geometric, images), warped, out)
    return out
