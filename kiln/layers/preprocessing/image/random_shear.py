"""``RandomShear``: shear images along x and/or y by random amounts while training.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomShear(0.2, 0.2, seed=0)(np.ones((2, 6, 6, 3), "float32")).shape)
    (2, 6, 6, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, BaseAffineLayer, constant_rows, parse_factor, stack_transforms)


class RandomShear(BaseAffineLayer):
    """Shears each image about its centre: an output pixel ``(x, y)`` reads the input at
    ``(x + sx (y - cy), y + sy (x - cx))``, with ``|sx|``, ``|sy|`` drawn from the factors
    and a random sign.

    Args:
        x_factor: a float ``f >= 0`` (``|sx|`` in ``[0, f]``) or a pair
            ``(lower, upper)`` of non-negative floats.
        y_factor: the same for ``sy``.
        interpolation: "bilinear" or "nearest".
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        fill_value: the value outside the image for "constant".
        data_format: "channels_last" or "channels_first".
        seed: int or None.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.arange(9, dtype="float32").reshape(3, 3, 1)
        >>> out = kiln.layers.RandomShear(0.0, 0.0)(x)  # no shear
        >>> kiln.ops.convert_to_numpy(out).ravel().round(3).tolist()
        [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, fill_value=fill_value,
                         data_format=data_format, seed=seed, **kwargs)
        owner = f"RandomShear '{self.name}'"
        self.x_factor = x_factor
        self.y_factor = y_factor
        self._x = parse_factor(owner, "x_factor", x_factor, (0.0, float("inf")), single="from_zero")
        self._y = parse_factor(owner, "y_factor", y_factor, (0.0, float("inf")), single="from_zero")

    def _signed(self, bounds, batch, seed):
        np_ = self.backend.numpy
        magnitude = self._uniform((batch,), bounds[0], bounds[1], seed=seed)
        sign = np_.where(self._uniform((batch,), 0.0, 1.0, seed=seed) > 0.5, 1.0, -1.0)
        return magnitude * sign

    def _draw_transform(self, images, seed):
        np_ = self.backend.numpy
        cast = self.backend.core.cast
        batch = self._batch_size(images)
        shear_x = self._signed(self._x, batch, seed)
        shear_y = self._signed(self._y, batch, seed)
        height, width = self._hw(images)
        cy = (cast(height, "float32") - 1.0) / 2.0
        cx = (cast(width, "float32") - 1.0) / 2.0
        ones = constant_rows(self.backend, shear_x, 1.0)
        zeros = constant_rows(self.backend, shear_x, 0.0)
        return stack_transforms(self.backend, [ones, shear_x, -shear_x * cy, shear_y, ones,
                                               -shear_y * cx, zeros, zeros])

    def get_config(self):
        config = super().get_config()
        config.update({"x_factor": self.x_factor, "y_factor": self.y_factor})
        return tuples_to_lists(config)
