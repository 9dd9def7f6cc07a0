"""``Conv3D``: 3D convolution over volumes ``(batch, d1, d2, d3, channels)``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Conv3D(2, 3)(kiln.ops.ones((1, 4, 4, 4, 1))).shape)
    (1, 2, 2, 2, 2)
"""

from kiln.layers.convolutional.base_conv import BaseConv
from kiln.layers.argument_validation import forward_arguments


class Conv3D(BaseConv):
    """3D convolution over volumes ``(batch, d1, d2, d3, channels)``; see :class:`BaseConv` for the arguments.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.Conv3D(2, 3, data_format="channels_first")
        >>> tuple(layer(kiln.KerasTensor((None, 1, 5, 6, 7))).shape)
        (None, 2, 3, 4, 5)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=3, **forward_arguments(locals()))
