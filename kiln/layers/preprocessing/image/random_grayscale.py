"""``RandomGrayscale``: turn images gray with a given probability (channels kept).

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomGrayscale(seed=0)(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, BaseImagePreprocessingLayer, _is_number)


class RandomGrayscale(BaseImagePreprocessingLayer):
    """Replaces each image, with probability ``factor``, by its luma repeated on every channel.

    Args:
        factor: the probability, in [0, 1].
        data_format: "channels_last" or "channels_first".
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.array([[[255.0, 0.0, 0.0]]], "float32")
        >>> kiln.ops.convert_to_numpy(kiln.layers.RandomGrayscale(1.0)(x)).astype("float64").round(2).tolist()
        [[[76.22, 76.22, 76.22]]]
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        if not _is_number(factor) or not 0.0 <= factor <= 1.0:
            raise ValueError(f"RandomGrayscale '{self.name}': factor must be a number in [0, 1], "
                             f"received factor={factor!r}")
        self.factor = factor

    def _random_transformation(self, images, seed):
        batch = self._batch_size(images)
        draws = self._uniform((batch,), 0.0, 1.0, seed=seed)
        return {"should_apply": self.backend.numpy.less(draws, float(self.factor))}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        np_ = self.backend.numpy
        gray = self.backend.image.rgb_to_grayscale(images, data_format=self.data_format)
        gray = np_.broadcast_to(gray, self.backend.core.shape(images))
        return np_.where(self._per_image(transformation["should_apply"], images), gray, images)

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return tuples_to_lists(config)
