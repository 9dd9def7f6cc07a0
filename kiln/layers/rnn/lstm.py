"""``LSTMCell`` and ``LSTM``: Long Short-Term Memory (Hochreiter & Schmidhuber, 1997).

Gates in Keras' order ``i, f, c, o`` along the last axis of ``kernel``
``(input_dim, 4 * units)``, ``recurrent_kernel`` ``(units, 4 * units)`` and
``bias`` ``(4 * units,)``.

Example:
    >>> import kiln
    >>> layer = kiln.layers.LSTM(4)
    >>> tuple(layer(kiln.ops.ones((2, 3, 5))).shape)
    (2, 4)
    >>> [tuple(v.shape) for v in layer.weights]
    [(5, 16), (4, 16), (16,)]
"""

from kiln import activations, initializers, ops
from kiln.backend import current as _backend
from kiln.layers.input_spec import InputSpec
from kiln.layers.rnn.base_cell import BaseRecurrentCell, RecurrentLayerMixin
from kiln.layers.rnn.rnn import RNN


class LSTMCell(BaseRecurrentCell):
    """One LSTM step; states ``[h, c]``, output ``h``.

    ``i = σ(x W_i + h U_i + b_i)``, ``f = σ(x W_f + h U_f + b_f)``,
    ``c' = f * c + i * tanh(x W_c + h U_c + b_c)``, ``o = σ(x W_o + h U_o + b_o)``,
    ``h' = o * tanh(c')`` (σ is ``recurrent_activation``, tanh is ``activation``).

    Args:
        units: positive int, size of the output and of each state.
        activation: activation of the candidate and the cell output (``tanh``).
        recurrent_activation: activation of the gates (``sigmoid``).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: the weights'
            settings.
        unit_forget_bias: start the forget-gate bias at 1 (the other gates use
            ``bias_initializer``).
        dropout, recurrent_dropout: fractions of the input / state units
            dropped while training (one mask per sequence).
        seed: seed of the dropout masks.

    Example:
        >>> import kiln
        >>> cell = kiln.layers.LSTMCell(2)
        >>> h, (h2, c) = cell(kiln.ops.ones((1, 3)), [kiln.ops.zeros((1, 2)), kiln.ops.zeros((1, 2))])
        >>> tuple(h.shape), tuple(c.shape)
        ((1, 2), (1, 2))
    """

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def _bias_initializer_fn(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, units = self.bias_initializer, self.units

        def forget_bias_one(shape, dtype=None):
            return ops.concatenate([
                base((units,), dtype=dtype),
                initializers.Ones()((units,), dtype=dtype),
                base((2 * units,), dtype=dtype),
            ])

        return forget_bias_one

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        inputs, h_in = self._dropped(inputs, h_prev, training)
        kernel, recurrent_kernel, bias = self._weight_values()
        z = ops.add(ops.matmul(inputs, kernel), ops.matmul(h_in, recurrent_kernel))
        if bias is not None:
            z = ops.add(z, bias)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = ops.add(ops.multiply(f, c_prev), ops.multiply(i, self.activation(z_c)))
        o = self.recurrent_activation(z_o)
        h = ops.multiply(o, self.activation(c))
        return h, [h, c]

    def _config_items(self):
        items = super()._config_items()
        out = {}
        for key, value in items.items():
            out[key] = value
            if key == "bias_initializer":
                out["unit_forget_bias"] = self.unit_forget_bias
        return out


def _check_use_cudnn(layer, use_cudnn):
    if use_cudnn not in ("auto", True, False):
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `use_cudnn` must be 'auto', True or False; "
            f"received use_cudnn={use_cudnn!r}")
    return use_cudnn


def fused_allowed(layer, constants):
    """Whether the fused backend kernel can run this layer's configuration."""
    cell = layer.cell
    return (layer.use_cudnn in ("auto", True) and not cell.recurrent_dropout and not layer.unroll
            and constants is None and cell.activation is activations.tanh
            and cell.recurrent_activation is activations.sigmoid)


def dropped_sequences(layer, sequences, training):
    """The input dropout of the cell applied to the whole sequence (one mask for every step)."""
    cell = layer.cell
    if training and 0.0 < cell.dropout < 1.0:
        mask = cell.get_dropout_mask(sequences[:, 0])
        return ops.multiply(sequences, ops.expand_dims(mask, 1))
    return sequences


def no_fused_kernel(layer):
    raise ValueError(
        f"{type(layer).__name__} '{layer.name}': use_cudnn=True was given but the fused kernel "
        f"cannot run this configuration on the {_backend.NAME} backend (it needs tanh/sigmoid "
        "activations, no recurrent_dropout, unroll=False, no constants, a right-padded mask or "
        "none, and a backend with a fused kernel); pass use_cudnn='auto' to fall back to the "
        "generic loop")


class LSTM(RecurrentLayerMixin, RNN):
    """Long Short-Term Memory layer: an ``RNN`` over an ``LSTMCell``.

    On the torch backend, when the configuration allows (tanh / sigmoid
    activations, no ``recurrent_dropout``, ``unroll=False``, a right-padded mask
    or none), the whole sequence runs in torch's fused LSTM kernel, fed from the
    same ``kernel`` / ``recurrent_kernel`` / ``bias`` variables (gradients reach
    them). Otherwise, and on other backends, the generic time loop runs.
    ``use_cudnn=False`` forces the generic loop; ``True`` makes an unusable fused
    kernel an error.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.LSTM(3, return_sequences=True, return_state=True)
        >>> seq, h, c = layer(kiln.ops.ones((2, 4, 5)))
        >>> tuple(seq.shape), tuple(h.shape), tuple(c.shape)
        ((2, 4, 3), (2, 3), (2, 3))
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
            seed=seed, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="lstm_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = _check_use_cudnn(self, use_cudnn)
        self.input_spec = InputSpec(ndim=3)

    def inner_loop(self, sequences, initial_state, mask, training=False, constants=None):
        if fused_allowed(self, constants):
            cell = self.cell
            try:
                return _backend.rnn.lstm(
                    dropped_sequences(self, sequences, training), initial_state[0],
                    initial_state[1], mask, *cell._weight_values(),
                    return_sequences=self.return_sequences, go_backwards=self.go_backwards,
                    zero_output_for_mask=self.zero_output_for_mask)
            except NotImplementedError:
                pass
        if self.use_cudnn is True:
            no_fused_kernel(self)
        return super().inner_loop(sequences, initial_state, mask, training=training,
                                  constants=constants)
