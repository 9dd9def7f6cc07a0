"""MNIST: 70,000 28x28 grayscale images of handwritten digits 0-9.

Example:
    >>> from kiln.datasets import mnist
    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape  # doctest: +SKIP
    (60000, 28, 28)
"""

import os

import numpy as np

from kiln.datasets import _files

DATASET = "mnist"
# IDX files (train-images-idx3-ubyte.gz, ...) placed here are used first.
SYSTEM_DIR = "/usr/share/datasets/mnist"
BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
IDX_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def load_data(path="mnist.npz"):
    """Return ``(x_train, y_train), (x_test, y_test)`` as uint8 NumPy arrays.

    Uses IDX files in ``SYSTEM_DIR`` or in the cache ``~/.kiln/datasets/mnist/``
    when all four are there; otherwise the NumPy archive ``path`` (a file
    name inside the cache) is used, downloaded first when missing.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
        >>> y_test.shape  # doctest: +SKIP
        (10000,)
    """
    for folder in (SYSTEM_DIR, _files.cache_dir(DATASET)):
        if all(os.path.isfile(os.path.join(folder, f)) for f in IDX_FILES):
            y_train, x_train, y_test, x_test = (_files.read_idx(os.path.join(folder, f)) for f in IDX_FILES)
            return (x_train, y_train), (x_test, y_test)
    archive = _files.find_or_fetch(DATASET, (path,), None, BASE_URL)[path]
    try:
        with np.load(archive, allow_pickle=False) as data:
            return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
    except (OSError, ValueError, KeyError) as e:
        raise ValueError(
            f"Could not read {archive} (expected a NumPy archive with x_train, y_train, x_test, y_test): {e}"
        ) from e
