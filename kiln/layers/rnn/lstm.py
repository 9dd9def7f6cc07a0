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

from kiln import ops
from kiln.backend import current as _backend
from kiln.layers.argument_validation import forward_arguments
from kiln.layers.rnn.base_cell import BaseRecurrentCell, forget_bias_initializer
from kiln.layers.rnn.fused import FusedRecurrentLayer


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
        arguments = forward_arguments(locals())
        del arguments["unit_forget_bias"]
        super().__init__(**arguments)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def _bias_initializer_fn(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return forget_bias_initializer(self.bias_initializer, self.units)

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


class LSTM(FusedRecurrentLayer):
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
        self._init_over_cell(LSTMCell, "lstm_cell", locals())

    def _fused_loop(self, sequences, initial_state, mask):
        return _backend.rnn.lstm(sequences, initial_state[0], initial_state[1], mask,
                                 *self.cell._weight_values(), **self._fused_options())
