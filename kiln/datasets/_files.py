"""Finding, downloading and parsing dataset files (shared by the dataset modules).

Downloads go through ``kiln.utils.get_file`` into Kiln's cache with Keras' layout:
``<kiln_home>/datasets/<file>`` (``~/.kiln/datasets/``, ``$KILN_HOME`` replaces
``~/.kiln``), or a sub-folder such as ``datasets/fashion-mnist/``. Files are only
ever read as NumPy data: ``.npz`` archives with ``allow_pickle=False`` and IDX files.

Example:
    >>> import gzip, io, numpy as np
    >>> raw = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9])
    >>> parse_idx(raw).tolist()
    [7, 8, 9]
"""

import gzip
import os

import numpy as np

from kiln import config
from kiln.utils.file_utils import DownloadError
from kiln.utils.file_utils import get_file

# Where Keras 3 downloads its datasets from.
ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

# IDX type codes -> big-endian NumPy dtypes.
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def cache_dir(name=None):
    """``<kiln_home>/datasets``, or its sub-folder ``name`` (not created).

    Example:
        >>> cache_dir("mnist").endswith(os.path.join("datasets", "mnist"))
        True
    """
    root = os.path.join(config.kiln_home(), "datasets")
    return root if name is None else os.path.join(root, name)


def fetch(fname, origin, file_hash=None, cache_subdir="datasets", hint=None):
    """``get_file(fname, origin, file_hash=..., cache_subdir=...)``; ``hint`` is added to an offline error.

    A ``fname`` with a folder (a loader's ``path`` argument) is cached in that
    folder: an absolute one as is, a relative one inside ``cache_subdir``.

    Example:
        >>> fetch("mnist.npz", ORIGIN_FOLDER + "mnist.npz")  # doctest: +SKIP
        '/home/user/.kiln/datasets/mnist.npz'
    """
    folder, fname = os.path.split(os.path.expanduser(os.fspath(fname)))
    if folder:
        cache_subdir = folder if os.path.isabs(folder) else os.path.join(cache_subdir, folder)
    try:
        return get_file(fname, origin=origin, file_hash=file_hash, cache_subdir=cache_subdir)
    except DownloadError as e:
        if not hint:
            raise
        raise DownloadError(f"{e}\n{hint}") from e


def load_npz(path, keys, dataset):
    """The arrays ``keys`` of the NumPy archive ``path``, read with ``allow_pickle=False``.

    Raises ``ValueError`` naming the file and the dataset when it is not such an
    archive, lacks a key, or holds object arrays (those would need unpickling).

    Example:
        >>> x, y = load_npz("boston_housing.npz", ("x", "y"), "boston_housing")  # doctest: +SKIP
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in keys if k not in data.files]
            if missing:
                raise KeyError(f"missing {missing}; the archive holds {sorted(data.files)}")
            return tuple(data[k] for k in keys)
    except (OSError, ValueError, KeyError, EOFError) as e:
        raise ValueError(
            f"Could not read the {dataset} file {path} (expected a NumPy .npz archive with "
            f"{', '.join(keys)}; object arrays are refused, nothing is unpickled): {e}") from e


def parse_idx(data):
    """Decode IDX bytes (the MNIST file format) into a NumPy array.

    Layout: two zero bytes, a type code, the number of dimensions, each
    dimension as a big-endian uint32, then the values in C order.
    """
    data = bytes(data)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise ValueError(f"not an IDX file (header {data[:4]!r})")
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"truncated IDX header: {ndim} dimensions need {header} bytes, file has {len(data)}")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    count = int(np.prod(shape, dtype=np.int64))
    if len(data) - header != count * dtype.itemsize:
        raise ValueError(
            f"IDX file holds {len(data) - header} data bytes; shape {shape} of {dtype.name} needs "
            f"{count * dtype.itemsize}"
        )
    array = np.frombuffer(data, dtype=dtype, count=count, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_idx(path):
    """Read an IDX file, gzip-compressed when its name ends in ``.gz``."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            return parse_idx(f.read())
    except (OSError, ValueError, EOFError) as e:
        raise ValueError(f"Could not read IDX file {path}: {e}") from e


def check_test_split(test_split, function):
    """Raise ``ValueError`` naming ``function`` unless ``0 <= test_split < 1``.

    Example:
        >>> check_test_split(0.2, "boston_housing.load_data")
    """
    number = isinstance(test_split, (int, float, np.integer, np.floating)) and not isinstance(test_split, bool)
    if not number or not 0 <= test_split < 1:
        raise ValueError(
            f"{function}: `test_split` must be a number in [0, 1) (the fraction of samples kept for "
            f"testing); received test_split={test_split!r}")


def shuffled_split(x, y, test_split, seed):
    """Shuffle ``x`` and ``y`` with ``np.random.RandomState(seed)``; split off the last ``test_split``.

    The first ``int(len(x) * (1 - test_split))`` shuffled samples are the training set,
    the rest the test set, as the Keras dataset loaders split them.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = shuffled_split(np.arange(10), np.arange(10), 0.2, 113)
        >>> len(x_train), len(x_test)
        (8, 2)
    """
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
