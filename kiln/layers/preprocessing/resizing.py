"""``Resizing``: resize images (a 3-D image or a 4-D batch) to ``(height, width)``.

Example:
    >>> import kiln
    >>> kiln.ops.shape(kiln.layers.Resizing(4, 6)(kiln.ops.ones((2, 8, 8, 3))))
    (2, 4, 6, 3)
"""

from kiln.backend.common import dtypes
from kiln.layers.argument_validation import standardize_data_format
from kiln.layers.preprocessing import _image_shape
from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.layers.preprocessing.preprocessing_utils import check_choice, check_int

INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area")
FILL_MODES = ("constant",)


class Resizing(DataLayer):
    """Resizes images to ``(height, width)`` with ``kiln.ops.image.resize``.

    Args:
        height, width: positive ints, the output size.
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"``, ``"lanczos3"``,
            ``"lanczos5"`` or ``"area"``.
        crop_to_aspect_ratio: crop the largest centered window of the target
            aspect ratio before resizing (no distortion).
        pad_to_aspect_ratio: pad (with ``fill_value``) to the target aspect ratio
            instead; at most one of the two may be set.
        fill_mode, fill_value: how padding is filled (``"constant"`` only).
        antialias: filter when downsampling.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the config's).

    Integer images come back rounded in their own dtype; float images in the
    compute dtype.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.Resizing(2, 2, interpolation="nearest")
        >>> kiln.ops.shape(layer(kiln.ops.ones((4, 4, 1))))
        (2, 2, 1)
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False,
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = f"Resizing '{self.name}'"
        self.height = check_int(owner, "height", height)
        self.width = check_int(owner, "width", width)
        self.interpolation = check_choice(owner, "interpolation", interpolation, INTERPOLATIONS)
        self.fill_mode = check_choice(owner, "fill_mode", fill_mode, FILL_MODES)
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(f"{owner}: only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` "
                             "may be True; received both")
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.data_format = standardize_data_format(data_format, owner)

    def build(self, input_shape):
        _image_shape.check_image_rank(f"Resizing '{self.name}'", input_shape)

    def call(self, inputs):
        b = self.backend
        input_dtype = dtypes.standardize_dtype(inputs.dtype)
        images = inputs if dtypes.is_float(input_dtype) else b.core.cast(inputs, "float32")
        out = b.image.resize(images, (self.height, self.width), interpolation=self.interpolation,
                             antialias=self.antialias, crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                             pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_mode=self.fill_mode,
                             fill_value=self.fill_value, data_format=self.data_format)
        if dtypes.is_float(input_dtype):
            return b.core.cast(out, self.compute_dtype)
        return b.core.saturate_cast(b.numpy.round(out), input_dtype)

    def compute_output_shape(self, input_shape):
        return _image_shape.resized_shape(input_shape, self.height, self.width, self.data_format)

    def compute_output_spec(self, inputs):
        from kiln import KerasTensor

        dtype = inputs.dtype if not dtypes.is_float(inputs.dtype) else self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def get_config(self):
        config = super().get_config()
        config.update({
            "height": self.height, "width": self.width, "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
            "fill_value": self.fill_value, "antialias": self.antialias,
            "data_format": self.data_format,
        })
        return config
