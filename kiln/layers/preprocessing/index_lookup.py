"""``IndexLookup``: the vocabulary machinery shared by StringLookup and IntegerLookup.

Index layout (as in Keras): in ``output_mode="int"`` with a ``mask_token``,
index 0 is the mask; then come ``num_oov_indices`` out-of-vocabulary indices,
then the vocabulary in order. In the other output modes the mask has no
index (mask tokens in the input are dropped). The vocabulary (and the
``idf_weights`` of ``tf_idf``) are plain lists kept in the layer's config, so
saving needs no asset file; a vocabulary given as a file path is read once,
at construction. Lookups run in TensorFlow (hash tables; imported lazily).

Example:
    >>> from kiln.layers import StringLookup
    >>> StringLookup(vocabulary=["a", "b"]).get_vocabulary()
    ['[UNK]', 'a', 'b']
"""

import collections
import math

import numpy as np

from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.preprocessing import tf_utils
from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.layers.preprocessing.normalization import iterate_batches
from kiln.layers.preprocessing.preprocessing_utils import (ENCODING_MODES, check_choice,
                                                            check_int, check_not_sparse,
                                                            encode_categorical, encoded_shape,
                                                            listify)


def read_vocabulary_file(path):
    """The lines of a vocabulary file (one token per line, trailing newline removed).

    Example:
        >>> import tempfile, os
        >>> f = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
        >>> _ = f.write("x\\ny\\n"); f.close()
        >>> read_vocabulary_file(f.name)
        ['x', 'y']
    """
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").rstrip("\r") for line in f]


