"""``AveragePooling3D``: average pooling over the three spatial axes of volumes.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.AveragePooling3D(2)(kiln.ops.ones((1, 4, 4, 4, 2))).shape)
    (1, 2, 2, 2, 2)
"""

from kiln.layers.pooling.base_pooling import BasePooling


class AveragePooling3D(BasePooling):
    """Average pooling over volumes ``(batch, d1, d2, d3, channels)``; see :class:`BasePooling`.

    With ``padding="same"`` each window averages only the elements inside the input.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.AveragePooling3D((1, 2, 2), data_format="channels_first")
        >>> tuple(layer(kiln.KerasTensor((None, 3, 2, 4, 6))).shape)
        (None, 3, 2, 2, 3)
    """

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=3, pool_mode="average", padding=padding,
                         data_format=data_format, name=name, **kwargs)
