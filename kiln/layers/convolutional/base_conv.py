"""``BaseConv``: the N-D convolution shared by ``Conv1D``, ``Conv2D`` and ``Conv3D``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Conv2D(4, 3)(kiln.ops.ones((1, 8, 8, 2))).shape)
    (1, 6, 6, 4)
"""

from kiln import activations, constraints, initializers, ops, regularizers
from kiln.layers.argument_validation import (
    conv_output_length,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.saving import serialization_lib


class BaseConv(Layer):
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
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
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
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"{owner}: groups must be a positive integer, received groups={groups!r}")
        self.groups = groups
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = standardize_tuple(strides, rank, "strides", owner)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.padding = standardize_padding(padding, owner, allow_causal=rank == 1)
        self.data_format = standardize_data_format(data_format, owner)
        if filters % groups:
            raise ValueError(
                f"{owner}: the number of filters must be divisible by groups; received "
                f"filters={filters}, groups={groups}"
            )
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
        self._cast_weights = False
        self._channel_axis = -1 if self.data_format == "channels_last" else 1
        self._activation_fn = None if self.activation is activations.linear else self.activation
        self._bias_shape = None
        self._conv_padding = "valid" if self.padding == "causal" else self.padding

    def build(self, input_shape):
        owner = f"{type(self).__name__} '{self.name}'"
        in_channels = input_shape[self._channel_axis]
        if in_channels is None:
            raise ValueError(
                f"{owner}: the channel dimension of the input must be known; received "
                f"input_shape={tuple(input_shape)} with data_format={self.data_format!r}"
            )
        if in_channels % self.groups:
            raise ValueError(
                f"{owner}: the number of input channels must be divisible by groups; received "
                f"groups={self.groups}, input_shape={tuple(input_shape)}"
            )
        kernel_shape = self.kernel_size + (in_channels // self.groups, self.filters)
        self.kernel = self.add_weight(
            name="kernel", shape=kernel_shape, initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
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

    def convolution_op(self, inputs, kernel):
        """The convolution itself (subclasses may pad first)."""
        return ops.conv(inputs, kernel, strides=self.strides, padding=self._conv_padding,
                        data_format=self.data_format, dilation_rate=self.dilation_rate)

    def call(self, inputs):
        kernel, bias = self.kernel, self.bias
        if self._cast_weights:
            kernel = ops.cast(kernel, self.compute_dtype)
            bias = None if bias is None else ops.cast(bias, self.compute_dtype)
        outputs = self.convolution_op(inputs, kernel)
        if bias is not None:
            if self._bias_shape is not None:
                bias = ops.reshape(bias, self._bias_shape)
            outputs = ops.add(outputs, bias)
        if self._activation_fn is not None:
            outputs = self._activation_fn(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            spatial = input_shape[1:-1]
        else:
            spatial = input_shape[2:]
        if len(spatial) != self.rank:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': expected an input of rank {self.rank + 2}, "
                f"received input_shape={input_shape}"
            )
        out = tuple(
            conv_output_length(spatial[i], self.kernel_size[i], self.padding, self.strides[i],
                               self.dilation_rate[i])
            for i in range(self.rank)
        )
        for size in out:
            if size is not None and size <= 0:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': the input is too small for the kernel; "
                    f"input_shape={input_shape}, kernel_size={self.kernel_size}, "
                    f"padding={self.padding!r} gives an output size of {size}"
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
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "groups": self.groups,
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
