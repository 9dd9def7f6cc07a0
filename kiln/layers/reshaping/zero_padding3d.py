"""``ZeroPadding3D``: zeros around volumes along their three spatial axes.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.ZeroPadding3D()(kiln.ops.ones((1, 2, 2, 2, 1))).shape)
    (1, 4, 4, 4, 1)
"""

from kiln.layers.reshaping.base_zero_padding import BaseZeroPadding


class ZeroPadding3D(BaseZeroPadding):
    """Pads the three spatial axes with ``((d1, d2), (h1, h2), (w1, w2))`` zeros.

    ``padding`` may be an int, three ints (symmetric per axis) or three pairs.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.ZeroPadding3D((1, 0, 2))(kiln.KerasTensor((None, 2, 2, 2, 3))).shape)
        (None, 4, 2, 6, 3)
    """

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, padding, data_format, **kwargs)
