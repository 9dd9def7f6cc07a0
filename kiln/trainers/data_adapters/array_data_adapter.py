"""Arrays in memory: NumPy (and anything ``np.asarray`` accepts), pandas, tensors.

Nested tuples/lists/dicts of arrays are sliced together into batches,
reshuffled every epoch when asked.

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
from kiln.trainers.data_adapters.data_adapter import DataAdapter, to_numpy_tree


def is_array_like(x):
    """True for what this adapter slices: arrays, tensors, pandas objects, and nestings of them.

    Example:
        >>> is_array_like({"a": np.zeros(3), "b": [1, 2, 3]}), is_array_like(iter([1]))
        (True, False)
    """
    if isinstance(x, dict):
        return all(is_array_like(v) for v in x.values())
    if isinstance(x, (tuple, list)):
        return all(v is None or isinstance(v, (int, float, bool, np.number)) or is_array_like(v) for v in x)
    if isinstance(x, (np.ndarray, np.number, int, float, bool)):
        return True
    module = type(x).__module__.split(".")[0]
    if module == "pandas":
        return type(x).__name__ in ("DataFrame", "Series")
    if module in ("torch", "tensorflow", "jax", "jaxlib"):
        return hasattr(x, "shape") and hasattr(x, "dtype")
    return hasattr(x, "__array__") and hasattr(x, "shape")


def _num_samples(x, y, sample_weight):
    """The shared first dimension; an error names each part's sample count when they differ."""
    counts = {}
    for name, part in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        if any(leaf is not None and leaf.ndim == 0 for leaf in tree.flatten(part)):
            raise ValueError(f"`{name}` holds a scalar: arrays passed as `{name}` need a first (batch) dimension, "
                             f"one entry per sample.")
        sizes = sorted({leaf.shape[0] for leaf in tree.flatten(part) if leaf is not None and leaf.ndim})
        if len(sizes) > 1:
            raise ValueError(f"Data cardinality is ambiguous: the arrays in `{name}` have different numbers of "
                             f"samples (first dimension): {sizes}. Make sure all arrays contain the same number "
                             f"of samples.")
        if sizes:
            counts[name] = sizes[0]
    if len(set(counts.values())) > 1:
        detail = ", ".join(f"{name} has {count} samples" for name, count in counts.items())
        raise ValueError(f"Data cardinality is ambiguous: {detail}. Make sure all arrays contain the same number "
                         f"of samples.")
    return next(iter(counts.values()), 0)


class ArrayDataAdapter(DataAdapter):
    """Batches of in-memory arrays, optionally reshuffled every epoch.

    Args:
        x, y, sample_weight: arrays or nested structures of arrays.
        batch_size: samples per batch (default 32).
        shuffle: True (reshuffle each epoch), False, or "batch" (shuffle batch order).
        steps: limit the number of batches per epoch.
    """

    # `steps` cuts every (reshuffled) epoch from its start.
    cuts_epochs_itself = True

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None):
        if x is None:
            raise ValueError("No input data: `x` is None")
        self.x = to_numpy_tree(x)
        self.y = to_numpy_tree(y)
        self.sample_weight = to_numpy_tree(sample_weight)
        self.num_samples = _num_samples(self.x, self.y, self.sample_weight)
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
