"""``Conv1DTranspose``: transposed convolution over sequences, the shape inverse of ``Conv1D``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Conv1DTranspose(2, 3, strides=2)(kiln.ops.ones((1, 4, 3))).shape)
    (1, 9, 2)
"""

from kiln.layers.convolutional.base_conv_transpose import BaseConvTranspose
from kiln.layers.argument_validation import forward_arguments


class Conv1DTranspose(BaseConvTranspose):
    """Transposed 1D convolution (upsamples sequences); see :class:`BaseConvTranspose` for the arguments.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.Conv1DTranspose(3, 3, padding="same")
        >>> tuple(layer(kiln.KerasTensor((None, 6, 4))).shape)
        (None, 6, 3)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=1, **forward_arguments(locals()))
