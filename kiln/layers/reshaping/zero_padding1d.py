"""``ZeroPadding1D``: zeros added at the start and end of the steps axis.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.ZeroPadding1D(2)(kiln.ops.ones((2, 3, 4))).shape)
    (2, 7, 4)
"""

from kiln.layers.reshaping.base_zero_padding import BaseZeroPadding


class ZeroPadding1D(BaseZeroPadding):
    """Pads the steps axis of a 3D input with ``padding = (start, end)`` zeros.

    An int pads both ends equally. With ``data_format="channels_first"`` the
    input is ``(batch, features, steps)``.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.ZeroPadding1D((0, 3))(kiln.KerasTensor((None, 5, 2))).shape)
        (None, 8, 2)
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(1, padding, data_format, **kwargs)
