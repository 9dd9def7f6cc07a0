"""``BaseConv``: the N-D convolution shared by ``Conv1D``, ``Conv2D`` and ``Conv3D``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Conv2D(4, 3)(kiln.ops.ones((1, 8, 8, 2))).shape)
    (1, 6, 6, 4)
"""

from kiln import ops
from kiln.layers.convolutional.convolution_base import ConvolutionBase, positive_int
from kiln.layers.input_spec import InputSpec


class BaseConv(ConvolutionBase):
    """N-D convolution: ``activation(conv(inputs, kernel) + bias)``.

    The kernel has shape ``kernel_size + (input_channels // groups, filters)``.

    Args:
        rank: number of spatial dimensions (1, 2 or 3).
        filters: number of output channels.
        kernel_size: int or tuple of ``rank`` ints.
        strides: int or tuple; strides > 1 cannot be combined with dilation_rate > 1.
        padding: ``"valid"`` or ``"same"`` (``"causal"`` for Conv1D).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: config).
        dilation_rate: int or tuple, the kernel dilation.
        groups: number of channel groups; input channels and filters must be divisible by it.
        activation, use_bias, *_initializer, *_regularizer, *_constraint: as in ``Dense``.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.Conv1D(4, 2, groups=2)(kiln.KerasTensor((None, 5, 6))).shape)
        (None, 4, 4)
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = self._owner
        self.filters = positive_int(filters, "filters", owner)
        self.groups = positive_int(groups, "groups", owner)
        self._init_window(rank, kernel_size, strides, dilation_rate, padding, data_format,
                          allow_causal=rank == 1)
        if self.filters % self.groups:
            raise ValueError(
                f"{owner}: the number of filters must be divisible by groups; received "
                f"filters={self.filters}, groups={self.groups}"
            )
        self._init_output(locals())
        self.input_spec = InputSpec(ndim=rank + 2)
        self.kernel = None
        self._conv_padding = "valid" if self.padding == "causal" else self.padding

    def build(self, input_shape):
        in_channels = self._input_channels(input_shape)
        if in_channels % self.groups:
            raise ValueError(
                f"{self._owner}: the number of input channels must be divisible by groups; "
                f"received groups={self.groups}, input_shape={tuple(input_shape)}"
            )
        self.kernel = self._add_option_weight(
            "kernel", "kernel", self.kernel_size + (in_channels // self.groups, self.filters))
        self._finish_build(in_channels, self.filters)

    def convolution_op(self, inputs, kernel):
        """The convolution itself (subclasses may pad first)."""
        return ops.conv(inputs, kernel, strides=self.strides, padding=self._conv_padding,
                        data_format=self.data_format, dilation_rate=self.dilation_rate)

    def call(self, inputs):
        kernel, bias = self._compute_weights(self.kernel, self.bias)
        return self._finish(self.convolution_op(inputs, kernel), bias)

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters, **self._window_config(), "groups": self.groups,
                       **self._output_config()})
        return config
