"""``MaxPooling2D``: Max pooling over the spatial axes of images.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.MaxPooling2D((2, 2))(kiln.ops.ones((1, 4, 6, 3))).shape)
    (1, 2, 3, 3)
"""

from kiln.layers.pooling.base_pooling import BasePooling


class MaxPooling2D(BasePooling):
    """Max pooling over the spatial axes of images; see :class:`BasePooling` for the arguments.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.MaxPooling2D(padding="same")(kiln.KerasTensor((None, 5, 5, 2))).shape)
        (None, 3, 3, 2)
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=2, pool_mode="max", padding=padding,
                         data_format=data_format, name=name, **kwargs)
