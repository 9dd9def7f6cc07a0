"""``RandomInvert``: invert image colours (``low + high - x``) with a random probability.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomInvert(seed=0)(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import BaseFactorLayer


class RandomInvert(BaseFactorLayer):
    """Inverts each image with a probability ``p`` drawn (per image) from the ``factor`` range.

    Args:
        factor: a float in [0, 1] (``p`` in ``[0, factor]``) or a pair
            ``(lower, upper)`` inside [0, 1].
        value_range: (low, high); an inverted pixel is ``low + high - x``.
        seed: int or None.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> import kiln, numpy as np
        >>> x = np.array([[[0.0], [100.0]]], "float32")
        >>> kiln.ops.convert_to_numpy(kiln.layers.RandomInvert((1.0, 1.0))(x)).ravel().tolist()
        [255.0, 155.0]
    """

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(factor, value_range=value_range, data_format=data_format, seed=seed,
                         **kwargs)

    def _random_transformation(self, images, seed):
        return {"should_invert": self._draw_should_apply(images, seed)}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        inverted = float(self.value_range[0] + self.value_range[1]) - images
        return self.backend.numpy.where(self._per_image(transformation["should_invert"], images),
                                        inverted, images)
