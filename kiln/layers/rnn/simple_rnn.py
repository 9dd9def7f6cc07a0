"""``SimpleRNNCell`` and ``SimpleRNN``: ``h_t = activation(x_t W + h_{t-1} U + b)``.

Example:
    >>> import kiln
    >>> layer = kiln.layers.SimpleRNN(4, return_sequences=True)
    >>> tuple(layer(kiln.ops.ones((2, 3, 5))).shape)
    (2, 3, 4)
    >>> [v.path for v in layer.weights]
    ['simple_rnn/simple_rnn_cell/kernel', 'simple_rnn/simple_rnn_cell/recurrent_kernel', 'simple_rnn/simple_rnn_cell/bias']
"""

from kiln import ops, tree
from kiln.layers.argument_validation import forward_arguments
from kiln.layers.rnn.base_cell import BaseRecurrentCell, RecurrentLayerMixin
from kiln.layers.rnn.rnn import RNN


class SimpleRNNCell(BaseRecurrentCell):
    """One step of a fully connected recurrent layer.

    Weights: ``kernel`` ``(input_dim, units)``, ``recurrent_kernel``
    ``(units, units)``, ``bias`` ``(units,)``. The single state is the output.

    Args:
        units: positive int, size of the output and the state.
        activation: activation of the output (default ``tanh``; None: linear).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: as in ``Dense``,
            for the input kernel, the recurrent kernel and the bias.
        dropout: fraction of the input units dropped while training.
        recurrent_dropout: fraction of the state units dropped while training.
        seed: seed of the dropout masks.

    Example:
        >>> import kiln
        >>> cell = kiln.layers.SimpleRNNCell(3)
        >>> out, states = cell(kiln.ops.ones((2, 4)), [kiln.ops.zeros((2, 3))])
        >>> tuple(out.shape), len(states)
        ((2, 3), 1)
    """

    has_recurrent_activation = False

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(recurrent_activation=None, **forward_arguments(locals()))

    def call(self, sequence, states, training=False):
        nested = tree.is_nested(states)
        prev = states[0] if nested else states
        sequence, prev = self._dropped(sequence, prev, training)
        kernel, recurrent_kernel, bias = self._weight_values()
        h = ops.matmul(sequence, kernel)
        if bias is not None:
            h = ops.add(h, bias)
        output = ops.add(h, ops.matmul(prev, recurrent_kernel))
        output = self.activation(output)
        return output, ([output] if nested else output)


class SimpleRNN(RecurrentLayerMixin, RNN):
    """Fully connected recurrent layer: an ``RNN`` over a ``SimpleRNNCell``.

    Takes ``(batch, timesteps, features)``; arguments are the cell's plus
    ``activity_regularizer`` and the ``RNN`` options (``return_sequences``,
    ``return_state``, ``go_backwards``, ``stateful``, ``unroll``).

    Example:
        >>> import kiln
        >>> layer = kiln.layers.SimpleRNN(2, return_state=True)
        >>> out, h = layer(kiln.ops.ones((1, 4, 3)))
        >>> bool(kiln.ops.all(out == h))
        True
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, seed=None,
                 **kwargs):
        self._init_over_cell(SimpleRNNCell, "simple_rnn_cell", locals())
