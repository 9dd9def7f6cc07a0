"""What LSTM and GRU share: ``use_cudnn`` and the fused backend kernel, with the generic loop
as the fallback.

Example:
    >>> import kiln
    >>> kiln.layers.GRU(2, use_cudnn=False).use_cudnn
    False
"""

from kiln import activations, ops
from kiln.backend import current as _backend
from kiln.layers.rnn.base_cell import RecurrentLayerMixin
from kiln.layers.rnn.rnn import RNN


def check_use_cudnn(layer, use_cudnn):
    if use_cudnn not in ("auto", True, False):
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `use_cudnn` must be 'auto', True or False; "
            f"received use_cudnn={use_cudnn!r}")
    return use_cudnn


class FusedRecurrentLayer(RecurrentLayerMixin, RNN):
    """An ``RNN`` over one gated cell that runs a backend's fused kernel when it can.

    ``inner_loop`` tries :meth:`_fused_loop` when the configuration allows it
    (``use_cudnn`` not False, tanh / sigmoid, no ``recurrent_dropout``,
    ``unroll=False``, no constants, :meth:`_fused_supported`); a backend without
    the kernel (or a mask it cannot take) raises ``NotImplementedError`` and the
    generic time loop runs, unless ``use_cudnn=True`` made that an error.

    Example:
        >>> import kiln
        >>> "FusedRecurrentLayer" in [c.__name__ for c in kiln.layers.LSTM.__mro__]
        True
    """

    def _init_over_cell(self, cell_class, cell_name, arguments):
        arguments = dict(arguments)
        use_cudnn = arguments.pop("use_cudnn")
        super()._init_over_cell(cell_class, cell_name, arguments)
        self.use_cudnn = check_use_cudnn(self, use_cudnn)

    def _fused_supported(self):
        """Whether the cell's own options allow the fused kernel."""
        return True

    def _fused_allowed(self, constants):
        cell = self.cell
        return (self.use_cudnn in ("auto", True) and not cell.recurrent_dropout and not self.unroll
                and constants is None and cell.activation is activations.tanh
                and cell.recurrent_activation is activations.sigmoid and self._fused_supported())

    def _dropped_sequences(self, sequences, training):
        """The input dropout of the cell applied to the whole sequence (one mask for every step)."""
        cell = self.cell
        if training and 0.0 < cell.dropout < 1.0:
            mask = cell.get_dropout_mask(sequences[:, 0])
            return ops.multiply(sequences, ops.expand_dims(mask, 1))
        return sequences

    def _fused_options(self):
        return {"return_sequences": self.return_sequences, "go_backwards": self.go_backwards,
                "zero_output_for_mask": self.zero_output_for_mask}

    def _fused_loop(self, sequences, initial_state, mask):
        """``(last_output, outputs, states)`` from the backend's fused kernel."""
        raise NotImplementedError

    def inner_loop(self, sequences, initial_state, mask, training=False, constants=None):
        if self._fused_allowed(constants):
            try:
                return self._fused_loop(self._dropped_sequences(sequences, training),
                                        initial_state, mask)
            except NotImplementedError:
                pass
        if self.use_cudnn is True:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': use_cudnn=True was given but the fused "
                f"kernel cannot run this configuration on the {_backend.NAME} backend (it needs "
                "tanh/sigmoid activations, no recurrent_dropout, unroll=False, no constants, a "
                "right-padded mask or none, and a backend with a fused kernel); pass "
                "use_cudnn='auto' to fall back to the generic loop")
        return super().inner_loop(sequences, initial_state, mask, training=training,
                                  constants=constants)
