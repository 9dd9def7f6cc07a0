"""Cutting an adapter's stream of batches into epochs of ``steps_per_epoch``.

Without ``steps``, an epoch is one pass over the source. With ``steps``, an
epoch is that many batches read from one iterator kept across epochs, as
Keras 3 does: a re-iterable source (arrays, tf.data, DataLoader, PyDataset)
starts over when it ends; a one-shot source (a generator) that runs dry ends
training with a warning.

Example:
    >>> import numpy as np
    >>> from kiln.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
    >>> batches = EpochIterator(ArrayDataAdapter(np.zeros((6, 1)), batch_size=2), steps=None)
    >>> sum(1 for _ in batches.epoch(0))
    3
"""

import warnings


class EpochIterator:
    """Epochs of batches from a ``DataAdapter``; ``ran_out`` tells the trainer to stop.

    Args:
        adapter: the ``DataAdapter``.
        steps: batches per epoch, or None for one pass over the source.
        role: what the data is for ("training", "validation", ...), named in warnings.

    Example:
        >>> import numpy as np
        >>> from kiln.trainers.data_adapters.array_data_adapter import ArrayDataAdapter
        >>> it = EpochIterator(ArrayDataAdapter(np.zeros((4, 1)), batch_size=2), steps=3)
        >>> sum(1 for _ in it.epoch(0)), it.ran_out
        (3, False)
    """

    def __init__(self, adapter, steps=None, role="training"):
        self.adapter = adapter
        self.role = role
        self.steps = None if steps is None else int(steps)
        self.ran_out = False
        self._iterator = None
        # Arrays already cut each (reshuffled) epoch to `steps` themselves.
        self._keeps_iterator = self.steps is not None and not getattr(adapter, "cuts_epochs_itself", False)

    @property
    def num_batches(self):
        """Batches per epoch when known (for progress bars), else None."""
        if self.steps is not None:
            return self.steps
        return self.adapter.num_batches

    def epoch(self, epoch=0, seed=None):
        """Yield the batches of epoch ``epoch`` (``seed`` fixes the shuffle order where there is one)."""
        if not self._keeps_iterator:
            count = 0
            for batch in self.adapter.numpy_batches(epoch=epoch, seed=seed):
                yield batch
                count += 1
            if count == 0:
                self._out_of_data()
            return
        produced = 0
        restarted = False
        while produced < self.steps:
            if self._iterator is None:
                self._iterator = iter(self.adapter.numpy_batches(epoch=epoch, seed=seed))
            try:
                batch = next(self._iterator)
            except StopIteration:
                self._iterator = None
                if self.adapter.persistent_iterator or restarted:
                    # A one-shot source is spent, or a fresh pass yielded nothing.
                    self._out_of_data()
                    return
                restarted = True
                continue
            restarted = False
            produced += 1
            yield batch

    def _out_of_data(self):
        self.ran_out = True
        steps_name = "validation_steps" if self.role == "validation" else "steps_per_epoch"
        warnings.warn(
            f"Your {self.role} input ran out of data{'; interrupting training' if self.role == 'training' else ''}. "
            f"A generator is read only once: make it yield at least `{steps_name} * epochs` batches (e.g. loop "
            f"forever and pass `{steps_name}`), or pass a re-iterable dataset.", stacklevel=3)

    def close(self):
        """Drop the kept iterator and release the adapter's workers."""
        iterator, self._iterator = self._iterator, None
        if iterator is not None and hasattr(iterator, "close"):
            iterator.close()
        self.adapter.close()
