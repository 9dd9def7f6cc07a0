"""``RandomTranslation``: shift images by a random fraction of their size while training.

Example:
    >>> import kiln, numpy as np
    >>> layer = kiln.layers.RandomTranslation(0.2, 0.2, seed=0)
    >>> tuple(layer(np.ones((2, 6, 6, 3), "float32")).shape)
    (2, 6, 6, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, BaseAffineLayer, constant_rows, parse_factor, stack_transforms)


class RandomTranslation(BaseAffineLayer):
    """Shifts each image by ``(u_h * height, u_w * width)`` pixels, ``u`` drawn from the factors.

    Positive values move the content down / right.

    Args:
        height_factor: a float ``f`` in [0, 1] (range ``[-f, f]``) or a pair
            ``(lower, upper)`` of fractions of the height in [-1, 1].
        width_factor: the same for the width.
        fill_mode, interpolation, seed, fill_value, data_format: as in
            :class:`RandomRotation`.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.arange(4, dtype="float32").reshape(1, 4, 1)
        >>> layer = kiln.layers.RandomTranslation(0.0, (0.25, 0.25), fill_mode="constant")
        >>> kiln.ops.convert_to_numpy(layer(x)).ravel().round(3).tolist()
        [0.0, 0.0, 1.0, 2.0]
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, fill_value=fill_value,
                         data_format=data_format, seed=seed, **kwargs)
        owner = f"RandomTranslation '{self.name}'"
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._height = parse_factor(owner, "height_factor", height_factor, (-1.0, 1.0))
        self._width = parse_factor(owner, "width_factor", width_factor, (-1.0, 1.0))

    def _draw_transform(self, images, seed):
        batch = self._batch_size(images)
        height, width = self._hw(images)
        cast = self.backend.core.cast
        np_ = self.backend.numpy
        dy = self._uniform((batch,), self._height[0], self._height[1], seed=seed) * cast(height, "float32")
        dx = self._uniform((batch,), self._width[0], self._width[1], seed=seed) * cast(width, "float32")
        ones = constant_rows(self.backend, dx, 1.0)
        zeros = constant_rows(self.backend, dx, 0.0)
        return stack_transforms(self.backend, [ones, zeros, -dx, zeros, ones, -dy, zeros, zeros])

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return tuples_to_lists(config)
