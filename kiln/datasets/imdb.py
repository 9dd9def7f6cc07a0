"""IMDB: 50,000 movie reviews (25,000 train, 25,000 test) labelled positive (1) or negative (0).

Each review is a list of word indices; a word's index is its frequency rank in
the data (``3`` is the 3rd most frequent word before the ``index_from``
offset), and ``0`` never stands for a word (it is the padding value).

The archive ``imdb.npz`` stores the reviews as NumPy object arrays, i.e. as
pickles. Kiln never unpickles it: ``kiln.datasets._safe_npz`` decodes the
stream and accepts only what an array of integer lists produces.

Example:
    >>> from kiln.datasets import imdb
    >>> (x_train, y_train), _ = imdb.load_data(num_words=10000)  # doctest: +SKIP
    >>> x_train[0][:3]  # doctest: +SKIP
    [1, 14, 22]
"""

import json
import numbers
import warnings

import numpy as np

from kiln.datasets import _files, _safe_npz

ORIGIN_FOLDER = _files.ORIGIN_FOLDER
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"   # SHA-256 of imdb.npz
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"                               # MD5 of the JSON


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    **kwargs,
):
    """Load the IMDB sentiment dataset as sequences of word indices.

    The train and the test reviews are each shuffled with
    ``np.random.RandomState(seed)`` (train first, then test, from the same
    generator). Every word index is shifted by ``index_from`` and each review
    starts with ``start_char``; reviews of ``maxlen`` words or more (start
    mark included) are dropped; finally a word outside ``[skip_top,
    num_words)`` becomes ``oov_char`` (or is removed when ``oov_char`` is None).

    Args:
        path: file name of the archive in the cache ``~/.kiln/datasets/``
            (downloaded there when missing); a path with a folder puts it there.
        num_words: keep the ``num_words`` most frequent words (indices below
            ``num_words`` after the offset); None (or 0) keeps all.
        skip_top: indices below ``skip_top`` (the most frequent words) are
            treated as out of vocabulary.
        maxlen: drop sequences whose length is ``maxlen`` or more; None keeps all.
        seed: seed of the shuffle.
        start_char: index marking the start of every sequence; None: no mark.
        oov_char: index replacing the words cut by ``num_words``/``skip_top``;
            None: those words are removed.
        index_from: offset added to every word index.
        **kwargs: only the legacy name ``nb_words`` (for ``num_words``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` are 1-D object arrays
        whose items are lists of ints; ``y`` are integer arrays of 0/1 labels.

    Raises:
        ValueError: ``maxlen`` leaves no train or no test sequence, or the
            archive holds anything but integer sequences and labels.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data(num_words=5000, maxlen=200)  # doctest: +SKIP
        >>> max(max(seq) for seq in x_train) < 5000  # doctest: +SKIP
        True
    """
    if "nb_words" in kwargs:
        warnings.warn("imdb.load_data: `nb_words` is the old name of `num_words`; use `num_words`.",
                      stacklevel=2)
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"imdb.load_data: unrecognized keyword arguments: {sorted(kwargs)}")
    check_arguments("imdb.load_data", num_words, skip_top, maxlen, seed, start_char, oov_char, index_from)

    fpath = _files.fetch(path, ORIGIN_FOLDER + "imdb.npz", FILE_HASH)
    arrays = _safe_npz.load_npz(fpath, ("x_train", "y_train", "x_test", "y_test"))
    x_train, y_train = sequences_and_labels(arrays, "x_train", "y_train", fpath)
    x_test, y_test = sequences_and_labels(arrays, "x_test", "y_test", fpath)

    rng = np.random.RandomState(seed)
    x_train, y_train = shuffled(rng, x_train, y_train)
    x_test, y_test = shuffled(rng, x_test, y_test)
    x_train = mark_and_offset(x_train, start_char, index_from)
    x_test = mark_and_offset(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = drop_long(x_train, y_train, maxlen)
        x_test, y_test = drop_long(x_test, y_test, maxlen)
        if not x_train or not x_test:
            raise ValueError(
                f"imdb.load_data: no {'train' if not x_train else 'test'} sequence is shorter than "
                f"maxlen={maxlen}; increase `maxlen`.")
    x_train = limit_vocabulary(x_train, num_words, skip_top, oov_char)
    x_test = limit_vocabulary(x_test, num_words, skip_top, oov_char)
    return (object_array(x_train), y_train), (object_array(x_test), y_test)


def get_word_index(path="imdb_word_index.json"):
    """Return the IMDB word index: a dict mapping each word to its frequency rank.

    The ranks are the indices in the raw data; ``load_data`` adds
    ``index_from`` (3 by default) to them.

    Example:
        >>> index = get_word_index()  # doctest: +SKIP
        >>> index["the"]  # doctest: +SKIP
        1
    """
    return read_word_index(_files.fetch(path, ORIGIN_FOLDER + "imdb_word_index.json", WORD_INDEX_HASH))


# Shared with kiln.datasets.reuters -------------------------------------------------------------


def read_word_index(fpath):
    try:
        with open(fpath, encoding="utf-8") as f:
            index = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f"Could not read the word index {fpath}: {e}") from e
    if not isinstance(index, dict):
        raise ValueError(f"{fpath} must hold a JSON object mapping words to indices, got {type(index).__name__}")
    return index


def check_arguments(where, num_words, skip_top, maxlen, seed, start_char, oov_char, index_from):
    def is_int(value):
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)

    for name, value, optional in (("num_words", num_words, True), ("skip_top", skip_top, False),
                                  ("maxlen", maxlen, True), ("start_char", start_char, True),
                                  ("oov_char", oov_char, True), ("index_from", index_from, False)):
        if not (is_int(value) or (optional and value is None)):
            kind = "an int or None" if optional else "an int"
            raise TypeError(f"{where}: `{name}` must be {kind}, received {value!r}")
        if value is not None and value < 0:
            raise ValueError(f"{where}: `{name}` must be >= 0, received {value}")
    if not (is_int(seed) or seed is None):
        raise TypeError(f"{where}: `seed` must be an int or None, received {seed!r}")


def sequences_and_labels(arrays, x_key, y_key, fpath):
    xs = _safe_npz.int_sequences(arrays[x_key], fpath, x_key)
    labels = arrays[y_key]
    if labels.ndim != 1 or labels.dtype.kind not in "iu" or len(labels) != len(xs):
        raise ValueError(
            f"{fpath}: {y_key!r} must be a 1-D integer array as long as {x_key!r} ({len(xs)}); "
            f"got {labels.dtype} {labels.shape}")
    return xs, labels


def shuffled(rng, xs, labels):
    order = np.arange(len(xs))
    rng.shuffle(order)
    return [xs[i] for i in order], labels[order]


def mark_and_offset(xs, start_char, index_from):
    start = [] if start_char is None else [start_char]
    return [start + [w + index_from for w in x] for x in xs]


def drop_long(xs, labels, maxlen):
    keep = np.array([len(x) < maxlen for x in xs], dtype=bool)
    return [x for x, k in zip(xs, keep) if k], labels[keep]


def limit_vocabulary(xs, num_words, skip_top, oov_char):
    def in_vocabulary(w):
        return w >= skip_top and (not num_words or w < num_words)

    if oov_char is None:
        return [[w for w in x if in_vocabulary(w)] for x in xs]
    return [[w if in_vocabulary(w) else oov_char for w in x] for x in xs]


def object_array(rows):
    out = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        out[i] = row
    return out
