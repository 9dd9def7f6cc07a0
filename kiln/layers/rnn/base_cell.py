"""What SimpleRNNCell, LSTMCell and GRUCell share: arguments, weights, config.

Example:
    >>> import kiln
    >>> cell = kiln.layers.GRUCell(3)
    >>> cell.state_size, cell.output_size
    (3, 3)
"""

from kiln import activations, constraints, initializers, ops, random, regularizers
from kiln.backend.common.scopes import name_scope
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.layers.rnn.dropout_rnn_cell import DropoutRNNCell, validate_rate, validate_units
from kiln.saving import serialization_lib

_ser = serialization_lib.serialize_kiln_object
_WEIGHTS = ("kernel", "recurrent", "bias")


def init_recurrent_options(cell, arguments):
    """Set the options every gated cell shares from its constructor's ``locals()``:
    ``activation``, ``recurrent_activation``, ``use_bias``, the ``kernel`` / ``recurrent`` /
    ``bias`` initializers, regularizers and constraints, ``unit_forget_bias`` (when taken), the
    dropout rates, ``seed`` and the seed generator of the dropout masks.

    Example:
        >>> import kiln
        >>> kiln.layers.LSTMCell(2, recurrent_dropout=0.5).recurrent_dropout
        0.5
    """
    owner = f"{type(cell).__name__} '{cell.name}'"
    cell.activation = activations.get(arguments["activation"])
    cell.recurrent_activation = activations.get(arguments["recurrent_activation"])
    cell.use_bias = bool(arguments["use_bias"])
    for weight in _WEIGHTS:
        for kind, module in (("initializer", initializers), ("regularizer", regularizers),
                             ("constraint", constraints)):
            key = f"{weight}_{kind}"
            setattr(cell, key, module.get(arguments[key]))
    if "unit_forget_bias" in arguments:
        cell.unit_forget_bias = bool(arguments["unit_forget_bias"])
    cell.dropout = validate_rate(owner, "dropout", arguments["dropout"])
    cell.recurrent_dropout = validate_rate(owner, "recurrent_dropout", arguments["recurrent_dropout"])
    cell.seed = arguments["seed"]
    with name_scope(cell.name, caller=cell):
        cell.seed_generator = random.SeedGenerator(cell.seed)


def recurrent_options_config(cell, recurrent_activation=True):
    """The config entries of :func:`init_recurrent_options`' options but ``seed``, in Keras'
    order (``unit_forget_bias`` after ``bias_initializer`` when the cell has it)."""
    items = {"activation": activations.serialize(cell.activation)}
    if recurrent_activation:
        items["recurrent_activation"] = activations.serialize(cell.recurrent_activation)
    items["use_bias"] = cell.use_bias
    for weight in _WEIGHTS:
        items[f"{weight}_initializer"] = _ser(getattr(cell, f"{weight}_initializer"))
    if hasattr(cell, "unit_forget_bias"):
        items["unit_forget_bias"] = cell.unit_forget_bias
    for kind in ("regularizer", "constraint"):
        for weight in _WEIGHTS:
            items[f"{weight}_{kind}"] = _ser(getattr(cell, f"{weight}_{kind}"))
    items["dropout"] = cell.dropout
    items["recurrent_dropout"] = cell.recurrent_dropout
    return items


def forget_bias_initializer(base, units):
    """An initializer of the ``(4 * units,)`` bias of gates ``i, f, c, o``: ``base`` for each
    block but the forget one, which starts at one."""

    def forget_bias_one(shape, dtype=None):
        return ops.concatenate([base((units,), dtype=dtype), ops.ones((units,), dtype=dtype),
                                base((2 * units,), dtype=dtype)])

    return forget_bias_one


def dropped_step(cell, inputs, prev, training):
    """A step's ``inputs`` and previous state ``prev`` with the cell's cached input / recurrent
    dropout masks applied when training."""
    if training and 0.0 < cell.dropout < 1.0:
        inputs = inputs * cell.get_dropout_mask(inputs)
    if training and 0.0 < cell.recurrent_dropout < 1.0:
        prev = prev * cell.get_recurrent_dropout_mask(prev)
    return inputs, prev


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
        arguments = dict(locals())
        super().__init__(**kwargs)
        self.units = validate_units(f"{type(self).__name__} '{self.name}'", units)
        init_recurrent_options(self, arguments)
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
        return dropped_step(self, inputs, prev, training)

    # -- config ---------------------------------------------------------------------------
    def _config_items(self):
        items = {"units": self.units}
        items.update(recurrent_options_config(self, self.has_recurrent_activation))
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
    # The constructor arguments that configure the RNN layer rather than its cell.
    _LAYER_OPTIONS = ("activity_regularizer", "return_sequences", "return_state", "go_backwards",
                      "stateful", "unroll")

    def _init_over_cell(self, cell_class, cell_name, arguments):
        """Initialise the layer from its constructor's ``locals()`` (taken first thing): the
        cell ``cell_class(...)`` named ``cell_name`` gets the cell arguments (and the layer's
        dtype and trainable), the RNN the layer options and ``**kwargs``."""
        kwargs = arguments.get("kwargs", {})
        cell_args = {k: v for k, v in arguments.items()
                     if k not in ("self", "kwargs", "__class__") + self._LAYER_OPTIONS}
        cell = cell_class(**cell_args, dtype=kwargs.get("dtype"),
                          trainable=kwargs.get("trainable", True), name=cell_name)
        options = {k: arguments[k] for k in self._LAYER_OPTIONS}
        super().__init__(cell, **options, **kwargs)
        self.input_spec = InputSpec(ndim=3)

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


def cell_property(name):
    """A read-only property of a layer that returns its ``cell``'s attribute ``name``.

    Example:
        >>> import kiln
        >>> kiln.layers.LSTM(3).units
        3
    """
    def getter(self):
        return getattr(self.cell, name)
    getter.__name__ = name
    getter.__doc__ = f"The cell's ``{name}``."
    return property(getter)


for _name in RecurrentLayerMixin._CELL_ATTRS:
    setattr(RecurrentLayerMixin, _name, cell_property(_name))
del _name
