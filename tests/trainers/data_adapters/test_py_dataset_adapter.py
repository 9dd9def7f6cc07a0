"""PyDatasetAdapter: batch order with thread and process workers, shuffling, epoch hooks,
errors from ``__getitem__``, clean stops, and fit/evaluate/predict through a model."""

import math
import multiprocessing
import threading
import time

import numpy as np
import pytest

import kiln
from kiln.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

TRAINS = kiln.backend.backend() != "numpy"
needs_training = pytest.mark.skipif(not TRAINS, reason="numpy backend has no autodiff")

N, BATCH, FEATURES = 40, 8, 3
_rng = np.random.default_rng(11)
X = _rng.normal(size=(N, FEATURES)).astype("float32")
Y = (X @ np.array([[1.0], [-1.0], [2.0]], "float32") + 0.5).astype("float32")


class Batches(kiln.utils.PyDataset):
    """Batch ``i`` of X/Y, built from uint8 bytes as an image pipeline would; counts hook calls.

    Module level, so worker processes can import it.
    """

    def __init__(self, batch_size=BATCH, fail_at=None, delay=0.0, **kwargs):
        super().__init__(**kwargs)
        self.batch_size, self.fail_at, self.delay = batch_size, fail_at, delay
        self.seen, self.begun, self.ended = [], 0, 0

    def __len__(self):
        return math.ceil(N / self.batch_size)

    def __getitem__(self, index):
        self.seen.append(int(index))
        if index == self.fail_at:
            raise KeyError(f"no batch {index}")
        if self.delay:
            time.sleep(self.delay)
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return X[rows], Y[rows], np.full(len(X[rows]), float(index), "float32")

    def on_epoch_begin(self):
        self.begun += 1

    def on_epoch_end(self):
        self.ended += 1


class Endless(kiln.utils.PyDataset):
    """``num_batches`` None: batch ``i`` is all ``i``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    @property
    def num_batches(self):
        return None

    def __getitem__(self, index):
        self.seen.append(int(index))
        return np.full((4, FEATURES), float(index), "float32"), np.zeros((4, 1), "float32")


def _weights(batches):
    """The sample-weight column carries each batch's index."""
    return [int(sw[0]) for _, _, sw in batches]


def _model():
    model = kiln.Sequential([kiln.Input((FEATURES,)),
                             kiln.layers.Dense(1, kernel_initializer=kiln.initializers.RandomNormal(seed=2))])
    model.compile(optimizer=kiln.optimizers.SGD(0.1), loss="mse")
    return model


def _worker_threads():
    return [t for t in threading.enumerate() if t.name.startswith("kiln-PyDataset")]


def _kiln_children():
    return [p for p in multiprocessing.active_children() if p.name == "kiln-PyDataset"]


# -- order, shuffling, hooks ---------------------------------------------------------------------
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_threads_give_the_batches_in_index_order(workers):
    adapter = PyDatasetAdapter(Batches(workers=workers, max_queue_size=2))
    batches = list(adapter.numpy_batches())
    assert _weights(batches) == list(range(5))
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), X)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), Y)
    assert adapter.num_batches == 5 and adapter.batch_size is None
    assert not _worker_threads()


def test_shuffle_changes_the_order_and_covers_every_batch_once():
    dataset = Batches(batch_size=2, workers=2)  # 20 batches
    adapter = PyDatasetAdapter(dataset, shuffle=True)
    orders = [_weights(adapter.numpy_batches(epoch=e, seed=3)) for e in range(2)]
    for order in orders:
        assert sorted(order) == list(range(20))
        assert order != list(range(20))
    assert orders[0] != orders[1]  # a new order each epoch
    assert _weights(adapter.numpy_batches(epoch=1, seed=3)) == orders[1]  # fixed by (seed, epoch)
    assert _weights(PyDatasetAdapter(dataset).numpy_batches()) == list(range(20))


def test_epoch_hooks_are_called_once_per_epoch():
    dataset = Batches()
    adapter = PyDatasetAdapter(dataset)
    assert adapter.peek()[0].shape == (BATCH, FEATURES)
    assert (dataset.begun, dataset.ended) == (0, 0)  # peeking opens no epoch
    for epoch in range(2):
        assert len(list(adapter.numpy_batches(epoch))) == 5
        adapter.on_epoch_end()  # the trainer's call after the pass that already ended it
        assert (dataset.begun, dataset.ended) == (epoch + 1, epoch + 1)


def test_at_most_max_queue_size_batches_are_built_ahead():
    dataset = Batches(batch_size=2, workers=2, max_queue_size=3, delay=0.002)
    batches = PyDatasetAdapter(dataset).numpy_batches()
    for consumed in range(1, 21):
        next(batches)
        time.sleep(0.01)  # let the workers run as far ahead as they may
        assert max(dataset.seen) <= consumed - 1 + 3
    batches.close()


def test_an_endless_dataset_is_read_until_the_steps_run_out():
    dataset = Endless(workers=2)
    adapter = PyDatasetAdapter(dataset, steps=3)
    assert adapter.num_batches is None
    batches = adapter.numpy_batches()
    assert [int(next(batches)[0][0, 0]) for _ in range(7)] == list(range(7))
    batches.close()
    assert not _worker_threads()


