"""``OrbaxCheckpoint``: save the training state as Orbax checkpoints while ``fit`` runs.

Needs the ``orbax-checkpoint`` package (it brings JAX); works on every backend:
the variables are copied to NumPy arrays and handed to Orbax's training
``Checkpointer``. Each checkpoint is a step folder of ``directory`` (the epoch
index for ``save_freq="epoch"``, the number of batches seen for an integer
``save_freq``) holding one pytree::

    {"trainable_variables": {...}, "non_trainable_variables": {...},
     "optimizer_variables": {...}, "metrics_variables": {...}}

each a nested dict that follows the variable paths (``"sequential/dense/kernel"``
-> ``["sequential"]["dense"]["kernel"]``); ``save_weights_only=True`` keeps the
first two.

Example:
    >>> import os, tempfile, kiln
    >>> cb = kiln.callbacks.OrbaxCheckpoint(os.path.join(tempfile.mkdtemp(), "ckpt"), max_to_keep=2)
    >>> cb.save_freq, cb.max_to_keep
    ('epoch', 2)
"""

import os
import warnings

import numpy as np

from kiln.callbacks.early_stopping import MonitorCallback, scalar_log
from kiln.utils.io_utils import print_msg


def _orbax_v1():
    """Orbax's v1 API (``orbax.checkpoint.v1``; ``...experimental.v1`` in older releases)."""
    try:
        import orbax.checkpoint  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "OrbaxCheckpoint requires the `orbax-checkpoint` package (pip install orbax-checkpoint); "
            f"importing it failed: {error}") from None
    try:
        from orbax.checkpoint import v1
    except ImportError:
        try:
            from orbax.checkpoint.experimental import v1
        except ImportError:
            raise ImportError(
                "OrbaxCheckpoint requires an `orbax-checkpoint` release with the v1 training Checkpointer "
                "(orbax.checkpoint.v1 or orbax.checkpoint.experimental.v1); upgrade the package") from None
    return v1


def state_tree(model, weights_only=False):
    """The model's state as nested dicts of NumPy arrays (copies), keyed by variable path.

    Example:
        >>> import kiln
        >>> model = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1, name="out")], name="seq")
        >>> sorted(state_tree(model, weights_only=True)["trainable_variables"]["seq"]["out"])
        ['bias', 'kernel']
    """
    groups = {"trainable_variables": model.trainable_variables,
              "non_trainable_variables": model.non_trainable_variables}
    if not weights_only:
        optimizer = getattr(model, "optimizer", None)
        groups["optimizer_variables"] = list(optimizer.variables) if optimizer is not None else []
        groups["metrics_variables"] = list(getattr(model, "metrics_variables", []))
    tree = {}
    for group, variables in groups.items():
        root = {}
        for variable in variables:
            *folders, leaf = variable.path.split("/")
            node = root
            for folder in folders:
                node = node.setdefault(folder, {})
                if not isinstance(node, dict):
                    raise ValueError(f"OrbaxCheckpoint: variable path '{variable.path}' clashes with another "
                                     f"variable's path in {group}")
            if leaf in node:
                raise ValueError(f"OrbaxCheckpoint: two variables of {group} share the path '{variable.path}'")
            # A copy: an asynchronous save reads it later, after the live buffers may have changed.
            node[leaf] = np.array(variable.numpy(), copy=True)
        if root:
            tree[group] = root
    return tree


