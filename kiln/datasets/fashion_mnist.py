"""Fashion-MNIST: 70,000 28x28 grayscale images of clothing in 10 classes.

Classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot.

Example:
    >>> from kiln.datasets import fashion_mnist
    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train.dtype  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
"""

import os

from kiln.datasets import _files

DATASET = "fashion-mnist"
SYSTEM_DIR = "/usr/share/datasets/fashion-mnist"   # Debian package dataset-fashion-mnist
BASE_URL = _files.ORIGIN_FOLDER
CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")
INSTALL_HINT = "sudo apt-get install -y dataset-fashion-mnist"
FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
# SHA-256 of the files at BASE_URL, as Keras 3 checks them (the Debian package's
# files are recompressed and hash differently; SYSTEM_DIR is read without a check).
FILE_HASHES = {
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}


def load_data():
    """Return ``(x_train, y_train), (x_test, y_test)`` as uint8 NumPy arrays.

    ``x_train``: (60000, 28, 28), ``y_train``: (60000,), ``x_test``:
    (10000, 28, 28), ``y_test``: (10000,). Reads ``SYSTEM_DIR`` (the Debian
    package) when it holds all four files; otherwise each file comes from the cache
    ``~/.kiln/datasets/fashion-mnist/`` (Keras' layout), downloaded there with
    ``kiln.utils.get_file`` and checked against its SHA-256 when missing or altered.

    Example:
        >>> (x_train, y_train), _ = load_data()  # doctest: +SKIP
        >>> int(y_train.max())  # doctest: +SKIP
        9
    """
    if all(os.path.isfile(os.path.join(SYSTEM_DIR, f)) for f in FILES):
        paths = [os.path.join(SYSTEM_DIR, f) for f in FILES]
    else:
        hint = (f"Install it system-wide with: {INSTALL_HINT} (files in {SYSTEM_DIR}), or put the files "
                f"{', '.join(FILES)} into {_files.cache_dir(DATASET)}.")
        paths = [_files.fetch(f, BASE_URL + f, file_hash=FILE_HASHES.get(f), cache_subdir=CACHE_SUBDIR,
                              hint=hint) for f in FILES]
    y_train, x_train, y_test, x_test = (_files.read_idx(p) for p in paths)
    _check(x_train, y_train, "train")
    _check(x_test, y_test, "test")
    return (x_train, y_train), (x_test, y_test)


def _check(x, y, split):
    if x.ndim != 3 or y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{DATASET} {split} files disagree: images {x.shape}, labels {y.shape} "
            "(expected (n, 28, 28) images and (n,) labels)"
        )
