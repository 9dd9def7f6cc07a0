"""California Housing: 20,640 census block groups (1990), 8 features, median house value targets.

Features, in order: MedInc (median income), HouseAge (median house age), AveRooms and
AveBedrms (average rooms / bedrooms per household), Population, AveOccup (average
household size), Latitude, Longitude. Targets are median house values in dollars
(typically 25,000 to 500,000). From the StatLib repository.

Example:
    >>> from kiln.datasets import california_housing
    >>> (x_train, y_train), _ = california_housing.load_data(version="small")  # doctest: +SKIP
    >>> x_train.shape  # doctest: +SKIP
    (480, 8)
"""

from kiln.datasets import _files

DATASET = "california_housing"
BASE_URL = _files.ORIGIN_FOLDER
# SHA-256 of Keras' california_housing.npz.
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
SMALL_SIZE = 600


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Return ``(x_train, y_train), (x_test, y_test)`` as NumPy arrays.

    ``x``: (num_samples, 8) features; ``y``: (num_samples,) median house values.
    ``version="large"`` uses all 20,640 samples, ``"small"`` the first 600 (a stand-in
    for ``boston_housing``). The samples are then shuffled with
    ``np.random.RandomState(seed)``; the first ``int(n * (1 - test_split))`` are the
    training set. ``path`` is the file name in ``~/.kiln/datasets/``; a missing file is
    downloaded with ``kiln.utils.get_file`` and checked against its SHA-256. The archive
    is read with ``allow_pickle=False``.

    Args:
        version: ``"large"`` or ``"small"``.
        path: cache file name (relative to ``~/.kiln/datasets``).
        test_split: fraction of the samples kept for the test set, in [0, 1).
        seed: seed of the shuffle done before splitting.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
        >>> x_train.shape, y_test.shape  # doctest: +SKIP
        ((16512, 8), (4128,))
    """
    if version not in ("large", "small"):
        raise ValueError(
            "california_housing.load_data: `version` must be 'small' or 'large'; "
            f"received version={version!r}")
    _files.check_test_split(test_split, "california_housing.load_data")
    archive = _files.fetch(path, BASE_URL + "california_housing.npz", file_hash=FILE_HASH)
    x, y = _files.load_npz(archive, ("x", "y"), DATASET)
    if version == "small":
        x, y = x[:SMALL_SIZE], y[:SMALL_SIZE]
    return _files.shuffled_split(x, y, test_split, seed)
