"""``Conv3DTranspose``: transposed convolution over volumes, the shape inverse of ``Conv3D``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Conv3DTranspose(2, 2, strides=2)(kiln.ops.ones((1, 2, 2, 2, 1))).shape)
    (1, 4, 4, 4, 2)
"""

from kiln.layers.convolutional.base_conv_transpose import BaseConvTranspose
from kiln.layers.argument_validation import forward_arguments


class Conv3DTranspose(BaseConvTranspose):
    """Transposed 3D convolution (upsamples volumes); see :class:`BaseConvTranspose` for the arguments.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.Conv3DTranspose(3, 2, padding="same")
        >>> tuple(layer(kiln.KerasTensor((None, 2, 3, 4, 1))).shape)
        (None, 2, 3, 4, 3)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 output_padding=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=3, **forward_arguments(locals()))
