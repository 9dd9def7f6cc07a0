"""``RandomColorDegeneration``: blend images towards their grayscale version by a random amount.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomColorDegeneration(0.5, seed=0)(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import BaseFactorLayer


class RandomColorDegeneration(BaseFactorLayer):
    """``x + f * (gray(x) - x)`` per image, ``f`` drawn from ``factor``: 0 keeps, 1 is gray.

    Args:
        factor: a float in [0, 1] (``f`` in ``[0, factor]``) or a pair
            ``(lower, upper)`` inside [0, 1].
        value_range: (low, high) of the input values; outputs are clipped to it.
        data_format: "channels_last" or "channels_first".
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.array([[[255.0, 0.0, 0.0]]], "float32")
        >>> out = kiln.layers.RandomColorDegeneration((1.0, 1.0))(x)  # fully gray
        >>> kiln.ops.convert_to_numpy(out).astype("float64").round(2).tolist()
        [[[76.22, 76.22, 76.22]]]
    """

    def _adjust(self, x, transformation, images):
        gray = self.backend.image.rgb_to_grayscale(x, data_format=self.data_format)
        return x + self._per_image(transformation["factor"], images) * (gray - x)
