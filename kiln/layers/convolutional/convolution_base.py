"""``ConvolutionBase``: what the convolution layers share (window arguments, activation and
bias, weight options, output shapes, configs), for ``BaseConv``, ``BaseConvTranspose``,
``BaseDepthwiseConv`` and ``BaseSeparableConv``.

Example:
    >>> import kiln
    >>> isinstance(kiln.layers.SeparableConv2D(2, 3), ConvolutionBase)
    True
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

_OPTION_KINDS = (("initializer", initializers), ("regularizer", regularizers),
                 ("constraint", constraints))


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


def window_output_shape(input_shape, window, strides, padding, data_format, owner,
                        dilation_rate=None, out_channels=None, window_arg="kernel_size"):
    """The shape after sliding ``window`` (with ``strides``, ``padding`` and ``dilation_rate``,
    default 1) over the spatial axes of a ``(batch, *spatial, channels)`` input (channels
    first: ``(batch, channels, *spatial)``), None dims preserved. ``out_channels`` replaces
    the channel size (None keeps the input's). Errors name ``owner`` and ``window_arg``.

    Example:
        >>> window_output_shape((None, 9, 5, 3), (2, 2), (2, 2), "valid", "channels_last", "pool")
        (None, 4, 2, 3)
    """
    input_shape = tuple(input_shape)
    rank = len(window)
    if len(input_shape) != rank + 2:
        raise ValueError(f"{owner}: expected an input of rank {rank + 2}, "
                         f"received input_shape={input_shape}")
    channels_last = data_format == "channels_last"
    spatial = input_shape[1:-1] if channels_last else input_shape[2:]
    dilation_rate = dilation_rate or (1,) * rank
    out = tuple(conv_output_length(spatial[i], window[i], padding, strides[i], dilation_rate[i])
                for i in range(rank))
    for size in out:
        if size is not None and size <= 0:
            raise ValueError(
                f"{owner}: the input is too small for the window; input_shape={input_shape}, "
                f"{window_arg}={tuple(window)}, padding={padding!r} gives an output size of {size}"
            )
    if out_channels is None:
        out_channels = input_shape[-1] if channels_last else input_shape[1]
    if channels_last:
        return (input_shape[0],) + out + (out_channels,)
    return (input_shape[0], out_channels) + out


class ConvolutionBase(Layer):
    """Shared frame of the convolution layers.

    Subclasses call :meth:`_init_window` and :meth:`_init_output` from ``__init__``, read
    the input channels with :meth:`_input_channels` in ``build`` and end it with
    :meth:`_finish_build`, end ``call`` with
    :meth:`_finish` and build their configs from :meth:`_window_config` and
    :meth:`_output_config`. ``_WEIGHTS`` names the weights (besides the bias) whose
    ``<name>_initializer/_regularizer/_constraint`` options the layer takes, in Keras'
    config order.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.DepthwiseConv1D(3)
        >>> layer._output_shape((None, 9, 2), 2)
        (None, 7, 2)
    """

    _WEIGHTS = ("kernel",)

    @property
    def _owner(self):
        return f"{type(self).__name__} '{self.name}'"

    def _init_window(self, rank, kernel_size, strides, dilation_rate, padding, data_format,
                     allow_causal=False):
        """Validate and store ``rank``, ``kernel_size``, ``strides``, ``dilation_rate``,
        ``padding`` and ``data_format`` (strides and dilation above 1 exclude each other)."""
        owner = self._owner
        self.rank = rank
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = standardize_tuple(strides, rank, "strides", owner)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.padding = standardize_padding(padding, owner, allow_causal=allow_causal)
        self.data_format = standardize_data_format(data_format, owner)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{owner}: strides > 1 are not supported together with dilation_rate > 1; "
                f"received strides={self.strides}, dilation_rate={self.dilation_rate}"
            )
        self._channel_axis = -1 if self.data_format == "channels_last" else 1
        self._bias_shape = None
        self._cast_weights = False

    def _init_output(self, arguments):
        """Store ``activation``, ``use_bias`` and the weight options (``<weight>_initializer``...
        for every name of ``_WEIGHTS`` and bias) found in ``arguments``: the constructor's
        ``locals()``. The bias starts as None (it comes in build)."""
        self.activation = activations.get(arguments["activation"])
        self._activation_fn = None if self.activation is activations.linear else self.activation
        self.use_bias = arguments["use_bias"]
        for name in self._WEIGHTS + ("bias",):
            for kind, module in _OPTION_KINDS:
                setattr(self, f"{name}_{kind}", module.get(arguments[f"{name}_{kind}"]))
        self.bias = None

    def _input_channels(self, input_shape):
        """The channel count of ``input_shape`` (an error naming the layer when unknown)."""
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(
                f"{self._owner}: the channel dimension of the input must be known; received "
                f"input_shape={tuple(input_shape)} with data_format={self.data_format!r}"
            )
        return channels

    def _add_option_weight(self, name, options, shape):
        """Weight ``name`` with the layer's ``<options>_initializer/_regularizer/_constraint``."""
        return self.add_weight(
            name=name, shape=shape, initializer=getattr(self, f"{options}_initializer"),
            regularizer=getattr(self, f"{options}_regularizer"),
            constraint=getattr(self, f"{options}_constraint"),
        )

    def _finish_build(self, in_channels, channels):
        """End ``build``: the bias of ``channels`` entries (when ``use_bias``), the
        mixed-precision flag, and an input spec fixing the ``in_channels``."""
        if self.use_bias:
            self.bias = self._add_option_weight("bias", "bias", (channels,))
            if self.data_format == "channels_first":
                self._bias_shape = (1, channels) + (1,) * self.rank
        # Mixed precision: weights are stored in variable_dtype, computed in compute_dtype.
        self._cast_weights = self.compute_dtype != self.variable_dtype
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: in_channels})
        self.built = True

    def _compute_weights(self, *weights):
        """``weights`` in the compute dtype (None stays None)."""
        if not self._cast_weights:
            return weights
        return tuple(None if w is None else ops.cast(w, self.compute_dtype) for w in weights)

    def _finish(self, outputs, bias):
        """Add the bias (broadcast over the spatial axes) and apply the activation."""
        if bias is not None:
            if self._bias_shape is not None:
                bias = ops.reshape(bias, self._bias_shape)
            outputs = ops.add(outputs, bias)
        if self._activation_fn is not None:
            outputs = self._activation_fn(outputs)
        return outputs

    def _output_shape(self, input_shape, out_channels):
        """The output shape of a forward convolution window, None dims preserved."""
        return window_output_shape(input_shape, self.kernel_size, self.strides, self.padding,
                                   self.data_format, self._owner, self.dilation_rate,
                                   out_channels=out_channels)

    def _join(self, batch, spatial, channels):
        if self.data_format == "channels_last":
            return (batch,) + tuple(spatial) + (channels,)
        return (batch, channels) + tuple(spatial)

    def _window_config(self):
        return {"kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate)}

    def _output_config(self):
        """activation, use_bias and the weight options, in Keras' order."""
        serialize = serialization_lib.serialize_kiln_object
        config = {"activation": activations.serialize(self.activation), "use_bias": self.use_bias}
        for kind, _ in _OPTION_KINDS:
            for name in self._WEIGHTS + ("bias",):
                config[f"{name}_{kind}"] = serialize(getattr(self, f"{name}_{kind}"))
            if kind == "regularizer":
                config["activity_regularizer"] = serialize(self._activity_regularizer)
        return config
