"""``get_file``: download a file into Kiln's cache once, check its hash, extract archives safely.

Files land in ``<cache_dir>/<cache_subdir>/<fname>`` (``cache_dir`` defaults to Kiln's home,
``~/.kiln`` or ``$KILN_HOME``). A download is written to a hidden temporary file in the same
folder, hashed while it streams, and renamed into place only when complete and verified, so
the cache never holds a partial or corrupted file. Archives are checked member by member
before anything is written (no absolute paths, nothing escaping the target folder through
``..``, no symbolic or hard links, no device files) and extracted into a temporary folder
that is renamed into place.

Example:
    >>> import os, tempfile
    >>> src = os.path.join(tempfile.mkdtemp(), "numbers.txt")
    >>> with open(src, "w") as f:
    ...     _ = f.write("1 2 3")
    >>> path = get_file(origin="file://" + src, cache_dir=tempfile.mkdtemp())  # doctest: +SKIP
    >>> os.path.basename(path)  # doctest: +SKIP
    'numbers.txt'
"""

import hashlib
import os
import shutil
import stat
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

from kiln import config

_CHUNK = 1 << 20
_ARCHIVE_FORMATS = ("tar", "zip")


class DownloadError(OSError):
    """A ``get_file`` download failed (offline, unreachable host, HTTP error).

    The message names the URL and the cache path where the file can be placed by hand.

    Example:
        >>> issubclass(DownloadError, OSError)
        True
    """


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
    force_download=False,
):
    """Download a file from a URL unless it is already in the cache; return its local path.

    The file at ``origin`` is saved as ``<cache_dir>/<cache_subdir>/<fname>``; with the
    defaults that is ``~/.kiln/datasets/<fname>`` (``$KILN_HOME`` replaces ``~/.kiln``).
    A cached file is reused as is, or, when ``file_hash`` is given, only if its hash matches
    (otherwise it is downloaded again). A download whose hash does not match raises
    ``ValueError`` and leaves nothing in the cache. An archive is extracted when it was
    just downloaded or when its extraction folder does not exist yet.

    Args:
        fname: local file name. None: the last part of the URL's path. When extracting, a
            name without an extension names the extraction folder (the archive is kept as
            ``<fname>_archive``); a name with one names the archive, and the folder is
            ``<fname up to its first dot>_extracted``. With ``fname=None`` and extraction,
            the folder takes the URL's file name and the archive ``<that>_archive``.
        origin: URL of the file (``http(s)://``, ``ftp://`` or ``file://``).
        untar: deprecated: same as ``extract=True`` with ``archive_format="tar"``.
        md5_hash: deprecated: an MD5 ``file_hash``.
        file_hash: expected SHA-256 or MD5 hex digest of the file.
        cache_subdir: folder inside ``cache_dir``; an absolute path is used as is.
        hash_algorithm: ``"sha256"``, ``"md5"`` or ``"auto"`` (by the hash's length:
            64 hex digits SHA-256, 32 MD5).
        extract: extract the file as an archive (tar, tar.gz, tar.bz2, tar.xz or zip).
        archive_format: ``"auto"`` (``["tar", "zip"]``), ``"tar"``, ``"zip"``, a list of
            those, or None (no extraction).
        cache_dir: cache root; None: Kiln's home. When it is not writable, a ``.kiln``
            folder in the system's temporary folder is used.
        force_download: download even when the cache holds the file.

    Returns:
        The path of the downloaded file, or with ``extract``/``untar`` the path of the
        folder the archive was extracted into.

    Raises:
        DownloadError: (an ``OSError``) the download failed; the message names the URL
            and the path where the file may be placed by hand.
        ValueError: bad arguments, a hash mismatch after download, or an archive member
            that would escape the folder, a link or a device file (nothing is extracted).

    Example:
        >>> path = get_file(  # doctest: +SKIP
        ...     origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        ...     file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
        >>> path.endswith(os.path.join("datasets", "mnist.npz"))  # doctest: +SKIP
        True
    """
    if origin is None:
        raise ValueError("get_file: the `origin` argument (the URL of the file) is required; received None")
    if not isinstance(origin, str) or not origin:
        raise TypeError(f"get_file: `origin` must be a non-empty URL string, received {origin!r}")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if file_hash is not None:
        if not isinstance(file_hash, str):
            raise TypeError(f"get_file: `file_hash` must be a hex digest string, received {file_hash!r}")
        file_hash = file_hash.strip().lower()
    algorithm = _resolve_algorithm(hash_algorithm, file_hash)
    formats = _archive_formats("tar" if untar else archive_format)

    provided_fname = fname
    if fname is not None:
        fname = os.fspath(fname)
        if not isinstance(fname, str):
            raise TypeError(f"get_file: `fname` must be a file name string, received {provided_fname!r}")
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(
                f"get_file: cannot take a file name from origin={origin!r} (its path has none); "
                "pass `fname`")
    elif os.sep in fname or "/" in fname or fname in (".", ".."):
        raise ValueError(
            "get_file: `fname` must be a plain file name, not a path (use `cache_dir` / "
            f"`cache_subdir` to choose the folder); received fname={fname!r}")

    datadir = os.path.join(_cache_root(cache_dir), os.fspath(cache_subdir))
    os.makedirs(datadir, exist_ok=True)

    extraction_dir = None
    if extract or untar:
        if provided_fname and "." in fname:
            download_target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, fname[: fname.index(".")] + "_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            download_target = os.path.join(datadir, fname + "_archive")
    else:
        download_target = os.path.join(datadir, fname)

    download = force_download or not os.path.isfile(download_target)
    stale = None
    if not download and file_hash is not None:
        cached_hash = _hash_file(download_target, algorithm)
        if cached_hash != file_hash:
            stale = (f"The cached file {download_target} has {algorithm} hash {cached_hash}, not the "
                     f"expected {file_hash} (incomplete or outdated)")
            print(f"{stale}: downloading it again.")
            download = True
    if download:
        _download(origin, download_target, file_hash, algorithm, stale=stale)

    if extraction_dir is None:
        return download_target
    if download or not os.path.isdir(extraction_dir):
        if not _extract(download_target, extraction_dir, formats):
            warnings.warn(
                f"get_file: could not extract {download_target}: it is not a "
                f"{' or '.join(formats) if formats else 'requested'} archive "
                f"(archive_format={archive_format!r})",
                stacklevel=2,
            )
    return extraction_dir


