"""``Hashing``: strings or integers -> bin indices with TensorFlow's FarmHash (SipHash when salted).

The hash values are TensorFlow's ``tf.strings.to_hash_bucket_fast`` (FarmHash
Fingerprint64) and ``to_hash_bucket_strong`` (SipHash with the salt as key),
so the bins equal those of Keras/TF on every backend; integers are hashed as
their decimal strings. TensorFlow is imported lazily when the layer runs.

Example:
    >>> import kiln
    >>> layer = kiln.layers.Hashing(num_bins=3)
    >>> kiln.ops.convert_to_numpy(layer([["A"], ["B"], ["C"], ["D"], ["E"]])).ravel().tolist()
    [1, 0, 1, 1, 2]
"""

import numpy as np

from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.preprocessing import tf_utils
from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.layers.preprocessing.preprocessing_utils import (ENCODING_MODES, check_choice,
                                                            check_int, check_not_sparse,
                                                            encode_categorical, encoded_shape)


def standardize_salt(owner, salt):
    """None, an int (used twice) or two ints -> None or a list of two ints.

    Example:
        >>> standardize_salt("Hashing", 7)
        [7, 7]
    """
    if salt is None:
        return None
    if isinstance(salt, (int, np.integer)) and not isinstance(salt, bool):
        return [int(salt), int(salt)]
    if isinstance(salt, (list, tuple)) and len(salt) == 2 and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in salt):
        return [int(s) for s in salt]
    raise ValueError(f"{owner}: `salt` must be None, an int or a pair of ints; received salt={salt!r}")


def hash_to_bins(x, num_bins, salt=None):
    """tf string/int tensor -> int64 bins in ``[0, num_bins)`` (FarmHash, or SipHash keyed by ``salt``).

    Example:
        >>> int(hash_to_bins(tf_utils.to_tf(["A"]), 3)[0])
        1
    """
    tf = tf_utils.tf_module()
    if not tf_utils.is_string_tensor(x):
        x = tf.strings.as_string(x)
    if salt is not None:
        return tf.strings.to_hash_bucket_strong(x, num_buckets=num_bins, key=salt)
    return tf.strings.to_hash_bucket_fast(x, num_buckets=num_bins)


class Hashing(DataLayer):
    """Hashes each string or integer into one of ``num_bins`` bins.

    Args:
        num_bins: the number of bins (including the mask bin when ``mask_value`` is set).
        mask_value: a value sent to bin 0; the others then hash into ``[1, num_bins)``.
        salt: None (FarmHash), or an int / pair of ints keying SipHash.
        output_mode: ``"int"`` (int64 bin indices), ``"one_hot"``,
            ``"multi_hot"`` or ``"count"`` (float vectors of size ``num_bins``).
        sparse: must be False (dense outputs only).

    Inputs: string arrays/lists/tf tensors, or integer tensors. On a
    non-tensorflow backend the hashing runs eagerly in TensorFlow (not inside a
    jitted jax function); in ``tf.data`` it runs in the pipeline's graph.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.Hashing(num_bins=3, mask_value="")
        >>> kiln.ops.convert_to_numpy(layer([["A"], [""], ["C"]])).ravel().tolist()
        [1, 0, 2]
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        owner = f"Hashing '{self.name}'"
        check_int(owner, "num_bins", num_bins)
        if mask_value is not None and num_bins < 2:
            raise ValueError(f"{owner}: with a `mask_value`, `num_bins` must be at least 2 (bin 0 is "
                             f"the mask); received num_bins={num_bins}")
        check_choice(owner, "output_mode", output_mode, ("int",) + ENCODING_MODES[:3])
        check_not_sparse(owner, sparse)
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.salt = standardize_salt(owner, salt)
        self.output_mode = output_mode
        self.sparse = sparse
        self.autocast = False

    def _hash(self, x):
        tf = tf_utils.tf_module()
        if not (tf_utils.is_string_tensor(x) or x.dtype.is_integer):
            raise ValueError(f"Hashing '{self.name}': inputs must be strings or integers; received "
                             f"dtype {x.dtype.name}")
        if self.mask_value is None:
            return hash_to_bins(x, self.num_bins, self.salt)
        mask = tf.equal(x, tf.constant(self.mask_value, dtype=x.dtype))
        bins = hash_to_bins(x, self.num_bins - 1, self.salt) + 1
        return tf.where(mask, tf.zeros_like(bins), bins)

    def call(self, inputs):
        bins = self.convert_output(self._hash(tf_utils.to_tf(inputs)))
        if self.output_mode == "int":
            return bins
        return encode_categorical(self.backend, bins, self.output_mode, self.num_bins,
                                  self.compute_dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(input_shape, self.output_mode, self.num_bins)

    def compute_output_spec(self, inputs):
        dtype = "int64" if self.output_mode == "int" else self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                       "output_mode": self.output_mode, "sparse": self.sparse})
        return config
