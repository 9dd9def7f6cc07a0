"""The one interface every input kind is adapted to, and the conversions they share.

An adapter turns what the user handed ``fit``/``evaluate``/``predict`` into
epochs of ``(x, y, sample_weight)`` triples whose leaves are NumPy arrays; the
trainer hands each triple to the backend (``to_backend_batch``). Going through
NumPy keeps every adapter backend-neutral: a torch DataLoader feeds a JAX model,
a tf.data pipeline feeds a torch model, and no framework is imported unless the
user's own object comes from it.

Example:
    >>> import numpy as np
    >>> x, y, sw = element_to_triple((np.zeros((2, 3)), [1.0, 2.0]))
    >>> x.dtype, y.dtype, sw
    (dtype('float32'), dtype('float32'), None)
"""

import sys

import numpy as np

from kiln.backend.common.train_steps import unpack_x_y_sample_weight


class DataAdapter:
    """Base class: one input kind -> epochs of NumPy ``(x, y, sample_weight)`` triples.

    Attributes:
        num_batches: batches per epoch, or None when the source does not say.
        batch_size: samples per batch when known, else None.
        persistent_iterator: True for one-shot sources (generators): with
            ``steps_per_epoch`` the trainer then keeps reading one iterator
            across epochs instead of starting the source over.

    Example:
        >>> class Two(DataAdapter):
        ...     num_batches = 2
        ...     def numpy_batches(self, epoch=0, seed=None):
        ...         for i in range(2):
        ...             yield (np.full((1, 1), i), None, None)
        >>> Two().peek()[0].tolist()
        [[0]]
    """

    num_batches = None
    batch_size = None
    persistent_iterator = False

    def numpy_batches(self, epoch=0, seed=None):
        """Yield one epoch of ``(x, y, sample_weight)`` triples with NumPy leaves.

        ``seed`` with ``epoch`` fixes the shuffle order where the adapter
        shuffles (a resumed run replays it).
        """
        raise NotImplementedError

    def peek(self):
        """The first triple, without consuming data (the trainer builds the model from it)."""
        for batch in self.numpy_batches():
            return batch
        raise ValueError(f"{type(self).__name__}: the data is empty (it yielded no batch)")

    def on_epoch_end(self):
        """Called by the trainer after each epoch."""

    def close(self):
        """Release workers or open iterators."""


def _leaf_to_numpy(leaf):
    if leaf is None or isinstance(leaf, np.ndarray) and leaf.dtype != np.float64:
        return leaf
    if not isinstance(leaf, np.ndarray):
        module = type(leaf).__module__.split(".")[0]
        if module == "torch":
            leaf = leaf.detach().cpu()
            if str(leaf.dtype) == "torch.bfloat16":  # NumPy has no bfloat16: widen exactly, then narrow
                import ml_dtypes

                leaf = leaf.float().numpy().astype(ml_dtypes.bfloat16)
            else:
                leaf = leaf.numpy()
        elif module == "pandas":
            leaf = leaf.to_numpy()
        elif hasattr(leaf, "numpy") and module in ("tensorflow", "jax", "jaxlib"):
            leaf = leaf.numpy() if module == "tensorflow" else np.asarray(leaf)
        leaf = np.asarray(leaf)
    if leaf.dtype == np.float64:
        from kiln import config

        leaf = leaf.astype(config.floatx())
    return leaf


def to_numpy_tree(structure):
    """Every leaf as a NumPy array (tensors of any framework, pandas, lists); float64 becomes floatx.

    Example:
        >>> to_numpy_tree({"a": [1.5, 2.5]})["a"].dtype
        dtype('float32')
    """
    if structure is None:
        return None
    if isinstance(structure, dict):
        return type(structure)((key, to_numpy_tree(value)) for key, value in structure.items())
    if isinstance(structure, (list, tuple)):
        if structure and all(isinstance(v, (int, float, bool, np.number)) for v in structure):
            return _leaf_to_numpy(np.asarray(structure))  # a plain list of numbers is one array
        items = [to_numpy_tree(value) for value in structure]
        if hasattr(structure, "_fields"):  # namedtuple
            return type(structure)(*items)
        return type(structure)(items)
    return _leaf_to_numpy(structure)


def element_to_triple(element):
    """A dataset element — ``(x,)``, ``(x, y)``, ``(x, y, sw)`` or a bare ``x`` — as a NumPy triple.

    Example:
        >>> element_to_triple(np.ones((2, 1)))[1] is None
        True
    """
    if isinstance(element, list) and 1 <= len(element) <= 3 and not _is_leaf(element[0]):
        element = tuple(element)
    x, y, sample_weight = unpack_x_y_sample_weight(element)
    return to_numpy_tree(x), to_numpy_tree(y), to_numpy_tree(sample_weight)


def _is_leaf(value):
    return not isinstance(value, (tuple, list, dict))


def describe_structure(triple):
    """A short text of a triple's nesting and ranks, e.g. ``(x=dict(a: array(ndim=2)), y=None, sample_weight=None)``."""

    def part(value):
        if value is None:
            return "None"
        if isinstance(value, dict):
            return "dict(" + ", ".join(f"{k}: {part(v)}" for k, v in sorted(value.items())) + ")"
        if isinstance(value, (list, tuple)):
            return type(value).__name__ + "(" + ", ".join(part(v) for v in value) + ")"
        ndim = getattr(value, "ndim", None)
        return f"array(ndim={ndim})" if ndim is not None else type(value).__name__

    x, y, sample_weight = triple
    return f"(x={part(x)}, y={part(y)}, sample_weight={part(sample_weight)})"


class StructureCheck:
    """Raises when a source yields an element whose structure differs from its first.

    Structures compare nesting and ranks; sizes may vary (a last batch is
    often short, padded batches differ in length).

    Example:
        >>> check = StructureCheck("generator")
        >>> check.check(0, (np.ones((2, 3)), np.ones(2), None))
        >>> check.check(1, (np.ones((2, 3)), None, None))
        Traceback (most recent call last):
        ...
        ValueError: The generator yielded an element at step 1 whose structure (x=array(ndim=2), y=None, sample_weight=None) differs from the first element's (x=array(ndim=2), y=array(ndim=1), sample_weight=None). Every element must have the same structure.
    """

    def __init__(self, source_name):
        self.source_name = source_name
        self._first = None

    def check(self, step, triple):
        signature = describe_structure(triple)
        if self._first is None:
            self._first = signature
        elif signature != self._first:
            raise ValueError(
                f"The {self.source_name} yielded an element at step {step} whose structure {signature} differs "
                f"from the first element's {self._first}. Every element must have the same structure.")


def module_object(module_name, path):
    """``sys.modules[module_name].<path>`` when that module is already imported, else None.

    Lets adapters recognise a framework's objects without importing it.

    Example:
        >>> module_object("a_module_nobody_imported", "Thing") is None
        True
    """
    value = sys.modules.get(module_name)
    for attribute in path.split("."):
        if value is None:
            return None
        value = getattr(value, attribute, None)
    return value
