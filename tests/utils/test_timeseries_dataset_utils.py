"""``timeseries_dataset_from_array``: windows and targets against a NumPy recomputation,
both return paths (neutral dataset and tf.data), shuffling, argument errors, and ``fit``."""

import os
import subprocess
import sys

import numpy as np
import pytest

import kiln
from kiln.utils import timeseries_dataset_from_array

BACKEND = kiln.backend.backend()


def expected_windows(data, targets, length, stride=1, rate=1, start=None, end=None):
    """Every full window (and its target) by walking the series, one window at a time."""
    first = start or 0
    stop = len(data) if end is None else end
    windows, window_targets = [], []
    begin = first
    while begin + (length - 1) * rate < stop:
        if targets is not None and begin >= min(stop, len(targets)):
            break
        windows.append(np.stack([data[begin + k * rate] for k in range(length)]))
        if targets is not None:
            window_targets.append(targets[begin])
        begin += stride
    return windows, window_targets


def collect(dataset, with_targets, batched=True):
    """(windows, targets, batch sizes) of one pass; tf tensors become NumPy."""
    windows, targets, sizes = [], [], []
    for element in dataset:
        if with_targets:
            x, y = element
        else:
            x, y = element, None
        x = np.asarray(x)
        if batched:
            sizes.append(len(x))
            windows.extend(list(x))
            if y is not None:
                targets.extend(list(np.asarray(y)))
        else:
            windows.append(x)
            if y is not None:
                targets.append(np.asarray(y))
    return windows, targets, sizes


CASES = [
    # sequence_length, sequence_stride, sampling_rate, start_index, end_index, batch_size
    (4, 1, 1, None, None, 5),
    (5, 3, 2, None, None, 4),
    (3, 2, 3, 4, None, 3),
    (4, 1, 2, 2, 30, 8),
    (6, 4, 1, None, 25, 128),
    (2, 5, 1, 7, 33, 2),
]


@pytest.mark.parametrize("length,stride,rate,start,end,batch_size", CASES)
def test_windows_and_targets_match_numpy(length, stride, rate, start, end, batch_size):
    data = np.arange(40 * 2, dtype="float32").reshape(40, 2)
    targets = np.arange(40) * 10
    ds = timeseries_dataset_from_array(data, targets, sequence_length=length, sequence_stride=stride,
                                       sampling_rate=rate, batch_size=batch_size, start_index=start,
                                       end_index=end, format="kiln")
    windows, window_targets, sizes = collect(ds, with_targets=True)
    want, want_targets = expected_windows(data, targets, length, stride, rate, start, end)
    assert len(windows) == len(want) > 0
    np.testing.assert_array_equal(np.stack(windows), np.stack(want))
    np.testing.assert_array_equal(np.asarray(window_targets), np.asarray(want_targets))
    assert np.stack(windows).dtype == np.float32
    # Full batches except possibly the last one.
    assert all(size == batch_size for size in sizes[:-1]) and 0 < sizes[-1] <= batch_size
    assert len(ds) == len(sizes)


def test_docstring_example_one_indices():
    """Indices 0..98, length 10, rate 2, stride 3: first, second and last windows as documented."""
    ds = timeseries_dataset_from_array(np.arange(99), None, sequence_length=10, sampling_rate=2,
                                       sequence_stride=3, format="kiln")
    windows, _, _ = collect(ds, with_targets=False)
    assert windows[0].tolist() == list(range(0, 20, 2))
    assert windows[1].tolist() == list(range(3, 23, 2))
    assert windows[-1].tolist() == list(range(78, 98, 2))
    assert len(windows) == 27


def test_temporal_regression_alignment():
    """Past 10 steps predict the next one: data[:-10] with targets data[10:]."""
    data = np.arange(30)
    ds = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10, batch_size=None,
                                       format="kiln")
    windows, targets, _ = collect(ds, with_targets=True, batched=False)
    assert len(windows) == 11
    for window, target in zip(windows, targets):
        assert window.shape == (10,)
        assert int(target) == int(window[-1]) + 1


def test_unbatched_and_no_targets():
    data = np.random.RandomState(0).rand(12, 3)
    ds = timeseries_dataset_from_array(data, None, sequence_length=4, batch_size=None, format="kiln")
    windows, _, _ = collect(ds, with_targets=False, batched=False)
    want, _ = expected_windows(data, None, 4)
    assert [w.shape for w in windows] == [(4, 3)] * 9
    np.testing.assert_array_equal(np.stack(windows), np.stack(want))


def test_too_short_series_gives_no_windows():
    ds = timeseries_dataset_from_array(np.arange(5), None, sequence_length=8, format="kiln")
    assert len(ds) == 0
    assert list(ds) == []


