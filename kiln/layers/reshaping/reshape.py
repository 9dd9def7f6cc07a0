"""``Reshape``: gives the non-batch axes a new shape.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Reshape((3, -1))(kiln.ops.ones((2, 12))).shape)
    (2, 3, 4)
"""

import math

from kiln import ops
from kiln.layers.layer import Layer


class Reshape(Layer):
    """Reshapes the input to ``(batch,) + target_shape``; one entry may be -1 (inferred).

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.Reshape((4, 2))(kiln.KerasTensor((None, 8))).shape)
        (None, 4, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if isinstance(target_shape, int):
            target_shape = (target_shape,)
        target_shape = tuple(-1 if d is None else int(d) for d in target_shape)
        if sum(1 for d in target_shape if d == -1) > 1 or any(d < -1 for d in target_shape):
            raise ValueError(
                f"Reshape '{self.name}': target_shape may contain at most one -1 (inferred axis) "
                f"and otherwise non-negative sizes; received target_shape={target_shape}"
            )
        self.target_shape = target_shape

    def _resolve(self, input_shape):
        rest = input_shape[1:]
        if -1 not in self.target_shape:
            known = math.prod(self.target_shape)
            if all(d is not None for d in rest) and math.prod(rest) != known:
                raise ValueError(self._mismatch(input_shape))
            return self.target_shape
        if any(d is None for d in rest):
            return tuple(None if d == -1 else d for d in self.target_shape)
        total = math.prod(rest)
        known = math.prod(d for d in self.target_shape if d != -1)
        if known == 0 or total % known:
            raise ValueError(self._mismatch(input_shape))
        return tuple(total // known if d == -1 else d for d in self.target_shape)

    def _mismatch(self, input_shape):
        return (f"Reshape '{self.name}': cannot reshape an input of shape {tuple(input_shape)} "
                f"(batch excluded: {tuple(input_shape[1:])}) to target_shape={self.target_shape}; "
                "the number of elements differs")

    def build(self, input_shape):
        self._resolve(tuple(input_shape))
        self.built = True

    def call(self, inputs):
        return ops.reshape(inputs, (ops.shape(inputs)[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(self._resolve(tuple(input_shape)))

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config
