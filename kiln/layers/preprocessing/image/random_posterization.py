"""``RandomPosterization``: keep only the top bits of every 8-bit colour value.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomPosterization(4, seed=0)(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, BaseImagePreprocessingLayer, check_value_range)


class RandomPosterization(BaseImagePreprocessingLayer):
    """Maps values to 8 bits (over ``value_range``) and zeroes all but the ``bits`` highest.

    Args:
        factor: an int in [1, 8], the bits to keep, or a pair ``(lower,
            upper)`` of ints: each image keeps a random number of bits in it.
        value_range: (low, high) of the input values.
        data_format: "channels_last" or "channels_first".
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.array([[[200.0], [37.0]]], "float32")
        >>> kiln.ops.convert_to_numpy(kiln.layers.RandomPosterization(2)(x)).ravel().tolist()
        [192.0, 0.0]
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        owner = f"RandomPosterization '{self.name}'"
        pair = tuple(factor) if isinstance(factor, (tuple, list)) else (factor, factor)
        if (len(pair) != 2 or any(isinstance(f, bool) or not isinstance(f, int) for f in pair)
                or not 1 <= pair[0] <= pair[1] <= 8):
            raise ValueError(f"{owner}: factor must be an int in [1, 8] or an increasing pair of "
                             f"such ints, received factor={factor!r}")
        self.factor = factor
        self._factor = pair
        self.value_range = check_value_range(owner, value_range)

    def _random_transformation(self, images, seed):
        batch = self._batch_size(images)
        bits = self.backend.numpy.floor(
            self._uniform((batch,), float(self._factor[0]), float(self._factor[1]) + 1.0, seed=seed))
        bits = self.backend.numpy.minimum(bits, float(self._factor[1]))
        return {"bits": bits}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        np_ = self.backend.numpy
        x = self._to_unit(self.backend.core.cast(images, "float32"), self.value_range)
        levels = np_.round(np_.clip(x, 0.0, 1.0) * 255.0)
        step = np_.power(2.0, 8.0 - self._per_image(transformation["bits"], images))
        kept = np_.floor(levels / step) * step
        low, high = self.value_range
        out = kept * ((high - low) / 255.0) + low
        return self.backend.core.cast(out, images.dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return tuples_to_lists(config)
