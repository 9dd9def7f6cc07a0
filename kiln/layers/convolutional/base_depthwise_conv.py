"""``BaseDepthwiseConv``: per-channel convolution shared by ``DepthwiseConv1D`` and ``DepthwiseConv2D``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.DepthwiseConv2D(3, depth_multiplier=2)(kiln.ops.ones((1, 6, 6, 3))).shape)
    (1, 4, 4, 6)
"""

from kiln import ops
from kiln.layers.convolutional.convolution_base import ConvolutionBase, positive_int
from kiln.layers.input_spec import InputSpec


class BaseDepthwiseConv(ConvolutionBase):
    """Convolves each input channel with its own ``depth_multiplier`` filters.

    The kernel (named ``kernel``) has shape ``kernel_size + (input_channels,
    depth_multiplier)``; output channel ``c * depth_multiplier + m`` comes from input
    channel ``c`` and filter ``m``. The bias has ``input_channels * depth_multiplier`` entries.

    Args:
        rank: number of spatial dimensions (1 or 2).
        depth_multiplier: positive int, filters per input channel.
        kernel_size, strides, padding, data_format, dilation_rate: as in ``Conv2D``
            (padding ``"valid"`` or ``"same"``).
        activation, use_bias: as in ``Dense``.
        depthwise_initializer/regularizer/constraint: for the kernel.
        bias_initializer/regularizer/constraint, activity_regularizer: as in ``Dense``.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.DepthwiseConv1D(3, padding="same")(kiln.KerasTensor((None, 7, 4))).shape)
        (None, 7, 4)
    """

    _WEIGHTS = ("depthwise",)

    def __init__(self, rank, depth_multiplier, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier", self._owner)
        self._init_window(rank, kernel_size, strides, dilation_rate, padding, data_format)
        self._init_output(locals())
        self.input_spec = InputSpec(min_ndim=rank + 2)
        self.kernel = None

    def build(self, input_shape):
        in_channels = self._input_channels(input_shape)
        self.kernel = self._add_option_weight(
            "kernel", "depthwise", self.kernel_size + (in_channels, self.depth_multiplier))
        self._finish_build(in_channels, in_channels * self.depth_multiplier)

    def call(self, inputs):
        kernel, bias = self._compute_weights(self.kernel, self.bias)
        outputs = ops.depthwise_conv(inputs, kernel, strides=self.strides, padding=self.padding,
                                     data_format=self.data_format, dilation_rate=self.dilation_rate)
        return self._finish(outputs, bias)

    def compute_output_shape(self, input_shape):
        in_channels = tuple(input_shape)[self._channel_axis]
        return self._output_shape(
            input_shape, None if in_channels is None else in_channels * self.depth_multiplier)

    def get_config(self):
        config = super().get_config()
        config.update({"depth_multiplier": self.depth_multiplier, **self._window_config(),
                       **self._output_config()})
        return config
