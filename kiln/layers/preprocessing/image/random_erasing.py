"""``RandomErasing``: replace a random rectangle of each image by a constant or noise.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomErasing(seed=0)(np.ones((2, 8, 8, 3), "float32")).shape)
    (2, 8, 8, 3)
"""

import math

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseFactorLayer, check_fill_value, parse_factor, tuples_to_lists)

# Aspect ratios (height / width) of the erased box are drawn log-uniformly in this range.
_ASPECT = (0.3, 1.0 / 0.3)


class RandomErasing(BaseFactorLayer):
    """Erases, with probability ``p`` (drawn from ``factor``), one box per image.

    The box covers a fraction of the image area drawn from ``scale``, with an
    aspect ratio drawn log-uniformly in [0.3, 3.33], at a random position. It
    is filled with ``fill_value``, or, when None, with Gaussian noise centred
    in ``value_range`` (standard deviation a quarter of the range), clipped to it.

    Args:
        factor: a float in [0, 1] (``p`` in ``[0, factor]``) or a pair inside [0, 1].
        scale: (lower, upper) fractions of the image area, inside [0, 1].
        fill_value: a number or None (noise).
        value_range: (low, high) of the input values.
        seed: int or None.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> import kiln, numpy as np
        >>> x = np.ones((1, 10, 10, 1), "float32")
        >>> out = kiln.layers.RandomErasing((1.0, 1.0), scale=(0.25, 0.25), fill_value=0.0, seed=1)(x)
        >>> 0 < int((kiln.ops.convert_to_numpy(out) == 0).sum()) <= 36
        True
    """

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(factor, value_range=value_range, data_format=data_format, seed=seed,
                         **kwargs)
        owner = f"RandomErasing '{self.name}'"
        self.scale = scale
        self._scale = parse_factor(owner, "scale", scale, (0.0, 1.0), single="same")
        self.fill_value = check_fill_value(owner, fill_value, allow_none=True)

    def _random_transformation(self, images, seed):
        np_ = self.backend.numpy
        cast = self.backend.core.cast
        batch = self._batch_size(images)
        height, width = self._hw(images)
        h = cast(height, "float32")
        w = cast(width, "float32")
        should_apply = self._draw_should_apply(images, seed)
        area = self._uniform((batch,), self._scale[0], self._scale[1], seed=seed) * h * w
        aspect = np_.exp(self._uniform((batch,), math.log(_ASPECT[0]), math.log(_ASPECT[1]), seed=seed))
        box_h = np_.clip(np_.round(np_.sqrt(area * aspect)), 1.0, h)
        box_w = np_.clip(np_.round(np_.sqrt(area / aspect)), 1.0, w)
        top = np_.floor(self._uniform((batch,), 0.0, 1.0, seed=seed) * (h - box_h + 1.0))
        left = np_.floor(self._uniform((batch,), 0.0, 1.0, seed=seed) * (w - box_w + 1.0))
        rows = cast(np_.arange(height), "float32")
        cols = cast(np_.arange(width), "float32")
        in_rows = np_.logical_and(rows[None, :] >= top[:, None], rows[None, :] < (top + box_h)[:, None])
        in_cols = np_.logical_and(cols[None, :] >= left[:, None], cols[None, :] < (left + box_w)[:, None])
        mask = np_.logical_and(in_rows[:, :, None], in_cols[:, None, :])  # (batch, height, width)
        mask = np_.logical_and(mask, should_apply[:, None, None])
        transformation = {"mask": mask}
        if self.fill_value is None:
            low, high = self.value_range
            # Drawn channels-last whatever the data format, so both layouts get the same noise.
            shape = self.backend.core.shape(images)
            if self.data_format == "channels_first":
                shape = tuple(shape[:-3]) + (shape[-2], shape[-1], shape[-3])
            noise = self.backend.random.normal(shape, mean=(low + high) / 2.0,
                                               stddev=(high - low) / 4.0, seed=self._seed(seed))
            if self.data_format == "channels_first":
                noise = np_.moveaxis(noise, -1, -3)
            transformation["fill"] = np_.clip(noise, low, high)
        return transformation

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        np_ = self.backend.numpy
        mask = transformation["mask"]
        mask = np_.expand_dims(mask, -1 if self.data_format == "channels_last" else 1)
        if len(images.shape) == 3:
            mask = mask[0]
        if self.fill_value is None:
            fill = self.backend.core.cast(transformation["fill"], images.dtype)
        else:
            fill = self.backend.core.cast(self.fill_value, images.dtype)
        return np_.where(mask, fill, images)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "fill_value": self.fill_value})
        return tuples_to_lists(config)
