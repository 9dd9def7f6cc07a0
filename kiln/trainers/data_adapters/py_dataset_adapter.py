"""``kiln.utils.PyDataset`` input: batches built by index, optionally by workers.

One pass calls ``dataset.on_epoch_begin()``, reads ``dataset[i]`` for every
batch index (in a shuffled order when asked) and, at the end of the epoch,
``dataset.on_epoch_end()``. With ``workers > 1`` the batches are built
concurrently by threads — or by worker processes with ``use_multiprocessing``
— and handed over in index order, at most ``max_queue_size`` of them built
ahead of training. Worker processes are started with ``forkserver`` (``spawn``
where that is missing), never by forking a process that runs jax, torch or
tensorflow threads, so the dataset must be picklable and its class importable (and a
script using them needs the usual ``if __name__ == "__main__":`` guard). The
processes get a pickled copy of the dataset, sent again each epoch when the
dataset overrides ``on_epoch_begin``/``on_epoch_end`` (which may change it).

An error raised by ``__getitem__`` surfaces in the training thread, with the
batch index in its message. Abandoning an epoch (early stopping, a ``steps``
limit, an error) stops its threads; worker processes live until ``close()``.

Example:
    >>> import numpy as np
    >>> from kiln.utils import PyDataset
    >>> class Halves(PyDataset):
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, index):
    ...         return np.full((3, 1), index / 2), np.zeros((3, 1))
    >>> adapter = PyDatasetAdapter(Halves(workers=2))
    >>> [float(x[0, 0]) for x, y, sw in adapter.numpy_batches()]
    [0.0, 0.5]
"""

import collections
import concurrent.futures
import itertools
import multiprocessing
import pickle
import sys
import traceback
import weakref

import numpy as np

from kiln.trainers.data_adapters.data_adapter import DataAdapter, StructureCheck, element_to_triple

# How long a worker process may take to hand back a batch that nobody will use
# (an abandoned epoch) before the processes are stopped instead.
_DRAIN_TIMEOUT_S = 60.0


class PyDatasetAdapter(DataAdapter):
    """Epochs of a ``PyDataset`` as NumPy ``(x, y, sample_weight)`` triples.

    Args:
        x: a ``kiln.utils.PyDataset`` (anything with ``__getitem__`` and
            ``num_batches``/``__len__``). Its ``workers``,
            ``use_multiprocessing`` and ``max_queue_size`` decide how batches
            are built.
        batch_size: unused (each ``x[i]`` is a whole batch); accepted for the
            common adapter signature.
        steps: batches per epoch when ``x`` is infinite (``num_batches`` None);
            the trainer's epoch iterator applies it.
        shuffle: True visits the batch indices in a new order every epoch
            (fixed by the ``(seed, epoch)`` that ``numpy_batches`` receives).

    Example:
        >>> import numpy as np
        >>> from kiln.utils import PyDataset
        >>> class Three(PyDataset):
        ...     def __len__(self):
        ...         return 3
        ...     def __getitem__(self, index):
        ...         return np.full((2, 1), float(index))
        >>> adapter = PyDatasetAdapter(Three(), shuffle=True)
        >>> sorted(float(x[0, 0]) for x, _, _ in adapter.numpy_batches(epoch=0, seed=1))
        [0.0, 1.0, 2.0]
    """

    def __init__(self, x, batch_size=None, steps=None, shuffle=False):
        if not (hasattr(x, "__getitem__") and (hasattr(x, "num_batches") or hasattr(x, "__len__"))):
            raise TypeError(f"PyDatasetAdapter: `x` must be a PyDataset (with __getitem__ and __len__ or "
                            f"num_batches), received {type(x).__name__}")
        if steps is not None and int(steps) <= 0:
            raise ValueError(f"PyDatasetAdapter: `steps` must be a positive integer or None, received {steps}")
        if shuffle not in (True, False, "batch"):
            raise ValueError(f"PyDatasetAdapter: `shuffle` must be True or False, received {shuffle!r}")
        del batch_size  # every x[i] is a whole batch
        self.dataset = x
        self.shuffle = bool(shuffle)
        self.batch_size = None
        self.num_batches = _dataset_length(x)
        self.workers = int(getattr(x, "workers", 1) or 1)
        self.use_multiprocessing = bool(getattr(x, "use_multiprocessing", False))
        self.max_queue_size = max(1, int(getattr(x, "max_queue_size", 10) or 1))
        self._name = type(x).__name__
        self._check = StructureCheck(f"PyDataset {self._name}")
        self._rng = np.random.default_rng()
        self._epoch_open = False
        self._peeked = None
        self._processes = None
        self._payload = None
        if self.use_multiprocessing:
            self._payload = _pickled_dataset(x)

    # -- the DataAdapter interface ----------------------------------------------------------
    def peek(self):
        """The first batch (``x[0]``), read once without starting an epoch."""
        if self._peeked is None:
            if self.num_batches == 0:
                raise ValueError(f"The PyDataset {self._name} is empty: its length (num_batches) is 0")
            self._peeked = _fetch(self.dataset, 0)
        return self._peeked

    def numpy_batches(self, epoch=0, seed=None):
        """Yield one pass over the batches (endless when ``num_batches`` is None)."""
        indices = self._indices(epoch, seed)
        finished = False
        source = None
        try:
            self._begin_epoch()
            source = self._source(indices)
            for step, (index, triple) in enumerate(source):
                self._check.check(step, triple)
                if not self._epoch_open:
                    # A pass kept across epochs (steps_per_epoch): a new epoch starts here.
                    self._begin_epoch()
                yield triple
            finished = True
        finally:
            if source is not None:
                source.close()  # stops this pass's threads, drains process workers
            if finished:
                self.on_epoch_end()

    def on_epoch_end(self):
        """Call ``dataset.on_epoch_end()`` once for the epoch that is open."""
        if self._epoch_open:
            self._epoch_open = False
            self.dataset.on_epoch_end()

    def close(self):
        """Stop the worker processes (threads stop with their pass)."""
        processes, self._processes = self._processes, None
        if processes is not None:
            processes.shutdown()

    # -- one pass ------------------------------------------------------------------------------
    def _begin_epoch(self):
        if not self._epoch_open:
            self._epoch_open = True
            self.dataset.on_epoch_begin()

    def _indices(self, epoch, seed):
        if self.num_batches is None:
            return itertools.count()
        if not self.shuffle:
            return range(self.num_batches)
        rng = self._rng if seed is None else np.random.default_rng([int(seed), int(epoch)])
        return [int(i) for i in rng.permutation(self.num_batches)]

    def _source(self, indices):
        """A generator of ``(index, triple)`` in the order of ``indices``."""
        if self.use_multiprocessing:
            return self._from_processes(indices)
        if self.workers > 1:
            return _from_threads(self.dataset, indices, self.workers, self.max_queue_size)
        return _serially(self.dataset, indices)

    def _from_processes(self, indices):
        if self._processes is None or self._processes.broken:
            self._processes = _WorkerProcesses(self.workers, self._name)
        if _hooks_overridden(self.dataset):
            # on_epoch_begin/on_epoch_end may have changed the dataset: the workers get a fresh copy.
            self._payload = _pickled_dataset(self.dataset)
        self._processes.load(self._payload)
        return self._processes.batches(indices, self.dataset, self.max_queue_size)


