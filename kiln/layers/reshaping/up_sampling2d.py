"""``UpSampling2D``: enlarges images by integer factors (repetition or interpolation).

Example:
    >>> import kiln
    >>> tuple(kiln.layers.UpSampling2D((2, 3))(kiln.ops.ones((1, 2, 2, 4))).shape)
    (1, 4, 6, 4)
"""

from kiln import ops
from kiln.layers.reshaping.base_up_sampling import BaseUpSampling

INTERPOLATIONS = ("bicubic", "bilinear", "lanczos3", "lanczos5", "nearest")


class UpSampling2D(BaseUpSampling):
    """Scales height and width by ``size = (rows, cols)``.

    ``interpolation="nearest"`` repeats rows and columns; "bilinear",
    "bicubic", "lanczos3" and "lanczos5" resample with
    ``kiln.ops.image.resize`` (half-pixel centres).

    Example:
        >>> import kiln
        >>> layer = kiln.layers.UpSampling2D(2, interpolation="bilinear")
        >>> tuple(layer(kiln.KerasTensor((None, 3, 5, 1))).shape)
        (None, 6, 10, 1)
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(2, size, data_format, **kwargs)
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"UpSampling2D '{self.name}': `interpolation` must be one of "
                             f"{INTERPOLATIONS}; received interpolation={interpolation!r}")
        self.interpolation = interpolation

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        shape = ops.shape(inputs)
        new_size = tuple(shape[a] * f for a, f in self._factors_per_axis())
        return ops.image.resize(inputs, new_size, interpolation=self.interpolation,
                                data_format=self.data_format)

    def get_config(self):
        config = super().get_config()
        config["interpolation"] = self.interpolation
        return config
