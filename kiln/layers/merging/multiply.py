"""``Multiply``: Element-wise product of a list of inputs."""

from kiln import ops
from kiln.layers.merging.base_merge import Merge, fold


class Multiply(Merge):
    """Element-wise product of a list of inputs.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([[1.0, 4.0]])
        >>> y = kiln.ops.convert_to_tensor([[3.0, 2.0]])
        >>> kiln.ops.convert_to_numpy(kiln.layers.Multiply()([x, y])).tolist()
        [[3.0, 8.0]]
    """

    def _merge_function(self, inputs):
        return fold(ops.multiply, inputs)
