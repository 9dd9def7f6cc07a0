"""``RandomPerspective``: move the image corners at random, warping by the homography.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomPerspective(seed=0)(np.ones((2, 6, 6, 3), "float32")).shape)
    (2, 6, 6, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, INTERPOLATIONS, BaseImagePreprocessingLayer, _is_number, check_choice,
    check_fill_value, parse_factor)


class RandomPerspective(BaseImagePreprocessingLayer):
    """With probability ``p`` (drawn from ``factor``) per image, moves each corner by up to
    ``scale / 2`` of the image size along each axis and warps the image accordingly.

    Args:
        factor: a float in [0, 1] (``p`` in ``[0, factor]``) or a pair inside [0, 1].
        scale: a float in [0, 1], the strength of the corner displacements.
        interpolation: "bilinear" or "nearest".
        fill_value: the value of pixels mapped from outside the input.
        seed: int or None.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> import kiln, numpy as np
        >>> x = np.arange(16, dtype="float32").reshape(4, 4, 1)
        >>> out = kiln.layers.RandomPerspective(scale=0.0)(x)  # corners stay: the identity
        >>> bool(np.allclose(kiln.ops.convert_to_numpy(out), x, atol=1e-4))
        True
    """

    _GEOMETRIC = True

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0, seed=None,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        owner = f"RandomPerspective '{self.name}'"
        self.factor = factor
        self._factor = parse_factor(owner, "factor", factor, (0.0, 1.0), single="from_zero")
        if not _is_number(scale) or not 0.0 <= scale <= 1.0:
            raise ValueError(f"{owner}: scale must be a number in [0, 1], received scale={scale!r}")
        self.scale = scale
        self.interpolation = check_choice(owner, "interpolation", interpolation, INTERPOLATIONS)
        self.fill_value = check_fill_value(owner, fill_value)

    def _random_transformation(self, images, seed):
        np_ = self.backend.numpy
        cast = self.backend.core.cast
        batch = self._batch_size(images)
        height, width = self._hw(images)
        h = cast(height, "float32") - 1.0
        w = cast(width, "float32") - 1.0
        should_apply = self._draw_should_apply(images, seed)
        zero = np_.zeros_like(h)
        corners = np_.stack([np_.stack([zero, zero]), np_.stack([w, zero]),
                             np_.stack([zero, h]), np_.stack([w, h])])  # (4, 2) as (x, y)
        start = np_.broadcast_to(corners[None], (batch, 4, 2))
        size = np_.stack([w, h])
        shift = self._uniform((batch, 4, 2), -0.5, 0.5, seed=seed) * float(self.scale) * size * 0.5
        shift = shift * cast(should_apply, "float32")[:, None, None]
        return {"start_points": start, "end_points": start + shift}

    def _apply(self, images, transformation, interpolation):
        batched, unbatch = self._batched(images)
        out = self.backend.image.perspective_transform(
            self.backend.core.cast(batched, "float32"), transformation["start_points"],
            transformation["end_points"], interpolation=interpolation, fill_value=self.fill_value,
            data_format=self.data_format)
        return unbatch(self.backend.core.cast(out, images.dtype))

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        return self._apply(images, transformation, self.interpolation)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if not training or transformation is None:
            return segmentation_masks
        return self._apply(segmentation_masks, transformation, "nearest")

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale,
                       "interpolation": self.interpolation, "fill_value": self.fill_value})
        return tuples_to_lists(config)
