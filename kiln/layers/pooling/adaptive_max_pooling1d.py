"""``AdaptiveMaxPooling1D``: max pooling of sequences to a fixed output size.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.AdaptiveMaxPooling1D(3)(kiln.ops.ones((2, 10, 4))).shape)
    (2, 3, 4)
"""

from kiln.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Adaptive max pooling over sequences; see :class:`BaseAdaptivePooling` for the bins.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.AdaptiveMaxPooling1D(3, data_format="channels_first")
        >>> tuple(layer(kiln.KerasTensor((None, 4, 11))).shape)
        (None, 4, 3)
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, pool_dimensions=1, pool_mode="max",
                         data_format=data_format, **kwargs)
