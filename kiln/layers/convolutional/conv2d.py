"""``Conv2D``: 2D convolution over images ``(batch, height, width, channels)``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Conv2D(8, (3, 3), padding="same")(kiln.ops.ones((1, 5, 5, 3))).shape)
    (1, 5, 5, 8)
"""

from kiln.layers.convolutional.base_conv import BaseConv
from kiln.layers.argument_validation import forward_arguments


class Conv2D(BaseConv):
    """2D convolution over images ``(batch, height, width, channels)``; see :class:`BaseConv` for the arguments.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.Conv2D(4, 3, strides=2, padding="same")
        >>> tuple(layer(kiln.KerasTensor((None, 9, 8, 3))).shape)
        (None, 5, 4, 4)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=2, **forward_arguments(locals()))
