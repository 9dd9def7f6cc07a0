"""CIFAR-10: 60,000 32x32 colour images in 10 classes (50,000 train, 10,000 test).

Classes: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog,
7 horse, 8 ship, 9 truck.

Kiln reads the *binary* release of the dataset (``cifar-10-binary.tar.gz``,
plain byte records parsed with NumPy), never the pickled Python release; the
images and their order are the same. The archive is downloaded with
``kiln.utils.get_file`` and extracted into
``~/.kiln/datasets/cifar-10-batches-bin-target/cifar-10-batches-bin/``; a
``cifar-10-batches-bin`` folder put there (or directly in
``~/.kiln/datasets/``) by hand is used as is.

Example:
    >>> from kiln.datasets import cifar10
    >>> (x_train, y_train), (x_test, y_test) = cifar10.load_data()  # doctest: +SKIP
    >>> x_train.shape, y_train.shape  # doctest: +SKIP
    ((50000, 32, 32, 3), (50000, 1))
"""

import os

import numpy as np

from kiln import config

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
FILE_HASH = "c32a1d4ab5d03f1284b67883e8d87530"   # MD5 published on the CIFAR page
DIRNAME = "cifar-10-batches-bin-target"           # extraction folder in the cache
INNER_DIR = "cifar-10-batches-bin"               # the archive's top folder
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILE = "test_batch.bin"

_IMAGE_BYTES = 3 * 32 * 32


def load_data():
    """Load the CIFAR-10 dataset as uint8 NumPy arrays.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: images of shape
        ``(50000, 32, 32, 3)`` / ``(10000, 32, 32, 3)`` (``(n, 3, 32, 32)`` when
        ``kiln.config.image_data_format()`` is ``"channels_first"``), pixel
        values 0-255; labels of shape ``(n, 1)``, integers 0-9.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
        >>> x_test.dtype, y_test.shape  # doctest: +SKIP
        (dtype('uint8'), (10000, 1))
    """
    folder = batch_folder(DIRNAME, INNER_DIR, TRAIN_FILES + (TEST_FILE,), ORIGIN, FILE_HASH)
    train = [read_records(os.path.join(folder, f), 1, 0, 10) for f in TRAIN_FILES]
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    x_test, y_test = read_records(os.path.join(folder, TEST_FILE), 1, 0, 10)
    return (to_data_format(x_train), y_train.reshape(-1, 1)), (to_data_format(x_test), y_test.reshape(-1, 1))


def batch_folder(dirname, inner_dir, files, origin, file_hash):
    """The folder holding all ``files``: found in the cache, else downloaded and extracted.

    Looks in ``<kiln_home>/datasets/<dirname>/<inner_dir>`` and
    ``<kiln_home>/datasets/<inner_dir>``; otherwise fetches ``origin`` with
    ``get_file(fname=dirname, extract=True, file_hash=file_hash)``.

    Example:
        >>> batch_folder("cifar-10-batches-bin-target", "cifar-10-batches-bin",
        ...              ("test_batch.bin",), ORIGIN, FILE_HASH)  # doctest: +SKIP
        '/home/me/.kiln/datasets/cifar-10-batches-bin-target/cifar-10-batches-bin'
    """
    datasets = os.path.join(config.kiln_home(), "datasets")
    for folder in (os.path.join(datasets, dirname, inner_dir), os.path.join(datasets, inner_dir)):
        if all(os.path.isfile(os.path.join(folder, f)) for f in files):
            return folder
    from kiln.utils.file_utils import get_file

    extracted = get_file(fname=dirname, origin=origin, extract=True, file_hash=file_hash)
    for folder in (os.path.join(extracted, inner_dir), extracted):
        if all(os.path.isfile(os.path.join(folder, f)) for f in files):
            return folder
    raise ValueError(
        f"The archive from {origin} was extracted into {extracted}, but its folder {inner_dir}/ "
        f"does not hold all of {', '.join(files)}. Delete {extracted} and try again, or put the "
        f"files into {os.path.join(datasets, dirname, inner_dir)}."
    )


def read_records(path, label_bytes, label_index, num_classes):
    """Parse one CIFAR binary batch file into ``(images, labels)``.

    Each record is ``label_bytes`` label bytes then 3072 pixel bytes: the
    red, green and blue 32x32 planes in row-major order. Returns uint8
    images of shape ``(n, 3, 32, 32)`` and the uint8 labels found at byte
    ``label_index`` of each record.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "b.bin")
        >>> np.concatenate([[7], np.zeros(3072, np.uint8)]).astype(np.uint8).tofile(path)
        >>> x, y = read_records(path, 1, 0, 10)
        >>> x.shape, y.tolist()
        ((1, 3, 32, 32), [7])
    """
    record = label_bytes + _IMAGE_BYTES
    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as e:
        raise ValueError(f"Could not read the CIFAR batch file {path}: {e}") from e
    if raw.size == 0 or raw.size % record:
        raise ValueError(
            f"{path} is not a CIFAR binary batch file: its {raw.size} bytes are not a whole, non-zero "
            f"number of {record}-byte records ({label_bytes} label byte(s) + {_IMAGE_BYTES} pixels)")
    records = raw.reshape(-1, record)
    labels = records[:, label_index].copy()
    if labels.max() >= num_classes:
        bad = int(np.argmax(labels >= num_classes))
        raise ValueError(
            f"{path}: record {bad} has label {int(labels[bad])}, expected a class index below {num_classes}")
    return records[:, label_bytes:].reshape(-1, 3, 32, 32).copy(), labels


def to_data_format(images):
    """``(n, 3, 32, 32)`` images as ``image_data_format()`` asks (channels last by default).

    Example:
        >>> to_data_format(np.zeros((2, 3, 32, 32), np.uint8)).shape  # doctest: +SKIP
        (2, 32, 32, 3)
    """
    if config.image_data_format() == "channels_first":
        return images
    return np.ascontiguousarray(images.transpose(0, 2, 3, 1))