def _dataset_length(x):
    count = x.num_batches if hasattr(x, "num_batches") else len(x)
    if count is None:
        return None
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
        raise ValueError(f"The PyDataset {type(x).__name__} must report its length (num_batches / __len__) as an "
                         f"int >= 0 or None (endless), received {count!r}")
    return int(count)


def _hooks_overridden(dataset):
    from kiln.utils.py_dataset import PyDataset

    cls = type(dataset)
    return any(getattr(cls, hook, None) is not getattr(PyDataset, hook, None)
               for hook in ("on_epoch_begin", "on_epoch_end"))


def _error_with_index(error, dataset_name, index, remote_traceback=None):
    """``error`` again (same type where possible), its message naming the batch index."""
    message = f"{dataset_name}.__getitem__({index}) raised {type(error).__name__}: {error}"
    if remote_traceback:
        message += f"\nTraceback in the worker process:\n{remote_traceback}"
    try:
        return type(error)(message)
    except Exception:
        return RuntimeError(message)


def _fetch(dataset, index):
    """``dataset[index]`` as a NumPy triple; errors name the index."""
    try:
        batch = dataset[index]
    except Exception as error:
        raise _error_with_index(error, type(dataset).__name__, index) from error
    return element_to_triple(batch)


def _serially(dataset, indices):
    for index in indices:
        yield index, _fetch(dataset, index)


def _from_threads(dataset, indices, workers, max_queue_size):
    """Batches built by ``workers`` threads, yielded in index order, at most ``max_queue_size`` ahead."""
    pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="kiln-PyDataset")
    pending = collections.deque()
    indices = iter(indices)
    try:
        for index in itertools.islice(indices, max_queue_size):
            pending.append(pool.submit(_fetch, dataset, index))
        while pending:
            triple = pending.popleft().result()  # _fetch's error (naming the index) is re-raised here
            for index in itertools.islice(indices, 1):
                pending.append(pool.submit(_fetch, dataset, index))
            yield None, triple
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)


