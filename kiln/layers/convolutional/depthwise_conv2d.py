"""``DepthwiseConv2D``: per-channel 2D convolution over images.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.DepthwiseConv2D(3, depth_multiplier=2)(kiln.ops.ones((1, 6, 6, 3))).shape)
    (1, 4, 4, 6)
"""

from kiln.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv
from kiln.layers.argument_validation import forward_arguments


class DepthwiseConv2D(BaseDepthwiseConv):
    """Depthwise 2D convolution over images; see :class:`BaseDepthwiseConv` for the arguments.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.DepthwiseConv2D(3, padding="same", data_format="channels_first")
        >>> tuple(layer(kiln.KerasTensor((None, 2, 5, 7))).shape)
        (None, 2, 5, 7)
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=2, **forward_arguments(locals()))
