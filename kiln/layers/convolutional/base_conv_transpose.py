"""``BaseConvTranspose``: the N-D transposed convolution behind ``Conv1DTranspose``..``Conv3DTranspose``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Conv2DTranspose(4, 3, strides=2, padding="same")(
    ...     kiln.ops.ones((1, 5, 5, 2))).shape)
    (1, 10, 10, 4)
"""

from kiln import activations, constraints, initializers, ops, regularizers
from kiln.layers.argument_validation import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.saving import serialization_lib


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


class BaseConvTranspose(Layer):
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
        owner = f"{type(self).__name__} '{self.name}'"
        self.rank = rank
        if isinstance(filters, float) and filters.is_integer():
            filters = int(filters)
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{owner}: filters must be a positive integer, received filters={filters!r}")
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = standardize_tuple(strides, rank, "strides", owner)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.padding = standardize_padding(padding, owner)
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
        self.data_format = standardize_data_format(data_format, owner)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{owner}: strides > 1 are not supported together with dilation_rate > 1; "
                f"received strides={self.strides}, dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.kernel = None
        self.bias = None
        self._channel_axis = -1 if self.data_format == "channels_last" else 1
        self._activation_fn = None if self.activation is activations.linear else self.activation
        self._bias_shape = None
        self._cast_weights = False

    def build(self, input_shape):
        in_channels = input_shape[self._channel_axis]
        if in_channels is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the channel dimension of the input must be "
                f"known; received input_shape={tuple(input_shape)} with "
                f"data_format={self.data_format!r}"
            )
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (self.filters, in_channels),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
            if self.data_format == "channels_first":
                self._bias_shape = (1, self.filters) + (1,) * self.rank
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: in_channels})
        # Mixed precision: weights are stored in variable_dtype, computed in compute_dtype.
        self._cast_weights = self.compute_dtype != self.variable_dtype
        self.built = True

    def call(self, inputs):
        kernel, bias = self.kernel, self.bias
        if self._cast_weights:
            kernel = ops.cast(kernel, self.compute_dtype)
            bias = None if bias is None else ops.cast(bias, self.compute_dtype)
        outputs = ops.conv_transpose(
            inputs, kernel, strides=self.strides, padding=self.padding,
            output_padding=self.output_padding, data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        if bias is not None:
            if self._bias_shape is not None:
                bias = ops.reshape(bias, self._bias_shape)
            outputs = ops.add(outputs, bias)
        if self._activation_fn is not None:
            outputs = self._activation_fn(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': expected an input of rank {self.rank + 2}, "
                f"received input_shape={input_shape}"
            )
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        out_pad = self.output_padding or (None,) * self.rank
        out = tuple(
            transpose_output_length(spatial[i], self.kernel_size[i], self.strides[i], self.padding,
                                    out_pad[i], self.dilation_rate[i])
            for i in range(self.rank)
        )
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (self.filters,)
        return (input_shape[0], self.filters) + out

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "output_padding": None if self.output_padding is None else list(self.output_padding),
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialization_lib.serialize_kiln_object(self.kernel_initializer),
            "bias_initializer": serialization_lib.serialize_kiln_object(self.bias_initializer),
            "kernel_regularizer": serialization_lib.serialize_kiln_object(self.kernel_regularizer),
            "bias_regularizer": serialization_lib.serialize_kiln_object(self.bias_regularizer),
            "activity_regularizer": serialization_lib.serialize_kiln_object(self._activity_regularizer),
            "kernel_constraint": serialization_lib.serialize_kiln_object(self.kernel_constraint),
            "bias_constraint": serialization_lib.serialize_kiln_object(self.bias_constraint),
        })
        return config
