"""``timeseries_dataset_from_array``: sliding windows over a timeseries, as a dataset.

The windows are computed once as start positions; each batch is then one NumPy fancy
index (``data[start + positions[:, None] + offsets]``), so no per-window Python work
is done. The result is a ``tf.data.Dataset`` when TensorFlow is the backend (or
``format="tf.data"``) and otherwise Kiln's backend-neutral dataset, which ``fit`` takes
without importing TensorFlow.

Example:
    >>> import numpy as np
    >>> ds = timeseries_dataset_from_array(np.arange(6), None, sequence_length=3,
    ...                                    batch_size=2, format="kiln")
    >>> [batch.tolist() for batch in ds]
    [[[0, 1, 2], [1, 2, 3]], [[2, 3, 4], [3, 4, 5]]]
"""

import numpy as np

from kiln.utils import dataset_utils

_CALLER = "timeseries_dataset_from_array"


def _as_array(value, name):
    if value is None:
        return None
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{_CALLER}: `{name}` must be an array (NumPy array, list or eager tensor), "
                         f"received {type(value).__name__}") from error
    if array.ndim == 0:
        raise ValueError(f"{_CALLER}: `{name}` must have a time axis (axis 0), received a scalar {value!r}")
    return array


def _check_int(value, name, minimum, allow_none=False):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{_CALLER}: `{name}` must be an int >= {minimum}"
                         f"{' or None' if allow_none else ''}, received {name}={value!r}")


