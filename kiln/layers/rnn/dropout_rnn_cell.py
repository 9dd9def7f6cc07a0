"""``DropoutRNNCell``: the dropout masks a recurrent cell reuses at every time step.

A recurrent cell with ``dropout`` / ``recurrent_dropout`` must drop the same
units at every step of one sequence, so the mask is drawn once per layer call
and cached on the cell. The ``RNN`` layer draws both masks before its time loop
(so the loop body stays free of random state, which ``jax.lax.scan`` needs) and
clears them when the call ends.

Example:
    >>> import kiln
    >>> cell = kiln.layers.SimpleRNNCell(2, dropout=0.5, seed=1)
    >>> mask = cell.get_dropout_mask(kiln.ops.ones((1, 4)))
    >>> cell.get_dropout_mask(kiln.ops.ones((1, 4))) is mask
    True
    >>> cell.reset_dropout_mask(); cell._dropout_mask is None
    True
"""

from kiln import ops, random


class DropoutRNNCell:
    """Mixin for cells with ``dropout``, ``recurrent_dropout`` and ``seed_generator`` attributes.

    ``get_dropout_mask(step_inputs)`` and ``get_recurrent_dropout_mask(step_state)``
    return a mask shaped like their argument (ones kept and scaled by
    ``1 / (1 - rate)``, zeros dropped), drawn on the first request after a reset
    and then reused; None when the rate is 0.

    Example:
        >>> import kiln
        >>> cell = kiln.layers.LSTMCell(3, recurrent_dropout=0.2)
        >>> tuple(cell.get_recurrent_dropout_mask(kiln.ops.ones((2, 3))).shape)
        (2, 3)
    """

    _dropout_mask = None
    _recurrent_dropout_mask = None

    def _draw_mask(self, like, rate):
        ones = ops.ones_like(like)
        return random.dropout(ones, rate, seed=self.seed_generator)

    def get_dropout_mask(self, step_inputs):
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._draw_mask(step_inputs, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_inputs):
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._draw_mask(step_inputs, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        """Forget the cached input mask (the next call draws a new one)."""
        if self._dropout_mask is not None:
            self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        """Forget the cached recurrent mask."""
        if self._recurrent_dropout_mask is not None:
            self._recurrent_dropout_mask = None


def validate_rate(owner, name, value):
    """A dropout rate must be a number in [0, 1]; clamp like Keras (min(1, max(0, rate)))."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(
            f"{owner}: `{name}` must be a float between 0 and 1; received {name}={value!r}")
    return min(1.0, max(0.0, float(value)))


def validate_units(owner, units):
    """``units`` must be a positive int."""
    if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
        raise ValueError(
            f"{owner}: received an invalid value for argument `units`, expected a positive "
            f"integer; received units={units!r}")
    return units
