"""``Add``: Element-wise sum of a list of inputs."""

from kiln import ops
from kiln.layers.merging.base_merge import Merge, fold


class Add(Merge):
    """Element-wise sum of a list of inputs.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([[1.0, 4.0]])
        >>> y = kiln.ops.convert_to_tensor([[3.0, 2.0]])
        >>> kiln.ops.convert_to_numpy(kiln.layers.Add()([x, y])).tolist()
        [[4.0, 6.0]]
    """

    def _merge_function(self, inputs):
        return fold(ops.add, inputs)
