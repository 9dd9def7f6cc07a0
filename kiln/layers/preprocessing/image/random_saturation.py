"""``RandomSaturation``: scale the HSV saturation of images by a random amount.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomSaturation(0.5, seed=0)(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln import config as _config
from kiln.layers.preprocessing.image.base_image_preprocessing_layer import BaseFactorLayer


class RandomSaturation(BaseFactorLayer):
    """Multiplies the saturation by ``f / (1 - f)``, ``f`` drawn from ``factor`` (clipped to [0, 1]).

    ``f = 0.5`` leaves the image unchanged, ``f = 0`` makes it gray and
    ``f = 1`` fully saturates it.

    Args:
        factor: a float in [0, 1] (``f`` in ``[0, factor]``) or a pair
            ``(lower, upper)`` inside [0, 1].
        value_range: (low, high) of the input values.
        data_format: "channels_last" or "channels_first".
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.array([[[0.8, 0.4, 0.4]]], "float32")
        >>> out = kiln.layers.RandomSaturation((0.0, 0.0), value_range=(0, 1))(x)
        >>> kiln.ops.convert_to_numpy(out).astype("float64").round(3).tolist()  # saturation 0: gray at the value
        [[[0.8, 0.8, 0.8]]]
    """

    def _adjust(self, x, transformation, images):
        factor = self._per_image(transformation["factor"], images)
        scale = factor / (1.0 - factor + _config.epsilon())
        return self._in_hsv(
            x, lambda h, s, v: (h, self.backend.numpy.clip(s * scale, 0.0, 1.0), v))
