"""``RMSNormalization``: divides by the root mean square over ``axis`` and scales.

Example:
    >>> import kiln
    >>> layer = kiln.layers.RMSNormalization(epsilon=0.0)
    >>> y = layer(kiln.ops.convert_to_tensor([[3.0, 4.0]]))
    >>> [round(v, 4) for v in kiln.ops.convert_to_numpy(y)[0].tolist()]
    [0.8485, 1.1314]
"""

from kiln import ops
from kiln.layers.layer import Layer
from kiln.layers.normalization._affine import restore_dtype, to_float32
from kiln.layers.normalization._axes import check_axes, standardize_axis, weight_shape_for_axes


class RMSNormalization(Layer):
    """``x / sqrt(mean(x**2, axis) + epsilon) * scale``, with a learned ``scale``
    (one weight named ``scale``, shaped like the normalized axes, initialized to ones).

    The mean square is computed in float32 for float16/bfloat16 inputs.

    Args:
        axis: int or list of ints, the axes normalized.
        epsilon: added to the mean square.

    Example:
        >>> layer = RMSNormalization(name="rms")
        >>> layer.build((None, 3, 8))
        >>> [(v.path, tuple(v.shape)) for v in layer.weights]
        [('rms/scale', (8,))]
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = standardize_axis(axis, f"RMSNormalization '{self.name}'")
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or epsilon < 0:
            raise ValueError(f"RMSNormalization '{self.name}': `epsilon` must be a non-negative "
                             f"number; received epsilon={epsilon!r}")
        self.epsilon = epsilon
        self.supports_masking = True
        self.scale = None

    def build(self, input_shape):
        owner = f"RMSNormalization '{self.name}'"
        self._axes = check_axes(self.axis, input_shape, owner)
        # The scale broadcasts as is when the normalized axes are the trailing ones.
        shape, self._scale_shape = weight_shape_for_axes(self.axis, self._axes, input_shape, owner)
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.built = True

    def call(self, inputs):
        x, input_dtype = to_float32(inputs)
        mean_square = ops.mean(ops.square(x), axis=self._axes, keepdims=True)
        outputs = ops.multiply(x, ops.rsqrt(ops.add(mean_square, self.epsilon)))
        scale = ops.cast(self.scale, ops.dtype(outputs))
        if self._scale_shape is not None:
            scale = ops.reshape(scale, self._scale_shape)
        return restore_dtype(ops.multiply(outputs, scale), input_dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
