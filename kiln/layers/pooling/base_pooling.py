"""``BasePooling``: windowed max/average pooling shared by the N-D pooling layers.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.MaxPooling2D()(kiln.ops.ones((1, 4, 4, 3))).shape)
    (1, 2, 2, 3)
"""

from kiln import ops
from kiln.layers.argument_validation import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from kiln.layers.convolutional.convolution_base import window_output_shape
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer


class BasePooling(Layer):
    """Slides a ``pool_size`` window with ``strides`` and keeps the max or the mean.

    Args:
        pool_size: int or tuple of ``pool_dimensions`` ints.
        strides: int, tuple or None (None: equal to ``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: config).
        pool_dimensions: number of spatial dimensions.
        pool_mode: ``"max"`` or ``"average"``.
    """

    def __init__(self, pool_size, strides, pool_dimensions, pool_mode="max", padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.pool_size = standardize_tuple(pool_size, pool_dimensions, "pool_size", owner)
        strides = pool_size if strides is None else strides
        self.strides = standardize_tuple(strides, pool_dimensions, "strides", owner)
        self.pool_mode = pool_mode
        self.padding = standardize_padding(padding, owner)
        self.data_format = standardize_data_format(data_format, owner)
        self.pool_dimensions = pool_dimensions
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self._pool_fn = ops.max_pool if pool_mode == "max" else ops.average_pool
        self.built = True

    def call(self, inputs):
        return self._pool_fn(inputs, pool_size=self.pool_size, strides=self.strides,
                             padding=self.padding, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        return window_output_shape(input_shape, self.pool_size, self.strides, self.padding,
                                   self.data_format, f"{type(self).__name__} '{self.name}'",
                                   window_arg="pool_size")

    def get_config(self):
        config = super().get_config()
        config.update({
            "pool_size": list(self.pool_size),
            "padding": self.padding,
            "strides": list(self.strides),
            "data_format": self.data_format,
        })
        return config