# -- errors and clean stops -----------------------------------------------------------------------
@pytest.mark.parametrize("workers", [1, 2])
def test_a_getitem_error_surfaces_with_the_batch_index(workers):
    adapter = PyDatasetAdapter(Batches(workers=workers, fail_at=3))
    with pytest.raises(KeyError, match=r"Batches.__getitem__\(3\) raised KeyError: .no batch 3"):
        list(adapter.numpy_batches())
    assert not _worker_threads()


def test_an_abandoned_epoch_stops_its_threads():
    dataset = Batches(batch_size=1, workers=2, max_queue_size=4, delay=0.005)
    batches = PyDatasetAdapter(dataset).numpy_batches()
    next(batches)
    assert _worker_threads()
    batches.close()  # early stopping / a steps limit abandons the pass
    assert not _worker_threads()
    assert max(dataset.seen) <= 4  # nothing was built past the queue


def test_bad_datasets_are_refused_clearly():
    with pytest.raises(ValueError, match="is empty"):
        PyDatasetAdapter(type("Nothing", (Batches,), {"__len__": lambda self: 0})()).peek()
    unpicklable = Batches(workers=2, use_multiprocessing=True)
    unpicklable.lock = threading.Lock()
    with pytest.raises(TypeError, match="use_multiprocessing=True, so it must be picklable.*lock"):
        PyDatasetAdapter(unpicklable)
    with pytest.raises(TypeError, match="must be a PyDataset"):
        PyDatasetAdapter(3)


def test_worker_processes_match_one_worker_and_stop_on_close():
    dataset = Batches(workers=2, use_multiprocessing=True, max_queue_size=3)
    adapter = PyDatasetAdapter(dataset)
    try:
        reference = list(PyDatasetAdapter(Batches()).numpy_batches())
        for _ in range(2):  # a second epoch reuses the processes
            batches = list(adapter.numpy_batches())
            assert _weights(batches) == list(range(5))
            for got, expected in zip(batches, reference):
                for a, b in zip(got, expected):
                    np.testing.assert_array_equal(a, b)
        assert dataset.seen == []  # built in other processes, from a pickled copy
        assert dataset.ended == 2  # the hooks run here
        partial = adapter.numpy_batches()
        next(partial)
        partial.close()  # abandoned with batches in flight: the next pass is not disturbed
        dataset.fail_at = 2  # hooks are overridden: each pass sends a fresh copy
        with pytest.raises(KeyError, match=r"(?s)__getitem__\(2\) raised KeyError.*worker process"):
            list(adapter.numpy_batches())
        assert len(_kiln_children()) == 2
    finally:
        adapter.close()
    assert not _kiln_children()


# -- through the model ----------------------------------------------------------------------------
def test_predict_and_evaluate_with_two_workers_match_numpy():
    model = _model()
    kernel, bias = model.get_weights()
    expected = X @ kernel + bias
    out = model.predict(Batches(workers=2), verbose=0)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    dataset = Batches(workers=2)
    loss = model.evaluate(dataset, verbose=0)
    sw = np.repeat(np.arange(5.0), BATCH)
    # sum_over_batch_size: the weighted squared errors averaged over samples (all batches are full).
    assert loss == pytest.approx(np.mean(sw * (expected - Y)[:, 0] ** 2), rel=1e-4)
    assert dataset.ended == 1
    assert not _worker_threads()


@needs_training
def test_fit_with_workers_trains_exactly_as_one_worker():
    results = []
    for workers in (1, 2):
        kiln.backend.clear_session()
        kiln.utils.set_random_seed(0)  # the same shuffled order (fit shuffles by default) for both
        model = _model()
        dataset = Batches(workers=workers)
        history = model.fit(dataset, epochs=4, verbose=0)
        results.append((model.get_weights(), history.history["loss"], dataset))
    (w1, loss1, d1), (w2, loss2, d2) = results
    for a, b in zip(w1, w2):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(loss1, loss2, rtol=1e-6)
    assert loss1[-1] < 0.5 * loss1[0]  # it really trains
    assert (d2.begun, d2.ended) == (4, 4)
    assert d2.seen[0] == 0 and sorted(d2.seen[1:6]) == list(range(5)) and d2.seen[1:6] != list(range(5))
    assert not _worker_threads()


@needs_training
def test_fit_steps_per_epoch_and_early_stop():
    dataset = Endless(workers=2)
    model = _model()
    model.fit(dataset, epochs=2, steps_per_epoch=3, verbose=0)
    assert sorted(set(dataset.seen))[:6] == list(range(6))  # the stream continues across epochs

    class StopAfterOneBatch(kiln.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            self.model.stop_training = True

    dataset = Batches(batch_size=1, workers=2, max_queue_size=2)
    model.fit(dataset, epochs=3, shuffle=False, verbose=0, callbacks=[StopAfterOneBatch()])
    assert int(kiln.ops.convert_to_numpy(model.optimizer.iterations)) == 7
    assert max(dataset.seen) <= 3  # the abandoned epoch built at most the queue ahead
    assert not _worker_threads()


def test_worker_processes_through_the_model_and_none_left_after():
    """fit (predict on numpy) with process workers gives the one-worker result; fit's end stops them."""
    results = []
    for settings in ({"workers": 1}, {"workers": 2, "use_multiprocessing": True}):
        kiln.backend.clear_session()
        model = _model()
        if TRAINS:
            kiln.utils.set_random_seed(1)
            model.fit(Batches(**settings), epochs=2, verbose=0)
        results.append(model.predict(Batches(**settings), verbose=0))
        assert not _kiln_children()
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6, atol=1e-6)
