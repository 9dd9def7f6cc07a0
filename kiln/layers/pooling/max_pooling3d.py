"""``MaxPooling3D``: max pooling over the three spatial axes of volumes.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.MaxPooling3D()(kiln.ops.ones((1, 4, 4, 4, 2))).shape)
    (1, 2, 2, 2, 2)
"""

from kiln.layers.pooling.base_pooling import BasePooling


class MaxPooling3D(BasePooling):
    """Max pooling over volumes ``(batch, d1, d2, d3, channels)``; see :class:`BasePooling`.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.MaxPooling3D(2, strides=1, padding="same")
        >>> tuple(layer(kiln.KerasTensor((None, 3, 4, 5, 1))).shape)
        (None, 3, 4, 5, 1)
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="max", padding=padding,
                         data_format=data_format, name=name, **kwargs)
