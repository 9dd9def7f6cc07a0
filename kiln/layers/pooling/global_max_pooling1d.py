"""``GlobalMaxPooling1D``: the max over every spatial axis.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.GlobalMaxPooling1D()(kiln.ops.ones((2, 5, 3))).shape)
    (2, 3)
"""

from kiln import ops
from kiln.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Global max pooling over the steps of a sequence; see :class:`BaseGlobalPooling`.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.GlobalMaxPooling1D(data_format="channels_first")(kiln.KerasTensor((None, 3, 7))).shape)
        (None, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self._axes, keepdims=self.keepdims)
