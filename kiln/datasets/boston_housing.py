"""Boston Housing: 506 samples of 13 attributes of Boston suburbs (1970s), house prices as targets.

The dataset has an ethical problem: one attribute ("B") encodes a racial-composition
assumption. Prefer ``california_housing`` (its ``version="small"`` is a stand-in of a
similar size) except to illustrate that kind of problem.

Example:
    >>> from kiln.datasets import boston_housing
    >>> (x_train, y_train), (x_test, y_test) = boston_housing.load_data()  # doctest: +SKIP
    >>> x_train.shape, x_test.shape  # doctest: +SKIP
    ((404, 13), (102, 13))
"""

from kiln.datasets import _files

DATASET = "boston_housing"
BASE_URL = _files.ORIGIN_FOLDER
# SHA-256 of Keras' boston_housing.npz.
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Return ``(x_train, y_train), (x_test, y_test)`` as NumPy arrays.

    ``x``: (num_samples, 13) attributes; ``y``: (num_samples,) median home values in
    thousands of dollars (typically 10 to 50). The samples are shuffled with
    ``np.random.RandomState(seed)``; the first ``int(506 * (1 - test_split))`` are the
    training set. ``path`` is the file name in ``~/.kiln/datasets/``; a missing file is
    downloaded with ``kiln.utils.get_file`` and checked against its SHA-256. The archive
    is read with ``allow_pickle=False``.

    Args:
        path: cache file name (relative to ``~/.kiln/datasets``).
        test_split: fraction of the samples kept for the test set, in [0, 1).
        seed: seed of the shuffle done before splitting.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data(test_split=0.5)  # doctest: +SKIP
        >>> len(x_train), len(x_test)  # doctest: +SKIP
        (253, 253)
    """
    _files.check_test_split(test_split, "boston_housing.load_data")
    archive = _files.fetch(path, BASE_URL + "boston_housing.npz", file_hash=FILE_HASH)
    x, y = _files.load_npz(archive, ("x", "y"), DATASET)
    return _files.shuffled_split(x, y, test_split, seed)
