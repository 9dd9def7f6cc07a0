"""``UpSampling1D``: repeats each step of ``(batch, steps, features)`` ``size`` times.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.UpSampling1D(3)(kiln.ops.ones((2, 4, 5))).shape)
    (2, 12, 5)
"""

from kiln.layers.reshaping.base_up_sampling import BaseUpSampling


class UpSampling1D(BaseUpSampling):
    """Repeats every step along axis 1 ``size`` times (``[a, b]`` -> ``[a, a, b, b]``).

    Args:
        size: positive int, the up-sampling factor.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.UpSampling1D()(kiln.KerasTensor((None, 3, 2))).shape)
        (None, 6, 2)
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(1, size, None, **kwargs)
