"""``BaseDepthwiseConv``: per-channel convolution shared by ``DepthwiseConv1D`` and ``DepthwiseConv2D``.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.DepthwiseConv2D(3, depth_multiplier=2)(kiln.ops.ones((1, 6, 6, 3))).shape)
    (1, 4, 4, 6)
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


def positive_int(value, name, owner):
    """Validate a positive integer argument (floats with an integer value are accepted).

    Example:
        >>> positive_int(2.0, "depth_multiplier", "layer")
        2
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, received {name}={value!r}")
    return value


def spatial_output_shape(layer, input_shape, out_channels):
    """Output shape of a convolution-like layer with ``rank``/``kernel_size``/``strides``/
    ``padding``/``dilation_rate``/``data_format`` attributes, None dims preserved.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.DepthwiseConv1D(3)
        >>> spatial_output_shape(layer, (None, 8, 2), 2)
        (None, 6, 2)
    """
    input_shape = tuple(input_shape)
    name = f"{type(layer).__name__} '{layer.name}'"
    if len(input_shape) != layer.rank + 2:
        raise ValueError(f"{name}: expected an input of rank {layer.rank + 2}, "
                         f"received input_shape={input_shape}")
    spatial = input_shape[1:-1] if layer.data_format == "channels_last" else input_shape[2:]
    out = tuple(
        conv_output_length(spatial[i], layer.kernel_size[i], layer.padding, layer.strides[i],
                           layer.dilation_rate[i])
        for i in range(layer.rank)
    )
    for size in out:
        if size is not None and size <= 0:
            raise ValueError(
                f"{name}: the input is too small for the kernel; input_shape={input_shape}, "
                f"kernel_size={layer.kernel_size}, padding={layer.padding!r} gives an output size "
                f"of {size}"
            )
    if layer.data_format == "channels_last":
        return (input_shape[0],) + out + (out_channels,)
    return (input_shape[0], out_channels) + out


class BaseDepthwiseConv(Layer):
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

    def __init__(self, rank, depth_multiplier, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.rank = rank
        self.depth_multiplier = positive_int(depth_multiplier, "depth_multiplier", owner)
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
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)
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
            name="kernel", shape=self.kernel_size + (in_channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        out_channels = in_channels * self.depth_multiplier
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(out_channels,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
            if self.data_format == "channels_first":
                self._bias_shape = (1, out_channels) + (1,) * self.rank
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: in_channels})
        # Mixed precision: weights are stored in variable_dtype, computed in compute_dtype.
        self._cast_weights = self.compute_dtype != self.variable_dtype
        self.built = True

    def call(self, inputs):
        kernel, bias = self.kernel, self.bias
        if self._cast_weights:
            kernel = ops.cast(kernel, self.compute_dtype)
            bias = None if bias is None else ops.cast(bias, self.compute_dtype)
        outputs = ops.depthwise_conv(
            inputs, kernel, strides=self.strides, padding=self.padding,
            data_format=self.data_format, dilation_rate=self.dilation_rate,
        )
        if bias is not None:
            if self._bias_shape is not None:
                bias = ops.reshape(bias, self._bias_shape)
            outputs = ops.add(outputs, bias)
        if self._activation_fn is not None:
            outputs = self._activation_fn(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        in_channels = tuple(input_shape)[self._channel_axis]
        out_channels = None if in_channels is None else in_channels * self.depth_multiplier
        return spatial_output_shape(self, input_shape, out_channels)

    def get_config(self):
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": serialization_lib.serialize_kiln_object(self.depthwise_initializer),
            "bias_initializer": serialization_lib.serialize_kiln_object(self.bias_initializer),
            "depthwise_regularizer": serialization_lib.serialize_kiln_object(self.depthwise_regularizer),
            "bias_regularizer": serialization_lib.serialize_kiln_object(self.bias_regularizer),
            "activity_regularizer": serialization_lib.serialize_kiln_object(self._activity_regularizer),
            "depthwise_constraint": serialization_lib.serialize_kiln_object(self.depthwise_constraint),
            "bias_constraint": serialization_lib.serialize_kiln_object(self.bias_constraint),
        })
        return config
