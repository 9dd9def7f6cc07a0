"""Finding, downloading and parsing dataset files (shared by the dataset modules).

A dataset file is looked for in a system folder (e.g. what a Debian package
installs), then in Kiln's cache ``<kiln_home>/datasets/<name>/``, and only then
downloaded into that cache. Downloads go to a temporary file that is renamed
into place once complete, so the cache never holds a partial file.

Example:
    >>> import gzip, io, numpy as np
    >>> raw = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9])
    >>> parse_idx(raw).tolist()
    [7, 8, 9]
"""

import gzip
import os
import tempfile
import urllib.request

import numpy as np

from kiln import config

# IDX type codes -> big-endian NumPy dtypes.
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def cache_dir(name):
    """``<kiln_home>/datasets/<name>`` (not created).

    Example:
        >>> cache_dir("mnist").endswith(os.path.join("datasets", "mnist"))
        True
    """
    return os.path.join(config.kiln_home(), "datasets", name)


def download(url, dest, timeout=60):
    """Fetch ``url`` into ``dest`` through a temporary file in the same folder."""
    folder = os.path.dirname(dest)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(dest) + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            while True:
                chunk = response.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def find_or_fetch(dataset, filenames, system_dir, base_url, install_hint=None):
    """Return ``{filename: path}``, from ``system_dir``, else the cache, else a download.

    All files must come from the same place: a system folder missing one of
    them is not used. Raises ``OSError`` naming the URL, the cache folder and
    ``install_hint`` when a download fails.
    """
    if system_dir and all(os.path.isfile(os.path.join(system_dir, f)) for f in filenames):
        return {f: os.path.join(system_dir, f) for f in filenames}
    cache = cache_dir(dataset)
    paths = {}
    if not all(os.path.isfile(os.path.join(cache, f)) for f in filenames):
        os.makedirs(cache, exist_ok=True)
    for f in filenames:
        path = os.path.join(cache, f)
        if not os.path.isfile(path):
            url = base_url + f
            try:
                download(url, path)
            except Exception as e:
                lines = [
                    f"Could not load the {dataset} dataset: {f} is not in {system_dir or '(no system folder)'} "
                    f"nor in the cache {cache}, and downloading {url} failed ({type(e).__name__}: {e}).",
                ]
                if install_hint:
                    lines.append(f"Install it system-wide with: {install_hint}")
                lines.append(f"or put the files {', '.join(filenames)} into {cache}.")
                raise OSError("\n".join(lines)) from e
        paths[f] = path
    return paths


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
