"""``Permute``: reorders the non-batch axes of its input.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Permute((2, 1))(kiln.ops.ones((4, 3, 5))).shape)
    (4, 5, 3)
"""

from kiln import ops
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer


class Permute(Layer):
    """Permutes the axes after the batch axis following ``dims``.

    Args:
        dims: a tuple holding each of ``1 .. rank-1`` once; ``dims[i]`` is the
            input axis that becomes output axis ``i + 1`` (axis 0, the batch,
            never moves).

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.Permute((3, 1, 2))(kiln.KerasTensor((None, 2, 3, 4))).shape)
        (None, 4, 2, 3)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        try:
            dims = tuple(dims)
        except TypeError:
            dims = (dims,)
        if sorted(dims) != list(range(1, len(dims) + 1)) or not all(
                isinstance(d, int) and not isinstance(d, bool) for d in dims):
            raise ValueError(
                f"Permute '{self.name}': `dims` must hold each of the axes 1..{len(dims)} exactly "
                f"once (the batch axis 0 is never permuted); received dims={dims}"
            )
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)
        self.supports_masking = True

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config
