"""``GlobalMaxPooling2D``: the max over every spatial axis.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.GlobalMaxPooling2D()(kiln.ops.ones((2, 4, 4, 3))).shape)
    (2, 3)
"""

from kiln import ops
from kiln.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Global max pooling over 2 spatial axes; see :class:`BaseGlobalPooling`.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.GlobalMaxPooling2D(keepdims=True)(kiln.KerasTensor((None, 4, 5, 3))).shape)
        (None, 1, 1, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=2, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self._axes, keepdims=self.keepdims)
