"""``ModelCheckpoint``: save the model or its weights while ``fit`` runs.

Every file is written atomically: first to a temporary file in the same folder,
then moved over the target with ``os.replace``, so a crash never leaves a
half-written checkpoint under the target name.

Example:
    >>> import kiln
    >>> cb = kiln.callbacks.ModelCheckpoint("ckpt-{epoch:02d}.weights.h5", save_weights_only=True)
    >>> cb.save_freq
    'epoch'
"""

import math
import os
import warnings

import numpy as np

from kiln.callbacks.early_stopping import MonitorCallback, float_logs
from kiln.utils.io_utils import print_msg

_WEIGHTS_SUFFIX = ".weights.h5"
_MODEL_SUFFIX = ".keras"


def _json_float(value):
    return None if value is None or (isinstance(value, float) and math.isinf(value)) else float(value)


class ModelCheckpoint(MonitorCallback):
    """Save the model (``.keras``) or its weights (``.weights.h5``) at some frequency.

    Args:
        filepath: where to save. It may hold ``str.format`` fields filled from
            ``epoch`` (1-based), ``batch`` (1-based, for batch-level saves) and the
            logs, e.g. ``"ckpt-{epoch:02d}-{val_loss:.2f}.keras"``. Must end in
            ``.weights.h5`` when ``save_weights_only=True``, else in ``.keras``.
        monitor: the logged quantity compared for ``save_best_only``.
        verbose: 1 prints a line on each save decision.
        save_best_only: only save when the monitored quantity improves on the best
            seen so far (the file at ``filepath`` then always holds the best model
            when the path has no placeholders).
        save_weights_only: save only the weights (``model.save_weights``) rather
            than the whole model (``model.save``).
        mode: ``"auto"``, ``"min"`` or ``"max"``: which direction is an improvement.
        save_freq: ``"epoch"`` (at each epoch end) or an int: after every that many
            batches (the monitored value then comes from the batch logs).
        initial_value_threshold: the starting "best" value for ``save_best_only``.

    Example:
        >>> import numpy as np, kiln, tempfile, os
        >>> model = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> model.compile("sgd", "mse")
        >>> path = os.path.join(tempfile.mkdtemp(), "best.weights.h5")
        >>> cb = kiln.callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True,
        ...                                     save_weights_only=True)
        >>> cb.filepath == path
        True
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__(monitor=monitor, mode=mode)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)
                                     or save_freq < 1):
            raise ValueError(f"ModelCheckpoint: unrecognized save_freq={save_freq!r}; expected 'epoch' "
                             "or a positive int (a number of batches)")
        self.save_freq = save_freq
        if initial_value_threshold is not None:
            initial_value_threshold = float(initial_value_threshold)
        self.best = initial_value_threshold
        if save_weights_only:
            if not self.filepath.endswith(_WEIGHTS_SUFFIX):
                raise ValueError("ModelCheckpoint: with save_weights_only=True the filepath must end in "
                                 f"`{_WEIGHTS_SUFFIX}` (Keras weights format). Received: filepath={self.filepath!r}")
        elif not self.filepath.endswith(_MODEL_SUFFIX):
            raise ValueError(f"ModelCheckpoint: the filepath must end in `{_MODEL_SUFFIX}` (Keras model format), "
                             f"or in `{_WEIGHTS_SUFFIX}` with save_weights_only=True. "
                             f"Received: filepath={self.filepath!r}")
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

    # -- hooks --------------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    # -- decisions ----------------------------------------------------------------------
    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:  # the batch counter restarted: a new epoch
            self._batches_seen_since_last_saving += batch + 1
        else:
            self._batches_seen_since_last_saving += batch - self._last_batch_seen
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _get_file_path(self, epoch, batch, logs):
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as error:
            raise KeyError(f'ModelCheckpoint: failed to format the filepath "{self.filepath}": no value for '
                           f"{error} (available: epoch, batch, {', '.join(logs)})") from None

    def _save_model(self, epoch, batch, logs):
        logs = float_logs(logs)
        filepath = self._get_file_path(epoch, batch, logs)
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            self._write(filepath)
            return
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available, skipping.", stacklevel=2)
            return
        if not isinstance(current, float):
            warnings.warn(f"Can save best model only when `monitor` is a scalar value. Received: {current}. "
                          "Skipping.", stacklevel=2)
            return
        if self.monitor_op is None:
            self._set_monitor_op()  # late: the compiled metrics are built by now
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                best = "None" if self.best is None else f"{self.best:.5f}"
                print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                      f"saving model to {filepath}")
            self.best = current
            self._write(filepath)
        elif self.verbose > 0:
            best = "None" if self.best is None else f"{self.best:.5f}"
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")

    def _write(self, filepath):
        """Save to a temporary file beside ``filepath``, then move it into place."""
        dirname, basename = os.path.split(os.path.abspath(filepath))
        os.makedirs(dirname, exist_ok=True)
        suffix = _WEIGHTS_SUFFIX if self.save_weights_only else _MODEL_SUFFIX
        if not basename.endswith(suffix):
            raise ValueError(f"ModelCheckpoint: the formatted filepath {filepath!r} must end in `{suffix}`")
        temporary = os.path.join(dirname, f".{basename[:-len(suffix)]}.tmp-{os.getpid()}{suffix}")
        model = self.model
        if hasattr(model, "_sync_backend_state"):
            model._sync_backend_state()
        try:
            if self.save_weights_only:
                model.save_weights(temporary, overwrite=True)
            else:
                if not hasattr(model, "save"):
                    raise NotImplementedError(
                        f"ModelCheckpoint: {type(model).__name__} has no `save` method for a full `.keras` "
                        "checkpoint; pass save_weights_only=True with a `.weights.h5` filepath")
                model.save(temporary, overwrite=True)
            os.replace(temporary, filepath)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)

    # -- restart state (kiln's callback-state protocol, used by BackupAndRestore) ---------
    def _get_state(self):
        return {
            "best": _json_float(self.best),
            "batches_seen_since_last_saving": self._batches_seen_since_last_saving,
            "last_batch_seen": self._last_batch_seen,
            "current_epoch": self._current_epoch,
        }

    def _set_state(self, state):
        best = state.get("best")
        self.best = None if best is None else float(np.float64(best))
        self._batches_seen_since_last_saving = state.get("batches_seen_since_last_saving", 0)
        self._last_batch_seen = state.get("last_batch_seen", 0)
        self._current_epoch = state.get("current_epoch", 0)
