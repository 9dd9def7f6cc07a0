"""``SeparableConv2D``: depthwise-separable 2D convolution over images.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.SeparableConv2D(4, 3)(kiln.ops.ones((1, 6, 6, 3))).shape)
    (1, 4, 4, 4)
"""

from kiln.layers.convolutional.base_separable_conv import BaseSeparableConv
from kiln.layers.argument_validation import forward_arguments


class SeparableConv2D(BaseSeparableConv):
    """Depthwise-separable 2D convolution over images; see :class:`BaseSeparableConv`.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.SeparableConv2D(6, 3, padding="same", depth_multiplier=2)
        >>> tuple(layer(kiln.KerasTensor((None, 5, 7, 2))).shape)
        (None, 5, 7, 6)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=2, **forward_arguments(locals()))
