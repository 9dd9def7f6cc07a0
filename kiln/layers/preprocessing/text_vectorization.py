"""``TextVectorization``: raw strings -> token indices or bag-of-words vectors.

Each string is standardized (lower-cased, punctuation stripped), split into
tokens (whitespace or characters), optionally turned into n-grams, and
looked up in a vocabulary (given, or built by :meth:`TextVectorization.adapt`).
The text processing runs in TensorFlow (imported lazily), in the graph inside
``tf.data`` and eagerly elsewhere; outputs are tensors of the active backend.

Example:
    >>> import kiln
    >>> layer = kiln.layers.TextVectorization(vocabulary=["the", "cat"], output_sequence_length=4)
    >>> kiln.ops.convert_to_numpy(layer(["The cat!", "a dog"])).tolist()
    [[2, 3, 0, 0], [1, 1, 0, 0]]
"""

import re
import string

from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.preprocessing import tf_utils
from kiln.layers.preprocessing.data_layer import DataLayer, tensorflow_backend
from kiln.layers.preprocessing.preprocessing_utils import (check_choice, check_int,
                                                            check_not_sparse,
                                                            encode_categorical)
from kiln.layers.preprocessing.string_lookup import StringLookup
from kiln.saving import serialization_lib

STANDARDIZE_MODES = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT_MODES = ("whitespace", "character")
# Every ASCII punctuation character, as one RE2 character class.
PUNCTUATION_PATTERN = "[" + re.escape(string.punctuation) + "]"


def _standardize_ngrams(owner, ngrams):
    if ngrams is None:
        return None
    if isinstance(ngrams, int) and not isinstance(ngrams, bool) and ngrams >= 1:
        return tuple(range(1, ngrams + 1))
    if isinstance(ngrams, (list, tuple)) and ngrams and all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in ngrams):
        return tuple(ngrams)
    raise ValueError(f"{owner}: `ngrams` must be None, a positive int or a tuple of positive ints; "
                     f"received ngrams={ngrams!r}")


