"""``Conv1D``: 1D convolution over sequences ``(batch, steps, channels)``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Conv1D(4, 3, padding="causal")(kiln.ops.ones((2, 10, 3))).shape)
    (2, 10, 4)
"""

from kiln import ops
from kiln.layers.convolutional.base_conv import BaseConv
from kiln.layers.argument_validation import forward_arguments


class Conv1D(BaseConv):
    """1D convolution; ``padding="causal"`` left-pads so output ``t`` sees inputs ``<= t``.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.Conv1D(2, 3)(kiln.KerasTensor((None, 12, 4))).shape)
        (None, 10, 2)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank=1, **forward_arguments(locals()))
        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            self._causal_pad = ([[0, 0], [left, 0], [0, 0]] if self.data_format == "channels_last"
                                else [[0, 0], [0, 0], [left, 0]])
        else:
            self._causal_pad = None

    def convolution_op(self, inputs, kernel):
        if self._causal_pad is not None:
            inputs = ops.pad(inputs, self._causal_pad)
        return super().convolution_op(inputs, kernel)
