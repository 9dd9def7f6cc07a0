"""``BaseAdaptivePooling``: pooling to a fixed output size whatever the input size.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.AdaptiveAveragePooling2D((2, 3))(kiln.ops.ones((1, 7, 9, 4))).shape)
    (1, 2, 3, 4)
"""

from kiln import ops
from kiln.layers.argument_validation import standardize_data_format, standardize_tuple
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer


class BaseAdaptivePooling(Layer):
    """Splits each spatial axis of length ``L`` into ``output_size`` bins (bin ``i`` covers
    ``[floor(i * L / n), ceil((i + 1) * L / n))``, so bins may overlap) and keeps the mean
    or the max of each.

    Args:
        output_size: int or tuple of ``pool_dimensions`` positive ints.
        pool_dimensions: number of spatial axes (1, 2 or 3).
        pool_mode: ``"average"`` or ``"max"``.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: config).

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.AdaptiveMaxPooling1D(4)(kiln.KerasTensor((None, 10, 3))).shape)
        (None, 4, 3)
    """

    def __init__(self, output_size, pool_dimensions, pool_mode, data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.output_size = standardize_tuple(output_size, pool_dimensions, "output_size", owner)
        self.pool_dimensions = pool_dimensions
        self.data_format = standardize_data_format(data_format, owner)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self._pool_fn = ops.adaptive_average_pool if pool_mode == "average" else ops.adaptive_max_pool
        self.built = True

    def call(self, inputs):
        return self._pool_fn(inputs, self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0],) + self.output_size + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + self.output_size

    def get_config(self):
        config = super().get_config()
        config.update({"output_size": list(self.output_size), "data_format": self.data_format})
        return config
