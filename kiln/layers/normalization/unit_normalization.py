"""``UnitNormalization``: scales each sample to unit L2 norm along ``axis``.

Example:
    >>> import kiln
    >>> y = kiln.layers.UnitNormalization()(kiln.ops.convert_to_tensor([[3.0, 4.0]]))
    >>> [round(v, 4) for v in kiln.ops.convert_to_numpy(y)[0].tolist()]
    [0.6, 0.8]
"""

from kiln import ops
from kiln.layers.layer import Layer
from kiln.layers.normalization._axes import check_axes, standardize_axis


class UnitNormalization(Layer):
    """``x / sqrt(max(sum(x**2, axis), 1e-12))``: each slice along ``axis`` gets L2 norm 1.

    Args:
        axis: int or list of ints, the axes normalized together.

    Example:
        >>> UnitNormalization(axis=[1, 2]).get_config()["axis"]
        [1, 2]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = standardize_axis(axis, f"UnitNormalization '{self.name}'")
        self.supports_masking = True

    def build(self, input_shape):
        self._axes = check_axes(self.axis, input_shape, f"UnitNormalization '{self.name}'")
        self.built = True

    def call(self, inputs):
        square_sum = ops.sum(ops.square(inputs), axis=self._axes, keepdims=True)
        return ops.multiply(inputs, ops.rsqrt(ops.maximum(square_sum, 1e-12)))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
