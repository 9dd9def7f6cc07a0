"""``RandomHue``: rotate the HSV hue of images by a random amount.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomHue(0.5, seed=0)(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import BaseFactorLayer


class RandomHue(BaseFactorLayer):
    """Shifts the hue by ``+-f / 2`` of a full turn (random sign), ``f`` drawn from ``factor``.

    ``factor=0`` is a no-op; 1 allows the largest shift (half the colour circle).

    Args:
        factor: a float in [0, 1] (``f`` in ``[0, factor]``) or a pair
            ``(lower, upper)`` inside [0, 1].
        value_range: (low, high) of the input values.
        data_format: "channels_last" or "channels_first".
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> red = np.array([[[1.0, 0.0, 0.0]]], "float32")
        >>> out = kiln.layers.RandomHue((1.0, 1.0), value_range=(0, 1))(red)  # half a turn: cyan
        >>> kiln.ops.convert_to_numpy(out).astype("float64").round(3).tolist()
        [[[0.0, 1.0, 1.0]]]
    """

    def _random_transformation(self, images, seed):
        np_ = self.backend.numpy
        batch = self._batch_size(images)
        sign = np_.where(self._uniform((batch,), 0.0, 1.0, seed=seed) > 0.5, -1.0, 1.0)
        factor = self._draw_factor(images, seed)
        return {"factor": sign * factor * 0.5}

    def _adjust(self, x, transformation, images):
        shift = self._per_image(transformation["factor"], images)
        return self._in_hsv(x, lambda h, s, v: (self.backend.numpy.mod(h + shift, 1.0), s, v))
