"""``Dense``: the fully connected layer ``activation(inputs @ kernel + bias)``.

Example:
    >>> import kiln
    >>> layer = kiln.layers.Dense(3, activation="relu")
    >>> tuple(layer(kiln.ops.ones((2, 4))).shape)
    (2, 3)
    >>> [v.path for v in layer.weights]
    ['dense/kernel', 'dense/bias']
"""

from kiln import activations, constraints, initializers, ops, regularizers
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.saving import serialization_lib

_OMITTED = object()


def set_weight_options(layer, kernel_initializer, bias_initializer, kernel_regularizer,
                       bias_regularizer, kernel_constraint, bias_constraint, prefix=""):
    """Resolve the six kernel/bias options and store them on ``layer`` as ``<prefix><option>``.

    Example:
        >>> from kiln.layers.layer import Layer
        >>> layer = Layer()
        >>> set_weight_options(layer, "ones", "zeros", None, None, None, None)
        >>> type(layer.kernel_initializer).__name__
        'Ones'
    """
    for name, module, value in (
            ("kernel_initializer", initializers, kernel_initializer),
            ("bias_initializer", initializers, bias_initializer),
            ("kernel_regularizer", regularizers, kernel_regularizer),
            ("bias_regularizer", regularizers, bias_regularizer),
            ("kernel_constraint", constraints, kernel_constraint),
            ("bias_constraint", constraints, bias_constraint)):
        setattr(layer, prefix + name, module.get(value))


def weight_options_config(layer, activity_regularizer=_OMITTED, prefix=""):
    """The six kernel/bias options of ``layer`` serialized, in Keras' config order.

    Given an ``activity_regularizer``, its entry follows ``bias_regularizer`` (as in
    EinsumDense's and the attention layers' configs).

    Example:
        >>> from kiln.layers.layer import Layer
        >>> layer = Layer()
        >>> set_weight_options(layer, "ones", "zeros", None, None, None, None)
        >>> list(weight_options_config(layer, None))[3:5]
        ['bias_regularizer', 'activity_regularizer']
    """
    serialize = serialization_lib.serialize_kiln_object
    config = {}
    for name in ("kernel_initializer", "bias_initializer", "kernel_regularizer",
                 "bias_regularizer", "kernel_constraint", "bias_constraint"):
        config[name] = serialize(getattr(layer, prefix + name))
        if name == "bias_regularizer" and activity_regularizer is not _OMITTED:
            config["activity_regularizer"] = serialize(activity_regularizer)
    return config


def init_projection(layer, activation, kernel_initializer, bias_initializer, kernel_regularizer,
                    bias_regularizer, kernel_constraint, bias_constraint, lora_rank, lora_alpha):
    """Store the activation, the six weight options and the LoRA arguments of a Dense-like
    layer; the ``kernel``/``bias`` weights come in build (:func:`add_kernel_and_bias`)."""
    layer.activation = activations.get(activation)
    layer._activation_fn = None if layer.activation is activations.linear else layer.activation
    set_weight_options(layer, kernel_initializer, bias_initializer, kernel_regularizer,
                       bias_regularizer, kernel_constraint, bias_constraint)
    layer.lora_rank = lora_rank
    layer.lora_alpha = lora_alpha
    layer.kernel = None
    layer.bias = None
    layer._cast_weights = False


def add_kernel_and_bias(layer, kernel_shape, bias_shape):
    """Create ``kernel``, then ``bias`` unless ``bias_shape`` is None, with the layer's options."""
    layer.kernel = layer.add_weight(
        name="kernel", shape=kernel_shape, initializer=layer.kernel_initializer,
        regularizer=layer.kernel_regularizer, constraint=layer.kernel_constraint,
    )
    if bias_shape is not None:
        layer.bias = layer.add_weight(
            name="bias", shape=bias_shape, initializer=layer.bias_initializer,
            regularizer=layer.bias_regularizer, constraint=layer.bias_constraint,
        )
    # Mixed precision: weights are stored in variable_dtype, computed in compute_dtype.
    layer._cast_weights = layer.compute_dtype != layer.variable_dtype


def project(layer, inputs, contract):
    """``activation(contract(inputs, kernel) + bias)``, the weights in the compute dtype."""
    kernel, bias = layer.kernel, layer.bias
    if layer._cast_weights:
        kernel = ops.cast(kernel, layer.compute_dtype)
        bias = None if bias is None else ops.cast(bias, layer.compute_dtype)
    outputs = contract(inputs, kernel)
    if bias is not None:
        outputs = ops.add(outputs, bias)
    if layer._activation_fn is not None:
        outputs = layer._activation_fn(outputs)
    return outputs


class Dense(Layer):
    """Densely connected layer: ``output = activation(dot(inputs, kernel) + bias)``.

    The kernel has shape ``(input_dim, units)`` and contracts the last axis of
    the input, so inputs of rank > 2 keep their leading axes.

    Args:
        units: positive int, size of the output's last axis.
        activation: activation name or callable (None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers of the weights.
        kernel_regularizer, bias_regularizer: optional weight penalties.
        activity_regularizer: optional penalty on the output.
        kernel_constraint, bias_constraint: optional projections after updates.
        lora_rank, lora_alpha, quantization_config: not supported yet (must be None).

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.Dense(2)(kiln.KerasTensor((None, 5))).shape)
        (None, 2)
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(
                f"Dense '{self.name}': received an invalid value for `units`, expected a positive "
                f"integer; received units={units!r}"
            )
        if lora_rank is not None or quantization_config is not None:
            raise NotImplementedError(
                f"Dense '{self.name}': LoRA (lora_rank) and quantization are not supported yet"
            )
        self.units = units
        self.use_bias = use_bias
        init_projection(self, activation, kernel_initializer, bias_initializer, kernel_regularizer,
                        bias_regularizer, kernel_constraint, bias_constraint, lora_rank, lora_alpha)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Dense '{self.name}': the last dimension of the input must be known to build "
                f"the layer; received input_shape={tuple(input_shape)}"
            )
        add_kernel_and_bias(self, (input_dim, self.units), (self.units,) if self.use_bias else None)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        return project(self, inputs, ops.matmul)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **weight_options_config(self),
            "quantization_config": None,
        })
        # Keras 3 leaves activity_regularizer out of Dense's config; keep it only when set.
        if self._activity_regularizer is not None:
            config["activity_regularizer"] = serialization_lib.serialize_kiln_object(
                self._activity_regularizer)
        if self.lora_rank is not None:
            config["lora_rank"] = self.lora_rank
            config["lora_alpha"] = self.lora_alpha
        return config
