"""``ZeroPadding2D``: rows and columns of zeros around images.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.ZeroPadding2D()(kiln.ops.ones((1, 3, 3, 2))).shape)
    (1, 5, 5, 2)
"""

from kiln.layers.reshaping.base_zero_padding import BaseZeroPadding


class ZeroPadding2D(BaseZeroPadding):
    """Pads height and width with ``((top, bottom), (left, right))`` zeros.

    ``padding`` may be an int, ``(rows, cols)`` (symmetric per axis) or the
    two pairs.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.ZeroPadding2D(((1, 0), (2, 3)))(kiln.KerasTensor((None, 4, 4, 1))).shape)
        (None, 5, 9, 1)
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, padding, data_format, **kwargs)
