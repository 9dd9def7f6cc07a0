"""``PyDataset``: a Python class that hands ``fit`` one batch per index.

Subclass it, implement ``__getitem__(index)`` (one batch) and ``__len__`` (the
number of batches), and pass an instance to ``fit``/``evaluate``/``predict``.
``workers`` batches are prepared concurrently (threads, or processes with
``use_multiprocessing=True``), at most ``max_queue_size`` ahead of training.

Example:
    >>> import numpy as np
    >>> class Squares(PyDataset):
    ...     def __len__(self):
    ...         return 3
    ...     def __getitem__(self, index):
    ...         x = np.full((2, 1), float(index))
    ...         return x, x ** 2
    >>> [batch[1][0, 0] for batch in Squares()]
    [0.0, 1.0, 4.0]
"""


class PyDataset:
    """Base class for datasets that build each batch in Python.

    Args:
        workers: how many batches may be built at once (threads, or processes
            with ``use_multiprocessing=True``). 1 builds them in the training
            loop's thread.
        use_multiprocessing: build batches in worker processes (the dataset
            must then be picklable).
        max_queue_size: at most this many batches are prepared ahead.

    A subclass implements ``__getitem__(index)`` returning a batch — ``x``,
    ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` — and ``__len__`` (or the
    ``num_batches`` property; ``None`` means the dataset never ends and is read
    until ``steps_per_epoch``). ``on_epoch_begin``/``on_epoch_end`` are called
    around every epoch, e.g. to reshuffle.

    Example:
        >>> import numpy as np
        >>> class Ones(PyDataset):
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...     def __len__(self):
        ...         return 2
        ...     def __getitem__(self, index):
        ...         return np.ones((4, 3)), np.ones((4, 1))
        >>> Ones(workers=2).num_batches
        2
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        for name, value, minimum in (("workers", workers, 1), ("max_queue_size", max_queue_size, 1)):
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                raise ValueError(f"PyDataset: `{name}` must be an int >= {minimum}, received {value!r}")
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size

    def _settings(self):
        # A subclass that forgot super().__init__() still gets Keras' defaults.
        return (self.__dict__.get("_workers", 1), self.__dict__.get("_use_multiprocessing", False),
                self.__dict__.get("_max_queue_size", 10))

    @property
    def workers(self):
        """How many batches may be built at once."""
        return self._settings()[0]

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        """Whether workers are processes rather than threads."""
        return self._settings()[1]

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = bool(value)

    @property
    def max_queue_size(self):
        """At most this many batches are prepared ahead of training."""
        return self._settings()[2]

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        """Return batch number ``index``."""
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index) returning one batch")

    @property
    def num_batches(self):
        """The number of batches per epoch (``len(self)``), or None when the dataset never ends."""
        if type(self).__len__ is not PyDataset.__len__:
            return len(self)
        return None

    def __len__(self):
        raise NotImplementedError(
            f"{type(self).__name__} must implement __len__ (the number of batches) or the num_batches property")

    def on_epoch_begin(self):
        """Called before each epoch."""

    def on_epoch_end(self):
        """Called after each epoch (e.g. to reshuffle)."""

    def __iter__(self):
        count = self.num_batches
        index = 0
        while count is None or index < count:
            try:
                batch = self[index]
            except IndexError:
                if count is None:
                    return
                raise
            yield batch
            index += 1
