"""``ConvLSTM``: the recurrent layer behind ``ConvLSTM1D``, ``ConvLSTM2D`` and ``ConvLSTM3D``.

Example:
    >>> import kiln
    >>> layer = kiln.layers.ConvLSTM1D(2, 3, return_sequences=True)
    >>> tuple(layer(kiln.ops.ones((1, 4, 6, 3))).shape)
    (1, 4, 4, 2)
"""

import inspect

from kiln import tree
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.conv_rnn.conv_lstm_cell import ConvLSTMCell
from kiln.layers.input_spec import InputSpec
from kiln.layers.rnn.base_cell import cell_property
from kiln.layers.rnn.rnn import RNN
from kiln.saving import serialization_lib


class ConvLSTM(RNN):
    """An ``RNN`` running a ``ConvLSTMCell`` over ``(batch, time, spatial..., channels)`` inputs.

    Every argument but ``rank`` (1, 2 or 3 spatial dimensions) is documented
    on ``ConvLSTM2D``. The cell's weights are
    ``<layer>/conv_lstm_cell/{kernel, recurrent_kernel, bias}``.

    Example:
        >>> import kiln
        >>> from kiln.layers.conv_rnn.conv_lstm import ConvLSTM
        >>> layer = ConvLSTM(rank=1, filters=2, kernel_size=3, padding="same")
        >>> tuple(layer(kiln.ops.ones((1, 4, 6, 3))).shape)
        (1, 6, 2)
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, **kwargs):
        try:
            cell = ConvLSTMCell(
                rank=rank, filters=filters, kernel_size=kernel_size, strides=strides,
                padding=padding, data_format=data_format, dilation_rate=dilation_rate,
                activation=activation, recurrent_activation=recurrent_activation,
                use_bias=use_bias, kernel_initializer=kernel_initializer,
                recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
                recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                bias_constraint=bias_constraint, dropout=dropout,
                recurrent_dropout=recurrent_dropout, seed=seed, name="conv_lstm_cell",
                dtype=kwargs.get("dtype"))
        except ValueError as e:
            # Name the public layer, not its internal cell.
            raise ValueError(f"{type(self).__name__}: {e}") from None
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=rank + 3)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        sequences_shape = tuple(sequences_shape)
        if len(sequences_shape) != self.cell.rank + 3:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': expected an input of rank "
                f"{self.cell.rank + 3} (batch, time, spatial..., channels); received input_shape="
                f"{sequences_shape}"
            )
        batch, steps = sequences_shape[0], sequences_shape[1]
        state_shape = self.cell.compute_output_shape((batch,) + sequences_shape[2:])[1:]
        output_shape = (batch, steps) + state_shape if self.return_sequences else (batch,) + state_shape
        if self.return_state:
            return (output_shape, (batch,) + state_shape, (batch,) + state_shape)
        return output_shape

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=False,
                            **kwargs):
        shapes = self.compute_output_shape(tree.flatten(sequences)[0].shape)
        if self.return_state:
            return [KerasTensor(s, dtype=self.compute_dtype) for s in shapes]
        return KerasTensor(shapes, dtype=self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.pop("cell", None)
        for key, value in self.cell.get_config().items():
            if key not in ("name", "trainable", "dtype", "rank"):
                config[key] = value
            if key == "bias_regularizer":
                config["activity_regularizer"] = serialization_lib.serialize_kiln_object(
                    self._activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop("cell", None)
        return super().from_config(config)


# The cell's hyper-parameters, readable on the layer as in Keras.
for _name in ("rank", "filters", "kernel_size", "strides", "padding", "data_format",
              "dilation_rate", "activation", "recurrent_activation", "use_bias",
              "unit_forget_bias", "dropout", "recurrent_dropout"):
    setattr(ConvLSTM, _name, cell_property(_name))
del _name


_DOC = """{rank}-D convolutional LSTM: an LSTM whose input and recurrent transforms are convolutions.

    Input: ``(batch, time, {dims}, channels)`` with ``data_format="channels_last"``, or
    ``(batch, time, channels, {dims})`` with ``"channels_first"``. At every step the four
    gates (input, forget, cell, output, in that order) are ``conv(x_t, kernel) + bias +
    conv(h, recurrent_kernel)`` (the recurrent convolution has stride 1 and ``"same"``
    padding); then ``c = f * c + i * activation(g)`` and ``h = o * activation(c)``.

    Args:
        filters: number of output channels (of ``h`` and ``c``).
        kernel_size: int or tuple of {rank} ints.
        strides: int or tuple of {rank} ints (of the input convolution).
        padding: ``"valid"`` or ``"same"`` (of the input convolution).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: config).
        dilation_rate: int or tuple of {rank} ints (of the input convolution).
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
        >>> layer = kiln.layers.ConvLSTM{rank}D(4, 3, return_state=True, name="clstm")
        >>> out, h, c = layer(kiln.ops.ones((2, 3) + (6,) * {rank} + (1,)))
        >>> tuple(out.shape) == tuple(h.shape) == tuple(c.shape) == (2,) + (4,) * {rank} + (4,)
        True
        >>> [v.path for v in layer.weights]
        ['clstm/conv_lstm_cell/kernel', 'clstm/conv_lstm_cell/recurrent_kernel', 'clstm/conv_lstm_cell/bias']
    """


def fixed_rank_doc(rank):
    """The docstring of ``ConvLSTM<rank>D``.

    Example:
        >>> fixed_rank_doc(2).splitlines()[0]
        '2-D convolutional LSTM: an LSTM whose input and recurrent transforms are convolutions.'
    """
    return _DOC.format(rank=rank, dims=", ".join(f"d{i + 1}" for i in range(rank)))


def fixed_rank_init(rank):
    """``ConvLSTM.__init__`` with ``rank`` fixed; its signature is ConvLSTM's without ``rank``.

    Example:
        >>> import inspect
        >>> list(inspect.signature(fixed_rank_init(2)).parameters)[:3]
        ['self', 'filters', 'kernel_size']
    """
    def __init__(self, *args, **kwargs):
        ConvLSTM.__init__(self, rank, *args, **kwargs)

    signature = inspect.signature(ConvLSTM.__init__)
    __init__.__signature__ = signature.replace(
        parameters=[p for name, p in signature.parameters.items() if name != "rank"])
    __init__.__doc__ = f"Create a ConvLSTM{rank}D layer (arguments as documented on the class)."
    return __init__

