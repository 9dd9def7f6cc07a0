"""``AveragePooling2D``: Average pooling over the spatial axes of images.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.AveragePooling2D(2)(kiln.ops.ones((1, 4, 4, 3))).shape)
    (1, 2, 2, 3)
"""

from kiln.layers.pooling.base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """Average pooling over the spatial axes of images; see :class:`BasePooling` for the arguments.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.AveragePooling2D(2, data_format="channels_first")
        >>> tuple(layer(kiln.KerasTensor((None, 3, 6, 4))).shape)
        (None, 3, 3, 2)
    """

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="average", padding=padding,
                         data_format=data_format, name=name, **kwargs)
