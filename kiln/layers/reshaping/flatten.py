"""``Flatten``: collapses every axis but the batch axis into one.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Flatten()(kiln.ops.ones((2, 3, 4))).shape)
    (2, 12)
"""

import math

from kiln import ops
from kiln.layers.argument_validation import standardize_data_format
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer


class Flatten(Layer):
    """Reshapes ``(batch, d1, d2, ...)`` to ``(batch, d1 * d2 * ...)``.

    With ``data_format="channels_first"`` the channel axis is moved last first,
    so the element order matches the channels-last layout.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.Flatten()(kiln.KerasTensor((None, 2, 5))).shape)
        (None, 10)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, f"Flatten '{self.name}'")
        self.input_spec = InputSpec(min_ndim=1)
        self._channels_first = self.data_format == "channels_first"

    def build(self, input_shape):
        self.built = True

    def call(self, inputs):
        shape = tuple(inputs.shape)
        rank = len(shape)
        if rank == 1:
            return ops.expand_dims(inputs, -1)
        if self._channels_first and rank > 2:
            inputs = ops.transpose(inputs, (0,) + tuple(range(2, rank)) + (1,))
        rest = shape[1:]
        if None not in rest:
            size = math.prod(rest)
            if size > 0:
                return ops.reshape(inputs, (-1, size))
        return ops.reshape(inputs, (ops.shape(inputs)[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if not rest:
            return (input_shape[0], 1)
        size = math.prod(rest) if all(d is not None for d in rest) else None
        return (input_shape[0], size)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
