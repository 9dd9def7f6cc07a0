"""What SimpleRNNCell, LSTMCell and GRUCell share: arguments, weights, config.

Example:
    >>> import kiln
    >>> cell = kiln.layers.GRUCell(3)
    >>> cell.state_size, cell.output_size
    (3, 3)
"""

from kiln import activations, constraints, initializers, ops, random, regularizers
from kiln.backend.common.scopes import name_scope
from kiln.layers.layer import Layer
from kiln.layers.rnn.dropout_rnn_cell import DropoutRNNCell, validate_rate, validate_units
from kiln.saving import serialization_lib

_ser = serialization_lib.serialize_kiln_object


class BaseRecurrentCell(Layer, DropoutRNNCell):
    """A cell with ``kernel`` (input -> gates), ``recurrent_kernel`` (state -> gates), ``bias``.

    ``gates`` is how many blocks of ``units`` columns the kernels have (1, 3 or 4).

    Example:
        >>> import kiln
        >>> cell = kiln.layers.LSTMCell(2)
        >>> cell.build((None, 5))
        >>> [tuple(v.shape) for v in cell.weights]
        [(5, 8), (2, 8), (8,)]
    """

    gates = 1
    has_recurrent_activation = True

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self.units = validate_units(owner, units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = validate_rate(owner, "dropout", dropout)
        self.recurrent_dropout = validate_rate(owner, "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        with name_scope(self.name, caller=self):
            self.seed_generator = random.SeedGenerator(seed)
        self.state_size = self.units
        self.output_size = self.units
        self.kernel = self.recurrent_kernel = self.bias = None

    # -- weights --------------------------------------------------------------------------
    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer_fn(self):
        return self.bias_initializer

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the last dimension of the input must be "
                f"known; received input_shape={tuple(input_shape)}")
        width = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, width), name="kernel", initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self._bias_shape(), name="bias", initializer=self._bias_initializer_fn(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def _weight_values(self):
        """``(kernel, recurrent_kernel, bias or None)`` as tensors (autocast under mixed policies)."""
        bias = None if self.bias is None else self.bias.value
        return self.kernel.value, self.recurrent_kernel.value, bias

    def get_initial_state(self, batch_size=None):
        """Zero states ``(batch_size, units)``, one per state, in the compute dtype."""
        n = len(self.state_size) if isinstance(self.state_size, (list, tuple)) else 1
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype) for _ in range(n)]

    def _dropped(self, inputs, prev, training):
        """Apply the cached input / recurrent dropout masks when training."""
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * self.get_dropout_mask(inputs)
        if training and 0.0 < self.recurrent_dropout < 1.0:
            prev = prev * self.get_recurrent_dropout_mask(prev)
        return inputs, prev

    # -- config ---------------------------------------------------------------------------
    def _config_items(self):
        items = {"units": self.units, "activation": activations.serialize(self.activation)}
        if self.has_recurrent_activation:
            items["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        items["use_bias"] = self.use_bias
        items.update({
            "kernel_initializer": _ser(self.kernel_initializer),
            "recurrent_initializer": _ser(self.recurrent_initializer),
            "bias_initializer": _ser(self.bias_initializer),
            "kernel_regularizer": _ser(self.kernel_regularizer),
            "recurrent_regularizer": _ser(self.recurrent_regularizer),
            "bias_regularizer": _ser(self.bias_regularizer),
            "kernel_constraint": _ser(self.kernel_constraint),
            "recurrent_constraint": _ser(self.recurrent_constraint),
            "bias_constraint": _ser(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        })
        return items

    def get_config(self):
        config = super().get_config()
        config.update(self._config_items())
        config["seed"] = self.seed
        return config


class RecurrentLayerMixin:
    """Config and attribute forwarding shared by SimpleRNN, LSTM and GRU (the RNN over one cell)."""

    _CELL_ATTRS = ("units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias",
                   "kernel_initializer", "recurrent_initializer", "bias_initializer",
                   "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                   "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                   "recurrent_dropout", "reset_after", "seed")

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        items = self.cell._config_items()
        items["activity_regularizer"] = _ser(self._activity_regularizer)
        # Keras places activity_regularizer after bias_regularizer.
        ordered = {}
        for key, value in items.items():
            if key == "activity_regularizer":
                continue
            ordered[key] = value
            if key == "bias_regularizer":
                ordered["activity_regularizer"] = items["activity_regularizer"]
        config.update(ordered)
        config["seed"] = self.cell.seed
        return config


def _cell_property(name):
    def getter(self):
        return getattr(self.cell, name)
    getter.__name__ = name
    getter.__doc__ = f"The cell's ``{name}``."
    return property(getter)


for _name in RecurrentLayerMixin._CELL_ATTRS:
    setattr(RecurrentLayerMixin, _name, _cell_property(_name))
del _name
