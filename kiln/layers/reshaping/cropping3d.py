"""``Cropping3D``: trims the borders of volumes along their three spatial axes.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Cropping3D()(kiln.ops.ones((1, 4, 5, 6, 2))).shape)
    (1, 2, 3, 4, 2)
"""

from kiln.layers.reshaping.base_cropping import BaseCropping


class Cropping3D(BaseCropping):
    """Crops ``((d1, d2), (h1, h2), (w1, w2))`` from the three spatial axes.

    ``cropping`` may be an int, three ints (symmetric per axis) or three pairs.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.Cropping3D((0, 1, 2))(kiln.KerasTensor((None, 3, 4, 5, 1))).shape)
        (None, 3, 2, 1, 1)
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, cropping, data_format, **kwargs)
