"""No hidden framework: data that does not come from TensorFlow (or torch) never imports it.

A fresh interpreter on the suite's backend (so each backend's run checks
itself once) trains, evaluates and predicts with NumPy arrays, pandas, a
generator, a ``PyDataset`` with two workers and the backend-neutral outputs
of ``kiln.utils`` (``timeseries_dataset_from_array``,
``image_dataset_from_directory`` on four PNGs, and reads
``text_dataset_from_directory`` / ``audio_dataset_from_directory``), then
checks ``sys.modules``: no ``tensorflow`` (unless it is the backend), no
``torch`` and no ``jax`` (unless it is the backend). Last it feeds a torch
DataLoader -- torch is then the user's own import -- and checks again that
``tensorflow`` stayed out. The numpy backend cannot train: it evaluates and
predicts.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kiln
from kiln import config

KILN_ROOT = str(Path(kiln.__file__).resolve().parents[1])  # the child imports this same Kiln
TIMEOUT_S = 300

CHILD = r'''
import json, os, sys, tempfile, wave
import numpy as np

import kiln
from kiln import layers

BACKEND = kiln.backend.backend()
TRAINS = BACKEND != "numpy"
FRAMEWORKS = ("tensorflow", "torch", "jax")
report = {"backend": BACKEND, "done": [], "leaks": [], "frameworks_at_start": []}
report["frameworks_at_start"] = [name for name in FRAMEWORKS if name in sys.modules]


def check(after, allowed):
    for name in FRAMEWORKS:
        if name != BACKEND and name not in allowed and name in sys.modules:
            report["leaks"].append(f"{name} was imported by the time {after} was done")


def dense_model(input_shape, units=1, loss="mse"):
    model = kiln.Sequential([kiln.Input(input_shape), layers.Flatten(), layers.Dense(units)])
    model.compile(optimizer="sgd", loss=loss)
    return model


def exercise(name, model, fit_args, eval_args, predict_args, fit_kwargs=None, rows=None):
    """fit + evaluate + predict on one input kind; records it as done."""
    if TRAINS:
        history = model.fit(*fit_args, epochs=2, verbose=0, **(fit_kwargs or {}))
        assert len(history.history["loss"]) == 2, history.history
    loss = model.evaluate(*eval_args, verbose=0)
    assert np.isfinite(loss), loss
    out = model.predict(*predict_args, verbose=0)
    if rows is not None:
        assert out.shape[0] == rows, (name, out.shape)
    report["done"].append(name)


rng = np.random.default_rng(0)
x = rng.normal(size=(32, 4)).astype("float32")
y = (x @ np.ones((4, 1))).astype("float32")

# One model for every kind that feeds the same (32, 4) -> (32, 1) regression: compiled once.
linear = dense_model((4,))
exercise("numpy", linear, (x, y), (x, y), (x,), {"batch_size": 8}, rows=32)

import pandas as pd

frame, series = pd.DataFrame(x), pd.Series(y[:, 0])  # targets of rank 1: a model of its own
exercise("pandas", dense_model((4,)), (frame, series), (frame, series), (frame,), {"batch_size": 8}, rows=32)


def batches(repeat=False):
    while True:
        for start in range(0, 32, 8):
            yield x[start:start + 8], y[start:start + 8]
        if not repeat:
            return


exercise("generator", linear, (batches(repeat=True),), (batches(),), (batches(),),
         {"steps_per_epoch": 4}, rows=32)


class Batches(kiln.utils.PyDataset):
    def __len__(self):
        return 4

    def __getitem__(self, index):
        return x[index * 8:(index + 1) * 8], y[index * 8:(index + 1) * 8]


exercise("PyDataset(workers=2)", linear, (Batches(workers=2),), (Batches(workers=2),),
         (Batches(workers=2),), rows=32)

series_data = rng.normal(size=(40, 2)).astype("float32")
windows = kiln.utils.timeseries_dataset_from_array(series_data, series_data[5:, 0], sequence_length=5,
                                                   batch_size=8)
exercise("timeseries_dataset_from_array", dense_model((5, 2)), (windows,), (windows,), (windows,), rows=35)

from PIL import Image

root = tempfile.mkdtemp()
for label in ("cats", "dogs"):
    os.makedirs(os.path.join(root, "images", label))
    os.makedirs(os.path.join(root, "texts", label))
    os.makedirs(os.path.join(root, "audio", label))
    for i in range(2):
        pixels = rng.integers(0, 255, size=(6, 5, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(os.path.join(root, "images", label, f"{i}.png"))
        with open(os.path.join(root, "texts", label, f"{i}.txt"), "w") as handle:
            handle.write(f"a {label} text number {i}")
        with wave.open(os.path.join(root, "audio", label, f"{i}.wav"), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(8000)
            handle.writeframes(rng.integers(-1000, 1000, size=40 + 10 * i, dtype=np.int16).tobytes())

images = kiln.utils.image_dataset_from_directory(os.path.join(root, "images"), image_size=(8, 8), batch_size=2,
                                                 seed=1)
exercise("image_dataset_from_directory", dense_model((8, 8, 3), units=2, loss="sparse_categorical_crossentropy"),
         (images,), (images,), (images,), rows=4)

texts = kiln.utils.text_dataset_from_directory(os.path.join(root, "texts"), batch_size=2, seed=1)
text_batches = list(texts)
assert sum(len(batch[0]) for batch in text_batches) == 4, text_batches
report["done"].append("text_dataset_from_directory")

sounds = kiln.utils.audio_dataset_from_directory(os.path.join(root, "audio"), batch_size=2, seed=1)
sound_batches = list(sounds)
assert sum(len(batch[0]) for batch in sound_batches) == 4, sound_batches
report["done"].append("audio_dataset_from_directory")

check("every non-torch input", allowed=())

import torch

loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                                     batch_size=8)
exercise("torch DataLoader", linear, (loader,), (loader,), (loader,), rows=32)
check("the torch DataLoader", allowed=("torch",))

print("REPORT " + json.dumps(report))
'''

EXPECTED_DONE = ["numpy", "pandas", "generator", "PyDataset(workers=2)", "timeseries_dataset_from_array",
                 "image_dataset_from_directory", "text_dataset_from_directory", "audio_dataset_from_directory",
                 "torch DataLoader"]


@pytest.mark.slow
def test_no_hidden_framework_imports():
    backend = config.backend()
    env = dict(os.environ, KILN_BACKEND=backend, OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [KILN_ROOT, os.environ.get("PYTHONPATH")])))
    env.pop("KERAS_BACKEND", None)
    result = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True,
                            timeout=TIMEOUT_S)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"the {backend} child failed:\n{output[-4000:]}"
    lines = [line for line in result.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, output[-4000:]
    report = json.loads(lines[-1][len("REPORT "):])
    assert report["backend"] == backend
    assert report["frameworks_at_start"] == ([] if backend == "numpy" else [backend])
    assert report["done"] == EXPECTED_DONE
    assert report["leaks"] == []
