"""``MaxPooling1D``: Max pooling over the steps of a sequence ``(batch, steps, channels)``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.MaxPooling1D()(kiln.ops.ones((1, 6, 2))).shape)
    (1, 3, 2)
"""

from kiln.layers.pooling.base_pooling import BasePooling


class MaxPooling1D(BasePooling):
    """Max pooling over the steps of a sequence ``(batch, steps, channels)``; see :class:`BasePooling` for the arguments.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.MaxPooling1D(3, strides=1)(kiln.KerasTensor((None, 8, 2))).shape)
        (None, 6, 2)
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, pool_dimensions=1, pool_mode="max", padding=padding,
                         data_format=data_format, name=name, **kwargs)
