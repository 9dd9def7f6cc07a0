"""``HashedCrossing``: crosses several categorical features and hashes each cross into bins.

The bins are TensorFlow's ``tf.sparse.cross_hashed`` values (the same as
Keras/TF) on every backend; TensorFlow is imported lazily when the layer runs.

Example:
    >>> import kiln
    >>> layer = kiln.layers.HashedCrossing(num_bins=5)
    >>> out = layer((["A", "B"], [1, 2]))
    >>> kiln.ops.shape(out)
    (2,)
"""

from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.preprocessing import tf_utils
from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.layers.preprocessing.preprocessing_utils import (check_choice, check_int,
                                                            check_not_sparse,
                                                            encode_categorical, encoded_shape)


class HashedCrossing(DataLayer):
    """Hashes the combination of same-position values of several inputs into ``num_bins`` bins.

    Args:
        num_bins: the number of bins.
        output_mode: ``"int"`` (int64 bins) or ``"one_hot"`` (float vectors of size ``num_bins``).
        sparse: must be False (dense outputs only).

    Call it with a tuple/list of two or more tensors (strings or integers) of
    the same shape: scalars, ``(batch,)`` or ``(batch, 1)``.

    Example:
        >>> import kiln
        >>> layer = HashedCrossing(num_bins=4, output_mode="one_hot")
        >>> kiln.ops.shape(layer(([1, 2, 3], ["a", "b", "c"])))
        (3, 4)
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if dtype is None:
            dtype = "int64" if output_mode == "int" else "float32"
        super().__init__(name=name, dtype=dtype, **kwargs)
        owner = f"HashedCrossing '{self.name}'"
        check_int(owner, "num_bins", num_bins)
        check_choice(owner, "output_mode", output_mode, ("int", "one_hot"))
        check_not_sparse(owner, sparse)
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse
        self.autocast = False

    def _check_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"HashedCrossing '{self.name}': expects a tuple or list of at least two "
                             f"inputs; received {type(inputs).__name__}")

    def call(self, inputs):
        self._check_inputs(inputs)
        tf = tf_utils.tf_module()
        values = [tf_utils.to_tf(x) for x in inputs]
        rank = values[0].shape.rank
        shape = tf.shape(values[0])
        if any(v.shape.rank != rank for v in values):
            raise ValueError(f"HashedCrossing '{self.name}': all inputs must have the same rank; "
                             f"received shapes {[tuple(v.shape) for v in values]}")
        columns = [tf.reshape(v, (-1, 1)) for v in values]
        columns = [c if c.dtype in (tf.string, tf.int64) else tf.cast(c, tf.int64) for c in columns]
        crossed = tf.sparse.cross_hashed(columns, num_buckets=self.num_bins)
        bins = tf.reshape(tf.sparse.to_dense(crossed), shape)
        bins = self.convert_output(bins)
        if self.output_mode == "int":
            return bins
        return encode_categorical(self.backend, bins, "one_hot", self.num_bins, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0])
        if self.output_mode == "int":
            return shape
        return encoded_shape(shape, "one_hot", self.num_bins)

    def compute_output_spec(self, inputs):
        self._check_inputs(inputs)
        dtype = "int64" if self.output_mode == "int" else self.compute_dtype
        return KerasTensor(self.compute_output_shape([x.shape for x in inputs]), dtype=dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "output_mode": self.output_mode,
                       "sparse": self.sparse})
        return config
