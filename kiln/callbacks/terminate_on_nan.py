"""``TerminateOnNaN``: stop training as soon as the loss is NaN or infinite.

Example:
    >>> import kiln
    >>> kiln.callbacks.TerminateOnNaN().raise_error
    False
"""

import math

from kiln.callbacks.callback import Callback
from kiln.callbacks.early_stopping import scalar_log
from kiln.utils.io_utils import print_msg


class TerminateOnNaN(Callback):
    """Terminate training when a batch's loss is NaN or infinite.

    By default training stops gracefully: ``model.stop_training = True``, the
    reason (naming the epoch and batch) is printed and kept in
    ``model._stop_reason``, and every callback's ``on_train_end`` still runs.
    With ``raise_error=True`` a ``RuntimeError`` is raised at once instead, so no
    ``on_train_end`` cleanup runs (a backup of the last good state is kept).

    Args:
        raise_error: raise ``RuntimeError`` instead of stopping gracefully.

    Example:
        >>> import numpy as np, kiln
        >>> model = kiln.Sequential([kiln.Input((1,)), kiln.layers.Dense(1)])
        >>> model.compile("sgd", "mse")
        >>> cb = kiln.callbacks.TerminateOnNaN()
        >>> cb.set_model(model); cb.on_batch_end(3, {"loss": float("nan")})  # doctest: +ELLIPSIS
        Epoch 1, batch 3: invalid loss nan, terminating training
        >>> model.stop_training
        True
    """

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = scalar_log((logs or {}).get("loss"))
        if not isinstance(loss, float) or math.isfinite(loss):
            return
        message = f"Epoch {self._epoch + 1}, batch {batch}: invalid loss {loss}"
        if self.raise_error:
            raise RuntimeError(f"TerminateOnNaN: {message}; training stopped by raising an error "
                               "(raise_error=True)")
        message += ", terminating training"
        print_msg(message)
        self.model._stop_reason = message
        self.model.stop_training = True
