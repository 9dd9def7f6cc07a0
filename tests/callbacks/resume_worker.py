"""A training run for the exact-resume test (run as a subprocess by test_backup_and_restore.py).

    python resume_worker.py BACKUP_DIR OUT_PREFIX [--pause-at STEP MARKER | --wait-for FILE]

Trains a small Dense + Dropout model with Adam, shuffle=True, 3 epochs of 8
batches, under ``BackupAndRestore(BACKUP_DIR, save_freq=3)``; a rerun after an
interruption resumes from the backup. At the end it writes ``OUT_PREFIX.npz``
(model weights, then optimizer variables) and ``OUT_PREFIX.json`` (what this
process ran, and the per-epoch logs kept by a callback whose state survives the
restart). With ``--pause-at STEP`` it writes MARKER after the STEP-th batch of
the run (counted over all epochs from 1) and then sleeps until it is killed.
With ``--wait-for FILE`` it imports and builds everything, then waits for FILE
to exist before calling ``fit`` (so a rerun's start-up overlaps the first run).

Example:
    >>> # KILN_BACKEND=jax python tests/callbacks/resume_worker.py /tmp/b /tmp/out  # doctest: +SKIP
"""

import json
import os
import sys
import time

import numpy as np

import kiln
from kiln import layers

EPOCHS, STEPS, BATCH = 3, 8, 8
SAVE_FREQ = 3


class EpochLogs(kiln.callbacks.Callback):
    """Keeps each finished epoch's logs; its state survives a restart through BackupAndRestore."""

    def __init__(self):
        super().__init__()
        self.logs = {}

    def on_epoch_end(self, epoch, logs=None):
        self.logs[str(epoch)] = {k: float(v) for k, v in (logs or {}).items()}

    def _get_state(self):
        return {"logs": self.logs}

    def _set_state(self, state):
        self.logs = dict(state["logs"])


class Trace(kiln.callbacks.Callback):
    """Records what this process ran; optionally pauses (to be killed) after a given batch."""

    def __init__(self, pause_at=None, marker=None):
        super().__init__()
        self.pause_at, self.marker = pause_at, marker
        self.epochs, self.first_batch, self.batches = [], None, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)

    def on_train_batch_begin(self, batch, logs=None):
        if self.first_batch is None:
            self.first_batch = batch

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        if self.pause_at is not None and self.model._fit_position["epoch"] * STEPS + batch + 1 == self.pause_at:
            with open(self.marker + ".tmp", "w") as f:
                f.write(str(self.pause_at))
            os.replace(self.marker + ".tmp", self.marker)
            time.sleep(600)  # the test kills this process here, in the middle of an epoch


def main(argv):
    backup_dir, out = argv[0], argv[1]
    pause_at = marker = wait_for = None
    if len(argv) > 2 and argv[2] == "--pause-at":
        pause_at, marker = int(argv[3]), argv[4]
    if len(argv) > 2 and argv[2] == "--wait-for":
        wait_for = argv[3]
    kiln.utils.set_random_seed(1234)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(STEPS * BATCH, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 1)) + 0.1 * rng.normal(size=(STEPS * BATCH, 1))).astype("float32")
    model = kiln.Sequential([kiln.Input((4,)), layers.Dense(16, activation="relu"), layers.Dropout(0.25),
                             layers.Dense(1)])
    model.compile(kiln.optimizers.Adam(0.01), "mse", metrics=["mae"])
    epoch_logs, trace = EpochLogs(), Trace(pause_at, marker)
    callbacks = [kiln.callbacks.BackupAndRestore(backup_dir, save_freq=SAVE_FREQ), epoch_logs, trace]
    while wait_for is not None and not os.path.exists(wait_for):
        time.sleep(0.05)
    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=True, callbacks=callbacks, verbose=0)
    arrays = [np.asarray(v.numpy()) for v in list(model.variables) + list(model.optimizer.variables)]
    np.savez(out + ".npz", *arrays)
    with open(out + ".json", "w") as f:
        json.dump({"epochs": trace.epochs, "first_batch": trace.first_batch, "batches": trace.batches,
                   "logs": epoch_logs.logs, "backup_left": os.path.exists(backup_dir)}, f)


if __name__ == "__main__":
    main(sys.argv[1:])
