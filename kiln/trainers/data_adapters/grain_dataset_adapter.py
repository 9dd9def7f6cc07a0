"""grain input (``MapDataset``, ``IterDataset``, ``DataLoader``) on any backend.

The user batched the grain pipeline (``dataset.batch(n)`` or a
``grain.transforms.Batch`` operation); each element is ``(x,)``, ``(x, y)``,
``(x, y, sample_weight)`` or a bare ``x`` (an array or a dict of arrays).
grain is not imported here: the object the user handed us comes from it.
(Importing grain itself pulls in jax, not TensorFlow.)

Example:
    >>> import grain, numpy as np  # doctest: +SKIP
    >>> ds = grain.MapDataset.source(np.arange(10.0)).batch(4)  # doctest: +SKIP
    >>> adapter = GrainDatasetAdapter(ds)  # doctest: +SKIP
    >>> adapter.num_batches, [x.tolist() for x, y, sw in adapter.numpy_batches()][-1]  # doctest: +SKIP
    (3, [8.0, 9.0])
"""

import sys

from kiln.trainers.data_adapters.data_adapter import DataAdapter, StructureCheck, element_to_triple, module_object

_GRAIN_KINDS = ("MapDataset", "IterDataset", "DataLoader")


def is_grain_dataset(x):
    """True for a grain ``MapDataset``, ``IterDataset`` or ``DataLoader`` (checked without importing grain).

    Example:
        >>> is_grain_dataset([1, 2, 3])
        False
    """
    kinds = tuple(kind for kind in (module_object("grain", name) for name in _GRAIN_KINDS) if kind is not None)
    return bool(kinds) and isinstance(x, kinds)


class GrainDatasetAdapter(DataAdapter):
    """Epochs of a batched grain dataset as NumPy ``(x, y, sample_weight)`` triples.

    Args:
        x: a ``grain.MapDataset``, ``grain.IterDataset`` or ``grain.DataLoader``
            whose elements are batches.
        batch_size: ignored: the pipeline batches itself.
        steps: ``steps_per_epoch`` (or evaluate/predict ``steps``), required
            for an endlessly repeated ``MapDataset``. The trainer's
            ``EpochIterator`` cuts the stream into epochs of ``steps``
            batches; ``numpy_batches`` itself is one full pass.
        shuffle: ignored: the pipeline decides its order (``dataset.shuffle``
            or the DataLoader's sampler).

    ``num_batches`` is ``len(dataset)`` for a finite ``MapDataset``, else None.

    Example:
        >>> import grain, numpy as np  # doctest: +SKIP
        >>> ds = grain.MapDataset.source([{"a": np.ones(2)}] * 5).batch(2)  # doctest: +SKIP
        >>> x, y, sw = GrainDatasetAdapter(ds).peek()  # doctest: +SKIP
        >>> x["a"].shape, x["a"].dtype  # doctest: +SKIP
        ((2, 2), dtype('float32'))
    """

    def __init__(self, x, batch_size=None, steps=None, shuffle=False):
        if not is_grain_dataset(x):
            raise TypeError(
                "GrainDatasetAdapter: `x` must be a grain MapDataset, IterDataset or DataLoader, "
                f"received {type(x).__name__}")
        if steps is not None and int(steps) <= 0:
            raise ValueError(f"GrainDatasetAdapter: `steps` must be a positive integer or None, received {steps}")
        self._dataset = x
        self._steps = None if steps is None else int(steps)
        length = None
        if isinstance(x, sys.modules["grain"].MapDataset):
            length = len(x)
            if length >= sys.maxsize:  # `MapDataset.repeat()` without a count reports sys.maxsize
                length = None
        if length is None and self._steps is None and isinstance(x, sys.modules["grain"].MapDataset):
            raise ValueError(
                "GrainDatasetAdapter: the grain MapDataset repeats forever, so an epoch never ends: pass "
                "`steps_per_epoch` to fit (or `steps` to evaluate/predict)")
        self.num_batches = length
        self._structure = StructureCheck("grain dataset")

    def numpy_batches(self, epoch=0, seed=None):
        """Yield one pass over the pipeline as NumPy triples (``seed`` is unused: the pipeline owns its order)."""
        for step, element in enumerate(self._dataset):
            triple = element_to_triple(element)
            self._structure.check(step, triple)
            yield triple
