"""``IntegerLookup``: integers -> indices (or vectors) through a vocabulary, and back.

Example:
    >>> import kiln
    >>> layer = kiln.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([[12, 1138, 42], [42, 1000, 36]]))).tolist()
    [[1, 3, 4], [4, 0, 2]]
"""

from kiln.layers.preprocessing import tf_utils
from kiln.layers.preprocessing.hashing import hash_to_bins, standardize_salt
from kiln.layers.preprocessing.index_lookup import IndexLookup
from kiln.layers.preprocessing.preprocessing_utils import check_choice


class IntegerLookup(IndexLookup):
    """Maps integers to indices: mask (0, int mode), OOV indices, then the vocabulary in order.

    Args:
        max_tokens: the most indices (special ones included); None for no limit.
        num_oov_indices: OOV indices; with more than one, an unknown value
            goes to ``value % num_oov_indices`` (``oov_method="floormod"``) or
            to a FarmHash bin of its decimal string (``"farmhash"``).
        mask_token: an int for padding (index 0 in int mode); None for no mask.
        oov_token: the value ``invert`` returns for OOV indices (default -1).
        vocabulary: a list/array of ints or a path to a file with one per line
            (read now; the config keeps the list); or call :meth:`adapt`.
        vocabulary_dtype: ``"int64"`` or ``"int32"``.
        idf_weights: per-token weights for ``output_mode="tf_idf"``.
        invert: map indices back to values.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        sparse: must be False.
        pad_to_max_tokens: vector outputs have size ``max_tokens``.
        salt: key of the ``"farmhash"`` OOV hash.

    Lookups run in TensorFlow (eagerly on other backends, in the graph in tf.data).

    Example:
        >>> import kiln
        >>> layer = IntegerLookup(vocabulary=[5, 6], invert=True)
        >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([1, 2, 0]))).tolist()
        [5, 6, -1]
    """

    _token_kind = "int"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, oov_method="floormod",
                 salt=None, name=None, **kwargs):
        owner = f"IntegerLookup '{name}'" if name else "IntegerLookup"
        check_choice(owner, "vocabulary_dtype", vocabulary_dtype, ("int64", "int32"))
        check_choice(owner, "oov_method", oov_method, ("floormod", "farmhash"))
        for arg, value in (("mask_token", mask_token), ("oov_token", oov_token)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"{owner}: `{arg}` must be an int or None; received {arg}={value!r}")
        self.oov_method = oov_method
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token,
                         vocabulary_dtype=vocabulary_dtype, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, salt=salt, name=name,
                         **kwargs)
        self._hash_key = standardize_salt(self._owner, salt)

    def _normalize_token(self, token):
        return int(token)

    def _tokens_from_array(self, array):
        return [int(t) for t in array.reshape(-1).tolist()]

    def _prepare(self, x):
        tf = tf_utils.tf_module()
        if not x.dtype.is_integer:
            raise ValueError(f"{self._owner}: inputs must be integers; received dtype {x.dtype.name}")
        return tf.cast(x, tf.int64)

    def _oov_indices(self, x):
        tf = tf_utils.tf_module()
        if self.oov_method == "floormod":
            return tf.math.floormod(x, tf.constant(self.num_oov_indices, tf.int64))
        return hash_to_bins(x, self.num_oov_indices, self._hash_key)

    def _backend_lookup_applies(self, inputs):
        # Backend tensors (not tf tensors, NumPy arrays or lists), floormod OOV spreading and
        # a non-empty vocabulary: a binary search in backend ops, which jit-compiles.
        from kiln import ops

        return (not self.invert and not self.in_tf_data() and self.num_oov_indices > 0
                and self.oov_method == "floormod" and bool(self._vocabulary)
                and not tf_utils.is_tf_tensor(inputs) and ops.is_tensor(inputs)
                and "int" in str(ops.dtype(inputs)))

    def _convert_tokens(self, tokens):
        tf = tf_utils.tf_module()
        return self.convert_output(tf.cast(tokens, self.vocabulary_dtype))

    def get_config(self):
        config = super().get_config()
        config.update({"vocabulary_dtype": self.vocabulary_dtype, "oov_method": self.oov_method})
        return config
