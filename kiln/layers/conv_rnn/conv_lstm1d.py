"""``ConvLSTM1D``: a convolutional LSTM over sequences of 1-D feature maps.

Example:
    >>> import kiln
    >>> layer = kiln.layers.ConvLSTM1D(2, 3, padding="same")
    >>> tuple(layer(kiln.ops.ones((1, 3) + (5,) * 1 + (4,))).shape)
    (1, 5, 2)
"""

from kiln.layers.conv_rnn.conv_lstm import ConvLSTM


class ConvLSTM1D(ConvLSTM):
    """1-D convolutional LSTM: an LSTM whose input and recurrent transforms are convolutions.

    Input: ``(batch, time, d1, channels)`` with
    ``data_format="channels_last"``, or ``(batch, time, channels, d1)``
    with ``"channels_first"``. At every step the four gates (input, forget, cell,
    output, in that order) are ``conv(x_t, kernel) + bias + conv(h, recurrent_kernel)``
    (the recurrent convolution has stride 1 and ``"same"`` padding); then
    ``c = f * c + i * activation(g)`` and ``h = o * activation(c)``.

    Args:
        filters: number of output channels (of ``h`` and ``c``).
        kernel_size: int or tuple of 1 ints.
        strides: int or tuple of 1 ints (of the input convolution).
        padding: ``"valid"`` or ``"same"`` (of the input convolution).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: config).
        dilation_rate: int or tuple of 1 ints (of the input convolution).
        activation: of the candidate cell state and the output (default tanh).
        recurrent_activation: of the gates (default sigmoid).
        use_bias: whether the gates have a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        unit_forget_bias: start the forget-gate bias at 1.
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        activity_regularizer: optional penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: optional constraints.
        dropout: fraction of the input channels dropped in training.
        recurrent_dropout: fraction of the state channels dropped in training.
        seed: seed of the dropout masks.
        return_sequences: return every step's output, not only the last.
        return_state: also return the last ``h`` and ``c``.
        go_backwards: process the sequence backwards.
        stateful: carry the last states of a batch over to the next batch.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.ConvLSTM1D(4, 3, return_state=True, name="clstm")
        >>> out, h, c = layer(kiln.ops.ones((2, 3) + (6,) * 1 + (1,)))
        >>> tuple(out.shape) == tuple(h.shape) == tuple(c.shape) == (2,) + (4,) * 1 + (4,)
        True
        >>> [v.path for v in layer.weights]
        ['clstm/conv_lstm_cell/kernel', 'clstm/conv_lstm_cell/recurrent_kernel', 'clstm/conv_lstm_cell/bias']
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, **kwargs):
        super().__init__(
            rank=1, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
            seed=seed, return_sequences=return_sequences, return_state=return_state,
            go_backwards=go_backwards, stateful=stateful, **kwargs)