# -- arguments -------------------------------------------------------------------------------

def _resolve_algorithm(hash_algorithm, file_hash):
    if hash_algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(
            f"get_file: `hash_algorithm` must be 'auto', 'sha256' or 'md5', received {hash_algorithm!r}")
    if hash_algorithm != "auto":
        return hash_algorithm
    if file_hash is None or len(file_hash) == 64:
        return "sha256"
    if len(file_hash) == 32:
        return "md5"
    raise ValueError(
        "get_file: with hash_algorithm='auto', `file_hash` must be a SHA-256 (64 hex digits) or "
        f"MD5 (32 hex digits) digest; received {len(file_hash)} characters: {file_hash!r}")


def _archive_formats(archive_format):
    if archive_format is None:
        return []
    if archive_format == "auto":
        return list(_ARCHIVE_FORMATS)
    formats = [archive_format] if isinstance(archive_format, str) else list(archive_format)
    for f in formats:
        if f not in _ARCHIVE_FORMATS:
            raise ValueError(
                "get_file: `archive_format` must be 'auto', 'tar', 'zip', a list of those or None; "
                f"received {archive_format!r}")
    return formats


def _cache_root(cache_dir):
    root = os.path.expanduser(os.fspath(cache_dir) if cache_dir is not None else config.kiln_home())
    try:
        os.makedirs(root, exist_ok=True)
        if os.access(root, os.W_OK):
            return root
    except OSError:
        pass
    return os.path.join(tempfile.gettempdir(), ".kiln")


def _hash_file(path, algorithm):
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


# -- download --------------------------------------------------------------------------------