class TextVectorization(DataLayer):
    """Turns a batch of strings into token indices (``"int"``) or vectors over the vocabulary.

    Args:
        max_tokens: the most vocabulary entries (mask ``""`` and OOV ``"[UNK]"``
            included in int mode); None for no limit.
        standardize: ``"lower_and_strip_punctuation"``, ``"lower"``,
            ``"strip_punctuation"``, None, or a callable on a tf string tensor.
        split: ``"whitespace"``, ``"character"``, None (each string is one
            token), or a callable on a tf string tensor returning tokens.
        ngrams: None, an int ``n`` (all n-grams of widths 1..n) or a tuple of widths.
        output_mode: ``"int"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        output_sequence_length: int mode only: pad with 0 / truncate every
            sequence to this length (default: pad to the longest in the batch).
        pad_to_max_tokens: vector outputs have size ``max_tokens``.
        vocabulary: a list of tokens or a path to a file with one per line
            (read now; the config keeps the list); or call :meth:`adapt`.
        idf_weights: per-token weights for ``"tf_idf"``.
        sparse, ragged: must be False (dense outputs).
        encoding: text encoding (``"utf-8"``).

    Inputs: a batch of strings, shape ``(batch,)`` or ``(batch, 1)`` (NumPy
    arrays, lists, tf tensors). In int mode index 0 is padding, 1 the OOV
    token, and the vocabulary starts at 2.

    Example:
        >>> import kiln
        >>> layer = TextVectorization(output_mode="count", vocabulary=["a", "b"])
        >>> kiln.ops.convert_to_numpy(layer(["a b a", "c"])).tolist()
        [[0.0, 2.0, 1.0], [1.0, 0.0, 0.0]]
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, **kwargs):
        kwargs.pop("vocabulary_size", None)
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(name=name, **kwargs)
        owner = f"TextVectorization '{self.name}'"
        self._owner = owner
        standardize = serialization_lib.deserialize_kiln_object(standardize) \
            if isinstance(standardize, dict) else standardize
        split = serialization_lib.deserialize_kiln_object(split) if isinstance(split, dict) else split
        if standardize is not None and not callable(standardize):
            check_choice(owner, "standardize", standardize, STANDARDIZE_MODES + (None,))
        if split is not None and not callable(split):
            check_choice(owner, "split", split, SPLIT_MODES + (None,))
        check_choice(owner, "output_mode", output_mode, ("int", "multi_hot", "count", "tf_idf"))
        check_not_sparse(owner, sparse)
        if ragged:
            raise ValueError(f"{owner}: `ragged=True` is not supported (Kiln returns dense, padded "
                             "outputs); received ragged=True")
        if output_sequence_length is not None:
            if output_mode != "int":
                raise ValueError(f"{owner}: `output_sequence_length` only applies to output_mode='int'; "
                                 f"received output_mode={output_mode!r}")
            check_int(owner, "output_sequence_length", output_sequence_length)
        self._ngrams = _standardize_ngrams(owner, ngrams)
        self.ngrams = ngrams
        self.standardize = standardize
        self.split = split
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = pad_to_max_tokens
        self.sparse = sparse
        self.ragged = ragged
        self.encoding = encoding
        self.autocast = False
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, num_oov_indices=1, mask_token="", oov_token="[UNK]",
            vocabulary=vocabulary, idf_weights=idf_weights, output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens, encoding=encoding, name=f"{self.name}_lookup")

    # -- vocabulary -------------------------------------------------------------------
    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary by index (``""`` and ``"[UNK]"`` first in int mode).

        Example:
            >>> TextVectorization(vocabulary=["x"]).get_vocabulary()
            ['', '[UNK]', 'x']
        """
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """Number of indices, special ones included.

        Example:
            >>> TextVectorization(vocabulary=["x", "y"]).vocabulary_size()
            4
        """
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replace the vocabulary (and the idf weights of ``tf_idf``).

        Example:
            >>> layer = TextVectorization()
            >>> layer.set_vocabulary(["a"])
            >>> layer.vocabulary_size()
            3
        """
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    def adapt(self, data, batch_size=None, steps=None):
        """Build the vocabulary from strings (array, list, tensor or ``tf.data.Dataset`` of batches).

        Example:
            >>> layer = TextVectorization()
            >>> layer.adapt(["b a b", "c"])
            >>> layer.get_vocabulary()
            ['', '[UNK]', 'b', 'c', 'a']
        """
        from kiln.layers.preprocessing.normalization import iterate_batches

        def documents():
            for step, batch in enumerate(iterate_batches(data)):
                if steps is not None and step >= steps:
                    break
                tokens = self._tokenize(tf_utils.to_tf(batch))
                rows = tokens.to_list() if hasattr(tokens, "to_list") else tokens.numpy().tolist()
                for row in rows:
                    if not isinstance(row, list):
                        row = [row]
                    yield [t.decode(self.encoding) if isinstance(t, bytes) else t for t in row]

        self._lookup_layer.adapt_documents(documents())

    def finalize_state(self):
        """Nothing to do: :meth:`adapt` sets the vocabulary directly (Keras API hook)."""

    # -- processing ---------------------------------------------------------------------
    def _tokenize(self, x):
        tf = tf_utils.tf_module()
        if not tf_utils.is_string_tensor(x):
            raise ValueError(f"{self._owner}: inputs must be strings; received dtype {x.dtype.name}")
        if x.shape.rank == 0:
            x = tf.reshape(x, (1,))
        if self.split is not None and x.shape.rank > 1:
            if x.shape.rank != 2 or (x.shape[-1] is not None and x.shape[-1] != 1):
                raise ValueError(f"{self._owner}: with `split`, inputs must have shape (batch,) or "
                                 f"(batch, 1); received shape {tuple(x.shape)}")
            x = tf.squeeze(x, axis=-1)
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            x = tf.strings.lower(x, encoding="utf-8")
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            x = tf.strings.regex_replace(x, PUNCTUATION_PATTERN, "")
        elif callable(self.standardize):
            x = self.standardize(x)
        if self.split == "whitespace":
            tokens = tf.strings.split(x)
        elif self.split == "character":
            tokens = tf.strings.unicode_split(x, "UTF-8")
        elif callable(self.split):
            tokens = self.split(x)
        else:
            tokens = x
        if self._ngrams is not None:
            tokens = tf.strings.ngrams(tokens, ngram_width=self._ngrams, separator=" ")
        return tokens

    def call(self, inputs):
        tf = tf_utils.tf_module()
        lookup = self._lookup_layer
        if lookup._vocabulary is None:
            raise ValueError(f"{self._owner}: the layer has no vocabulary; pass `vocabulary=` or call "
                             "`adapt` first")
        tokens = self._tokenize(tf_utils.to_tf(inputs))
        if isinstance(tokens, tf.RaggedTensor):
            ids = tokens.with_flat_values(lookup._lookup(tokens.flat_values))
        else:
            ids = lookup._lookup(tokens)
        if self.output_mode == "int":
            if isinstance(ids, tf.RaggedTensor):
                shape = None if self.output_sequence_length is None else \
                    [None, self.output_sequence_length]
                ids = ids.to_tensor(default_value=0, shape=shape)
            elif self.output_sequence_length is not None and ids.shape.rank == 2:
                ids = ids[:, :self.output_sequence_length]
                ids = tf.pad(ids, [[0, 0], [0, self.output_sequence_length - tf.shape(ids)[1]]])
            return self.convert_output(ids)
        if isinstance(ids, tf.RaggedTensor):
            ids = ids.to_tensor(default_value=-1)
        elif ids.shape.rank == 1:
            ids = tf.reshape(ids, (-1, 1))
        idf = lookup._idf_vector() if self.output_mode == "tf_idf" else None
        # Encode in TensorFlow (the ids are tf tensors here whatever the backend).
        out = encode_categorical(tensorflow_backend(), ids, self.output_mode, lookup._depth(),
                                 self.compute_dtype, idf_weights=idf)
        return self.convert_output(out)

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape)[:1] if len(input_shape) else (None,)
        if self.output_mode == "int":
            if self.split is None and len(input_shape) > 1:
                return tuple(input_shape)
            return batch + (self.output_sequence_length,)
        return batch + (self._lookup_layer._depth(),)

    def compute_output_spec(self, inputs):
        dtype = "int64" if self.output_mode == "int" else self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    def get_config(self):
        config = super().get_config()
        lookup = self._lookup_layer
        config.update({
            "max_tokens": lookup.max_tokens,
            "standardize": self.standardize if not callable(self.standardize)
            else serialization_lib.serialize_kiln_object(self.standardize),
            "split": self.split if not callable(self.split)
            else serialization_lib.serialize_kiln_object(self.split),
            "ngrams": self.ngrams,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "sparse": self.sparse,
            "ragged": self.ragged,
            "vocabulary": None if lookup._vocabulary is None else list(lookup._vocabulary),
            "idf_weights": None if lookup._idf_weights is None else list(lookup._idf_weights),
            "encoding": self.encoding,
            "vocabulary_size": self.vocabulary_size(),
        })
        return config
