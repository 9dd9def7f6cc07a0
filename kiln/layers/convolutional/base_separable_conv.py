"""``BaseSeparableConv``: depthwise then pointwise convolution, behind ``SeparableConv1D``/``2D``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.SeparableConv2D(5, 3)(kiln.ops.ones((1, 6, 6, 3))).shape)
    (1, 4, 4, 5)
"""

from kiln import activations, constraints, initializers, ops, regularizers
from kiln.layers.argument_validation import (
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from kiln.layers.convolutional.base_depthwise_conv import positive_int, spatial_output_shape
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.saving import serialization_lib


class BaseSeparableConv(Layer):
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

    def __init__(self, rank, depth_multiplier, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.rank = rank
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier", owner)
        self.filters = positive_int(filters, "filters", owner)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = standardize_tuple(strides, rank, "strides", owner)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.padding = standardize_padding(padding, owner)
        self.data_format = standardize_data_format(data_format, owner)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{owner}: strides > 1 are not supported together with dilation_rate > 1; "
                f"received strides={self.strides}, dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)
        self.depthwise_kernel = None
        self.pointwise_kernel = None
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
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (in_channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(1,) * self.rank + (in_channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
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
        depthwise_kernel, pointwise_kernel = self.depthwise_kernel, self.pointwise_kernel
        bias = self.bias
        if self._cast_weights:
            depthwise_kernel = ops.cast(depthwise_kernel, self.compute_dtype)
            pointwise_kernel = ops.cast(pointwise_kernel, self.compute_dtype)
            bias = None if bias is None else ops.cast(bias, self.compute_dtype)
        outputs = ops.separable_conv(
            inputs, depthwise_kernel, pointwise_kernel, strides=self.strides,
            padding=self.padding, data_format=self.data_format, dilation_rate=self.dilation_rate,
        )
        if bias is not None:
            if self._bias_shape is not None:
                bias = ops.reshape(bias, self._bias_shape)
            outputs = ops.add(outputs, bias)
        if self._activation_fn is not None:
            outputs = self._activation_fn(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return spatial_output_shape(self, input_shape, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": serialization_lib.serialize_kiln_object(self.depthwise_initializer),
            "pointwise_initializer": serialization_lib.serialize_kiln_object(self.pointwise_initializer),
            "bias_initializer": serialization_lib.serialize_kiln_object(self.bias_initializer),
            "depthwise_regularizer": serialization_lib.serialize_kiln_object(self.depthwise_regularizer),
            "pointwise_regularizer": serialization_lib.serialize_kiln_object(self.pointwise_regularizer),
            "bias_regularizer": serialization_lib.serialize_kiln_object(self.bias_regularizer),
            "activity_regularizer": serialization_lib.serialize_kiln_object(self._activity_regularizer),
            "depthwise_constraint": serialization_lib.serialize_kiln_object(self.depthwise_constraint),
            "pointwise_constraint": serialization_lib.serialize_kiln_object(self.pointwise_constraint),
            "bias_constraint": serialization_lib.serialize_kiln_object(self.bias_constraint),
        })
        return config
