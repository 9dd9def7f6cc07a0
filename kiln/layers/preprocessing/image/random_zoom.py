"""``RandomZoom``: zoom images in or out by a random factor while training.

Example:
    >>> import kiln, numpy as np
    >>> layer = kiln.layers.RandomZoom(0.2, seed=0)
    >>> tuple(layer(np.ones((2, 6, 6, 3), "float32")).shape)
    (2, 6, 6, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, BaseAffineLayer, constant_rows, parse_factor, stack_transforms)


class RandomZoom(BaseAffineLayer):
    """Scales each image about its centre by ``1 + u``, ``u`` drawn from the factor range.

    Positive factors zoom out (the image shrinks inside the frame), negative
    factors zoom in. With ``width_factor=None`` the width uses the height's
    draw, which keeps the aspect ratio.

    Args:
        height_factor: a float ``f`` (range ``[-f, f]``) or a pair ``(lower,
            upper)``; values must be >= -1.
        width_factor: the same for the width, or None.
        fill_mode, interpolation, seed, fill_value, data_format: as in
            :class:`RandomRotation`.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.arange(25, dtype="float32").reshape(5, 5, 1)
        >>> out = kiln.layers.RandomZoom((-0.6, -0.6), interpolation="nearest")(x)
        >>> float(kiln.ops.convert_to_numpy(out)[2, 2, 0])  # the centre stays in place
        12.0
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, fill_value=fill_value,
                         data_format=data_format, seed=seed, **kwargs)
        owner = f"RandomZoom '{self.name}'"
        self.height_factor = height_factor
        self.width_factor = width_factor
        self._height = parse_factor(owner, "height_factor", height_factor, (-1.0, float("inf")))
        self._width = (None if width_factor is None else
                       parse_factor(owner, "width_factor", width_factor, (-1.0, float("inf"))))

    def _draw_transform(self, images, seed):
        batch = self._batch_size(images)
        zoom_h = self._uniform((batch,), 1.0 + self._height[0], 1.0 + self._height[1], seed=seed)
        if self._width is None:
            zoom_w = zoom_h
        else:
            zoom_w = self._uniform((batch,), 1.0 + self._width[0], 1.0 + self._width[1], seed=seed)
        height, width = self._hw(images)
        np_ = self.backend.numpy
        cast = self.backend.core.cast
        h = cast(height, "float32") - 1.0
        w = cast(width, "float32") - 1.0
        zeros = constant_rows(self.backend, zoom_h, 0.0)
        return stack_transforms(self.backend, [zoom_w, zeros, w / 2.0 * (1.0 - zoom_w),
                               zeros, zoom_h, h / 2.0 * (1.0 - zoom_h), zeros, zeros])

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return tuples_to_lists(config)
