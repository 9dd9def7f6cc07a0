"""``AdaptiveAveragePooling3D``: average pooling of volumes to a fixed output size.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.AdaptiveAveragePooling3D(2)(kiln.ops.ones((1, 5, 4, 6, 2))).shape)
    (1, 2, 2, 2, 2)
"""

from kiln.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Adaptive average pooling over volumes; see :class:`BaseAdaptivePooling` for the bins.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.AdaptiveAveragePooling3D(2, data_format="channels_first")
        >>> tuple(layer(kiln.KerasTensor((None, 3, 5, 4, 6))).shape)
        (None, 3, 2, 2, 2)
    """

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(output_size, pool_dimensions=3, pool_mode="average",
                         data_format=data_format, **kwargs)
