"""Every kind of input ``fit``/``evaluate``/``predict`` accept, behind one interface.

``get_data_adapter`` picks the adapter for what the user passed; each yields
epochs of NumPy ``(x, y, sample_weight)`` triples (see ``data_adapter.py``).
A framework is imported only when the user's object comes from it.

Example:
    >>> import numpy as np
    >>> adapter = get_data_adapter(np.zeros((5, 2)), np.zeros(5), batch_size=2)
    >>> type(adapter).__name__, adapter.num_batches
    ('ArrayDataAdapter', 3)
"""

import inspect

from kiln.trainers.data_adapters.array_data_adapter import (  # noqa: F401 (re-exported)
    ArrayDataAdapter,
    is_array_like,
    pack_x_y_sample_weight,
    train_validation_split,
    unpack_x_y_sample_weight,
)
from kiln.trainers.data_adapters.data_adapter import DataAdapter
from kiln.trainers.data_adapters.epoch_iterator import EpochIterator  # noqa: F401 (re-exported)

SUPPORTED_KINDS = (
    "NumPy arrays, backend tensors or Python lists (or tuples/lists/dicts of them)",
    "a pandas DataFrame or Series",
    "a tf.data.Dataset",
    "a torch.utils.data.DataLoader or torch Dataset",
    "a grain MapDataset, IterDataset or DataLoader",
    "a kiln.utils.PyDataset",
    "a Python generator or iterator",
)


def _is_generator_like(x):
    if inspect.isgenerator(x) or (hasattr(x, "__next__") and hasattr(x, "__iter__")):
        return True
    # Other iterables (e.g. a class defining __iter__) are read like generators; containers are not.
    return hasattr(x, "__iter__") and not isinstance(x, (str, bytes, bytearray, set, frozenset, dict, list, tuple))


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None, shuffle=False,
                     class_weight=None):
    """The ``DataAdapter`` for ``x`` (and ``y``/``sample_weight`` when x holds arrays).

    Raises ``ValueError`` for a type no adapter takes, listing the supported
    kinds, and when ``y``/``sample_weight`` are passed next to a dataset or
    generator (its elements carry them).

    Example:
        >>> import numpy as np
        >>> get_data_adapter(iter([(np.ones((2, 1)), np.ones((2, 1)))])).num_batches is None
        True
    """
    del class_weight  # applied per batch by the trainer, whatever the adapter
    if isinstance(x, DataAdapter):
        return x
    if x is None:
        raise ValueError("No input data: `x` is None. Pass " + _kinds_text())
    if is_array_like(x):
        return ArrayDataAdapter(x, y, sample_weight, batch_size=batch_size, shuffle=shuffle, steps=steps_per_epoch)
    kind, make = _dataset_kind(x)
    if kind is None:
        raise ValueError(f"Unsupported input data of type {type(x).__module__}.{type(x).__qualname__}. "
                         f"Pass {_kinds_text()}")
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(f"The `{name}` argument is not supported when the input `x` is {kind}: its elements "
                             f"carry the targets and weights, as (x, y) or (x, y, sample_weight) tuples.")
    return make(x, batch_size=batch_size, steps=steps_per_epoch, shuffle=shuffle)


def _kinds_text():
    return "one of: " + "; ".join(SUPPORTED_KINDS) + "."


def _dataset_kind(x):
    """(description, adapter class) for a non-array input, or (None, None)."""
    from kiln.utils.py_dataset import PyDataset

    if isinstance(x, PyDataset):
        from kiln.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

        return "a PyDataset", PyDatasetAdapter
    from kiln.trainers.data_adapters import grain_dataset_adapter, tf_dataset_adapter, torch_data_loader_adapter

    if tf_dataset_adapter.is_tf_dataset(x):
        return "a tf.data.Dataset", tf_dataset_adapter.TFDatasetAdapter
    if torch_data_loader_adapter.is_torch_data(x):
        return "a torch DataLoader or Dataset", torch_data_loader_adapter.TorchDataLoaderAdapter
    if grain_dataset_adapter.is_grain_dataset(x):
        return "a grain dataset", grain_dataset_adapter.GrainDatasetAdapter
    if _is_generator_like(x):
        from kiln.trainers.data_adapters.generator_data_adapter import GeneratorDataAdapter

        return "a generator", GeneratorDataAdapter
    return None, None