def _download(origin, target, file_hash, algorithm, stale=None, timeout=60):
    """Stream ``origin`` into a temporary file beside ``target``; verify; rename into place."""
    folder = os.path.dirname(target)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(target) + ".", suffix=".part")
    hasher = hashlib.new(algorithm)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(origin, timeout=timeout)
            except urllib.error.HTTPError as e:
                e.close()
                raise _download_error(origin, target, stale, f"HTTP {e.code} {e.reason}") from e
            except (urllib.error.URLError, OSError, ValueError) as e:
                reason = e.reason if isinstance(e, urllib.error.URLError) else e
                raise _download_error(origin, target, stale, f"{type(e).__name__}: {reason}") from e
            with response:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                print(f"Downloading data from {origin}")
                bar = None
                if total:
                    from kiln.utils.progbar import Progbar

                    bar = Progbar(total, unit_name="byte")
                done = 0
                while True:
                    try:
                        chunk = response.read(_CHUNK)
                    except OSError as e:
                        raise _download_error(origin, target, stale, f"{type(e).__name__}: {e}") from e
                    if not chunk:
                        break
                    out.write(chunk)
                    hasher.update(chunk)
                    done += len(chunk)
                    if bar is not None:
                        bar.update(min(done, total), finalize=done >= total)
                if total is not None and done < total:
                    raise _download_error(
                        origin, target, stale, f"connection closed after {done} of {total} bytes")
        if file_hash is not None and hasher.hexdigest() != file_hash:
            raise ValueError(
                f"get_file: the file downloaded from {origin} has {algorithm} hash {hasher.hexdigest()}, "
                f"not the expected {file_hash}: it is incomplete or corrupted, and was not kept")
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _download_error(origin, target, stale, reason):
    cached = f"{stale}." if stale else "The file is not in the cache either."
    return DownloadError(
        f"get_file: URL fetch failure on {origin} ({reason}). {cached} If this machine is "
        f"offline, download {origin} elsewhere and place it at {target}")


# -- safe extraction -------------------------------------------------------------------------

def _unsafe_name(name):
    """Why the archive member name ``name`` is not a safe relative path, or None."""
    normalized = name.replace("\\", "/")
    drive = len(normalized) > 1 and normalized[0].isalpha() and normalized[1] == ":"
    if normalized.startswith("/") or drive:
        return "an absolute path"
    parts = []
    for part in normalized.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return "a path escaping the extraction folder through '..'"
            parts.pop()
        else:
            parts.append(part)
    return None


def _check_tar(archive):
    for member in archive.getmembers():
        if member.issym() or member.islnk():
            kind = "symbolic" if member.issym() else "hard"
            problem = f"a {kind} link (to {member.linkname!r})"
        elif member.ischr() or member.isblk() or member.isfifo():
            problem = "a device or FIFO file"
        elif not (member.isfile() or member.isdir()):
            problem = "not a regular file or folder"
        else:
            problem = _unsafe_name(member.name)
        if problem:
            yield member.name, problem


def _check_zip(archive):
    for info in archive.infolist():
        mode = info.external_attr >> 16
        problem = _unsafe_name(info.filename)
        if problem is None and mode and info.create_system == 3:  # Unix permissions are recorded
            if stat.S_ISLNK(mode):
                problem = "a symbolic link"
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
                problem = "a device, FIFO or socket file"
        if problem:
            yield info.filename, problem


def _open_archive(path, formats):
    for archive_format in formats:
        if archive_format == "tar" and tarfile.is_tarfile(path):
            return archive_format, tarfile.open(path, "r:*")
        if archive_format == "zip" and zipfile.is_zipfile(path):
            return archive_format, zipfile.ZipFile(path)
    return None, None


def _extract(path, extraction_dir, formats):
    """Extract ``path`` into ``extraction_dir`` after checking every member; False: no format matched."""
    archive_format, archive = _open_archive(path, formats)
    if archive is None:
        return False
    with archive:
        problems = list(_check_tar(archive) if archive_format == "tar" else _check_zip(archive))
        if problems:
            listed = "; ".join(f"{name!r} is {why}" for name, why in problems[:5])
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise ValueError(
                f"get_file: refusing to extract {path}: {listed}{more}. Nothing was extracted.")
        parent = os.path.dirname(extraction_dir)
        tmp = tempfile.mkdtemp(dir=parent, prefix="." + os.path.basename(extraction_dir) + ".")
        try:
            if archive_format == "tar":
                kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                archive.extractall(tmp, **kwargs)
            else:
                archive.extractall(tmp)
            if os.path.isdir(extraction_dir) and not os.path.islink(extraction_dir):
                shutil.rmtree(extraction_dir)
            elif os.path.lexists(extraction_dir):
                os.remove(extraction_dir)
            os.replace(tmp, extraction_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return True
