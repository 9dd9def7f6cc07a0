"""``AveragePooling1D``: Average pooling over the steps of a sequence.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.AveragePooling1D(2)(kiln.ops.ones((1, 6, 2))).shape)
    (1, 3, 2)
"""

from kiln.layers.pooling.base_pooling import BasePooling


class AveragePooling1D(BasePooling):
    """Average pooling over the steps of a sequence; see :class:`BasePooling` for the arguments.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.AveragePooling1D(2)(kiln.KerasTensor((None, 7, 3))).shape)
        (None, 3, 3)
    """

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="average", padding=padding,
                         data_format=data_format, name=name, **kwargs)