class IndexLookup(DataLayer):
    """Maps tokens to indices through a vocabulary (or indices back to tokens with ``invert``).

    Subclasses say how a token is typed (``_token_kind``: ``"string"`` or
    ``"int"``), how tokens from data are normalized (``_tokens_from_array``)
    and how out-of-vocabulary tokens are hashed into several OOV indices.
    """

    _token_kind = "string"

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, salt=None, **kwargs):
        kwargs.pop("vocabulary_size", None)  # written by get_config, informational only
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self._owner = owner
        check_choice(owner, "output_mode", output_mode, ("int",) + ENCODING_MODES)
        check_not_sparse(owner, sparse)
        check_int(owner, "max_tokens", max_tokens, minimum=2, allow_none=True)
        check_int(owner, "num_oov_indices", num_oov_indices, minimum=0)
        if invert and output_mode != "int":
            raise ValueError(f"{owner}: `invert=True` needs output_mode='int'; received "
                             f"output_mode={output_mode!r}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{owner}: `pad_to_max_tokens=True` needs `max_tokens`; received "
                             "max_tokens=None")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{owner}: `idf_weights` only apply to output_mode='tf_idf'; received "
                             f"output_mode={output_mode!r}")
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.vocabulary_dtype = vocabulary_dtype
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.salt = salt
        self.autocast = False
        self._vocabulary = None
        self._idf_weights = None
        self._tables = None
        if isinstance(vocabulary, str):
            vocabulary = read_vocabulary_file(vocabulary)
            if self._token_kind == "int":
                vocabulary = [int(v) for v in vocabulary]
        if isinstance(idf_weights, str):
            idf_weights = [float(v) for v in read_vocabulary_file(idf_weights)]
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        elif output_mode == "tf_idf" and idf_weights is not None:
            raise ValueError(f"{owner}: `idf_weights` need a `vocabulary`")

    # -- vocabulary -------------------------------------------------------------------
    def _oov_start(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self):
        return self._oov_start() + self.num_oov_indices

    def _normalize_token(self, token):
        return token

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replace the vocabulary (a list, array or tensor of tokens; leading special tokens are accepted).

        For ``tf_idf``, ``idf_weights`` (one per vocabulary token) are required.

        Example:
            >>> from kiln.layers import StringLookup
            >>> layer = StringLookup()
            >>> layer.set_vocabulary(["x", "y"])
            >>> layer.vocabulary_size()
            3
        """
        owner = self._owner
        tokens = [self._normalize_token(t) for t in listify(vocabulary)]
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{owner}: output_mode='tf_idf' needs `idf_weights` with the vocabulary")
        idf = None if idf_weights is None else [float(w) for w in listify(idf_weights)]
        if idf is not None and len(idf) != len(tokens):
            raise ValueError(f"{owner}: `idf_weights` must have one weight per vocabulary token; "
                             f"received {len(idf)} weights for {len(tokens)} tokens")
        # Special tokens at the front (as get_vocabulary() returns them) are accepted and dropped.
        start = 0
        if self.mask_token is not None and self.output_mode == "int" and tokens[:1] == [self.mask_token]:
            start = 1
        oov_front = 0
        while (oov_front < self.num_oov_indices and start + oov_front < len(tokens)
               and tokens[start + oov_front] == self.oov_token):
            oov_front += 1
        if oov_front:
            start += oov_front
        tokens = tokens[start:]
        if idf is not None and len(idf) > len(tokens):
            idf = idf[len(idf) - len(tokens):]
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"{owner}: the mask token {self.mask_token!r} may only be the first "
                             "vocabulary entry")
        if self.num_oov_indices and self.oov_token in tokens:
            raise ValueError(f"{owner}: the OOV token {self.oov_token!r} may only appear at the start "
                             "of the vocabulary")
        if len(set(tokens)) != len(tokens):
            repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
            raise ValueError(f"{owner}: the vocabulary contains repeated tokens {repeated[:5]}")
        if self.max_tokens is not None and len(tokens) + self._token_start() > self.max_tokens:
            raise ValueError(f"{owner}: the vocabulary has {len(tokens) + self._token_start()} entries "
                             f"(with special tokens), more than max_tokens={self.max_tokens}")
        self._vocabulary = tokens
        self._idf_weights = idf
        self._tables = None

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary by index: mask (int mode), OOV token(s), then the tokens.

        Example:
            >>> from kiln.layers import IntegerLookup
            >>> IntegerLookup(vocabulary=[7, 9], mask_token=0).get_vocabulary()
            [0, -1, 7, 9]
        """
        tokens = list(self._vocabulary or [])
        if not include_special_tokens:
            return tokens
        special = [self.mask_token] if self._oov_start() else []
        return special + [self.oov_token] * self.num_oov_indices + tokens

    def vocabulary_size(self):
        """Number of indices, special ones included.

        Example:
            >>> from kiln.layers import StringLookup
            >>> StringLookup(vocabulary=["a"], mask_token="").vocabulary_size()
            3
        """
        return self._token_start() + len(self._vocabulary or [])

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    def _idf_vector(self):
        front = self._token_start()
        weights = np.asarray(self._idf_weights, "float64")
        oov_weight = float(weights.mean()) if weights.size else 0.0
        back = self._depth() - front - weights.size
        return np.concatenate([np.full(front, oov_weight), weights, np.zeros(max(back, 0))]).astype(
            "float32")

    # -- adapt --------------------------------------------------------------------------
    def _tokens_from_array(self, array):
        return array.reshape(-1).tolist()

    def adapt(self, data, steps=None):
        """Build the vocabulary from ``data``: tokens by decreasing frequency (ties: larger token first).

        ``data`` is an array, list, tensor or ``tf.data.Dataset``; the mask and
        OOV tokens are skipped and at most ``max_tokens`` indices are kept. For
        ``tf_idf`` each row is a document and ``idf = log(1 + docs / (1 + docs with the token))``.

        Example:
            >>> from kiln.layers import StringLookup
            >>> layer = StringLookup()
            >>> layer.adapt([["a", "b", "b"]])
            >>> layer.get_vocabulary()
            ['[UNK]', 'b', 'a']
        """
        def documents():
            for step, batch in enumerate(iterate_batches(data)):
                if steps is not None and step >= steps:
                    break
                batch = np.asarray(batch)
                if batch.dtype.kind in ("S", "O", "U"):
                    batch = tf_utils.strings_to_python(batch)
                rows = batch.reshape(1, -1) if batch.ndim <= 1 else batch.reshape(batch.shape[0], -1)
                for row in rows:
                    yield self._tokens_from_array(row)

        self.adapt_documents(documents())

    def adapt_documents(self, documents):
        """Build the vocabulary from an iterable of token lists (one list per document).

        Example:
            >>> from kiln.layers import StringLookup
            >>> layer = StringLookup()
            >>> layer.adapt_documents([["x", "y"], ["y"]])
            >>> layer.get_vocabulary()
            ['[UNK]', 'y', 'x']
        """
        counts = collections.Counter()
        doc_counts = collections.Counter()
        total = 0
        for tokens in documents:
            counts.update(tokens)
            if self.output_mode == "tf_idf":
                doc_counts.update(set(tokens))
            total += 1
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[:max(self.max_tokens - self._token_start(), 0)]
        tokens = [token for token, _ in ranked]
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1 + total / (1 + doc_counts[t])) for t in tokens]
        self._vocabulary = tokens
        self._idf_weights = idf
        self._tables = None

    def finalize_state(self):
        """Nothing to do: :meth:`adapt` sets the vocabulary directly (Keras API hook)."""

    # -- lookup -------------------------------------------------------------------------
    def _tf_key_dtype(self):
        tf = tf_utils.tf_module()
        return tf.string if self._token_kind == "string" else tf.int64

    def _get_tables(self):
        if self._tables is None:
            tf = tf_utils.tf_module()
            with tf.init_scope():
                keys = tf.constant(self._vocabulary, dtype=self._tf_key_dtype()) if self._vocabulary \
                    else tf.zeros((0,), self._tf_key_dtype())
                ids = tf.range(self._token_start(), self._token_start() + len(self._vocabulary),
                               dtype=tf.int64)
                forward = tf.lookup.StaticHashTable(
                    tf.lookup.KeyValueTensorInitializer(keys, ids), default_value=-1)
                backward = tf.lookup.StaticHashTable(
                    tf.lookup.KeyValueTensorInitializer(ids, keys),
                    default_value=tf.constant(self.oov_token, self._tf_key_dtype()))
            self._tables = (forward, backward)
        return self._tables

    def _oov_indices(self, x):
        """int64 OOV index per token (``num_oov_indices`` > 1 spreads them by hashing)."""
        raise NotImplementedError

    def _lookup(self, x):
        tf = tf_utils.tf_module()
        forward, _ = self._get_tables()
        ids = forward.lookup(x)
        if self.num_oov_indices:
            ids = tf.where(ids < 0, self._oov_indices(x) + self._oov_start(), ids)
        elif not tf.inside_function() and bool(tf.reduce_any(ids < 0)):
            unknown = x[ids < 0][:3]
            if self.mask_token is not None:
                unknown = unknown[unknown != self.mask_token]
            if tf.size(unknown) > 0:
                raise ValueError(f"{self._owner}: with num_oov_indices=0, every input must be in the "
                                 f"vocabulary; received out-of-vocabulary values {unknown.numpy()!r}")
        if self.mask_token is not None:
            mask_id = 0 if self.output_mode == "int" else -1
            ids = tf.where(tf.equal(x, tf.constant(self.mask_token, x.dtype)),
                           tf.constant(mask_id, tf.int64), ids)
        return ids

    def _invert(self, ids):
        tf = tf_utils.tf_module()
        _, backward = self._get_tables()
        ids = tf.cast(ids, tf.int64)
        tokens = backward.lookup(ids)
        if self.mask_token is not None:
            tokens = tf.where(tf.equal(ids, 0), tf.constant(self.mask_token, tokens.dtype), tokens)
        return tokens

    def _prepare(self, x):
        """The input as a tf tensor of the key dtype (override to check/cast)."""
        return x

    def call(self, inputs):
        if self._vocabulary is None:
            raise ValueError(f"{self._owner}: the layer has no vocabulary; pass `vocabulary=` or call "
                             "`adapt` first")
        if self._backend_lookup_applies(inputs):
            ids = self._backend_lookup(inputs)
            if self.output_mode == "int":
                return ids
            idf = self._idf_vector() if self.output_mode == "tf_idf" else None
            return encode_categorical(self.backend, ids, self.output_mode, self._depth(),
                                      self.compute_dtype, idf_weights=idf)
        x = tf_utils.to_tf(inputs)
        if self.invert:
            tokens = self._invert(x)
            return self._convert_tokens(tokens)
        ids = self._lookup(self._prepare(x))
        if self.output_mode == "int":
            return self.convert_output(ids)
        ids = self.convert_output(ids)
        idf = self._idf_vector() if self.output_mode == "tf_idf" else None
        return encode_categorical(self.backend, ids, self.output_mode, self._depth(),
                                  self.compute_dtype, idf_weights=idf)

    def _convert_tokens(self, tokens):
        return self.convert_output(tokens)

    def _backend_lookup_applies(self, inputs):
        """Integer lookups on backend tensors run with the backend's own ops (so they compile)."""
        return False

    def _backend_lookup(self, inputs):
        """Token ids with ``self.backend`` ops: binary search in the sorted vocabulary."""
        b = self.backend
        knp = b.numpy
        vocab = np.asarray(self._vocabulary, "int64")
        order = np.argsort(vocab, kind="stable")
        sorted_vocab = b.core.convert_to_tensor(vocab[order])
        sorted_ids = b.core.convert_to_tensor((order + self._token_start()).astype("int64"))
        x = b.core.cast(inputs, sorted_vocab.dtype)
        position = knp.clip(knp.searchsorted(sorted_vocab, x), 0, vocab.size - 1)
        found = knp.equal(knp.take(sorted_vocab, position), x)
        oov = knp.add(knp.mod(x, self.num_oov_indices), self._oov_start())
        ids = knp.where(found, knp.take(sorted_ids, position), b.core.cast(oov, sorted_ids.dtype))
        if self.mask_token is not None:
            mask_id = 0 if self.output_mode == "int" else -1
            ids = knp.where(knp.equal(x, self.mask_token), mask_id, ids)
        return b.core.cast(ids, "int64")

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(input_shape, self.output_mode, self._depth())

    def compute_output_spec(self, inputs):
        if self.invert:
            dtype = self.vocabulary_dtype
        else:
            dtype = "int64" if self.output_mode == "int" else self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def get_config(self):
        config = super().get_config()
        config.update({
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary": None if self._vocabulary is None else list(self._vocabulary),
            "idf_weights": None if self._idf_weights is None else list(self._idf_weights),
            "vocabulary_size": self.vocabulary_size(),
            "salt": self.salt,
        })
        return config
