"""``RepeatVector``: repeats a batch of vectors ``n`` times along a new axis 1.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.RepeatVector(3)(kiln.ops.ones((2, 5))).shape)
    (2, 3, 5)
"""

from kiln import ops
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer


class RepeatVector(Layer):
    """Turns ``(batch, features)`` into ``(batch, n, features)`` by repetition.

    Args:
        n: non-negative int, the number of repetitions.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.RepeatVector(4)(kiln.KerasTensor((None, 8))).shape)
        (None, 4, 8)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(
                f"RepeatVector '{self.name}': `n` must be a non-negative integer; received n={n!r}"
            )
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config
