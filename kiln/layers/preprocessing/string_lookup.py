"""``StringLookup``: strings -> integer indices (or vectors) through a vocabulary, and back.

Example:
    >>> import kiln
    >>> layer = kiln.layers.StringLookup(vocabulary=["a", "b", "c"])
    >>> kiln.ops.convert_to_numpy(layer([["a", "c"], ["z", "b"]])).tolist()
    [[1, 3], [0, 2]]
"""

from kiln.layers.preprocessing import tf_utils
from kiln.layers.preprocessing.hashing import hash_to_bins, standardize_salt
from kiln.layers.preprocessing.index_lookup import IndexLookup


class StringLookup(IndexLookup):
    """Maps strings to indices: mask (0, int mode), OOV indices, then the vocabulary in order.

    Args:
        max_tokens: the most indices (special ones included); None for no limit.
        num_oov_indices: OOV indices; with more than one, an unknown string
            goes to ``hash(string) % num_oov_indices`` (FarmHash, SipHash with ``salt``).
        mask_token: a string for padding (index 0 in int mode, dropped in the
            vector modes); None for no mask.
        oov_token: the token ``invert`` returns for OOV indices.
        vocabulary: a list/array of strings or a path to a file with one per
            line (read now; the list is what the config keeps); or call :meth:`adapt`.
        idf_weights: per-token weights for ``output_mode="tf_idf"``.
        invert: map indices back to strings.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        pad_to_max_tokens: vector outputs have size ``max_tokens``.
        sparse: must be False.
        encoding: the text encoding of byte strings (``"utf-8"``).
        salt: key of the OOV hash.

    Inputs are NumPy string arrays, lists of str or tf string tensors; int
    outputs are tensors of the active backend (tf tensors inside tf.data).
    With ``invert`` on a non-tensorflow backend the strings come back as a
    NumPy array of Python ``str`` (backends have no string tensors).

    Example:
        >>> import kiln
        >>> layer = StringLookup(vocabulary=["a", "b"], output_mode="count")
        >>> kiln.ops.convert_to_numpy(layer([["a", "a", "q"]])).tolist()
        [[1.0, 2.0, 0.0]]
    """

    _token_kind = "string"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        self.encoding = encoding
        # Configs written by Keras may name the (always "string") vocabulary dtype.
        if kwargs.get("vocabulary_dtype", "string") == "string":
            kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary_dtype="string",
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse, pad_to_max_tokens=pad_to_max_tokens,
                         salt=salt, name=name, **kwargs)
        self._hash_key = standardize_salt(self._owner, salt)

    def _normalize_token(self, token):
        return token.decode(self.encoding) if isinstance(token, bytes) else str(token)

    def _tokens_from_array(self, array):
        return [self._normalize_token(t) for t in array.reshape(-1).tolist()]

    def _prepare(self, x):
        if not tf_utils.is_string_tensor(x):
            raise ValueError(f"{self._owner}: inputs must be strings; received dtype {x.dtype.name}")
        return x

    def _oov_indices(self, x):
        return hash_to_bins(x, self.num_oov_indices, self._hash_key)

    def _convert_tokens(self, tokens):
        if self.in_tf_data() or self.backend.name == "tensorflow":
            return tokens
        return tf_utils.strings_to_python(tokens)

    def get_config(self):
        config = super().get_config()
        config["encoding"] = self.encoding
        return config
