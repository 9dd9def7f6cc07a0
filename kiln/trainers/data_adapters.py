"""Turning what ``fit``/``evaluate``/``predict`` receive into batches.

This first adapter covers NumPy arrays (and anything ``np.asarray`` accepts),
nested in tuples/lists/dicts. Batches are NumPy slices handed to the backend's
``to_backend_batch``.

Example:
    >>> import numpy as np
    >>> adapter = ArrayDataAdapter(np.zeros((10, 2)), np.zeros(10), batch_size=4, shuffle=False)
    >>> [b[0].shape[0] for b in adapter.numpy_batches()]
    [4, 4, 2]
"""

import math

import numpy as np

from kiln import tree
from kiln.backend.common.train_steps import pack_x_y_sample_weight, unpack_x_y_sample_weight  # noqa: F401 (re-exported)


def _to_array(x):
    """NumPy view of ``x``; float64 becomes floatx() once here, as models compute in floatx."""
    if x is None:
        return None
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        try:
            x = np.asarray(x.numpy())
        except Exception:
            pass
    if hasattr(x, "to_numpy"):  # pandas
        x = x.to_numpy()
    x = np.asarray(x)
    if x.dtype == np.float64:
        from kiln import config

        x = x.astype(config.floatx())
    return x


def _num_samples(structure, what):
    sizes = {leaf.shape[0] for leaf in tree.flatten(structure) if leaf is not None}
    if len(sizes) > 1:
        raise ValueError(
            f"{what}: all arrays must have the same number of samples (first dimension), "
            f"received sizes {sorted(sizes)}"
        )
    return sizes.pop() if sizes else 0


class ArrayDataAdapter:
    """Batches of in-memory arrays, optionally reshuffled every epoch.

    Args:
        x, y, sample_weight: arrays or nested structures of arrays.
        batch_size: samples per batch (default 32).
        shuffle: True (reshuffle each epoch), False, or "batch" (shuffle batch order).
        steps: limit the number of batches per epoch.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None):
        if x is None:
            raise ValueError("No input data: `x` is None")
        self.x = tree.map_structure(_to_array, x)
        self.y = tree.map_structure(_to_array, y) if y is not None else None
        self.sample_weight = _to_array(sample_weight) if sample_weight is not None else None
        self.num_samples = _num_samples((self.x, self.y, self.sample_weight), "fit/evaluate/predict data")
        if self.num_samples == 0:
            raise ValueError("The data is empty (0 samples)")
        self.batch_size = int(batch_size or 32)
        if self.batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, received {batch_size}")
        self.shuffle = shuffle
        self.num_batches = math.ceil(self.num_samples / self.batch_size)
        if steps is not None:
            self.num_batches = min(self.num_batches, int(steps))
        self._rng = np.random.default_rng()

    def numpy_batches(self, epoch=0, seed=None):
        """Yield ``(x, y, sample_weight)`` NumPy batches for one epoch.

        With a ``seed``, the shuffle order is a pure function of ``(seed, epoch)``
        (so an interrupted run can replay it); without, it is drawn afresh.
        """
        n, bs = self.num_samples, self.batch_size
        rng = self._rng if seed is None else np.random.default_rng([int(seed), int(epoch)])
        if self.shuffle is True:
            order = rng.permutation(n)
        else:
            order = None
        batch_ids = np.arange(math.ceil(n / bs))
        if self.shuffle == "batch":
            rng.shuffle(batch_ids)
        x, y, sw = self.x, self.y, self.sample_weight
        if type(x) is np.ndarray and (y is None or type(y) is np.ndarray):
            # Plain arrays (the common case): slice directly, no tree walk per batch.
            for i in batch_ids[: self.num_batches]:
                start = int(i) * bs
                take = slice(start, min(start + bs, n)) if order is None else np.sort(order[start:start + bs])
                yield (x[take], None if y is None else y[take], None if sw is None else sw[take])
            return
        for i in batch_ids[: self.num_batches]:
            start, stop = int(i) * bs, min(int(i) * bs + bs, n)
            if order is None:
                take = slice(start, stop)
            else:
                take = np.sort(order[start:stop])

            def pick(a):
                return None if a is None else a[take]

            yield (tree.map_structure(pick, self.x),
                   tree.map_structure(pick, self.y) if self.y is not None else None,
                   pick(self.sample_weight))



def train_validation_split(arrays, validation_split):
    """Split arrays into the first (1 - split) and the last ``split`` fraction, unshuffled.

    Example:
        >>> import numpy as np
        >>> (a,), (b,) = train_validation_split((np.arange(10),), 0.2)
        >>> a.shape, b.shape
        ((8,), (2,))
    """
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must be in (0, 1), received {validation_split}")
    flat = [a for a in tree.flatten(arrays) if a is not None]
    n = flat[0].shape[0]
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"validation_split={validation_split} leaves an empty training or validation set for {n} samples"
        )

    def head(a):
        return None if a is None else a[:split_at]

    def tail(a):
        return None if a is None else a[split_at:]

    return tree.map_structure(head, arrays), tree.map_structure(tail, arrays)
