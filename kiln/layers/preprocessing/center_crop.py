"""``CenterCrop``: the central ``(height, width)`` window of images.

Example:
    >>> import kiln
    >>> kiln.ops.shape(kiln.layers.CenterCrop(2, 3)(kiln.ops.ones((1, 4, 5, 3))))
    (1, 2, 3, 3)
"""

from kiln.layers.argument_validation import standardize_data_format
from kiln.layers.preprocessing import _image_shape
from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.layers.preprocessing.preprocessing_utils import check_int


class CenterCrop(DataLayer):
    """Crops the center of images (3-D image or 4-D batch) to ``(height, width)``.

    The window starts at ``(input_size - target) // 2`` on each axis. An image
    smaller than the target on either axis is instead resized to the target
    (bilinear, cropped to the target's aspect ratio first so nothing is
    distorted). Outputs are in the layer's compute dtype.

    Args:
        height, width: positive ints, the output size.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the config's).

    Example:
        >>> import kiln
        >>> x = kiln.ops.reshape(kiln.ops.arange(16.0), (1, 4, 4, 1))
        >>> kiln.ops.convert_to_numpy(kiln.layers.CenterCrop(2, 2)(x))[0, :, :, 0].tolist()
        [[5.0, 6.0], [9.0, 10.0]]
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = f"CenterCrop '{self.name}'"
        self.height = check_int(owner, "height", height)
        self.width = check_int(owner, "width", width)
        self.data_format = standardize_data_format(data_format, owner)

    def build(self, input_shape):
        _image_shape.check_image_rank(f"CenterCrop '{self.name}'", input_shape)

    def call(self, inputs):
        b = self.backend
        inputs = b.core.cast(inputs, self.compute_dtype)
        rank = len(inputs.shape)
        h_axis, w_axis = _image_shape.hw_axes(rank, self.data_format)
        static = tuple(inputs.shape)
        height, width = static[h_axis], static[w_axis]
        if height is None or width is None:
            dynamic = b.core.shape(inputs)
            height = dynamic[h_axis] if height is None else height
            width = dynamic[w_axis] if width is None else width
        if isinstance(height, int) and isinstance(width, int):
            if height < self.height or width < self.width:
                return self._resize(inputs, rank, h_axis, w_axis, height, width)
            return self._crop(inputs, rank, h_axis, w_axis, height, width, self.height, self.width)
        # Sizes known only when the tf.data graph runs.
        fits = b.numpy.logical_and(b.numpy.greater_equal(height, self.height),
                                   b.numpy.greater_equal(width, self.width))
        return b.core.cond(
            fits,
            lambda: self._crop(inputs, rank, h_axis, w_axis, height, width, self.height, self.width),
            lambda: self._resize(inputs, rank, h_axis, w_axis, height, width))

    def _crop(self, inputs, rank, h_axis, w_axis, height, width, crop_height, crop_width):
        top = (height - crop_height) // 2
        left = (width - crop_width) // 2
        start = [0] * rank
        size = list(self.backend.core.shape(inputs))
        start[h_axis], start[w_axis] = top, left
        size[h_axis], size[w_axis] = crop_height, crop_width
        return self.backend.core.slice(inputs, start, size)

    def _resize(self, inputs, rank, h_axis, w_axis, height, width):
        # The largest centred window with the target's aspect ratio, then a bilinear resize.
        b = self.backend
        minimum = min if isinstance(height, int) and isinstance(width, int) else b.numpy.minimum
        crop_height = minimum(height, (width * self.height) // self.width)
        crop_width = minimum(width, (height * self.width) // self.height)
        window = self._crop(inputs, rank, h_axis, w_axis, height, width, crop_height, crop_width)
        out = b.image.resize(window, (self.height, self.width), data_format=self.data_format)
        return b.core.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return _image_shape.resized_shape(input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "data_format": self.data_format})
        return config
