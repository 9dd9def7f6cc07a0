"""``Subtract``: Difference ``inputs[0] - inputs[1]`` of exactly two inputs."""

from kiln import ops
from kiln.layers.merging.base_merge import Merge


class Subtract(Merge):
    """Difference ``inputs[0] - inputs[1]`` of exactly two inputs.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([[1.0, 4.0]])
        >>> y = kiln.ops.convert_to_tensor([[3.0, 2.0]])
        >>> kiln.ops.convert_to_numpy(kiln.layers.Subtract()([x, y])).tolist()
        [[-2.0, 2.0]]
    """

    _max_inputs = 2

    def _merge_function(self, inputs):
        return ops.subtract(inputs[0], inputs[1])
