"""CIFAR-100: 60,000 32x32 colour images in 100 classes grouped into 20 superclasses.

Kiln reads the *binary* release (``cifar-100-binary.tar.gz``: ``train.bin`` and
``test.bin``, records of a coarse label byte, a fine label byte and 3072
pixel bytes, parsed with NumPy), never the pickled Python release; the images
and their order are the same. The archive is downloaded with
``kiln.utils.get_file`` and extracted into
``~/.kiln/datasets/cifar-100-binary-target/cifar-100-binary/``; a
``cifar-100-binary`` folder put there (or directly in ``~/.kiln/datasets/``)
by hand is used as is.

Example:
    >>> from kiln.datasets import cifar100
    >>> (x_train, y_train), _ = cifar100.load_data(label_mode="coarse")  # doctest: +SKIP
    >>> int(y_train.max())  # doctest: +SKIP
    19
"""

import os

from kiln.datasets.cifar10 import batch_folder, read_records, to_data_format

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"
FILE_HASH = "03b5dce01913d631647c71ecec9e9cb8"   # MD5 published on the CIFAR page
DIRNAME = "cifar-100-binary-target"               # extraction folder in the cache
INNER_DIR = "cifar-100-binary"                   # the archive's top folder
TRAIN_FILE = "train.bin"
TEST_FILE = "test.bin"

# label_mode -> (byte of the record holding the label, number of classes)
_LABELS = {"coarse": (0, 20), "fine": (1, 100)}


def load_data(label_mode="fine"):
    """Load the CIFAR-100 dataset as uint8 NumPy arrays.

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: images of shape
        ``(50000, 32, 32, 3)`` / ``(10000, 32, 32, 3)`` (``(n, 3, 32, 32)`` when
        ``kiln.config.image_data_format()`` is ``"channels_first"``), pixel
        values 0-255; labels of shape ``(n, 1)``.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data("fine")  # doctest: +SKIP
        >>> x_train.shape, y_test.shape  # doctest: +SKIP
        ((50000, 32, 32, 3), (10000, 1))
    """
    if label_mode not in _LABELS:
        raise ValueError(
            f'cifar100.load_data: `label_mode` must be one of "fine", "coarse"; received label_mode={label_mode!r}')
    label_index, num_classes = _LABELS[label_mode]
    folder = batch_folder(DIRNAME, INNER_DIR, (TRAIN_FILE, TEST_FILE), ORIGIN, FILE_HASH)
    x_train, y_train = read_records(os.path.join(folder, TRAIN_FILE), 2, label_index, num_classes)
    x_test, y_test = read_records(os.path.join(folder, TEST_FILE), 2, label_index, num_classes)
    return (to_data_format(x_train), y_train.reshape(-1, 1)), (to_data_format(x_test), y_test.reshape(-1, 1))