def _check_indices(length, sequence_stride, sampling_rate, start_index, end_index):
    """Keras 3's argument rules for the window parameters (messages name each argument)."""
    if start_index is not None:
        _check_int(start_index, "start_index", 0)
        if start_index >= length:
            raise ValueError(f"{_CALLER}: `start_index` must be lower than the length of the data. "
                             f"Received: start_index={start_index}, for data of length {length}")
    if end_index is not None:
        if isinstance(end_index, bool) or not isinstance(end_index, (int, np.integer)) or end_index <= 0:
            raise ValueError(f"{_CALLER}: `end_index` must be an int higher than 0. Received: end_index={end_index!r}")
        if start_index and end_index <= start_index:
            raise ValueError(f"{_CALLER}: `end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index}")
        if end_index >= length:
            raise ValueError(f"{_CALLER}: `end_index` must be lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length {length}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        _check_int(value, name, 1)
        if value >= length:
            raise ValueError(f"{_CALLER}: `{name}` must be lower than the length of the data. "
                             f"Received: {name}={value}, for data of length {length}")


def window_positions(num_steps, num_targets, sequence_length, sequence_stride, sampling_rate):
    """Start positions (relative to ``start_index``) of every full window, in time order.

    A window starting at ``p`` covers steps ``p, p + sampling_rate, ...`` (``sequence_length``
    of them) and must end inside the ``num_steps`` usable steps; with targets, ``p`` must
    also index one of the ``num_targets`` usable targets.

    Example:
        >>> window_positions(10, None, 3, 2, 2).tolist()
        [0, 2, 4]
    """
    count = num_steps - (sequence_length - 1) * sampling_rate
    if num_targets is not None:
        count = min(count, num_targets)
    return np.arange(0, max(count, 0), sequence_stride, dtype="int64")


class TimeseriesDataset(dataset_utils.SampleDataset):
    """The backend-neutral dataset of windows (a :class:`SampleDataset`, i.e. a ``PyDataset``).

    Element ``i`` is ``window`` or ``(window, target)`` for the ``i``-th start position;
    batches are gathered with one fancy index each.

    Example:
        >>> import numpy as np
        >>> ds = TimeseriesDataset(np.arange(5) * 10, np.arange(5), np.array([0, 2]), 2, 1,
        ...                        batch_size=None)
        >>> [(w.tolist(), int(t)) for w, t in ds]
        [([0, 10], 0), ([20, 30], 2)]
    """

    def __init__(self, steps, targets, positions, sequence_length, sampling_rate, batch_size=128,
                 shuffle=False, seed=None):
        self.steps = steps
        self.targets = targets
        self.positions = positions
        self.offsets = np.arange(sequence_length, dtype="int64") * sampling_rate
        super().__init__(len(positions), self._element, batch_size=batch_size, shuffle=shuffle, seed=seed)

    def _gather(self, picked):
        windows = self.steps[self.positions[picked][..., None] + self.offsets]
        if self.targets is None:
            return windows
        return windows, self.targets[self.positions[picked]]

    def _element(self, index):
        return self._gather(index)

    def __getitem__(self, index):
        if self.batch_size is None:
            return super().__getitem__(index)
        count = len(self)
        if not isinstance(index, (int, np.integer)) or not -count <= index < count:
            raise IndexError(f"TimeseriesDataset: batch index {index!r} out of range for {count} batches")
        index = int(index) % count
        return self._gather(self._order[index * self.batch_size:(index + 1) * self.batch_size])

    def __repr__(self):
        return (f"<TimeseriesDataset windows={self.num_samples} window_length={len(self.offsets)} "
                f"batch_size={self.batch_size} shuffle={self.shuffle}>")


def _to_tf_dataset(steps, targets, positions, offsets, batch_size, shuffle, seed):
    """The same windows as a ``tf.data.Dataset`` (gathered in TensorFlow, batch by batch)."""
    import tensorflow as tf

    steps_t = tf.constant(steps)
    targets_t = None if targets is None else tf.constant(targets)
    offsets_t = tf.constant(offsets)

    def gather(start):
        windows = tf.gather(steps_t, tf.expand_dims(start, -1) + offsets_t)
        if targets_t is None:
            return windows
        return windows, tf.gather(targets_t, start)

    dataset = tf.data.Dataset.from_tensor_slices(tf.constant(positions))
    if shuffle:
        # Keras shuffles the windows locally again at every epoch.
        dataset = dataset.shuffle(buffer_size=batch_size * 8 if batch_size else 1024, seed=seed,
                                  reshuffle_each_iteration=True)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    dataset = dataset.map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None,
                                  format="tf"):
    """Creates a dataset of sliding windows over a timeseries provided as array.

    From a series of data points taken at equal intervals (axis 0 is time), builds
    windows (sequences) of ``sequence_length`` points, taking every ``sampling_rate``-th
    point, with a new window starting every ``sequence_stride`` points. Only full windows
    are made: trailing points that cannot complete one are dropped.

    Args:
        data: NumPy array (or list, or eager tensor) of consecutive data points; axis 0 is
            time.
        targets: targets of the windows: ``targets[i]`` belongs to the window that starts at
            index ``i``. None for a dataset of windows only.
        sequence_length: number of points in each window.
        sequence_stride: period between the starts of successive windows: windows start at
            ``data[i]``, ``data[i + s]``, ``data[i + 2 * s]``, ...
        sampling_rate: period between successive points within a window: a window starting
            at ``i`` holds ``data[i], data[i + r], ..., data[i + (sequence_length - 1) * r]``.
        batch_size: windows per batch (the last batch may be smaller); None yields single
            windows, unbatched.
        shuffle: whether to shuffle the windows (again at every epoch) instead of yielding
            them in time order.
        seed: random seed of the shuffling.
        start_index: points before this index are not used (e.g. to reserve them for
            validation). Must be in ``[0, len(data))``.
        end_index: points from this index on are not used (exclusive). Must be in
            ``(start_index, len(data))``.
        format: ``"tf"`` (default): a ``tf.data.Dataset`` when TensorFlow is the backend,
            else Kiln's backend-neutral dataset; ``"tf.data"``: always a ``tf.data.Dataset``;
            ``"grain"``: a grain ``IterDataset``; ``"kiln"``: always the neutral dataset.

    Returns:
        A dataset yielding ``(batch_of_windows, batch_of_targets)``, or only
        ``batch_of_windows`` when ``targets`` is None.

    Example:
        >>> import numpy as np
        >>> data = np.arange(10)
        >>> ds = timeseries_dataset_from_array(data[:-3], data[3:], sequence_length=3,
        ...                                    batch_size=None, format="kiln")
        >>> [(w.tolist(), int(t)) for w, t in ds][:2]
        [([0, 1, 2], 3), ([1, 2, 3], 4)]
        >>> ds = timeseries_dataset_from_array(data, None, sequence_length=3, sequence_stride=3,
        ...                                    sampling_rate=2, format="kiln")
        >>> next(iter(ds)).tolist()
        [[0, 2, 4], [3, 5, 7]]
    """
    dataset_utils.check_format(format, _CALLER)
    data = _as_array(data, "data")
    targets = _as_array(targets, "targets")
    _check_int(sequence_length, "sequence_length", 1)
    _check_int(batch_size, "batch_size", 1, allow_none=True)
    if seed is not None:
        _check_int(seed, "seed", 0)
    _check_indices(len(data), sequence_stride, sampling_rate, start_index, end_index)
    start = start_index or 0
    end = len(data) if end_index is None else end_index
    steps = data[start:end]
    used_targets = None if targets is None else targets[start:end]
    positions = window_positions(len(steps), None if targets is None else len(used_targets),
                                 sequence_length, sequence_stride, sampling_rate)
    if shuffle:
        if seed is None:
            seed = int(np.random.randint(1_000_000))
        np.random.RandomState(seed).shuffle(positions)
    backend_name = dataset_utils._backend_name()
    if format == "tf.data" or (format == "tf" and backend_name == "tensorflow"):
        offsets = np.arange(sequence_length, dtype="int64") * sampling_rate
        return _to_tf_dataset(steps, used_targets, positions, offsets, batch_size, shuffle, seed)
    dataset = TimeseriesDataset(steps, used_targets, positions, sequence_length, sampling_rate,
                                batch_size=batch_size, shuffle=shuffle, seed=seed)
    return dataset_utils.finalize_dataset(dataset, format, _CALLER)
