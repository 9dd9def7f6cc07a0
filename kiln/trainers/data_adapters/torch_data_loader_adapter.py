"""``torch.utils.data.DataLoader`` and torch ``Dataset`` input, on any backend.

A DataLoader's batches are used as it yields them. A map-style ``Dataset`` is
batched here (``batch_size``, default 32) and shuffled when asked, with an
order fixed by ``(seed, epoch)``; an ``IterableDataset`` is batched in stream
order. Tensors reach the trainer as NumPy arrays, so torch data feeds a jax or
tensorflow model too. torch itself is only touched because the user handed us
a torch object (it is already in ``sys.modules``).

Example:
    >>> import torch  # doctest: +SKIP
    >>> ds = torch.utils.data.TensorDataset(torch.ones(10, 2), torch.zeros(10))  # doctest: +SKIP
    >>> adapter = TorchDataLoaderAdapter(ds, batch_size=4)  # doctest: +SKIP
    >>> adapter.num_batches, [x.shape for x, y, sw in adapter.numpy_batches()]  # doctest: +SKIP
    (3, [(4, 2), (4, 2), (2, 2)])
"""

import math
import sys
import weakref

import numpy as np

from kiln.trainers.data_adapters.data_adapter import DataAdapter, StructureCheck, element_to_triple, module_object


def is_torch_data(x):
    """True for a torch ``DataLoader`` or ``Dataset`` (checked without importing torch).

    Example:
        >>> is_torch_data([1, 2, 3])
        False
    """
    kinds = tuple(kind for kind in (module_object("torch", "utils.data.DataLoader"),
                                    module_object("torch", "utils.data.Dataset")) if kind is not None)
    return bool(kinds) and isinstance(x, kinds)


class TorchDataLoaderAdapter(DataAdapter):
    """Epochs of a torch ``DataLoader`` (or ``Dataset``) as NumPy ``(x, y, sample_weight)`` triples.

    Args:
        x: a ``torch.utils.data.DataLoader``, a map-style ``Dataset`` or an
            ``IterableDataset``. Elements (batches) are ``(x,)``, ``(x, y)``,
            ``(x, y, sample_weight)`` or a bare ``x``; dicts, lists and tuples of
            tensors are converted leaf by leaf.
        batch_size: samples per batch for a ``Dataset`` (default 32); ignored
            for a DataLoader, which batches itself.
        steps: ``steps_per_epoch`` (or evaluate/predict ``steps``): the
            trainer's ``EpochIterator`` cuts the stream into epochs of ``steps``
            batches; ``numpy_batches`` itself is one full pass.
        shuffle: for a map-style ``Dataset``: True reshuffles the samples each
            epoch, ``"batch"`` shuffles the order of fixed batches. Ignored for a
            DataLoader (its sampler decides) and an ``IterableDataset`` (a stream).

    ``num_batches`` is ``len(loader)`` when the dataset has a length, else None.

    Example:
        >>> import torch  # doctest: +SKIP
        >>> loader = torch.utils.data.DataLoader(torch.arange(6.0).reshape(6, 1), batch_size=4)  # doctest: +SKIP
        >>> [x[:, 0].tolist() for x, y, sw in TorchDataLoaderAdapter(loader).numpy_batches()]  # doctest: +SKIP
        [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0]]
    """

    def __init__(self, x, batch_size=None, steps=None, shuffle=False):
        if not is_torch_data(x):
            raise TypeError(
                "TorchDataLoaderAdapter: `x` must be a torch.utils.data.DataLoader or Dataset, "
                f"received {type(x).__name__}")
        if steps is not None and int(steps) <= 0:
            raise ValueError(f"TorchDataLoaderAdapter: `steps` must be a positive integer or None, received {steps}")
        if shuffle not in (True, False, "batch"):
            raise ValueError(f"TorchDataLoaderAdapter: `shuffle` must be True, False or 'batch', received {shuffle!r}")
        data = sys.modules["torch"].utils.data
        self._data = data
        self._rng = np.random.default_rng()
        self._loader = None
        self._dataset = None
        if isinstance(x, data.DataLoader):
            self._loader = x
            self.batch_size = x.batch_size
            self._shuffle = False
            length = self._length(x)
        else:
            if batch_size is not None and int(batch_size) <= 0:
                raise ValueError(
                    f"TorchDataLoaderAdapter: `batch_size` must be a positive integer, received {batch_size}")
            self._dataset = x
            self.batch_size = int(batch_size or 32)
            self._iterable = isinstance(x, data.IterableDataset)
            self._shuffle = False if self._iterable else shuffle
            size = self._length(x)
            if size is None and not self._iterable:
                raise ValueError(
                    f"TorchDataLoaderAdapter: the map-style torch Dataset {type(x).__name__} defines no __len__, so "
                    "its samples cannot be indexed in order: define __len__, or make it an IterableDataset")
            length = None if size is None else math.ceil(size / self.batch_size)
            self._num_samples = size
        self.num_batches = length
        self._running = weakref.WeakSet()
        self._structure = StructureCheck("torch DataLoader" if self._loader is not None else "torch Dataset")

    @staticmethod
    def _length(sized):
        try:
            return len(sized)
        except TypeError:  # an IterableDataset (or a loader over one) without __len__
            return None

    def _epoch_loader(self, epoch, seed):
        if self._loader is not None:
            return self._loader
        data = self._data
        if self._iterable or not self._shuffle:
            return data.DataLoader(self._dataset, batch_size=self.batch_size, shuffle=False)
        rng = self._rng if seed is None else np.random.default_rng([int(seed), int(epoch)])
        if self._shuffle == "batch":
            starts = rng.permutation(math.ceil(self._num_samples / self.batch_size)) * self.batch_size
            batches = [list(range(int(s), min(int(s) + self.batch_size, self._num_samples))) for s in starts]
            return data.DataLoader(self._dataset, batch_sampler=batches)
        generator = sys.modules["torch"].Generator()
        generator.manual_seed(int(rng.integers(0, 2**62)))
        return data.DataLoader(self._dataset, batch_size=self.batch_size, shuffle=True, generator=generator)

    def numpy_batches(self, epoch=0, seed=None):
        """Yield one epoch of NumPy triples; a shuffled ``Dataset`` order is fixed by ``(seed, epoch)``."""
        epoch_batches = self._epoch_batches(self._epoch_loader(epoch, seed))
        self._running.add(epoch_batches)
        return epoch_batches

    def _epoch_batches(self, loader):
        for step, element in enumerate(loader):
            triple = element_to_triple(element)
            self._structure.check(step, triple)
            yield triple

    def close(self):
        """Close unfinished epochs: their DataLoader iterators (and worker processes) end with them."""
        for epoch_batches in list(self._running):
            epoch_batches.close()
