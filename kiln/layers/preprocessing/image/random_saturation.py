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

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor, value_range=value_range, data_format=data_format, seed=seed,
                         **kwargs)

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        np_, image = self.backend.numpy, self.backend.image
        _, _, c_axis = self._axes(images)
        x = self._to_unit(self.backend.core.cast(images, "float32"), self.value_range)
        hsv = image.rgb_to_hsv(np_.clip(x, 0.0, 1.0), data_format=self.data_format)
        h, s, v = np_.split(hsv, 3, axis=c_axis)
        factor = self._per_image(transformation["factor"], images)
        s = np_.clip(s * (factor / (1.0 - factor + _config.epsilon())), 0.0, 1.0)
        rgb = image.hsv_to_rgb(np_.concatenate([h, s, v], axis=c_axis), data_format=self.data_format)
        out = self._clip(self._from_unit(rgb, self.value_range), self.value_range)
        return self.backend.core.cast(out, images.dtype)
