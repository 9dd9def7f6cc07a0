"""``GlobalAveragePooling3D``: the mean over the three spatial axes of volumes.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.GlobalAveragePooling3D()(kiln.ops.ones((2, 3, 3, 3, 4))).shape)
    (2, 4)
"""

from kiln import ops
from kiln.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling3D(BaseGlobalPooling):
    """Global average pooling over 3 spatial axes; see :class:`BaseGlobalPooling`.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.GlobalAveragePooling3D(data_format="channels_first")
        >>> tuple(layer(kiln.KerasTensor((None, 5, 2, 3, 4))).shape)
        (None, 5)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=3, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs):
        return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)
