"""``Solarization``: invert the pixels above a random threshold, after adding a random offset.

Example:
    >>> import kiln, numpy as np
    >>> x = np.array([[[[10.0], [200.0]]]], "float32")
    >>> kiln.ops.convert_to_numpy(kiln.layers.Solarization()(x)).ravel().tolist()
    [245.0, 55.0]
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer, check_value_range, parse_factor)


class Solarization(BaseImagePreprocessingLayer):
    """Per image, on pixels mapped to [0, 255]: ``y = clip(x + a, 0, 255)``, then ``255 - y``
    where ``y >= t``, mapped back to ``value_range``.

    ``a`` is drawn uniformly from ``[addition_factor[0], addition_factor[1] * 255]`` and ``t``
    from ``[threshold_factor[0], threshold_factor[1] * 255]`` (the lower bound is not scaled,
    as in Keras). With the defaults every pixel is inverted. ``training=False`` returns the
    images unchanged.

    Args:
        addition_factor: a number in [0, 1] (range ``(0, f)``) or a pair inside [0, 1].
        threshold_factor: a number in [0, 1] (range ``(0, f)``) or a pair inside [0, 1].
        value_range: (low, high) range of the input pixels.
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> layer = kiln.layers.Solarization(seed=3)
        >>> x = np.array([[[64.0], [250.0]]], "float32")
        >>> kiln.ops.convert_to_numpy(layer(x)).ravel().tolist()
        [191.0, 5.0]
        >>> kiln.ops.convert_to_numpy(layer(x, training=False)).ravel().tolist()
        [64.0, 250.0]
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None,
                 **kwargs):
        super().__init__(seed=seed, **kwargs)
        owner = f"Solarization '{self.name}'"
        self.addition_factor = parse_factor(owner, "addition_factor", addition_factor, (0.0, 1.0),
                                            single="from_zero")
        self.threshold_factor = parse_factor(owner, "threshold_factor", threshold_factor,
                                             (0.0, 1.0), single="from_zero")
        self.value_range = check_value_range(owner, value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = data["images"] if isinstance(data, dict) else data
        batch = self._batch_size(images)
        add = self._uniform((batch,), self.addition_factor[0], self.addition_factor[1] * 255,
                            seed=seed)
        threshold = self._uniform((batch,), self.threshold_factor[0],
                                  self.threshold_factor[1] * 255, seed=seed)
        return {"additions": add, "thresholds": threshold}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        np_ = self.backend.numpy
        dtype = images.dtype
        add = self.backend.core.cast(self._per_image(transformation["additions"], images), dtype)
        threshold = self.backend.core.cast(self._per_image(transformation["thresholds"], images), dtype)
        low, high = self.value_range
        pixels = (images - low) * (255.0 / (high - low)) if (low, high) != (0, 255) else images
        shifted = np_.clip(pixels + add, 0, 255)
        out = np_.where(np_.less(shifted, threshold), shifted, 255 - shifted)
        out = out * ((high - low) / 255.0) + low if (low, high) != (0, 255) else out
        return self.backend.core.cast(out, dtype)

    def get_config(self):
        config = super().get_config()
        config.pop("data_format")
        config.update({"value_range": list(self.value_range),
                       "addition_factor": list(self.addition_factor),
                       "threshold_factor": list(self.threshold_factor), "seed": self.seed})
        return config
