"""``SeparableConv1D``: depthwise-separable 1D convolution over sequences.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.SeparableConv1D(4, 3)(kiln.ops.ones((1, 8, 3))).shape)
    (1, 6, 4)
"""

from kiln.layers.convolutional.base_separable_conv import BaseSeparableConv
from kiln.layers.argument_validation import forward_arguments


class SeparableConv1D(BaseSeparableConv):
    """Depthwise-separable 1D convolution over sequences; see :class:`BaseSeparableConv`.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.SeparableConv1D(6, 3, padding="same", depth_multiplier=2)
        >>> tuple(layer(kiln.KerasTensor((None, 7, 2))).shape)
        (None, 7, 6)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=1, **forward_arguments(locals()))