def test_shuffle_with_seed_covers_every_window_once_and_reshuffles_each_epoch():
    data = np.arange(200)
    targets = data * 3
    kwargs = dict(sequence_length=5, sequence_stride=2, sampling_rate=1, batch_size=16, shuffle=True,
                  seed=7, format="kiln")
    ds = timeseries_dataset_from_array(data, targets, **kwargs)
    first, first_targets, _ = collect(ds, with_targets=True)
    second, _, _ = collect(ds, with_targets=True)
    want, _ = expected_windows(data, targets, 5, 2)
    as_rows = lambda ws: sorted(tuple(w.tolist()) for w in ws)  # noqa: E731
    assert as_rows(first) == as_rows(want) == as_rows(second)
    # Each window still comes with its own target.
    assert all(int(t) == 3 * int(w[0]) for w, t in zip(first, first_targets))
    starts = [int(w[0]) for w in first]
    assert starts != sorted(starts), "shuffle=True yielded the windows in time order"
    assert [int(w[0]) for w in second] != starts, "the order was not drawn again for the second epoch"
    # The same seed gives the same order.
    again, _, _ = collect(timeseries_dataset_from_array(data, targets, **kwargs), with_targets=True)
    assert [int(w[0]) for w in again] == starts


@pytest.mark.parametrize("shuffle", [False, True])
def test_tf_data_path_yields_the_same_windows(shuffle):
    tf = pytest.importorskip("tensorflow")
    data = np.arange(60, dtype="float32").reshape(30, 2)
    targets = np.arange(30, dtype="int32")
    kwargs = dict(sequence_length=4, sequence_stride=2, sampling_rate=2, batch_size=3, shuffle=shuffle,
                  seed=3, start_index=1, end_index=28)
    neutral = timeseries_dataset_from_array(data, targets, format="kiln", **kwargs)
    tf_ds = timeseries_dataset_from_array(data, targets, format="tf.data", **kwargs)
    assert isinstance(tf_ds, tf.data.Dataset)
    a, at, a_sizes = collect(neutral, with_targets=True)
    b, bt, b_sizes = collect(tf_ds, with_targets=True)
    assert a_sizes == b_sizes
    assert np.stack(b).dtype == np.float32 and np.asarray(bt).dtype == np.int32
    if shuffle:
        pairs = lambda ws, ts: sorted((tuple(w.ravel().tolist()), int(t)) for w, t in zip(ws, ts))  # noqa: E731
        assert pairs(a, at) == pairs(b, bt)
    else:
        np.testing.assert_array_equal(np.stack(a), np.stack(b))
        np.testing.assert_array_equal(np.asarray(at), np.asarray(bt))
    # Unbatched tf.data elements are single windows.
    single = timeseries_dataset_from_array(data, None, sequence_length=4, batch_size=None, format="tf.data")
    assert tuple(next(iter(single)).shape) == (4, 2)


def test_default_format_follows_the_backend():
    ds = timeseries_dataset_from_array(np.arange(10), None, sequence_length=3)
    if BACKEND == "tensorflow":
        import tensorflow as tf

        assert isinstance(ds, tf.data.Dataset)
    else:
        assert isinstance(ds, kiln.utils.PyDataset)


def test_neutral_path_never_imports_tensorflow():
    # Under the tensorflow backend TensorFlow is loaded anyway: check the numpy backend instead.
    backend = "numpy" if BACKEND == "tensorflow" else BACKEND
    code = (
        "import sys, numpy as np, kiln\n"
        "ds = kiln.utils.timeseries_dataset_from_array(np.arange(20.0), np.arange(20.0), 4, batch_size=4,"
        " shuffle=True, seed=1)\n"
        "n = sum(len(x) for x, y in ds)\n"
        "assert n == 17, n\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n"
        "print('ok')\n")
    env = dict(os.environ, KILN_BACKEND=backend, OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-2000:]


def test_fit_and_predict_on_the_neutral_dataset():
    rng = np.random.RandomState(0)
    series = rng.rand(80, 2).astype("float32")
    targets = series[:, :1] * 2.0
    ds = timeseries_dataset_from_array(series, targets, sequence_length=5, batch_size=16, shuffle=True, seed=0,
                                       format="kiln")
    model = kiln.Sequential([kiln.Input((5, 2)), kiln.layers.Flatten(), kiln.layers.Dense(1)])
    windows_only = timeseries_dataset_from_array(series, None, sequence_length=5, batch_size=16, format="kiln")
    if BACKEND == "numpy":
        predictions = model.predict(windows_only, verbose=0)
        assert predictions.shape == (76, 1)
        pytest.skip("numpy backend has no autodiff")
    model.compile(optimizer=kiln.optimizers.SGD(0.1), loss="mse")
    history = model.fit(ds, epochs=3, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 3 and all(np.isfinite(losses))
    assert losses[-1] < losses[0]
    assert model.predict(windows_only, verbose=0).shape == (76, 1)


@pytest.mark.parametrize("kwargs,argument", [
    (dict(sampling_rate=0), "sampling_rate"),
    (dict(sampling_rate=20), "sampling_rate"),
    (dict(sequence_stride=0), "sequence_stride"),
    (dict(sequence_stride=20), "sequence_stride"),
    (dict(start_index=-1), "start_index"),
    (dict(start_index=20), "start_index"),
    (dict(start_index=5, end_index=5), "end_index"),
    (dict(end_index=20), "end_index"),
    (dict(end_index=0), "end_index"),
    (dict(sequence_length=0), "sequence_length"),
    (dict(batch_size=0), "batch_size"),
    (dict(format="torch"), "format"),
])
def test_bad_arguments_raise_naming_the_argument(kwargs, argument):
    arguments = dict(sequence_length=3)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=argument) as info:
        timeseries_dataset_from_array(np.arange(20), None, **arguments)
    assert "timeseries_dataset_from_array" in str(info.value)
