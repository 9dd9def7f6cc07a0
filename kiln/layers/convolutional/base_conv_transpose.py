"""``BaseConvTranspose``: the N-D transposed convolution behind ``Conv1DTranspose``..``Conv3DTranspose``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Conv2DTranspose(4, 3, strides=2, padding="same")(
    ...     kiln.ops.ones((1, 5, 5, 2))).shape)
    (1, 10, 10, 4)
"""

from kiln import ops
from kiln.layers.argument_validation import standardize_tuple
from kiln.layers.convolutional.convolution_base import ConvolutionBase, positive_int
from kiln.layers.input_spec import InputSpec


def transpose_output_length(length, kernel_size, stride, padding, output_padding, dilation):
    """Length of one spatial axis after a transposed convolution (None stays None).

    Without ``output_padding`` the result is ``length * stride`` for "same" and
    ``length * stride + max(k - stride, 0)`` for "valid" (``k`` the dilated kernel
    size); with it, ``(length - 1) * stride + k - 2 * pad + output_padding`` where
    ``pad`` is ``k // 2`` for "same" and 0 for "valid".

    Example:
        >>> transpose_output_length(5, 3, 2, "same", None, 1), transpose_output_length(5, 3, 2, "valid", 1, 1)
        (10, 12)
    """
    if length is None:
        return None
    effective = (kernel_size - 1) * dilation + 1
    if output_padding is None:
        if padding == "same":
            return length * stride
        return length * stride + max(effective - stride, 0)
    pad = effective // 2 if padding == "same" else 0
    return (length - 1) * stride + effective - 2 * pad + output_padding


class BaseConvTranspose(ConvolutionBase):
    """Transposed N-D convolution: ``activation(conv_transpose(inputs, kernel) + bias)``.

    The kernel has shape ``kernel_size + (filters, input_channels)`` (output channels
    before input channels, the layout of the gradient of a convolution).

    Args:
        rank: number of spatial dimensions (1, 2 or 3).
        filters: number of output channels.
        kernel_size: int or tuple of ``rank`` ints.
        strides: int or tuple; strides > 1 cannot be combined with dilation_rate > 1.
        padding: ``"valid"`` or ``"same"``.
        output_padding: None, or int/tuple of non-negative ints, each smaller than the
            stride (or the dilation rate) of its axis: extra size added at the end.
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: config).
        dilation_rate: int or tuple, the kernel dilation.
        activation, use_bias, *_initializer, *_regularizer, *_constraint: as in ``Dense``.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.Conv1DTranspose(2, 3)(kiln.KerasTensor((None, 4, 3))).shape)
        (None, 6, 2)
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = self._owner
        self.filters = positive_int(filters, "filters", owner)
        self._init_window(rank, kernel_size, strides, dilation_rate, padding, data_format)
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = standardize_tuple(output_padding, rank, "output_padding", owner,
                                                    allow_zero=True)
            for p, s, d in zip(self.output_padding, self.strides, self.dilation_rate):
                if p >= max(s, d):
                    raise ValueError(
                        f"{owner}: each output_padding must be smaller than the stride or the "
                        f"dilation rate of its axis; received output_padding={output_padding!r}, "
                        f"strides={self.strides}, dilation_rate={self.dilation_rate}"
                    )
        self._init_output(locals())
        self.input_spec = InputSpec(ndim=rank + 2)
        self.kernel = None

    def build(self, input_shape):
        in_channels = self._input_channels(input_shape)
        self.kernel = self._add_option_weight(
            "kernel", "kernel", self.kernel_size + (self.filters, in_channels))
        self._finish_build(in_channels, self.filters)

    def call(self, inputs):
        kernel, bias = self._compute_weights(self.kernel, self.bias)
        outputs = ops.conv_transpose(
            inputs, kernel, strides=self.strides, padding=self.padding,
            output_padding=self.output_padding, data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        return self._finish(outputs, bias)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(f"{self._owner}: expected an input of rank {self.rank + 2}, "
                             f"received input_shape={input_shape}")
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        out_pad = self.output_padding or (None,) * self.rank
        out = [transpose_output_length(spatial[i], self.kernel_size[i], self.strides[i],
                                       self.padding, out_pad[i], self.dilation_rate[i])
               for i in range(self.rank)]
        return self._join(input_shape[0], out, self.filters)

    def get_config(self):
        config = super().get_config()
        window = self._window_config()
        config.update({
            "filters": self.filters, "kernel_size": window["kernel_size"],
            "strides": window["strides"], "padding": self.padding,
            "output_padding": None if self.output_padding is None else list(self.output_padding),
            "data_format": self.data_format, "dilation_rate": window["dilation_rate"],
            **self._output_config(),
        })
        return config
