"""Save on one Kiln backend, load on every other: predictions, weights and optimizer state agree.

Each backend's run of the suite covers the pairs that backend saves: one
worker interpreter on the current backend trains a small model two steps with
Adam (numpy, which cannot train, saves it compiled and untrained), saves it to
``.keras`` and loads it back; one interpreter per other backend, started at
the same time, waits for the file and loads it. Over the four backends' runs
that is all 12 ordered pairs (plus each backend with itself). The loading side
predicts the saver's outputs on fixed inputs (atol 1e-5), holds the same
weights and optimizer variables under the same paths and order, takes an Adam
step from the restored moments and step count equal to NumPy's, and keeps
training where it can (the saver itself need not).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import kiln
from kiln import config

BACKENDS = ("jax", "torch", "tensorflow", "numpy")
SAVER = config.backend()
WORKER = Path(__file__).with_name("cross_backend_worker.py")
TIMEOUT_S = 600
KILN_ROOT = str(Path(kiln.__file__).resolve().parents[1])  # the workers import this same Kiln


def _worker(backend, folder, *args):
    """Start the worker on ``backend``; its output goes to a log file (no pipe to fill)."""
    env = dict(os.environ, KILN_BACKEND=backend, OMP_NUM_THREADS="1", PYTHONHASHSEED="0",
               PYTHONPATH=os.pathsep.join(filter(None, [KILN_ROOT, os.environ.get("PYTHONPATH")])))
    env.pop("KERAS_BACKEND", None)
    log_path = Path(folder) / f"{backend}_{args[0].strip('-')}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, str(WORKER), str(folder), *args], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    process.log_path = log_path
    return process


def _finish(process, what):
    try:
        process.wait(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        log = process.log_path.read_text()[-4000:]
        pytest.fail(f"{what} timed out after {TIMEOUT_S} s:\n{log}")
    assert process.returncode == 0, (f"{what} exited with {process.returncode}:\n"
                                     f"{process.log_path.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def exchanged(tmp_path_factory):
    """The folder where SAVER's file was written and loaded by every backend (reports inside)."""
    folder = tmp_path_factory.mktemp("cross_backend")
    saver = _worker(SAVER, folder, "--save", "--load", SAVER)
    # The loaders start at once (importing their framework meanwhile) and wait for the file.
    loaders = {b: _worker(b, folder, "--load", SAVER) for b in BACKENDS if b != SAVER}
    try:
        _finish(saver, f"saving on {SAVER}")
        for backend, process in loaders.items():
            _finish(process, f"loading {SAVER}'s file on {backend}")
    finally:
        for process in loaders.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("loader", BACKENDS, ids=lambda b: f"{SAVER}_to_{b}")
def test_saved_model_loads_on_backend(exchanged, loader):
    report_path = exchanged / f"{SAVER}_to_{loader}.json"
    assert report_path.is_file(), f"the {loader} worker wrote no report for {SAVER}'s file"
    report = json.loads(report_path.read_text())
    assert "error" not in report, (f"loading a model saved on {SAVER} failed on {loader}: "
                                   f"{report['error']}\n{report.get('traceback', '')}")
    assert report["prediction_shape"] == [4, 2]
    assert report["prediction_max_diff"] <= 1e-5, report["prediction_max_diff"]
    saved, loaded = report["saved_order"], report["loaded_order"]
    # Same variables, same paths, same order: what makes a file interchangeable.
    assert loaded == saved
    # iteration, learning rate, then a momentum and a velocity per trainable variable
    assert len(saved["optimizer"]) == 2 + 2 * len(saved["trainable"])
    assert set(report["weight_diffs"]) == set(saved["weights"])
    for path, diff in report["weight_diffs"].items():
        assert diff is not None and diff == 0.0, f"weight {path}: max difference {diff}"
    assert set(report["optimizer_diffs"]) == set(saved["optimizer"])
    for path, diff in report["optimizer_diffs"].items():
        assert diff is not None and diff == 0.0, f"optimizer variable {path}: max difference {diff}"
    # One Adam step from the restored state equals NumPy's Adam from the saver's state.
    assert set(report["adam_step_errors"]) == set(saved["trainable"])
    for path, error in report["adam_step_errors"].items():
        assert error <= 1e-5, f"{path}: the step after loading is off by {error}"
    if loader in ("numpy", SAVER):  # numpy cannot train; the saver trained this model itself
        assert "continued" not in report
        return
    continued = report["continued"]
    trained_before = 0 if SAVER == "numpy" else 2
    # The saver's steps plus the fixed-gradient one.
    assert continued["iterations_before"] == trained_before + 1
    assert continued["iterations_after"] == continued["iterations_before"] + 2
    assert continued["all_finite"] and np.all(np.isfinite(continued["loss"]))