class OrbaxCheckpoint(MonitorCallback):
    """Save the model's weights and optimizer state with Orbax at some frequency.

    Works like :class:`ModelCheckpoint` (``monitor``, ``mode``,
    ``save_best_only``, ``save_freq``, ``initial_value_threshold``); the saves
    are Orbax checkpoints under ``directory``, of which the newest
    ``max_to_keep`` are kept, written in the background unless
    ``save_on_background=False``.

    Args:
        directory: the folder of the checkpoints (one sub-folder per step).
        monitor: the logged quantity compared for ``save_best_only``.
        verbose: 1 prints a line for each save.
        save_best_only: only save when the monitored quantity improves.
        mode: ``"auto"``, ``"min"`` or ``"max"``: which direction is an improvement.
        save_freq: ``"epoch"`` (step = epoch index) or an int ``N``: a save after
            every ``N`` batches (step = batches seen so far).
        initial_value_threshold: the starting "best" value for ``save_best_only``.
        max_to_keep: how many of the newest checkpoints to keep (None: all).
        save_on_background: write asynchronously while training goes on.
        save_weights_only: save only the model's variables, not the optimizer's
            and metrics' state.

    Example:
        >>> import os, tempfile
        >>> import numpy as np, kiln
        >>> directory = os.path.join(tempfile.mkdtemp(), "ckpt")
        >>> model = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> model.compile("sgd", "mse")
        >>> cb = kiln.callbacks.OrbaxCheckpoint(directory, monitor="loss", max_to_keep=2)
        >>> _ = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=3, callbacks=[cb], verbose=0)
        >>> sorted(os.listdir(directory))   # epochs 1 and 2 (0-based) are the newest two
        ['1', '2']
    """

    def __init__(self, directory, monitor="val_loss", verbose=0, save_best_only=False, mode="auto",
                 save_freq="epoch", initial_value_threshold=None, max_to_keep=1, save_on_background=True,
                 save_weights_only=False):
        self._v1 = _orbax_v1()
        super().__init__(monitor=monitor, mode=mode)
        if not directory or not isinstance(directory, (str, os.PathLike)):
            raise ValueError(f"OrbaxCheckpoint: directory must be a non-empty path, received {directory!r}")
        if save_freq != "epoch" and (not isinstance(save_freq, (int, np.integer)) or isinstance(save_freq, bool)
                                     or save_freq < 1):
            raise ValueError(f"OrbaxCheckpoint: unrecognized save_freq={save_freq!r}; expected 'epoch' or a "
                             "positive int (a number of batches)")
        if max_to_keep is not None and (not isinstance(max_to_keep, (int, np.integer))
                                        or isinstance(max_to_keep, bool) or max_to_keep < 1):
            raise ValueError(f"OrbaxCheckpoint: max_to_keep must be a positive int or None, "
                             f"received {max_to_keep!r}")
        self.directory = os.path.abspath(os.fspath(directory))
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_freq = save_freq if save_freq == "epoch" else int(save_freq)
        self.max_to_keep = None if max_to_keep is None else int(max_to_keep)
        self.save_on_background = bool(save_on_background)
        self.save_weights_only = bool(save_weights_only)
        self.best = None if initial_value_threshold is None else float(initial_value_threshold)
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._total_batches_seen = 0
        self._current_epoch = 0
        self._checkpointer = None

    # -- the Orbax checkpointer (opened at the first save, closed at the end of training) ----
    @property
    def checkpointer(self):
        """The ``orbax.checkpoint`` v1 training ``Checkpointer`` writing to ``directory``."""
        if self._checkpointer is None:
            training = self._v1.training
            preservation = None
            if self.max_to_keep is not None:
                preservation = training.preservation_policies.LatestN(self.max_to_keep)
            self._checkpointer = training.Checkpointer(self.directory, preservation_policy=preservation)
        return self._checkpointer

    def wait_until_finished(self):
        """Block until every background save has been written."""
        if self._checkpointer is not None:
            self._checkpointer.wait()

    # -- hooks ------------------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._maybe_save(self._total_batches_seen, logs, f"batch {batch}")

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch
        if self.save_freq == "epoch":
            self._maybe_save(epoch, logs, f"epoch {epoch}")

    def on_train_end(self, logs=None):
        if self._checkpointer is not None:
            self._checkpointer.close()  # waits for the background saves
            self._checkpointer = None

    # -- decisions --------------------------------------------------------------------------
    def _should_save_on_batch(self, batch):
        if self.save_freq == "epoch":
            return False
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._total_batches_seen += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _maybe_save(self, step, logs, where):
        if self.save_best_only:
            current = scalar_log((logs or {}).get(self.monitor))
            if current is None:
                warnings.warn(f"OrbaxCheckpoint: can save the best model only with {self.monitor} available; "
                              f"skipping the save at {where}.", stacklevel=3)
                return
            if self.monitor_op is None:
                self._set_monitor_op()
            if not self._is_improvement(current, self.best):
                if self.verbose > 0:
                    print_msg(f"\nOrbaxCheckpoint: {self.monitor} did not improve from {self.best:.5f} ({where})")
                return
            if self.verbose > 0:
                best = "None" if self.best is None else f"{self.best:.5f}"
                print_msg(f"\nOrbaxCheckpoint: {self.monitor} improved from {best} to {current:.5f} ({where})")
            self.best = current
        self._save(step)

    def _save(self, step):
        model = self.model
        model._sync_backend_state()
        tree = state_tree(model, weights_only=self.save_weights_only)
        if self.verbose > 0:
            mode = "in the background" if self.save_on_background else "now"
            print_msg(f"OrbaxCheckpoint: saving step {step} to {self.directory} {mode}")
        # force: this callback decides when to save, Orbax's own save policy must not skip any.
        if self.save_on_background:
            self.checkpointer.save_async(step, tree, force=True)
        else:
            self.checkpointer.save(step, tree, force=True)

    # -- restart state (kiln's callback-state protocol, used by BackupAndRestore) -------------
    def _get_state(self):
        return {"best": self.best, "batches_seen_since_last_saving": self._batches_seen_since_last_saving,
                "last_batch_seen": self._last_batch_seen, "total_batches_seen": self._total_batches_seen,
                "current_epoch": self._current_epoch}

    def _set_state(self, state):
        self.best = None if state.get("best") is None else float(state["best"])
        self._batches_seen_since_last_saving = int(state.get("batches_seen_since_last_saving", 0))
        self._last_batch_seen = int(state.get("last_batch_seen", 0))
        self._total_batches_seen = int(state.get("total_batches_seen", 0))
        self._current_epoch = int(state.get("current_epoch", 0))
