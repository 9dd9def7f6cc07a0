"""``GRUCell`` and ``GRU``: Gated Recurrent Unit (Cho et al., 2014).

Gates in Keras' order ``z, r, h`` along the last axis of ``kernel``
``(input_dim, 3 * units)`` and ``recurrent_kernel`` ``(units, 3 * units)``. With
``reset_after=True`` (the default, the cuDNN/torch formulation) the bias is
``(2, 3 * units)``: row 0 for the input projection, row 1 for the recurrent one.

Example:
    >>> import kiln
    >>> layer = kiln.layers.GRU(4)
    >>> tuple(layer(kiln.ops.ones((2, 3, 5))).shape)
    (2, 4)
    >>> [tuple(v.shape) for v in layer.weights]
    [(5, 12), (4, 12), (2, 12)]
"""

from kiln import ops, tree
from kiln.backend import current as _backend
from kiln.layers.argument_validation import forward_arguments
from kiln.layers.rnn.base_cell import BaseRecurrentCell
from kiln.layers.rnn.fused import FusedRecurrentLayer


class GRUCell(BaseRecurrentCell):
    """One GRU step; the single state is the output ``h``.

    ``z = σ(x W_z + h U_z + b_z)``, ``r = σ(x W_r + h U_r + b_r)``; the candidate
    is ``tanh(x W_h + r * (h U_h + b'_h) + b_h)`` with ``reset_after=True``, else
    ``tanh(x W_h + (r * h) U_h + b_h)``; ``h' = z * h + (1 - z) * candidate``.

    Args:
        units: positive int, size of the output and the state.
        activation: activation of the candidate (``tanh``).
        recurrent_activation: activation of the gates (``sigmoid``).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: the weights'
            settings.
        dropout, recurrent_dropout: fractions of the input / state units
            dropped while training (one mask per sequence).
        reset_after: apply the reset gate after the recurrent matmul (separate
            input and recurrent biases).
        seed: seed of the dropout masks.

    Example:
        >>> import kiln
        >>> cell = kiln.layers.GRUCell(2, reset_after=False)
        >>> cell.build((None, 3))
        >>> tuple(cell.bias.shape)
        (6,)
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        arguments = forward_arguments(locals())
        del arguments["reset_after"]
        super().__init__(**arguments)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=False):
        nested = tree.is_nested(states)
        h_prev = states[0] if nested else states
        inputs, h_prev = self._dropped(inputs, h_prev, training)
        units = self.units
        kernel, recurrent_kernel, bias = self._weight_values()
        x_proj = ops.matmul(inputs, kernel)
        if bias is not None:
            x_proj = ops.add(x_proj, bias[0] if self.reset_after else bias)
        x_z, x_r, x_h = ops.split(x_proj, 3, axis=-1)
        if self.reset_after:
            inner = ops.matmul(h_prev, recurrent_kernel)
            if bias is not None:
                inner = ops.add(inner, bias[1])
            h_z, h_r, h_h = ops.split(inner, 3, axis=-1)
        else:
            inner = ops.matmul(h_prev, recurrent_kernel[:, :2 * units])
            h_z, h_r = ops.split(inner, 2, axis=-1)
        z = self.recurrent_activation(ops.add(x_z, h_z))
        r = self.recurrent_activation(ops.add(x_r, h_r))
        if self.reset_after:
            h_h = ops.multiply(r, h_h)
        else:
            h_h = ops.matmul(ops.multiply(r, h_prev), recurrent_kernel[:, 2 * units:])
        candidate = self.activation(ops.add(x_h, h_h))
        h = ops.add(ops.multiply(z, h_prev), ops.multiply(ops.subtract(1.0, z), candidate))
        return h, ([h] if nested else h)

    def _config_items(self):
        items = super()._config_items()
        items["reset_after"] = self.reset_after
        return items


class GRU(FusedRecurrentLayer):
    """Gated Recurrent Unit layer: an ``RNN`` over a ``GRUCell``.

    On the torch backend, with ``reset_after=True`` and a configuration the
    fused kernel allows (tanh / sigmoid, no ``recurrent_dropout``,
    ``unroll=False``, a right-padded mask or none), the sequence runs in
    torch's fused GRU kernel on the same variables (gate order converted on the
    fly); otherwise the generic time loop runs.

    Example:
        >>> import kiln
        >>> out, h = kiln.layers.GRU(3, return_state=True)(kiln.ops.ones((2, 4, 5)))
        >>> tuple(out.shape), tuple(h.shape)
        ((2, 3), (2, 3))
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        self._init_over_cell(GRUCell, "gru_cell", locals())

    def _fused_supported(self):
        return self.cell.reset_after

    def _fused_loop(self, sequences, initial_state, mask):
        last, outputs, state = _backend.rnn.gru(sequences, initial_state[0], mask,
                                                *self.cell._weight_values(), **self._fused_options())
        return last, outputs, [state]
