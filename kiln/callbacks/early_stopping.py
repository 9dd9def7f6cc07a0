"""``EarlyStopping``: stop ``fit`` once a monitored quantity stops improving.

Also home of :class:`MonitorCallback`, the shared "is this value better than the
best so far?" logic that ``EarlyStopping`` and ``ModelCheckpoint`` use.

Example:
    >>> import kiln
    >>> stop = kiln.callbacks.EarlyStopping(monitor="loss", patience=2)
    >>> stop.patience
    2
"""

import operator
import warnings

import numpy as np

from kiln import ops
from kiln.callbacks.callback import Callback
from kiln.utils.io_utils import print_msg

_MODES = ("auto", "min", "max")


def scalar_log(value):
    """A logged value as a Python float (tensors and 0-d arrays included); other values unchanged.

    Example:
        >>> scalar_log(np.float32(0.5))
        0.5
    """
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    try:
        array = np.asarray(ops.convert_to_numpy(value))
    except Exception:
        return value
    return float(array) if array.ndim == 0 else value


def float_logs(logs):
    """A copy of ``logs`` with every scalar value as a Python float.

    Example:
        >>> float_logs({"loss": np.float32(1.5)})
        {'loss': 1.5}
    """
    return {key: scalar_log(value) for key, value in (logs or {}).items()}


def check_mode(owner, mode):
    """``mode`` if it is auto/min/max; otherwise warn (as Keras) and fall back to ``"auto"``.

    Example:
        >>> check_mode("EarlyStopping", "max")
        'max'
    """
    if mode not in _MODES:
        warnings.warn(f"{owner} mode '{mode}' is unknown, fallback to auto mode. "
                      f"Valid modes are {list(_MODES)}.", stacklevel=3)
        return "auto"
    return mode


class MonitorCallback(Callback):
    """Base of the callbacks that track the best value of a logged quantity.

    ``mode="auto"`` picks the direction from the monitored name: ``loss`` (and
    ``val_loss``) is minimized; a compiled metric of that name is maximized or
    minimized by its ``_direction`` (``"up"``/``"down"``). ``min_delta`` is the
    smallest change that counts as an improvement.

    Example:
        >>> cb = MonitorCallback(monitor="loss", mode="min")
        >>> cb._set_monitor_op(); cb._is_improvement(0.5, 1.0)
        True
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        self.monitor = monitor
        self.mode = check_mode(type(self).__name__, mode)
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None
        self._restored = False

    def _metric_direction(self, name):
        for metric in getattr(self.model, "metrics", None) or []:
            candidates = [metric] + list(getattr(metric, "metrics", []) or [])
            for candidate in candidates:
                if getattr(candidate, "name", None) != name:
                    continue
                direction = getattr(candidate, "_direction", None)
                if direction is None and "acc" in name:
                    direction = "up"  # accuracy metrics that do not declare a direction
                if direction is not None:
                    return direction
        return None

    def _set_monitor_op(self):
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor[4:] if self.monitor.startswith("val_") else self.monitor
            direction = "down" if name == "loss" else None
            if self.model is not None:
                direction = self._metric_direction(name) or direction
            if direction is None:
                raise ValueError(
                    f"{type(self).__name__}: received monitor={self.monitor!r} with mode='auto', but "
                    "cannot tell whether that quantity should be maximized or minimized. Pass "
                    "mode='max' to track its highest value or mode='min' to track its lowest.")
            self.monitor_op = operator.gt if direction == "up" else operator.lt
        if self.monitor_op is operator.lt:
            self.min_delta = -abs(self.min_delta)
        else:
            self.min_delta = abs(self.min_delta)

    def _is_improvement(self, monitor_value, reference_value):
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))


class EarlyStopping(MonitorCallback):
    """Stop training when a monitored metric has stopped improving.

    At each epoch end the monitored value (from the epoch logs) is compared with
    the best so far; an improvement is a change of more than ``min_delta`` in the
    direction of ``mode``. After ``patience`` epochs without one, training stops.

    Args:
        monitor: the logged quantity to watch. Defaults to ``"val_loss"``.
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a message when the callback stops training or restores weights.
        mode: ``"auto"``, ``"min"`` or ``"max"`` (unknown values warn and use ``"auto"``).
        baseline: training stops unless the quantity improves on this value within
            ``patience`` epochs.
        restore_best_weights: at the end of training (however it ends), set the
            model's weights back to those of the best epoch.
        start_from_epoch: epochs to wait before watching for improvement.

    Example:
        >>> import numpy as np, kiln
        >>> model = kiln.Sequential([kiln.Input((1,)), kiln.layers.Dense(1)])
        >>> model.compile("sgd", "mse")
        >>> stop = kiln.callbacks.EarlyStopping(monitor="loss", patience=1)
        >>> stop.monitor, stop.patience
        ('loss', 1)
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor=monitor, mode=mode, baseline=baseline, min_delta=min_delta)
        if not isinstance(patience, int) or isinstance(patience, bool) or patience < 0:
            raise ValueError(f"EarlyStopping: `patience` must be an int >= 0, received patience={patience!r}")
        if not isinstance(start_from_epoch, int) or start_from_epoch < 0:
            raise ValueError("EarlyStopping: `start_from_epoch` must be an int >= 0, received "
                             f"start_from_epoch={start_from_epoch!r}")
        self.patience = patience
        self.verbose = verbose
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._reset()

    def _reset(self):
        """Forget the counters and the best value (and weights) of an earlier run."""
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        if self._restored:  # state put back by `_set_state` for a resumed run: keep it
            self._restored = False
            return
        self._reset()

    def _model_weights(self):
        return [np.array(w, copy=True) for w in self.model.get_weights()]

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the first watched epoch is the best one seen.
            self.best_weights = self._model_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self._model_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self._restored = False
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """The monitored value from ``logs`` as a float, or None (with a warning) when absent."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                          f"Available metrics are: {','.join(logs)}", stacklevel=2)
            return None
        return scalar_log(value)

    # -- restart state (kiln's callback-state protocol, used by BackupAndRestore) ---------
    def _get_state(self):
        """JSON-serializable counters plus the best weights as NumPy arrays."""
        return {
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
            "best": None if self.best is None else float(self.best),
            "best_epoch": self.best_epoch,
            # NumPy arrays: BackupAndRestore stores them beside the JSON state
            "best_weights": None if self.best_weights is None else [np.array(w) for w in self.best_weights],
        }

    def _set_state(self, state):
        self.wait = state["wait"]
        self.stopped_epoch = state["stopped_epoch"]
        self.best = state["best"]
        self.best_epoch = state["best_epoch"]
        weights = state.get("best_weights")
        self.best_weights = None if weights is None else [np.array(w, copy=True) for w in weights]
        self._restored = True
