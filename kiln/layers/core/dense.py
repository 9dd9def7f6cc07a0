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
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True
        self.kernel = None
        self.bias = None
        self._cast_weights = False
        self._activation_fn = None if self.activation is activations.linear else self.activation

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Dense '{self.name}': the last dimension of the input must be known to build "
                f"the layer; received input_shape={tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            name="kernel", shape=(input_dim, self.units), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.units,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        # Mixed precision: weights are stored in variable_dtype, computed in compute_dtype.
        self._cast_weights = self.compute_dtype != self.variable_dtype
        self.built = True

    def call(self, inputs):
        kernel, bias = self.kernel, self.bias
        if self._cast_weights:
            kernel = ops.cast(kernel, self.compute_dtype)
            bias = None if bias is None else ops.cast(bias, self.compute_dtype)
        outputs = ops.matmul(inputs, kernel)
        if bias is not None:
            outputs = ops.add(outputs, bias)
        if self._activation_fn is not None:
            outputs = self._activation_fn(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialization_lib.serialize_kiln_object(self.kernel_initializer),
            "bias_initializer": serialization_lib.serialize_kiln_object(self.bias_initializer),
            "kernel_regularizer": serialization_lib.serialize_kiln_object(self.kernel_regularizer),
            "bias_regularizer": serialization_lib.serialize_kiln_object(self.bias_regularizer),
            "kernel_constraint": serialization_lib.serialize_kiln_object(self.kernel_constraint),
            "bias_constraint": serialization_lib.serialize_kiln_object(self.bias_constraint),
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
