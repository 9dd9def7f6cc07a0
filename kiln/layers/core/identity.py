"""``Identity``: returns its input unchanged (a placeholder layer).

Example:
    >>> import kiln
    >>> x = kiln.ops.ones((2, 3))
    >>> kiln.layers.Identity()(x) is x
    True
"""

from kiln import tree
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.layer import Layer


class Identity(Layer):
    """A layer whose output is its input (any structure); masks pass through.

    Example:
        >>> import kiln
        >>> kiln.layers.Identity()(kiln.KerasTensor((None, 5))).shape
        (None, 5)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, inputs):
        # New symbolic tensors (same shape): the graph records this layer as their producer.
        # (Layer.__call__ already hands float inputs over in the compute dtype.)
        def spec(x):
            return KerasTensor(x.shape, dtype=x.dtype, sparse=getattr(x, "sparse", False),
                               ragged=getattr(x, "ragged", False))

        return tree.map_structure(spec, inputs)
