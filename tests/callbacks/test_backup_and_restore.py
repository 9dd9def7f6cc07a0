"""BackupAndRestore: a run killed mid-epoch (SIGKILL) resumes to the same final weights; backups are
atomic, survive a graceful failure stop, fall back to the previous one when the latest is damaged."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import kiln
from kiln import layers
from kiln.callbacks import backup_and_restore as bar

BACKEND = kiln.backend.backend()
needs_training = pytest.mark.skipif(BACKEND == "numpy", reason="numpy backend has no autodiff")
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resume_worker.py")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _deterministic():
    """Whether the math repeats bit for bit: always on jax (XLA), on CPU for torch and tensorflow."""
    if BACKEND == "torch":
        import torch

        return not torch.cuda.is_available()
    if BACKEND == "tensorflow":
        import tensorflow as tf

        return not tf.config.list_physical_devices("GPU")
    return True


# -- arguments --------------------------------------------------------------------------------
def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="BackupAndRestore: backup_dir"):
        kiln.callbacks.BackupAndRestore("")
    for bad in ("batch", 0, -2, 1.5, True):
        with pytest.raises(ValueError, match=r"save_freq must be 'epoch' or a positive integer.*received"):
            kiln.callbacks.BackupAndRestore("/tmp/x", save_freq=bad)
    cb = kiln.callbacks.BackupAndRestore("/tmp/x", save_freq=np.int64(4), double_checkpoint=1)
    assert (cb.save_freq, cb.double_checkpoint, cb.delete_checkpoint) == (4, True, True)


def test_callback_state_arrays_travel_in_the_npz():
    arrays = {}
    state = {"best": np.float32(0.5), "weights": [np.arange(3.0), np.ones((2, 2), "float32")], "n": 2}
    split = bar._split_arrays(state, arrays, "callback0")
    json.dumps(split)
    assert sorted(arrays) == ["callback0.0", "callback0.1"] and split["best"] == 0.5
    back = bar._join_arrays(json.loads(json.dumps(split)), arrays)
    np.testing.assert_array_equal(back["weights"][1], np.ones((2, 2), "float32"))
    assert back["weights"][1].dtype == np.float32 and back["n"] == 2


# -- the exact-resume test (issue item 5): SIGKILL in the middle of an epoch --------------------
def _start(args, log):
    env = dict(os.environ, KILN_BACKEND=BACKEND, OMP_NUM_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, WORKER] + [str(a) for a in args], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def _finish(proc, log_path, timeout=300):
    rc = proc.wait(timeout=timeout)
    with open(log_path) as f:
        assert rc == 0, f"worker failed (rc={rc}):\n{f.read()[-4000:]}"


@pytest.mark.slow
@needs_training
def test_sigkill_mid_epoch_then_resume_matches_uninterrupted_run(tmp_path):
    log = open(tmp_path / "worker.log", "w")
    marker, go = tmp_path / "paused", tmp_path / "go"
    # 3 epochs x 8 batches, a backup every 3 batches; killed after batch 14 of 24 (epoch 1, batch 5):
    # the newest backup is the one after batch 12 (epoch 1, 4 batches done). The rerun starts up at
    # the same time and waits for "go" (sent after the kill) before it calls fit.
    victim = _start([tmp_path / "backup", tmp_path / "resumed", "--pause-at", 14, marker], log)
    resumed = _start([tmp_path / "backup", tmp_path / "resumed", "--wait-for", go], log)
    sys.path.insert(0, os.path.dirname(WORKER))
    try:
        import resume_worker
    finally:
        sys.path.pop(0)
    resume_worker.main([str(tmp_path / "ref_backup"), str(tmp_path / "ref")])  # uninterrupted, in-process
    deadline = time.time() + 300
    while not marker.exists():
        assert victim.poll() is None, f"worker exited early:\n{(tmp_path / 'worker.log').read_text()[-4000:]}"
        assert time.time() < deadline, "the worker never reached the pause point"
        time.sleep(0.05)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    pointer = json.loads((tmp_path / "backup" / "checkpoint.json").read_text())
    assert {k: pointer["position"][k] for k in ("epoch", "step")} == {"epoch": 1, "step": 4}
    go.write_text("go")
    _finish(resumed, tmp_path / "worker.log")

    ref_run = json.loads((tmp_path / "ref.json").read_text())
    run = json.loads((tmp_path / "resumed.json").read_text())
    assert ref_run["epochs"] == [0, 1, 2] and ref_run["batches"] == 24
    # The rerun really resumed: it started in epoch 1 after the 4 backed-up batches.
    assert run["epochs"] == [1, 2] and run["first_batch"] == 4 and run["batches"] == 12
    assert not run["backup_left"] and not ref_run["backup_left"]  # deleted at the normal end
    # Per-epoch logs: the callback's state came back, and epoch 1's metrics carried on from the backup.
    assert sorted(run["logs"]) == ["0", "1", "2"]
    for epoch in ("0", "1", "2"):
        for key, value in ref_run["logs"][epoch].items():
            np.testing.assert_allclose(run["logs"][epoch][key], value, rtol=1e-6, err_msg=f"{epoch}/{key}")
    with np.load(tmp_path / "ref.npz") as ref, np.load(tmp_path / "resumed.npz") as got:
        assert ref.files == got.files
        for key in ref.files:
            if _deterministic():
                np.testing.assert_array_equal(got[key], ref[key], err_msg=key)
            else:
                np.testing.assert_allclose(got[key], ref[key], rtol=0, atol=1e-6, err_msg=key)


# -- in-process interruptions -----------------------------------------------------------------
X = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
Y = (X.sum(axis=1, keepdims=True) * 0.5).astype("float32")


class Crash(kiln.callbacks.Callback):
    """Raises (a stand-in for a crash) before batch ``batch`` of epoch ``epoch``."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.at = (epoch, batch)

    def on_train_batch_begin(self, batch, logs=None):
        if (self.model._fit_position["epoch"], batch) == self.at:
            raise KeyboardInterrupt("crash")


