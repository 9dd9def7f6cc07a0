"""Python generators and other iterators: every element is one batch.

An element is ``(x,)``, ``(x, y)``, ``(x, y, sample_weight)`` or a bare ``x``
(an array, or a dict/list of arrays for a multi-input model). A generator is
read once: epochs continue where the previous one stopped, and when it runs
dry training ends (give ``steps_per_epoch`` to read it in epochs of that many
batches). An iterable whose ``iter()`` returns a fresh iterator each time (a
class defining ``__iter__``) is instead read from its start every epoch.

Every element must have the structure of the first one; an element that
differs raises an error naming its step and both structures.

Example:
    >>> import numpy as np
    >>> def batches():
    ...     for i in range(3):
    ...         yield np.full((2, 1), float(i)), np.zeros((2, 1))
    >>> adapter = GeneratorDataAdapter(batches())
    >>> [float(x[0, 0]) for x, y, sw in adapter.numpy_batches()]
    [0.0, 1.0, 2.0]
"""

from kiln.trainers.data_adapters.data_adapter import DataAdapter, StructureCheck, element_to_triple


class GeneratorDataAdapter(DataAdapter):
    """Batches from a generator, an iterator, or an iterable of batches.

    Args:
        x: a generator, an iterator, or an iterable (``iter(x)`` each epoch).
        batch_size: unused (each element is a whole batch); accepted for the
            common adapter signature.
        steps: batches per epoch (``steps_per_epoch``); without it an epoch
            lasts until the iterator ends.
        shuffle: ignored: a stream has no order to shuffle (as in Keras).

    ``peek()`` reads the first element and keeps it, so the first epoch still
    starts with it.

    Example:
        >>> import numpy as np
        >>> adapter = GeneratorDataAdapter(iter([np.ones((2, 3)), np.zeros((2, 3))]))
        >>> adapter.peek()[0].shape, len(list(adapter.numpy_batches()))
        ((2, 3), 2)
    """

    persistent_iterator = True

    def __init__(self, x, batch_size=None, steps=None, shuffle=False):
        del batch_size, shuffle  # each element is a whole batch; a stream is not shuffled
        try:
            iterator = iter(x)
        except TypeError:
            raise TypeError(f"GeneratorDataAdapter: `x` must be a generator, an iterator or an iterable, "
                            f"received {type(x).__name__}") from None
        if steps is not None and int(steps) <= 0:
            raise ValueError(f"GeneratorDataAdapter: `steps` must be a positive integer or None, received {steps}")
        self._source = x
        # An iterator is read once; an iterable that makes a new iterator each time is re-read per epoch.
        self._one_shot = iterator is x
        self.persistent_iterator = self._one_shot
        self._iterator = iterator
        self._peeked = None  # the first triple, read by peek() and not yet handed to an epoch
        self._step = 0  # elements read so far (from the start of the stream, or of the epoch)
        self._check = StructureCheck("generator" if self._one_shot else f"iterable {type(x).__name__}")
        self.num_batches = None if steps is None else int(steps)
        self.batch_size = None

    def peek(self):
        """The first element as a triple; it is replayed as the first batch of the next epoch."""
        if self._peeked is None:
            if not self._one_shot and self._iterator is None:
                self._iterator = iter(self._source)
                self._step = 0
            self._peeked = self._read()
            if self._peeked is None:
                raise ValueError(f"The {self._check.source_name} is empty: it yielded no batch. It must yield "
                                 f"(x,), (x, y) or (x, y, sample_weight) batches.")
        return self._peeked

    def numpy_batches(self, epoch=0, seed=None):
        """Yield the elements not yet read (one-shot) or a fresh pass (re-iterable) as triples."""
        if not self._one_shot and self._peeked is None:
            # A re-iterable source restarts every epoch (its first pass may already be open from peek()).
            self._iterator = iter(self._source)
            self._step = 0
        if self._peeked is not None:
            triple, self._peeked = self._peeked, None
            yield triple
        if self._iterator is None:
            return
        while True:
            triple = self._read()
            if triple is None:
                if not self._one_shot:
                    self._iterator = None
                return
            yield triple

    def _read(self):
        """The next element as a checked triple, or None when the iterator ends."""
        try:
            element = next(self._iterator)
        except StopIteration:
            return None
        triple = element_to_triple(element)
        self._check.check(self._step, triple)
        self._step += 1
        return triple

    def close(self):
        """Drop the iterator of a re-iterable source (a generator itself is the user's to close)."""
        if not self._one_shot:
            self._iterator = None
