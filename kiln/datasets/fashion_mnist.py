"""Fashion-MNIST: 70,000 28x28 grayscale images of clothing in 10 classes.

Classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot.

Example:
    >>> from kiln.datasets import fashion_mnist
    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train.dtype  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
"""

from kiln.datasets import _files

DATASET = "fashion-mnist"
SYSTEM_DIR = "/usr/share/datasets/fashion-mnist"   # Debian package dataset-fashion-mnist
BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
INSTALL_HINT = "sudo apt-get install -y dataset-fashion-mnist"
FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def load_data():
    """Return ``(x_train, y_train), (x_test, y_test)`` as uint8 NumPy arrays.

    ``x_train``: (60000, 28, 28), ``y_train``: (60000,), ``x_test``:
    (10000, 28, 28), ``y_test``: (10000,). Looks in ``SYSTEM_DIR`` (the
    Debian package), then ``~/.kiln/datasets/fashion-mnist/``, then downloads
    into that cache.

    Example:
        >>> (x_train, y_train), _ = load_data()  # doctest: +SKIP
        >>> int(y_train.max())  # doctest: +SKIP
        9
    """
    paths = _files.find_or_fetch(DATASET, FILES, SYSTEM_DIR, BASE_URL, INSTALL_HINT)
    y_train, x_train, y_test, x_test = (_files.read_idx(paths[f]) for f in FILES)
    _check(x_train, y_train, "train")
    _check(x_test, y_test, "test")
    return (x_train, y_train), (x_test, y_test)


def _check(x, y, split):
    if x.ndim != 3 or y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{DATASET} {split} files disagree: images {x.shape}, labels {y.shape} "
            "(expected (n, 28, 28) images and (n,) labels)"
        )
