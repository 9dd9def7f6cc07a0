"""MNIST: 70,000 28x28 grayscale images of handwritten digits 0-9.

Example:
    >>> from kiln.datasets import mnist
    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape  # doctest: +SKIP
    (60000, 28, 28)
"""

import os

from kiln.datasets import _files

DATASET = "mnist"
# IDX files (train-images-idx3-ubyte.gz, ...) placed here are used first.
SYSTEM_DIR = "/usr/share/datasets/mnist"
BASE_URL = _files.ORIGIN_FOLDER
# SHA-256 of Keras' mnist.npz.
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
IDX_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def load_data(path="mnist.npz"):
    """Return ``(x_train, y_train), (x_test, y_test)`` as uint8 NumPy arrays.

    ``x_train``: (60000, 28, 28), ``y_train``: (60000,) digits 0-9, ``x_test``:
    (10000, 28, 28), ``y_test``: (10000,). When the four IDX files are all in
    ``SYSTEM_DIR`` or in ``~/.kiln/datasets/mnist/``, they are read. Otherwise the
    NumPy archive ``path`` (a file name in ``~/.kiln/datasets/``) is read, downloaded
    first with ``kiln.utils.get_file`` from Keras' origin and checked against its
    SHA-256 when missing. The archive is read with ``allow_pickle=False``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
        >>> y_test.shape  # doctest: +SKIP
        (10000,)
    """
    for folder in (SYSTEM_DIR, _files.cache_dir(DATASET)):
        if all(os.path.isfile(os.path.join(folder, f)) for f in IDX_FILES):
            y_train, x_train, y_test, x_test = (_files.read_idx(os.path.join(folder, f)) for f in IDX_FILES)
            return (x_train, y_train), (x_test, y_test)
    archive = _files.fetch(path, BASE_URL + "mnist.npz", file_hash=FILE_HASH)
    x_train, y_train, x_test, y_test = _files.load_npz(
        archive, ("x_train", "y_train", "x_test", "y_test"), DATASET)
    return (x_train, y_train), (x_test, y_test)
