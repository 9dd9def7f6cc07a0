"""``Cropping2D``: trims rows and columns from the borders of images.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Cropping2D(1)(kiln.ops.ones((2, 5, 6, 3))).shape)
    (2, 3, 4, 3)
"""

from kiln.layers.reshaping.base_cropping import BaseCropping


class Cropping2D(BaseCropping):
    """Crops ``((top, bottom), (left, right))`` from the height and width axes.

    ``cropping`` may be an int (all four sides), ``(rows, cols)`` (symmetric
    per axis) or the two pairs.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.Cropping2D(((1, 0), (2, 2)))(kiln.KerasTensor((None, 6, 8, 1))).shape)
        (None, 5, 4, 1)
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, cropping, data_format, **kwargs)
