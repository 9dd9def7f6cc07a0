"""``AdaptiveAveragePooling2D``: average pooling of images to a fixed output size.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.AdaptiveAveragePooling2D((2, 3))(kiln.ops.ones((2, 7, 8, 4))).shape)
    (2, 2, 3, 4)
"""

from kiln.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Adaptive average pooling over images; see :class:`BaseAdaptivePooling` for the bins.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.AdaptiveAveragePooling2D((2, 3), data_format="channels_first")
        >>> tuple(layer(kiln.KerasTensor((None, 4, 9, 5))).shape)
        (None, 4, 2, 3)
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, pool_dimensions=2, pool_mode="average",
                         data_format=data_format, **kwargs)
