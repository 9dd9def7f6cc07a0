"""``Cropping1D``: trims the start and end of the time axis of ``(batch, steps, features)``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Cropping1D((1, 2))(kiln.ops.ones((2, 6, 3))).shape)
    (2, 3, 3)
"""

from kiln.layers.reshaping.base_cropping import BaseCropping


class Cropping1D(BaseCropping):
    """Crops ``cropping = (start, end)`` steps from axis 1 (an int crops both ends equally).

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.Cropping1D(1)(kiln.KerasTensor((None, 5, 2))).shape)
        (None, 3, 2)
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(1, cropping, None, **kwargs)
