"""Atomic saves: a save killed midway (SIGKILL) leaves the previous file intact and loadable.

A child interpreter on the current backend builds a model of about 16 MB and
saves it over a file this process wrote; the test kills it with SIGKILL as soon
as the save has started writing data into the folder. So that the kill can
never come too late, the child holds any rename onto the target (``os.replace``
/ ``os.rename``) until it is killed: the file on disk must then be, byte for
byte, the previous one — whether the kill came mid-write or just before the
rename. A later save over the leftovers still works.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import kiln

CHILD = r"""
import os, sys, time
target, signals = sys.argv[1], sys.argv[2]


def held(rename):
    def hold(src, dst, *args, **kwargs):
        if os.path.abspath(os.fspath(dst)) == os.path.abspath(target):
            open(os.path.join(signals, "at_rename"), "w").close()
            time.sleep(600)
        return rename(src, dst, *args, **kwargs)
    return hold


os.replace, os.rename = held(os.replace), held(os.rename)
import kiln

inputs = kiln.Input((1024,))
model = kiln.Model(inputs, kiln.layers.Dense(1024)(kiln.layers.Dense(2048)(inputs)))
open(os.path.join(signals, "saving"), "w").close()
if target.endswith(".keras"):
    model.save(target)
else:
    model.save_weights(target)
print("the save finished", flush=True)
"""


def _small_model():
    inputs = kiln.Input((3,))
    hidden = kiln.layers.Dense(4, name="hidden")(inputs)
    return kiln.Model(inputs, kiln.layers.Dense(2, name="out")(hidden))


def _kill_while_saving(target, tmp_path):
    """Start the child saving over ``target``; SIGKILL it once it writes. Returns when it died."""
    folder, signals = target.parent, tmp_path / "signals"
    signals.mkdir()
    before = set(os.listdir(folder))
    kiln_root = str(Path(kiln.__file__).resolve().parents[1])  # the child imports this same Kiln
    env = dict(os.environ, KILN_BACKEND=kiln.config.backend(), OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [kiln_root, os.environ.get("PYTHONPATH")])))
    log_path = tmp_path / "child.log"
    with open(log_path, "w") as log:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(target), str(signals)], env=env,
                                 stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    try:
        while True:
            if (signals / "at_rename").exists():
                stage = "just before the rename"
                break
            if (signals / "saving").exists():
                written = [n for n in os.listdir(folder)
                           if n not in before and _size(folder / n) > 0]
                if written:
                    stage = f"while writing {written}"
                    break
            if child.poll() is not None:
                pytest.fail(f"the saving child exited ({child.returncode}) before it could be "
                            f"killed:\n{log_path.read_text()[-4000:]}")
            if time.monotonic() > deadline:
                log = log_path.read_text()[-4000:]
                pytest.fail(f"the saving child never started writing:\n{log}")
            time.sleep(0.001)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL, log_path.read_text()[-4000:]
    assert "the save finished" not in log_path.read_text()
    return stage


def _size(path):
    try:
        return os.path.getsize(path)
    except OSError:  # renamed or removed meanwhile
        return 0


def _leftovers_are_hidden(folder, target):
    visible = [n for n in os.listdir(folder) if n != target.name and not n.startswith(".")]
    assert not visible, f"a killed save left visible files beside {target.name}: {visible}"


@pytest.mark.slow
@pytest.mark.parametrize("previous", [True, False], ids=["over_previous", "no_previous"])
def test_killed_model_save(tmp_path, previous):
    folder = tmp_path / "models"
    folder.mkdir()
    target = folder / "model.keras"
    x = np.linspace(-1, 1, 12, dtype="float32").reshape(4, 3)
    model = _small_model()
    expected = model.predict(x, verbose=0)
    if previous:
        model.save(target)
        saved_bytes = target.read_bytes()
    stage = _kill_while_saving(target, tmp_path)
    if previous:
        assert target.read_bytes() == saved_bytes, f"killed {stage}: the previous file changed"
        loaded = kiln.models.load_model(target)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-6,
                                   err_msg=f"killed {stage}")
    else:
        assert not target.exists(), f"killed {stage}: a half-written {target.name} appeared"
    _leftovers_are_hidden(folder, target)
    # A later save over the leftovers of the killed one works and replaces the file.
    other = _small_model()
    other.save(target)
    np.testing.assert_allclose(kiln.models.load_model(target).predict(x, verbose=0),
                               other.predict(x, verbose=0), atol=1e-6)


@pytest.mark.slow
def test_killed_weights_save(tmp_path):
    folder = tmp_path / "weights"
    folder.mkdir()
    target = folder / "model.weights.h5"
    model = _small_model()
    saved_values = [np.array(kiln.ops.convert_to_numpy(v.value)) for v in model.weights]
    model.save_weights(target)
    saved_bytes = target.read_bytes()
    stage = _kill_while_saving(target, tmp_path)
    assert target.read_bytes() == saved_bytes, f"killed {stage}: the previous file changed"
    for v in model.weights:
        v.assign(np.zeros(v.shape, dtype="float32"))
    model.load_weights(target)
    for v, value in zip(model.weights, saved_values):
        np.testing.assert_array_equal(kiln.ops.convert_to_numpy(v.value), value,
                                      err_msg=f"{v.path}, killed {stage}")
    _leftovers_are_hidden(folder, target)
    # A later save over the leftovers of the killed one works and replaces the file.
    for v in model.weights:
        v.assign(np.full(v.shape, 0.5, dtype="float32"))
    model.save_weights(target)
    for v in model.weights:
        v.assign(np.zeros(v.shape, dtype="float32"))
    model.load_weights(target)
    for v in model.weights:
        np.testing.assert_array_equal(kiln.ops.convert_to_numpy(v.value),
                                      np.full(v.shape, 0.5, "float32"))
