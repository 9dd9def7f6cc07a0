"""``RandomColorDegeneration``: blend images towards their grayscale version by a random amount.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomColorDegeneration(0.5, seed=0)(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, BaseImagePreprocessingLayer, check_value_range, parse_factor)


class RandomColorDegeneration(BaseImagePreprocessingLayer):
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

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        owner = f"RandomColorDegeneration '{self.name}'"
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
        x = self.backend.core.cast(images, "float32")
        gray = self.backend.image.rgb_to_grayscale(x, data_format=self.data_format)
        factor = self._per_image(transformation["factor"], images)
        out = self._clip(x + factor * (gray - x), self.value_range)
        return self.backend.core.cast(out, images.dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return tuples_to_lists(config)
