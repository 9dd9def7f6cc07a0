"""``GlobalAveragePooling2D``: the average over every spatial axis.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.GlobalAveragePooling2D()(kiln.ops.ones((2, 4, 4, 3))).shape)
    (2, 3)
"""

from kiln import ops
from kiln.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Global average pooling over 2 spatial axes; see :class:`BaseGlobalPooling`.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.GlobalAveragePooling2D()(kiln.KerasTensor((None, 4, 5, 3))).shape)
        (None, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=2, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)
