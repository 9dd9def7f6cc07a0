"""``GlobalMaxPooling3D``: the max over the three spatial axes of volumes.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.GlobalMaxPooling3D()(kiln.ops.ones((2, 3, 3, 3, 4))).shape)
    (2, 4)
"""

from kiln import ops
from kiln.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling3D(BaseGlobalPooling):
    """Global max pooling over 3 spatial axes; see :class:`BaseGlobalPooling`.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.GlobalMaxPooling3D(keepdims=True)
        >>> tuple(layer(kiln.KerasTensor((None, 2, 3, 4, 5))).shape)
        (None, 1, 1, 1, 5)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=3, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self._axes, keepdims=self.keepdims)
