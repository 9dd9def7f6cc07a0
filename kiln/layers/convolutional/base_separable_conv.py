"""``BaseSeparableConv``: depthwise then pointwise convolution, behind ``SeparableConv1D``/``2D``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.SeparableConv2D(5, 3)(kiln.ops.ones((1, 6, 6, 3))).shape)
    (1, 4, 4, 5)
"""

from kiln import ops
from kiln.layers.convolutional.convolution_base import ConvolutionBase, positive_int
from kiln.layers.input_spec import InputSpec


class BaseSeparableConv(ConvolutionBase):
    """A depthwise convolution (``depth_multiplier`` filters per channel) followed by a 1x1
    convolution mixing the channels into ``filters`` outputs.

    Weights, in creation order: ``depthwise_kernel`` of shape ``kernel_size +
    (input_channels, depth_multiplier)``, ``pointwise_kernel`` of shape ``(1,) * rank +
    (input_channels * depth_multiplier, filters)`` and ``bias`` of shape ``(filters,)``.

    Args:
        rank: number of spatial dimensions (1 or 2).
        depth_multiplier: positive int, depthwise filters per input channel.
        filters: positive int, output channels.
        kernel_size, strides, padding, data_format, dilation_rate: of the depthwise step.
        activation, use_bias: as in ``Dense``.
        depthwise_*/pointwise_*: initializer, regularizer and constraint of each kernel.
        bias_*, activity_regularizer: as in ``Dense``.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.SeparableConv1D(4, 3, depth_multiplier=2)
        >>> tuple(layer(kiln.KerasTensor((None, 9, 3))).shape)
        (None, 7, 4)
    """

    _WEIGHTS = ("depthwise", "pointwise")

    def __init__(self, rank, depth_multiplier, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier", self._owner)
        self.filters = positive_int(filters, "filters", self._owner)
        self._init_window(rank, kernel_size, strides, dilation_rate, padding, data_format)
        self._init_output(locals())
        self.input_spec = InputSpec(min_ndim=rank + 2)
        self.depthwise_kernel = None
        self.pointwise_kernel = None

    def build(self, input_shape):
        in_channels = self._input_channels(input_shape)
        self.depthwise_kernel = self._add_option_weight(
            "depthwise_kernel", "depthwise", self.kernel_size + (in_channels, self.depth_multiplier))
        self.pointwise_kernel = self._add_option_weight(
            "pointwise_kernel", "pointwise",
            (1,) * self.rank + (in_channels * self.depth_multiplier, self.filters))
        self._finish_build(in_channels, self.filters)

    def call(self, inputs):
        depthwise, pointwise, bias = self._compute_weights(
            self.depthwise_kernel, self.pointwise_kernel, self.bias)
        outputs = ops.separable_conv(inputs, depthwise, pointwise, strides=self.strides,
                                     padding=self.padding, data_format=self.data_format,
                                     dilation_rate=self.dilation_rate)
        return self._finish(outputs, bias)

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update({"depth_multiplier": self.depth_multiplier, "filters": self.filters,
                       **self._window_config(), **self._output_config()})
        return config
