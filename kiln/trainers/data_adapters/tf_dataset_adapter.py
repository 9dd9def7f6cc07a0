"""``tf.data.Dataset`` input for ``fit``/``evaluate``/``predict`` on any backend.

The user batched the dataset; each element is ``(x,)``, ``(x, y)``,
``(x, y, sample_weight)`` or a bare ``x`` (an array or a dict of arrays).
Elements reach the trainer as NumPy triples, so a tf.data pipeline feeds a jax
or torch model as well as a tensorflow one. TensorFlow is never imported here:
the dataset the user handed us is the proof that it already is.

Example:
    >>> import numpy as np, tensorflow as tf  # doctest: +SKIP
    >>> ds = tf.data.Dataset.from_tensor_slices((np.ones((10, 2)), np.zeros(10))).batch(4)  # doctest: +SKIP
    >>> adapter = TFDatasetAdapter(ds)  # doctest: +SKIP
    >>> adapter.num_batches, [x.shape for x, y, sw in adapter.numpy_batches()]  # doctest: +SKIP
    (3, [(4, 2), (4, 2), (2, 2)])
"""

import sys

from kiln.trainers.data_adapters.data_adapter import DataAdapter, StructureCheck, element_to_triple, module_object


def is_tf_dataset(x):
    """True for a ``tf.data.Dataset`` (checked without importing TensorFlow).

    Example:
        >>> is_tf_dataset([1, 2, 3])
        False
    """
    dataset_class = module_object("tensorflow", "data.Dataset")
    return dataset_class is not None and isinstance(x, dataset_class)


def _dense_numpy(tf, value):
    """One dataset leaf as NumPy: sparse and ragged tensors are densified (zero-filled)."""
    if isinstance(value, tf.SparseTensor):
        value = tf.sparse.to_dense(value)
    elif isinstance(value, tf.RaggedTensor):
        value = value.to_tensor()
    return value.numpy() if hasattr(value, "numpy") else value


class TFDatasetAdapter(DataAdapter):
    """Epochs of a user-batched ``tf.data.Dataset`` as NumPy ``(x, y, sample_weight)`` triples.

    Args:
        x: a ``tf.data.Dataset`` whose elements are batches.
        batch_size: ignored: the dataset yields batches already (``dataset.batch(n)``).
        steps: ``steps_per_epoch`` (or evaluate/predict ``steps``), required
            for an infinite dataset. The trainer's ``EpochIterator`` cuts the
            stream into epochs of ``steps`` batches, continuing one pass across
            epochs as Keras 3 does; ``numpy_batches`` itself is one full pass.
        shuffle: ignored: the dataset decides its own order (``Dataset.shuffle``).

    ``num_batches`` is the dataset's cardinality when finite and known, else
    None (infinite or unknown). Sparse and ragged tensors are densified
    (zero-filled); float64 becomes ``floatx()``.

    Example:
        >>> import numpy as np, tensorflow as tf  # doctest: +SKIP
        >>> ds = tf.data.Dataset.from_tensor_slices({"a": np.ones((6, 2))}).batch(3)  # doctest: +SKIP
        >>> x, y, sw = TFDatasetAdapter(ds).peek()  # doctest: +SKIP
        >>> x["a"].shape, x["a"].dtype, y  # doctest: +SKIP
        ((3, 2), dtype('float32'), None)
    """

    def __init__(self, x, batch_size=None, steps=None, shuffle=False):
        if not is_tf_dataset(x):
            raise TypeError(f"TFDatasetAdapter: `x` must be a tf.data.Dataset, received {type(x).__name__}")
        if steps is not None and int(steps) <= 0:
            raise ValueError(f"TFDatasetAdapter: `steps` must be a positive integer or None, received {steps}")
        self._tf = sys.modules["tensorflow"]
        self._dataset = x
        self._steps = None if steps is None else int(steps)
        cardinality = int(x.cardinality())
        if cardinality == int(self._tf.data.INFINITE_CARDINALITY) and self._steps is None:
            raise ValueError(
                "TFDatasetAdapter: the tf.data.Dataset repeats forever (infinite cardinality), so an epoch never "
                "ends: pass `steps_per_epoch` to fit (or `steps` to evaluate/predict)")
        # tf.data reports -1 for infinite and -2 for unknown cardinality.
        self._cardinality = cardinality if cardinality >= 0 else None
        self.num_batches = self._cardinality
        self.batch_size = self._static_batch_size()
        self._structure = StructureCheck("tf.data.Dataset")

    def _static_batch_size(self):
        tf = self._tf
        specs = tf.nest.flatten(self._dataset.element_spec)
        if not specs:
            return None
        shape = getattr(specs[0], "shape", None)
        if shape is None or shape.rank is None or shape.rank == 0:
            return None
        return shape[0]

    def _to_triple(self, element):
        tf = self._tf
        return element_to_triple(tf.nest.map_structure(lambda value: _dense_numpy(tf, value), element))

    def numpy_batches(self, epoch=0, seed=None):
        """Yield one pass over the dataset as NumPy triples (``seed`` is unused: the dataset owns its order)."""
        for step, element in enumerate(self._dataset):
            triple = self._to_triple(element)
            self._structure.check(step, triple)
            yield triple

    def peek(self):
        """The first batch of a fresh pass (a tf.data.Dataset can be iterated again)."""
        for element in self._dataset.take(1):
            return self._to_triple(element)
        raise ValueError("TFDatasetAdapter: the tf.data.Dataset is empty (it yielded no batch)")
