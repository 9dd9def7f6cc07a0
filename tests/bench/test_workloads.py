"""Benchmark plumbing (never timings): the workload data is fixed and well formed."""

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import run as bench_run  # noqa: E402
from bench import workloads as W  # noqa: E402


@pytest.mark.parametrize("wid", sorted(W.WORKLOADS))
def test_data_is_deterministic_and_shaped(wid):
    x1, y1 = W.make_data(wid, 64)
    x2, y2 = W.make_data(wid, 64)
    assert x1.tobytes() == x2.tobytes() and y1.tobytes() == y2.tobytes()
    assert len(x1) == len(y1) == 64
    expected = {"W1": (64, 784), "W2": (64, 28, 28, 1), "W3": (64, W.LSTM_STEPS, W.LSTM_FEATURES),
                "W4": (64, W.SEQ_LEN), "W5": (64, 16)}[wid]
    assert x1.shape == expected
    if W.WORKLOADS[wid].loss == "mse":
        assert y1.shape == (64, 1) and y1.dtype == np.float32
    else:
        assert y1.shape == (64,) and y1.dtype == np.int32


def test_sizes_and_batches():
    for w in W.WORKLOADS.values():
        assert w.size("quick") <= w.size("default") <= w.size("full")
    assert W.WORKLOADS["W1"].full_samples == 30_000 and W.WORKLOADS["W1"].batch_size == 128
    assert W.batches(10, 4) == [(0, 4), (4, 8), (8, 10)]


def test_cli_rejects_bad_arguments():
    with pytest.raises(SystemExit):
        bench_run.main(["--workloads", "W9"])
    with pytest.raises(SystemExit):
        bench_run.main(["--backends", "mxnet"])
    with pytest.raises(SystemExit):
        bench_run.main(["--epochs", "2"])
