"""``RandomContrast``: scale each channel's deviation from its mean by a random factor.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomContrast(0.5, seed=0)(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import BaseFactorLayer


class RandomContrast(BaseFactorLayer):
    """Per image and channel, ``(x - mean) * c + mean`` with ``c`` in ``[1 - lower, 1 + upper]``.

    The mean is taken over the image's height and width; the result is
    clipped to ``value_range``.

    Args:
        factor: a float ``f`` (``lower = upper = f``) or a pair ``(lower,
            upper)``; ``0 <= lower <= 1`` and ``upper >= 0``.
        value_range: (low, high) of the input values, e.g. (0, 255) or (0, 1).
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.array([[[0.4], [0.6]]], "float32")
        >>> out = kiln.layers.RandomContrast(0.5, value_range=(0, 1), seed=3)(x)
        >>> round(float(kiln.ops.convert_to_numpy(out).mean()), 4)  # the mean stays
        0.5
    """

    _FACTOR_BOUNDS = (0.0, float("inf"))
    _SINGLE_FACTOR = "same"

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor, value_range=value_range, seed=seed, **kwargs)
        if self._factor[0] > 1.0:
            raise ValueError(f"RandomContrast '{self.name}': factor's lower bound must be in [0, 1], "
                             f"received factor={factor!r}")

    def _random_transformation(self, images, seed):
        batch = self._batch_size(images)
        factor = self._uniform((batch,), 1.0 - self._factor[0], 1.0 + self._factor[1], seed=seed)
        return {"contrast_factor": factor}

    def _adjust(self, x, transformation, images):
        h_axis, w_axis, _ = self._axes(images)
        mean = self.backend.numpy.mean(x, axis=(h_axis, w_axis), keepdims=True)
        factor = self._per_image(transformation["contrast_factor"], images)
        return (x - mean) * factor + mean
