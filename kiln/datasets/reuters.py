"""Reuters newswires: 11,228 wires labelled over 46 topics.

Each wire is a list of word indices with the same conventions as
``kiln.datasets.imdb`` (indices are frequency ranks; ``0`` is padding). The
archive ``reuters.npz`` stores the wires as NumPy object arrays; Kiln never
unpickles it (see ``kiln.datasets._safe_npz``).

Example:
    >>> from kiln.datasets import reuters
    >>> (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=10000)  # doctest: +SKIP
    >>> len(x_train), len(x_test)  # doctest: +SKIP
    (8982, 2246)
"""

import numbers

import numpy as np

from kiln.datasets import _files, _safe_npz
from kiln.datasets import imdb as _text

ORIGIN_FOLDER = _files.ORIGIN_FOLDER
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"   # SHA-256 of reuters.npz
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"                               # MD5 of the JSON

_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Load the Reuters newswire topic dataset as sequences of word indices.

    All wires are shuffled with ``np.random.RandomState(seed)``; every word
    index is shifted by ``index_from`` and each wire starts with
    ``start_char``; wires of ``maxlen`` words or more (start mark included)
    are dropped; a word outside ``[skip_top, num_words)`` becomes ``oov_char``
    (or is removed when ``oov_char`` is None). The first
    ``int(n * (1 - test_split))`` wires are the training set, the rest the
    test set.

    Args:
        path: file name of the archive in the cache ``~/.kiln/datasets/``
            (downloaded there when missing); a path with a folder puts it there.
        num_words: keep the ``num_words`` most frequent words; None (or 0) keeps all.
        skip_top: indices below ``skip_top`` are treated as out of vocabulary.
        maxlen: drop sequences whose length is ``maxlen`` or more; None keeps all.
        test_split: fraction of the wires used as test data, in ``[0, 1]``.
        seed: seed of the shuffle.
        start_char: index marking the start of every sequence; None: no mark.
        oov_char: index replacing the words cut by ``num_words``/``skip_top``;
            None: those words are removed.
        index_from: offset added to every word index.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` are 1-D object arrays
        whose items are lists of ints; ``y`` are integer topic indices 0-45
        (names in ``get_label_names()``).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data(test_split=0.3)  # doctest: +SKIP
        >>> round(len(x_test) / (len(x_train) + len(x_test)), 1)  # doctest: +SKIP
        0.3
    """
    _text.check_arguments("reuters.load_data", num_words, skip_top, maxlen, seed, start_char, oov_char,
                          index_from)
    if not isinstance(test_split, numbers.Real) or isinstance(test_split, bool) or not 0 <= test_split <= 1:
        raise ValueError(f"reuters.load_data: `test_split` must be a number in [0, 1], received {test_split!r}")

    fpath = _files.fetch(path, ORIGIN_FOLDER + "reuters.npz", FILE_HASH)
    arrays = _safe_npz.load_npz(fpath, ("x", "y"))
    xs, labels = _text.sequences_and_labels(arrays, "x", "y", fpath)

    xs, labels = _text.shuffled(np.random.RandomState(seed), xs, labels)
    xs = _text.mark_and_offset(xs, start_char, index_from)
    if maxlen:
        xs, labels = _text.drop_long(xs, labels, maxlen)
        if not xs:
            raise ValueError(f"reuters.load_data: no sequence is shorter than maxlen={maxlen}; increase `maxlen`.")
    xs = _text.limit_vocabulary(xs, num_words, skip_top, oov_char)

    split = int(len(xs) * (1 - test_split))
    return ((_text.object_array(xs[:split]), labels[:split]),
            (_text.object_array(xs[split:]), labels[split:]))


def get_word_index(path="reuters_word_index.json"):
    """Return the Reuters word index: a dict mapping each word to its frequency rank.

    The ranks are the indices in the raw data; ``load_data`` adds
    ``index_from`` (3 by default) to them, keeping 0 (padding), 1 (start) and
    2 (out of vocabulary) free.

    Example:
        >>> index = get_word_index()  # doctest: +SKIP
        >>> index["the"]  # doctest: +SKIP
        1
    """
    return _text.read_word_index(_files.fetch(path, ORIGIN_FOLDER + "reuters_word_index.json", WORD_INDEX_HASH))


def get_label_names():
    """Return the 46 topic names; name ``i`` belongs to label ``i`` of ``load_data``.

    Example:
        >>> names = get_label_names()
        >>> len(names), names[3]
        (46, 'earn')
    """
    return _LABEL_NAMES
