"""``ReduceLROnPlateau``: lower the learning rate when a metric stops improving.

Example:
    >>> import kiln
    >>> kiln.callbacks.ReduceLROnPlateau(factor=0.5).factor
    0.5
"""

import warnings

import numpy as np

from kiln import ops
from kiln.callbacks.callback import Callback
from kiln.callbacks.early_stopping import check_mode, scalar_log
from kiln.utils.io_utils import print_msg


def current_learning_rate(model, owner):
    """The optimizer's current learning rate as a Python float.

    Example:
        >>> import kiln
        >>> m = kiln.Sequential([kiln.Input((1,)), kiln.layers.Dense(1)])
        >>> m.compile(kiln.optimizers.SGD(0.5), "mse")
        >>> current_learning_rate(m, "doc")
        0.5
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(f"{owner}: the model's optimizer must have a `learning_rate` attribute; "
                         f"received optimizer={optimizer!r}")
    return float(np.asarray(ops.convert_to_numpy(optimizer.learning_rate)))


class ReduceLROnPlateau(Callback):
    """Reduce the learning rate when a metric has stopped improving.

    After ``patience`` epochs without an improvement of the monitored quantity,
    the learning rate becomes ``max(lr * factor, min_lr)``; then ``cooldown``
    epochs pass before watching again. The current rate is added to the epoch
    logs as ``learning_rate``.

    Args:
        monitor: the logged quantity to watch.
        factor: the multiplier applied to the learning rate (must be < 1).
        patience: epochs without improvement before the rate is reduced.
        verbose: 1 prints a message on each reduction.
        mode: ``"auto"``, ``"min"`` or ``"max"``; ``"auto"`` maximizes names
            containing ``acc`` and minimizes the rest.
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the lower bound of the learning rate.

    Example:
        >>> import kiln
        >>> cb = kiln.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.2, patience=3, min_lr=1e-4)
        >>> cb.patience, cb.min_lr
        (3, 0.0001)
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warnings.warn("ReduceLROnPlateau: `epsilon` is deprecated; use `min_delta` instead.", stacklevel=2)
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau: unexpected keyword arguments {sorted(kwargs)}")
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.monitor = monitor
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.mode = check_mode("Learning rate reduction", mode)
        self._restored = False
        self._reset()  # sets monitor_op, best, wait and cooldown_counter

    def _reset(self):
        """Reset the wait and cooldown counters and the best value."""
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: a < b - self.min_delta
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: a > b + self.min_delta
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        if self._restored:  # state put back by `_set_state` for a resumed run: keep it
            self._restored = False
            return
        self._reset()

    def on_train_end(self, logs=None):
        self._restored = False

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = current_learning_rate(self.model, "ReduceLROnPlateau")
        current = scalar_log(logs.get(self.monitor))
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs)}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = logs["learning_rate"]
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    # -- restart state (kiln's callback-state protocol, used by BackupAndRestore) ---------
    def _get_state(self):
        best = None if np.isinf(self.best) else float(self.best)
        return {"best": best, "wait": self.wait, "cooldown_counter": self.cooldown_counter}

    def _set_state(self, state):
        self._reset()
        if state.get("best") is not None:
            self.best = float(state["best"])
        self.wait = state["wait"]
        self.cooldown_counter = state["cooldown_counter"]
        self._restored = True
