"""``RandomGaussianBlur``: blur images, each with a random probability and sigma.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomGaussianBlur(seed=0)(np.ones((2, 5, 5, 3), "float32")).shape)
    (2, 5, 5, 3)
"""

import numbers

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    BaseFactorLayer, parse_factor, tuples_to_lists)


class RandomGaussianBlur(BaseFactorLayer):
    """Blurs each image with probability ``p`` (drawn from ``factor``) by a Gaussian of random sigma.

    The separable ``kernel_size`` x ``kernel_size`` kernel (normalized) runs
    on zero-padded borders, like ``kiln.ops.image.gaussian_blur``.

    Args:
        factor: a float in [0, 1] (``p`` in ``[0, factor]``) or a pair inside [0, 1].
        kernel_size: a positive odd int.
        sigma: a positive float, or a pair ``(lower, upper)`` to draw from per image.
        value_range: (low, high) of the input values; outputs are clipped to it.
        data_format: "channels_last" or "channels_first".
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.zeros((1, 3, 3, 1), "float32"); x[0, 1, 1] = 1.0
        >>> out = kiln.layers.RandomGaussianBlur((1.0, 1.0), kernel_size=3, sigma=1.0)(x)
        >>> round(float(kiln.ops.convert_to_numpy(out)[0, 1, 1, 0]), 4)
        0.2042
    """

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None,
                 seed=None, **kwargs):
        super().__init__(factor, value_range=value_range, data_format=data_format, seed=seed,
                         **kwargs)
        owner = f"RandomGaussianBlur '{self.name}'"
        if isinstance(kernel_size, bool) or not isinstance(kernel_size, numbers.Integral) \
                or kernel_size <= 0 or kernel_size % 2 == 0:
            raise ValueError(f"{owner}: kernel_size must be a positive odd int, "
                             f"received kernel_size={kernel_size!r}")
        self.kernel_size = int(kernel_size)
        self.sigma = sigma
        self._sigma = parse_factor(owner, "sigma", sigma, (0.0, float("inf")), single="same")
        if self._sigma[0] <= 0:
            raise ValueError(f"{owner}: sigma must be positive, received sigma={sigma!r}")

    def _random_transformation(self, images, seed):
        np_ = self.backend.numpy
        batch = self._batch_size(images)
        should_apply = self._draw_should_apply(images, seed)
        sigma = self._uniform((batch,), self._sigma[0], self._sigma[1], seed=seed)
        offsets = np_.arange(self.kernel_size, dtype="float32") - float(self.kernel_size // 2)
        weights = np_.exp(-np_.square(offsets) / (2.0 * np_.square(np_.expand_dims(sigma, 1))))
        weights = weights / np_.sum(weights, axis=1, keepdims=True)
        return {"should_apply": should_apply, "weights": weights}

    def _blur_axis(self, x, weights, axis, size):
        np_ = self.backend.numpy
        radius = self.kernel_size // 2
        pad = [[0, 0]] * len(x.shape)
        pad[axis] = [radius, radius]
        padded = np_.pad(x, pad)
        total = None
        for k in range(self.kernel_size):
            window = np_.take(padded, np_.arange(size) + k, axis=axis)
            term = window * self._per_image(weights[:, k], x)
            total = term if total is None else total + term
        return total

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        x = self.backend.core.cast(images, "float32")
        h_axis, w_axis, _ = self._axes(x)
        height, width = self._hw(x)
        weights = transformation["weights"]
        blurred = self._blur_axis(self._blur_axis(x, weights, h_axis, height), weights, w_axis, width)
        out = self.backend.numpy.where(self._per_image(transformation["should_apply"], x),
                                       self._clip(blurred, self.value_range), x)
        return self.backend.core.cast(out, images.dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"kernel_size": self.kernel_size, "sigma": self.sigma})
        return tuples_to_lists(config)
