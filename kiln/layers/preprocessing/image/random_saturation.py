"""``RandomSaturation``: scale the HSV saturation of images by a random amount.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomSaturation(0.5, seed=0)(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln import config as _config
from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, BaseImagePreprocessingLayer, check_value_range, parse_factor)


class RandomSaturation(BaseImagePreprocessingLayer):
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
        >>> kiln.ops.convert_to_numpy(out).round(3).tolist()  # saturation 0: gray at the value
        [[[0.8, 0.8, 0.8]]]
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        owner = f"RandomSaturation '{self.name}'"
        self.factor = factor
        self._factor = parse_factor(owner, "factor", factor, (0.0, 1.0), single="from_zero")
        self.value_range = check_value_range(owner, value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        batch = self._batch_size(images)
        return {"factor": self._uniform((batch,), self._factor[0], self._factor[1], seed=seed)}

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

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return tuples_to_lists(config)
