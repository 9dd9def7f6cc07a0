"""``UpSampling2D``: enlarges images by integer factors (repetition or interpolation).

Example:
    >>> import kiln
    >>> tuple(kiln.layers.UpSampling2D((2, 3))(kiln.ops.ones((1, 2, 2, 4))).shape)
    (1, 4, 6, 4)
"""

from kiln import ops
from kiln.layers.argument_validation import standardize_data_format, standardize_tuple
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.layers.reshaping.spatial_args import spatial_axes

INTERPOLATIONS = ("bicubic", "bilinear", "lanczos3", "lanczos5", "nearest")


class UpSampling2D(Layer):
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
        super().__init__(**kwargs)
        owner = f"UpSampling2D '{self.name}'"
        self.size = standardize_tuple(size, 2, "size", owner)
        self.data_format = standardize_data_format(data_format, owner)
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{owner}: `interpolation` must be one of {INTERPOLATIONS}; "
                             f"received interpolation={interpolation!r}")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        axes = spatial_axes(2, self.data_format)
        if self.interpolation == "nearest":
            out = inputs
            for axis, factor in zip(axes, self.size):
                if factor != 1:
                    out = ops.repeat(out, factor, axis=axis)
            return out
        shape = ops.shape(inputs)
        new_size = tuple(shape[a] * f for a, f in zip(axes, self.size))
        return ops.image.resize(inputs, new_size, interpolation=self.interpolation,
                                data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, factor in zip(spatial_axes(2, self.data_format), self.size):
            if out[axis] is not None:
                out[axis] = out[axis] * factor
        return tuple(out)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format,
                       "interpolation": self.interpolation})
        return config
