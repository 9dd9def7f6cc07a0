"""``UpSampling1D``: repeats each step of ``(batch, steps, features)`` ``size`` times.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.UpSampling1D(3)(kiln.ops.ones((2, 4, 5))).shape)
    (2, 12, 5)
"""

from kiln import ops
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer


class UpSampling1D(Layer):
    """Repeats every step along axis 1 ``size`` times (``[a, b]`` -> ``[a, a, b, b]``).

    Args:
        size: positive int, the up-sampling factor.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.UpSampling1D()(kiln.KerasTensor((None, 3, 2))).shape)
        (None, 6, 2)
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"UpSampling1D '{self.name}': `size` must be a positive integer; "
                             f"received size={size!r}")
        self.size = size
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return ops.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config
