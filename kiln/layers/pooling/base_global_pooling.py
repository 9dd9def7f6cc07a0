"""``BaseGlobalPooling``: reduces every spatial axis with a max or a mean.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.GlobalAveragePooling2D()(kiln.ops.ones((2, 4, 4, 3))).shape)
    (2, 3)
"""

from kiln.layers.argument_validation import standardize_data_format
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer


class BaseGlobalPooling(Layer):
    """Pools over all spatial axes; ``keepdims=True`` keeps them with size 1.

    Args:
        pool_dimensions: number of spatial axes (1 for sequences, 2 for images...).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: config).
        keepdims: keep the reduced axes (size 1).
    """

    def __init__(self, pool_dimensions, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, f"{type(self).__name__} '{self.name}'")
        self.keepdims = keepdims
        self.pool_dimensions = pool_dimensions
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        if self.data_format == "channels_last":
            self._axes = tuple(range(1, pool_dimensions + 1))
        else:
            self._axes = tuple(range(2, pool_dimensions + 2))
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.keepdims:
            return tuple(1 if i in self._axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in self._axes)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config