class Counter(kiln.callbacks.Callback):
    """Counts batches; its state (with an array) goes through the backup."""

    def __init__(self):
        super().__init__()
        self.count, self.trace = 0, np.zeros(2, "float32")

    def on_train_batch_end(self, batch, logs=None):
        self.count += 1
        self.trace = self.trace + 1

    def _get_state(self):
        return {"count": self.count, "trace": self.trace}

    def _set_state(self, state):
        self.count, self.trace = state["count"], state["trace"]


def _model():
    kiln.utils.set_random_seed(7)
    model = kiln.Sequential([kiln.Input((3,)), layers.Dense(4, activation="relu"), layers.Dropout(0.5),
                             layers.Dense(1)])
    # Eager steps: one compile per model would dominate these short runs (the subprocess test above
    # covers the compiled steps).
    model.compile(kiln.optimizers.Adam(0.05), "mse", metrics=["mae"], jit_compile=False)
    return model


def _fit(callbacks, y=Y, epochs=3, shuffle=True):
    model = _model()
    history = model.fit(X, y, batch_size=4, epochs=epochs, callbacks=callbacks, verbose=0, shuffle=shuffle)
    return model, history


def _crashed_fit(callbacks):
    with pytest.raises(KeyboardInterrupt):
        _fit(callbacks)


_REFERENCE = {}


def _reference():
    """The variables after an uninterrupted run (computed once per test session)."""
    if BACKEND not in _REFERENCE:
        _REFERENCE[BACKEND] = [np.asarray(v.numpy()) for v in _fit([])[0].variables]
    return _REFERENCE[BACKEND]


def _assert_same(model, reference):
    for got, want in zip([np.asarray(v.numpy()) for v in model.variables], reference):
        if _deterministic():
            np.testing.assert_array_equal(got, want)
        else:
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def _position(backup_dir):
    return json.loads((backup_dir / "checkpoint.json").read_text())["position"]


@needs_training
def test_epoch_backups_resume_at_the_next_epoch_with_callback_state(tmp_path):
    reference = _reference()
    backup_dir = tmp_path / "backup"
    _crashed_fit([kiln.callbacks.BackupAndRestore(backup_dir), Counter(), Crash(1, 2)])
    assert {k: _position(backup_dir)[k] for k in ("epoch", "step")} == {"epoch": 1, "step": 0}
    counter = Counter()
    model, history = _fit([kiln.callbacks.BackupAndRestore(backup_dir), counter])
    assert history.epoch == [1, 2]
    assert counter.count == 12 and counter.trace.tolist() == [12.0, 12.0]  # 4 restored + 8 run here
    _assert_same(model, reference)
    assert not backup_dir.exists()


@needs_training
def test_graceful_failure_stop_keeps_the_last_good_backup(tmp_path):
    y = Y.copy()
    y[9] = np.nan  # in the third batch
    backup_dir = tmp_path / "backup"
    model, _ = _fit([kiln.callbacks.BackupAndRestore(backup_dir, save_freq=1), kiln.callbacks.TerminateOnNaN()],
                    y=y, shuffle=False)
    assert model._stop_reason is not None and "invalid loss" in model._stop_reason
    assert backup_dir.is_dir(), "a failure stop must keep the backup"
    position = _position(backup_dir)
    assert (position["epoch"], position["step"]) == (0, 2)  # the two batches before the NaN one
    pointer = json.loads((backup_dir / "checkpoint.json").read_text())
    state, arrays = kiln.callbacks.BackupAndRestore(backup_dir)._read_backup(pointer["latest"])
    assert all(np.isfinite(arrays[f"model.{i}"]).all() for i in range(len(state["variables"]["model"])))


@needs_training
def test_double_checkpoint_falls_back_when_the_latest_is_damaged(tmp_path):
    reference = _reference()
    backup_dir = tmp_path / "backup"
    _crashed_fit([kiln.callbacks.BackupAndRestore(backup_dir, save_freq=3, double_checkpoint=True),
                  Crash(1, 3)])
    pointer = json.loads((backup_dir / "checkpoint.json").read_text())
    assert pointer["previous"] and sorted(os.listdir(backup_dir)) == sorted(
        ["checkpoint.json", pointer["latest"], pointer["previous"]])
    npz = backup_dir / pointer["latest"] / "variables.npz"
    data = bytearray(npz.read_bytes())
    data[len(data) // 2] ^= 0xFF
    npz.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match="cannot be read"):
        model, _ = _fit([kiln.callbacks.BackupAndRestore(backup_dir, save_freq=3, double_checkpoint=True)])
    _assert_same(model, reference)