def _pickled_dataset(dataset):
    name = type(dataset).__name__
    main = sys.modules.get("__main__")
    if type(dataset).__module__ == "__main__" and not getattr(main, "__file__", None):
        raise TypeError(
            f"PyDataset {name} has use_multiprocessing=True but its class is defined in an interactive session: "
            f"worker processes cannot import it. Define it in a module (or a script file), or set "
            f"use_multiprocessing=False to build batches in threads.")
    try:
        return pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:
        raise TypeError(
            f"PyDataset {name} has use_multiprocessing=True, so it must be picklable: each worker process "
            f"receives a pickled copy. Pickling it failed with {type(error).__name__}: {error}. Keep open files, "
            f"locks, generators and lambdas out of the dataset's attributes, define its class at module level, or "
            f"set use_multiprocessing=False.") from error


def _start_method():
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def _worker_process_main(connection, floatx):
    """A worker process: receives the pickled dataset, then batch indices; sends back NumPy triples."""
    from kiln import config

    config.set_floatx(floatx)
    dataset, load_error = None, None
    while True:
        try:
            kind, payload = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if kind == "stop":
            return
        if kind == "dataset":
            try:
                dataset, load_error = pickle.loads(payload), None
            except Exception as error:
                dataset, load_error = None, error
            continue
        try:
            if load_error is not None:
                raise RuntimeError(f"the worker process could not unpickle the dataset: "
                                   f"{type(load_error).__name__}: {load_error}") from load_error
            reply = ("ok", element_to_triple(dataset[payload]))
        except Exception as error:
            try:
                pickled_error = pickle.dumps(error)
            except Exception:
                pickled_error = None
            reply = ("error", (type(error).__name__, str(error), traceback.format_exc(), pickled_error))
        try:
            connection.send(reply)
        except Exception as error:  # e.g. an unpicklable batch
            connection.send(("error", (type(error).__name__, f"could not send the batch back: {error}",
                                       traceback.format_exc(), None)))


def _stop_processes(processes, connections):
    for connection in connections:
        try:
            connection.send(("stop", None))
        except Exception:
            pass
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)
    for connection in connections:
        connection.close()


class _WorkerProcesses:
    """``workers`` processes, each with its own pipe; batch k goes to process ``k % workers``,
    so reading the pipes in turn gives the batches back in order."""

    def __init__(self, workers, dataset_name):
        from kiln import config

        context = multiprocessing.get_context(_start_method())
        self.dataset_name = dataset_name
        self.broken = False
        self._loaded = None
        self._processes, self._connections = [], []
        for _ in range(workers):
            here, there = context.Pipe(duplex=True)
            process = context.Process(target=_worker_process_main, args=(there, config.floatx()), daemon=True,
                                      name="kiln-PyDataset")
            process.start()
            there.close()
            self._processes.append(process)
            self._connections.append(here)
        self._finalizer = weakref.finalize(self, _stop_processes, self._processes, self._connections)

    def load(self, payload):
        """Send the pickled dataset to every process (skipped when they already hold these bytes)."""
        if payload is self._loaded or payload == self._loaded:
            return
        for connection in self._connections:
            connection.send(("dataset", payload))
        self._loaded = payload

    def batches(self, indices, dataset, max_queue_size):
        workers = len(self._connections)
        indices = iter(indices)
        sent, received = 0, 0
        pending = collections.deque()
        try:
            for index in itertools.islice(indices, max_queue_size):
                self._connections[sent % workers].send(("get", index))
                pending.append(index)
                sent += 1
            while pending:
                index = pending.popleft()
                reply = self._receive(received % workers, index)
                received += 1
                for next_index in itertools.islice(indices, 1):
                    self._connections[sent % workers].send(("get", next_index))
                    pending.append(next_index)
                    sent += 1
                yield index, reply
        finally:
            # Replies still on their way belong to an abandoned epoch: read and drop them, so the
            # next pass starts with empty pipes.
            try:
                while pending:
                    pending.popleft()
                    connection = self._connections[received % workers]
                    if not connection.poll(_DRAIN_TIMEOUT_S):
                        raise TimeoutError
                    connection.recv()
                    received += 1
            except Exception:
                self.shutdown()

    def _receive(self, worker, index):
        try:
            kind, payload = self._connections[worker].recv()
        except (EOFError, OSError) as error:
            self.shutdown()
            raise RuntimeError(f"A worker process of PyDataset {self.dataset_name} died while building batch "
                               f"{index} (exit code {self._processes[worker].exitcode}).") from error
        if kind == "ok":
            return payload
        type_name, message, remote_traceback, pickled_error = payload
        error = None
        if pickled_error is not None:
            try:
                error = pickle.loads(pickled_error)
            except Exception:
                error = None
        if error is None:
            error = RuntimeError(f"{type_name}: {message}")
        raise _error_with_index(error, self.dataset_name, index, remote_traceback)

    def shutdown(self):
        self.broken = True
        self._finalizer()
