"""``RandomBrightness``: add a random offset, a fraction of the value range, to each image.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomBrightness(0.2, seed=0)(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import BaseFactorLayer


class RandomBrightness(BaseFactorLayer):
    """Adds ``u * (high - low)`` to every pixel of an image, ``u`` drawn from ``factor``, then clips.

    Args:
        factor: a float ``f`` in [0, 1] (``u`` in ``[-f, f]``) or a pair
            ``(lower, upper)`` in [-1, 1]. -1 makes the image black, 1 white.
        value_range: (low, high) of the input values; outputs are clipped to it.
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.array([[[10.0], [250.0]]], "float32")
        >>> out = kiln.layers.RandomBrightness((0.1, 0.1))(x)  # +25.5, clipped at 255
        >>> kiln.ops.convert_to_numpy(out).ravel().tolist()
        [35.5, 255.0]
    """

    _FACTOR_BOUNDS = (-1.0, 1.0)
    _SINGLE_FACTOR = "symmetric"

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor, value_range=value_range, seed=seed, **kwargs)

    def _random_transformation(self, images, seed):
        delta = self._draw_factor(images, seed)
        return {"rgb_delta": delta * float(self.value_range[1] - self.value_range[0])}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        delta = self.backend.core.cast(self._per_image(transformation["rgb_delta"], images), images.dtype)
        return self._clip(images + delta, self.value_range)
