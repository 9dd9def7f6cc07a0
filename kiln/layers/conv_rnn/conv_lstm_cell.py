"""``ConvLSTMCell``: one step of a convolutional LSTM (the cell ``ConvLSTM1D/2D/3D`` run).

Example:
    >>> import kiln
    >>> from kiln.layers.conv_rnn.conv_lstm_cell import ConvLSTMCell
    >>> cell = ConvLSTMCell(rank=2, filters=4, kernel_size=3, padding="same")
    >>> x = kiln.ops.ones((1, 5, 5, 2))
    >>> cell.build(x.shape)
    >>> h, (h_, c) = cell.call(x, cell.get_initial_state(1))
    >>> tuple(h.shape), tuple(c.shape)
    ((1, 5, 5, 4), (1, 5, 5, 4))
"""

from kiln import ops
from kiln.layers.argument_validation import (
    conv_output_length,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.layers.rnn.base_cell import (
    dropped_step,
    forget_bias_initializer,
    init_recurrent_options,
    recurrent_options_config,
)
from kiln.layers.rnn.dropout_rnn_cell import DropoutRNNCell


class ConvLSTMCell(Layer, DropoutRNNCell):
    """The convolutional LSTM step: LSTM gates computed by convolutions.

    With input ``x`` and states ``(h, c)``, each gate ``g`` in the order
    input, forget, cell, output is ``conv(x, kernel_g) + bias_g + conv(h,
    recurrent_kernel_g)``, the recurrent convolution with stride 1 and
    ``"same"`` padding; then ``i, f, o = recurrent_activation(...)``,
    ``c' = f * c + i * activation(g_c)`` and ``h' = o * activation(c')``.

    Weights: ``kernel`` ``kernel_size + (in_channels, 4 * filters)``,
    ``recurrent_kernel`` ``kernel_size + (filters, 4 * filters)`` and ``bias``
    ``(4 * filters,)``, each split in four gate blocks along its last axis.

    Args:
        rank: number of spatial dimensions (1, 2 or 3).
        filters, kernel_size, strides, padding, data_format, dilation_rate: as in
            ``Conv2D``; they apply to the input convolution.
        activation, recurrent_activation: of the cell/output and of the gates.
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        unit_forget_bias (forget-gate bias starts at 1), *_regularizer,
        *_constraint: as in ``LSTMCell``.
        dropout, recurrent_dropout: fractions of the input / state channels
            dropped in training (one mask per sequence).
        seed: seed of the dropout masks.

    Example:
        >>> from kiln.layers.conv_rnn.conv_lstm_cell import ConvLSTMCell
        >>> cell = ConvLSTMCell(rank=1, filters=2, kernel_size=3)
        >>> cell.build((None, 8, 3))
        >>> cell.kernel.shape, cell.recurrent_kernel.shape, cell.bias.shape, cell.state_size
        ((3, 3, 8), (3, 2, 8), (8,), [(6, 2), (6, 2)])
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        arguments = dict(locals())
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        if rank not in (1, 2, 3):
            raise ValueError(f"{owner}: rank must be 1, 2 or 3, received rank={rank!r}")
        self.rank = rank
        if isinstance(filters, float) and filters.is_integer():
            filters = int(filters)
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{owner}: filters must be a positive integer, received filters={filters!r}")
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = standardize_tuple(strides, rank, "strides", owner)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.padding = standardize_padding(padding, owner)
        self.data_format = standardize_data_format(data_format, owner)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{owner}: strides > 1 are not supported together with dilation_rate > 1; "
                f"received strides={self.strides}, dilation_rate={self.dilation_rate}"
            )
        init_recurrent_options(self, arguments)
        self.input_spec = InputSpec(ndim=rank + 2)
        # Known once the spatial input size is: one (spatial..., filters) shape per state.
        self.state_size = [-1, -1]
        self.spatial_dims = None
        self.input_dim = None
        self.kernel = self.recurrent_kernel = self.bias = None
        channels_last = self.data_format == "channels_last"
        self._bias_shape = (1,) * (rank + 1) + (filters,) if channels_last else (1, filters) + (1,) * rank

    # -- shapes ---------------------------------------------------------------------------
    def _spatial(self, input_shape):
        return tuple(input_shape[1:-1]) if self.data_format == "channels_last" else tuple(input_shape[2:])

    def _channels(self, input_shape):
        return input_shape[-1] if self.data_format == "channels_last" else input_shape[1]

    def compute_output_shape(self, inputs_shape, states_shape=None):
        out = tuple(
            conv_output_length(size, self.kernel_size[i], self.padding, self.strides[i],
                               self.dilation_rate[i])
            for i, size in enumerate(self._spatial(inputs_shape)))
        if self.data_format == "channels_last":
            return (inputs_shape[0],) + out + (self.filters,)
        return (inputs_shape[0], self.filters) + out

    def build(self, inputs_shape, states_shape=None):
        owner = f"{type(self).__name__} '{self.name}'"
        inputs_shape = tuple(inputs_shape)
        if len(inputs_shape) != self.rank + 2:
            raise ValueError(
                f"{owner}: each step's input must have rank {self.rank + 2} (batch, spatial..., "
                f"channels); received shape {inputs_shape}"
            )
        spatial = self._spatial(inputs_shape)
        if any(d is None for d in spatial):
            raise ValueError(
                f"{owner}: ConvLSTM layers need static spatial dimensions; received input shape "
                f"{inputs_shape} (data_format={self.data_format!r})"
            )
        input_dim = self._channels(inputs_shape)
        if input_dim is None:
            raise ValueError(
                f"{owner}: the channel dimension of the input must be known; received input shape "
                f"{inputs_shape} (data_format={self.data_format!r})"
            )
        state_shape = self.compute_output_shape(inputs_shape)[1:]
        if any(d is not None and d <= 0 for d in state_shape):
            raise ValueError(
                f"{owner}: the input is too small for the kernel; input shape {inputs_shape}, "
                f"kernel_size={self.kernel_size}, padding={self.padding!r} gives states of shape "
                f"{state_shape}"
            )
        self.spatial_dims = spatial
        self.input_dim = input_dim
        self.state_size = [state_shape, state_shape]
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (input_dim, 4 * self.filters),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=self.kernel_size + (self.filters, 4 * self.filters),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(4 * self.filters,), initializer=self._bias_init(),
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return forget_bias_initializer(self.bias_initializer, self.filters)

    def get_initial_state(self, batch_size=None):
        """Zero ``h`` and ``c`` of shape ``(batch_size,) + state shape`` (needs a built cell)."""
        shape = (batch_size,) + tuple(self.state_size[0])
        return [ops.zeros(shape, dtype=self.compute_dtype), ops.zeros(shape, dtype=self.compute_dtype)]

    # -- the step -------------------------------------------------------------------------
    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        inputs, h_prev = dropped_step(self, inputs, h_prev, training)
        channel_axis = self.rank + 1
        kernels = ops.split(self.kernel, 4, axis=channel_axis)
        recurrent_kernels = ops.split(self.recurrent_kernel, 4, axis=channel_axis)
        biases = ops.split(self.bias, 4) if self.use_bias else (None,) * 4
        gates = [
            ops.add(self._input_conv(inputs, k, b), self._recurrent_conv(h_prev, rk))
            for k, rk, b in zip(kernels, recurrent_kernels, biases)
        ]
        i = self.recurrent_activation(gates[0])
        f = self.recurrent_activation(gates[1])
        c = f * c_prev + i * self.activation(gates[2])
        o = self.recurrent_activation(gates[3])
        h = o * self.activation(c)
        return h, [h, c]

    def _input_conv(self, x, kernel, bias):
        out = ops.conv(x, kernel, strides=self.strides, padding=self.padding,
                       data_format=self.data_format, dilation_rate=self.dilation_rate)
        if bias is not None:
            out = ops.add(out, ops.reshape(bias, self._bias_shape))
        return out

    def _recurrent_conv(self, h, kernel):
        return ops.conv(h, kernel, strides=1, padding="same", data_format=self.data_format)

    # -- config ---------------------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
        })
        config.update(recurrent_options_config(self))
        config.update({
            "seed": self.seed,
            "rank": self.rank,
        })
        return config