@needs_training
def test_damaged_backup_without_fallback_is_a_clear_error(tmp_path):
    backup_dir = tmp_path / "backup"
    _crashed_fit([kiln.callbacks.BackupAndRestore(backup_dir, save_freq=2), Crash(0, 3)])
    pointer = json.loads((backup_dir / "checkpoint.json").read_text())
    assert pointer["previous"] is None and len(os.listdir(backup_dir)) == 2
    (backup_dir / pointer["latest"] / "variables.npz").write_bytes(b"not an npz")
    with pytest.raises(ValueError, match="no readable backup in .*checksum"):
        _fit([kiln.callbacks.BackupAndRestore(backup_dir, save_freq=2)])


@needs_training
@pytest.mark.parametrize("fail", ["writing the arrays", "naming the new backup"])
def test_a_save_killed_midway_leaves_the_previous_backup(tmp_path, monkeypatch, fail):
    reference = _reference()
    backup_dir = tmp_path / "backup"
    calls = []
    if fail == "writing the arrays":
        real = bar._write_npz

        def write(path, arrays):
            digest = real(path, arrays)
            calls.append(path)
            if len(calls) == 3:  # the third backup dies half-written
                os.truncate(path, os.path.getsize(path) // 2)
                raise KeyboardInterrupt("killed while writing")
            return digest

        monkeypatch.setattr(bar, "_write_npz", write)
    else:
        real = bar._replace_json

        def write(path, obj):
            calls.append(path)
            if len(calls) == 3:  # the backup folder is in place, the pointer not yet replaced
                raise KeyboardInterrupt("killed before the pointer moved")
            real(path, obj)

        monkeypatch.setattr(bar, "_replace_json", write)
    with pytest.raises(KeyboardInterrupt):
        _fit([kiln.callbacks.BackupAndRestore(backup_dir, save_freq=2)])
    monkeypatch.undo()
    # Backups after batches 2 and 4 (epoch 0, then epoch 1 step 0); the third one died.
    assert {k: _position(backup_dir)[k] for k in ("epoch", "step")} == {"epoch": 1, "step": 0}
    leftovers = [n for n in os.listdir(backup_dir) if n != "checkpoint.json"]
    assert len(leftovers) == 2  # the good backup + the debris of the killed save
    callback = kiln.callbacks.BackupAndRestore(backup_dir, save_freq=2, delete_checkpoint=False)
    model, history = _fit([callback])
    assert history.epoch == [1, 2]
    _assert_same(model, reference)
    # The next saves cleared the debris: one backup is left, at the end of training.
    assert len([n for n in os.listdir(backup_dir) if n != "checkpoint.json"]) == 1
    assert {k: _position(backup_dir)[k] for k in ("epoch", "step")} == {"epoch": 3, "step": 0}


@needs_training
def test_a_different_model_is_refused_before_any_assignment(tmp_path):
    backup_dir = tmp_path / "backup"
    _crashed_fit([kiln.callbacks.BackupAndRestore(backup_dir), Crash(1, 0)])
    model = kiln.Sequential([kiln.Input((3,)), layers.Dense(5), layers.Dropout(0.5), layers.Dense(1)])
    model.compile(kiln.optimizers.Adam(0.05), "mse", metrics=["mae"])
    callback = kiln.callbacks.BackupAndRestore(backup_dir)
    with pytest.raises(ValueError, match=r"BackupAndRestore: model variable 0 .*\(3, 5\) but the backup"):
        model.fit(X, Y, batch_size=4, epochs=2, verbose=0, callbacks=[callback])


@needs_training
def test_early_stopping_state_with_best_weights_survives_the_restart(tmp_path):
    def early_stopping():
        # mode="max" on a falling loss: the best epoch comes before the last, so the rerun (which only sees the
        # last epoch) gets it right only through the restored state (best weights included).
        return kiln.callbacks.EarlyStopping(monitor="loss", mode="max", patience=5, restore_best_weights=True)

    reference_es = early_stopping()
    reference = _fit([reference_es])[0].get_weights()
    backup_dir = tmp_path / "backup"
    _crashed_fit([kiln.callbacks.BackupAndRestore(backup_dir, save_freq=2), early_stopping(), Crash(2, 1)])
    es = early_stopping()
    model, history = _fit([es, kiln.callbacks.BackupAndRestore(backup_dir, save_freq=2)])
    assert history.epoch == [2]  # resumed in the last epoch
    assert (es.best, es.best_epoch) == (reference_es.best, reference_es.best_epoch) and es.best_epoch < 2
    for got, want in zip(model.get_weights(), reference):  # the best epoch's weights, restored at the end
        np.testing.assert_allclose(got, want, rtol=0, atol=0 if _deterministic() else 1e-6)
