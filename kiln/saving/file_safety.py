"""What every loader checks in a file before it trusts any of it.

Loading a model file must never run code, read other files or exhaust memory
because of what the file says. This module holds the checks on the
*containers* (the ``.keras`` zip, an unzipped model folder, HDF5 weights
files, JSON configs); :mod:`kiln.saving.serialization_lib` holds the check on
what a config may name. Every loader (``load_model`` for ``.keras`` files and
folders, ``load_weights`` for ``.weights.h5`` and legacy ``.h5`` files) goes
through these functions, so one rule cannot be enforced on one path and
forgotten on another.

Refused, with an :class:`UnsafeFileError` naming the file and the offending
entry:

* zip members with absolute paths, ``..`` components, backslashes or
  duplicate names; encrypted members; members that declare more bytes than
  allowed or far more than they store (zip bombs); stored data longer than
  declared; corrupt or truncated archives;
* in a model folder: symbolic links, and entries that are not plain files;
* HDF5 external links, soft links, user-defined links, datasets with external
  storage, virtual datasets, filters HDF5 would load from a plugin library,
  datasets whose declared size is absurd or far beyond what the file stores
  (HDF5 bombs), data that lies past the end of the file (truncation), and
  trees too deep or too large to be a model;
* JSON nested deeper than any model config is, or that is not JSON at all.

Example:
    >>> from kiln.saving import file_safety
    >>> file_safety.parse_json(b'{"a": [1, 2]}', "m.keras", "config.json")
    {'a': [1, 2]}
    >>> file_safety.check_member_name("../evil.py", "m.keras")
    Traceback (most recent call last):
    ...
    kiln.saving.file_safety.UnsafeFileError: Refusing m.keras: member '../evil.py': a path ...
"""

import contextlib
import json
import math
import os
import re
import stat
import zipfile
import zlib

import numpy as np

# Bounds generous for any real model file; beyond them a file is treated as hostile.
MAX_JSON_BYTES = 256 * 2**20
MAX_JSON_DEPTH = 128
MAX_WEIGHTS_BYTES = 64 * 2**30
MAX_ARCHIVE_MEMBERS = 4096
# A member (or dataset) may declare more than this many bytes only if it stores at least
# 1/MAX_COMPRESSION_RATIO of them.
COMPRESSION_SLACK_BYTES = 2**20
MAX_COMPRESSION_RATIO = 200
MAX_H5_DEPTH = 64
MAX_H5_OBJECTS = 200_000
MAX_H5_ATTRIBUTE_BYTES = 256 * 2**20

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# Filters built into HDF5/h5py; any other id makes HDF5 load a plugin library.
_BUILTIN_H5_FILTERS = {1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit",
                       6: "scaleoffset", 32000: "lzf"}
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


class UnsafeFileError(ValueError):
    """A file (or an entry in it) that loading refuses: hostile, malformed or truncated.

    Example:
        >>> str(UnsafeFileError("m.keras", "config.json", "not JSON"))
        "Refusing m.keras: member 'config.json': not JSON"
    """

    def __init__(self, filepath, entry, reason, kind="member"):
        self.filepath = filepath
        self.entry = entry
        self.reason = reason
        shown = entry if kind == "config entry" else repr(entry)
        where = f": {kind} {shown}" if entry is not None else ""
        super().__init__(f"Refusing {filepath}{where}: {reason}")


class FileEnvelope(dict):
    """An envelope (a dict with ``class_name``) parsed from a file; ``source`` names the file.

    Deserialization reads ``source`` so that its errors name the file an
    entry came from.

    Example:
        >>> env = FileEnvelope({"class_name": "Dense"}, "m.keras")
        >>> env == {"class_name": "Dense"}, env.source
        (True, 'm.keras')
    """

    __slots__ = ("source",)

    def __init__(self, items, source):
        super().__init__(items)
        self.source = source


# -- plain files and folders --------------------------------------------------------------------
def check_regular_file(filepath, what):
    """Raise unless ``filepath`` is an existing plain file (not a folder, FIFO or device).

    ``what`` names the caller in the messages (``"load_weights"``).

    Example:
        >>> check_regular_file("/no/such/file.weights.h5", "load_weights")
        Traceback (most recent call last):
        ...
        FileNotFoundError: load_weights: no such file: /no/such/file.weights.h5
    """
    try:
        mode = os.stat(filepath).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{what}: no such file: {filepath}") from None
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(f"{what}: expected a file, received the folder {filepath}")
    if not stat.S_ISREG(mode):
        raise UnsafeFileError(filepath, None,
                              f"{what}: not a plain file (a device, FIFO or socket)")


def check_folder(folder, allowed_files, allowed_prefixes=()):
    """The plain files of an unzipped model folder, as ``{relative name: size}``.

    Every entry must be a plain file or folder (no symbolic links, which could
    point anywhere), named in ``allowed_files`` or under one of
    ``allowed_prefixes`` (``"assets/"``), within the size bounds.

    Example:
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp()
        >>> _ = open(os.path.join(d, "config.json"), "w").write("{}")
        >>> check_folder(d, ("config.json",))
        {'config.json': 2}
    """
    found = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs) + sorted(files):
            full = os.path.join(root, name)
            rel = os.path.relpath(full, folder).replace(os.sep, "/")
            info = os.lstat(full)
            if stat.S_ISLNK(info.st_mode):
                raise UnsafeFileError(folder, rel, "a symbolic link (it could point anywhere)",
                                      "entry")
            if stat.S_ISDIR(info.st_mode):
                inside = [p for p in allowed_prefixes
                          if p.startswith(rel + "/") or (rel + "/").startswith(p)]
                if not inside:
                    raise UnsafeFileError(folder, rel, "an unexpected folder; a model folder holds "
                                          f"{list(allowed_files)}", "entry")
                continue
            if not stat.S_ISREG(info.st_mode):
                raise UnsafeFileError(folder, rel, "not a plain file", "entry")
            if rel not in allowed_files and not rel.startswith(tuple(allowed_prefixes)):
                raise UnsafeFileError(folder, rel, f"an unexpected file; a model folder holds "
                                      f"{list(allowed_files)}", "entry")
            limit = MAX_WEIGHTS_BYTES if rel.endswith(".h5") else MAX_JSON_BYTES
            if info.st_size > limit:
                raise UnsafeFileError(folder, rel, f"{info.st_size} bytes, more than the {limit} "
                                      "allowed", "entry")
            found[rel] = info.st_size
        if len(found) > MAX_ARCHIVE_MEMBERS:
            raise UnsafeFileError(folder, None, f"more than {MAX_ARCHIVE_MEMBERS} files")
    return found


def copy_limited(src, dst, limit, filepath, entry):
    """Copy file object ``src`` to ``dst``, refusing more than ``limit`` bytes.

    Example:
        >>> import io
        >>> out = io.BytesIO()
        >>> copy_limited(io.BytesIO(b"abc"), out, 3, "f", "m")
        3
    """
    written = 0
    try:
        for chunk in iter(lambda: src.read(2**20), b""):
            written += len(chunk)
            if written > limit:
                raise UnsafeFileError(filepath, entry, f"holds more data than the {limit} bytes "
                                      "it declares")
            dst.write(chunk)
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as e:
        raise UnsafeFileError(filepath, entry, f"corrupt or truncated data: {e}") from None
    return written


# -- zip archives -------------------------------------------------------------------------------
def check_member_name(name, filepath):
    """Refuse a zip member name that could escape the archive when extracted.

    Example:
        >>> check_member_name("assets/vocab.txt", "m.keras")
    """
    parts = name.split("/")
    if (not name or name.startswith("/") or "\\" in name or "\x00" in name or ".." in parts
            or (":" in parts[0]) or "" in parts[:-1]):
        raise UnsafeFileError(filepath, name, "a path outside the archive (absolute, '..', "
                              "backslash or drive)")


def check_zip(archive, filepath, allowed_files, allowed_prefixes=()):
    """Check every member of an open :class:`zipfile.ZipFile` before any is read.

    Names (:func:`check_member_name`, only ``allowed_files`` or names under
    ``allowed_prefixes``, no duplicates), methods, encryption, declared sizes
    against the bounds and against the stored sizes (zip bombs), and stored
    sizes against the archive's length (overlapping members).

    Example:
        >>> import io, zipfile
        >>> buf = io.BytesIO()
        >>> with zipfile.ZipFile(buf, "w") as z:
        ...     z.writestr("config.json", "{}")
        >>> check_zip(zipfile.ZipFile(buf), "m.keras", ("config.json",))
    """
    infos = archive.infolist()
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        raise UnsafeFileError(filepath, None, f"{len(infos)} members, more than the "
                              f"{MAX_ARCHIVE_MEMBERS} allowed")
    seen = set()
    stored_total = 0
    for info in infos:
        name = info.filename
        check_member_name(name, filepath)
        if name in seen:
            raise UnsafeFileError(filepath, name, "appears twice in the archive")
        seen.add(name)
        if name not in allowed_files and not name.startswith(tuple(allowed_prefixes)):
            raise UnsafeFileError(filepath, name, f"unexpected member; this archive holds "
                                  f"{list(allowed_files)}")
        if info.flag_bits & 0x1:
            raise UnsafeFileError(filepath, name, "encrypted")
        if info.compress_type not in _ZIP_METHODS:
            raise UnsafeFileError(filepath, name,
                                  f"unknown compression method {info.compress_type}")
        limit = MAX_WEIGHTS_BYTES if name.endswith(".h5") else MAX_JSON_BYTES
        if info.file_size > limit:
            raise UnsafeFileError(filepath, name, f"declares {info.file_size} bytes, more than "
                                  f"the {limit} allowed")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise UnsafeFileError(filepath, name, f"declares {info.file_size} bytes but stores "
                                  f"{info.compress_size} without compression")
        if (info.file_size > COMPRESSION_SLACK_BYTES
                and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
            raise UnsafeFileError(filepath, name, f"declares {info.file_size} bytes from "
                                  f"{info.compress_size} stored (a zip bomb)")
        stored_total += info.compress_size
    position = archive.fp.tell()
    size = archive.fp.seek(0, os.SEEK_END)
    archive.fp.seek(position)
    if stored_total > size:
        raise UnsafeFileError(filepath, None, f"members store {stored_total} bytes in a "
                              f"{size}-byte file (overlapping members: a zip bomb)")


def read_member(archive, name, filepath, limit=MAX_JSON_BYTES):
    """The bytes of one checked member, read no further than it declares.

    Example:
        >>> import io, zipfile
        >>> buf = io.BytesIO()
        >>> with zipfile.ZipFile(buf, "w") as z:
        ...     z.writestr("config.json", "{}")
        >>> read_member(zipfile.ZipFile(buf), "config.json", "m.keras")
        b'{}'
    """
    import io

    info = archive.getinfo(name)
    out = io.BytesIO()
    try:
        with archive.open(info) as src:
            copy_limited(src, out, min(info.file_size, limit), filepath, name)
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as e:
        raise UnsafeFileError(filepath, name, f"corrupt or truncated data: {e}") from None
    return out.getvalue()


# -- JSON ---------------------------------------------------------------------------------------
def parse_json(data, filepath, entry, tag_envelopes=False):
    """Parse JSON text from ``entry`` of ``filepath``, refusing absurd nesting and non-JSON.

    Non-finite numbers (``NaN``, ``Infinity``) are refused too: no model
    config holds them. With ``tag_envelopes`` every envelope becomes a
    :class:`FileEnvelope` naming ``filepath``.

    Example:
        >>> parse_json("[" * 500 + "]" * 500, "m.keras", "config.json")
        Traceback (most recent call last):
        ...
        kiln.saving.file_safety.UnsafeFileError: Refusing m.keras: member 'config.json': JSON ...
    """
    if len(data) > MAX_JSON_BYTES:
        raise UnsafeFileError(filepath, entry, f"{len(data)} bytes of JSON, more than the "
                              f"{MAX_JSON_BYTES} allowed")

    # Measured before parsing: the parser recurses once per level, and running near the
    # interpreter's recursion limit is itself a hazard.
    if max_nesting(data) > MAX_JSON_DEPTH:
        raise UnsafeFileError(filepath, entry, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")

    def refuse_constant(name):
        raise ValueError(f"non-finite number {name}")

    try:
        hook = None
        if tag_envelopes:
            def hook(d):
                return FileEnvelope(d, filepath) if "class_name" in d else d
        value = json.loads(data, parse_constant=refuse_constant, object_hook=hook)
    except RecursionError:
        raise UnsafeFileError(filepath, entry, f"JSON nested deeper than {MAX_JSON_DEPTH} "
                              "levels") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise UnsafeFileError(filepath, entry, f"not valid JSON: {e}") from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise UnsafeFileError(filepath, entry, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET_STEPS = np.zeros(256, np.int8)
_BRACKET_STEPS[[ord("["), ord("{")]] = 1
_BRACKET_STEPS[[ord("]"), ord("}")]] = -1


def max_nesting(data):
    """How deeply brackets nest in JSON text (outside string literals), without parsing it.

    Example:
        >>> max_nesting('{"a": [1, "]]{{"], "b": {}}')
        2
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    codes = np.frombuffer(_JSON_STRING.sub(b'""', bytes(data)), np.uint8)
    depth = deepest = 0
    for start in range(0, len(codes), 2**24):
        running = np.cumsum(_BRACKET_STEPS[codes[start:start + 2**24]], dtype=np.int64) + depth
        if running.size:
            deepest = max(deepest, int(running.max()))
            depth = int(running[-1])
    return deepest


def json_depth(value):
    """How deeply lists/dicts nest in ``value`` (a scalar is 0), without recursion.

    Example:
        >>> json_depth({"a": [1, {"b": []}]})
        4
    """
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


# -- HDF5 ---------------------------------------------------------------------------------------
def check_h5_signature(filepath, what):
    """Raise unless ``filepath`` is a plain file that starts like HDF5 (or has a user block).

    Example:
        >>> import tempfile
        >>> f = tempfile.NamedTemporaryFile(suffix=".weights.h5", delete=False)
        >>> _ = f.write(b"PK\\x03\\x04 not hdf5"); f.close()
        >>> check_h5_signature(f.name, "load_weights")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        kiln.saving.file_safety.UnsafeFileError: Refusing ...: load_weights: not an HDF5 file ...
    """
    check_regular_file(filepath, what)
    with open(filepath, "rb") as f:
        head = f.read(8)
    if head == _HDF5_SIGNATURE:
        return
    import h5py

    if h5py.is_hdf5(filepath):  # an HDF5 file with a user block
        return
    hint = ""
    if head.startswith(b"PK"):
        hint = (" (it is a ZIP archive: a `.keras` model file is loaded with "
                "kiln.saving.load_model())")
    raise UnsafeFileError(filepath, None, f"{what}: not an HDF5 file (first bytes {head!r}){hint}")


@contextlib.contextmanager
def open_h5(filepath, what):
    """Open an HDF5 file for reading once it passed every check; yields the ``h5py.File``.

    The one way loaders open HDF5: :func:`check_h5_signature`, an open whose
    failure (truncated, corrupt) becomes an :class:`UnsafeFileError`, then
    :func:`check_h5_file`.

    Example:
        >>> import os, tempfile, h5py
        >>> p = os.path.join(tempfile.mkdtemp(), "w.weights.h5")
        >>> with h5py.File(p, "w") as f:
        ...     _ = f.create_dataset("vars/0", data=[1.0, 2.0])
        >>> with open_h5(p, "load_weights") as f:
        ...     f["vars/0"][()].tolist()
        [1.0, 2.0]
    """
    import h5py

    filepath = os.fspath(filepath)
    check_h5_signature(filepath, what)
    try:
        h5file = h5py.File(filepath, "r")
    except OSError as e:
        raise UnsafeFileError(filepath, None,
                              f"{what}: corrupt or truncated HDF5 file: {e}") from None
    with h5file:
        check_h5_file(h5file, filepath)
        yield h5file


def check_h5_file(h5file, filepath):
    """Walk an open HDF5 file without following any link and refuse anything unsafe.

    Call it on every HDF5 file before reading a value or following a path in
    it (``h5file[...]`` follows soft and external links). Checks every link
    (hard links only), every dataset (no external storage, not virtual, only
    built-in filters, declared size within bounds and backed by what the file
    stores, data inside the file) and every attribute (size), and bounds the
    depth and number of objects of the tree.

    Example:
        >>> import os, tempfile, h5py
        >>> p = os.path.join(tempfile.mkdtemp(), "w.weights.h5")
        >>> with h5py.File(p, "w") as f:
        ...     _ = f.create_dataset("vars/0", data=[1.0])
        ...     f["vars/alias"] = h5py.SoftLink("/vars/0")
        >>> with h5py.File(p, "r") as f:
        ...     check_h5_file(f, p)
        Traceback (most recent call last):
        ...
        kiln.saving.file_safety.UnsafeFileError: Refusing ...: HDF5 entry '/vars/alias': a soft ...
    """
    import h5py

    file_size = h5file.id.get_filesize()
    seen = {h5py.h5o.get_info(h5file["/"].id).addr}
    count = [0]

    def refuse(entry, reason):
        raise UnsafeFileError(filepath, entry, reason, "HDF5 entry")

    def visit(group, path, depth):
        if depth > MAX_H5_DEPTH:
            refuse(path, f"groups nested deeper than {MAX_H5_DEPTH} levels")
        _check_attributes(group, path, refuse)
        for name in group:
            entry = f"{path.rstrip('/')}/{name}"
            count[0] += 1
            if count[0] > MAX_H5_OBJECTS:
                refuse(entry, f"more than {MAX_H5_OBJECTS} objects")
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                refuse(entry, f"an external link (to {link.filename}:{link.path}); loading never "
                       "opens another file")
            if isinstance(link, h5py.SoftLink):
                refuse(entry, f"a soft link (to {link.path}); weights files hold only groups and "
                       "datasets")
            if not isinstance(link, h5py.HardLink):
                refuse(entry, f"an unsupported link type ({type(link).__name__})")
            try:
                obj = group[name]
            except (KeyError, OSError, RuntimeError) as e:
                refuse(entry, f"unreadable (corrupt or truncated file): {e}")
            address = h5py.h5o.get_info(obj.id).addr
            if address in seen:
                refuse(entry, "a second link to an object already seen (a cycle, or a bomb of "
                       "shared groups)")
            seen.add(address)
            if isinstance(obj, h5py.Group):
                visit(obj, entry, depth + 1)
            elif isinstance(obj, h5py.Dataset):
                _check_dataset(obj, entry, file_size, refuse)
                _check_attributes(obj, entry, refuse)
            else:
                refuse(entry, f"an unexpected object ({type(obj).__name__})")

    visit(h5file, "/", 0)


def check_h5_member(path, archive_path, member):
    """Run :func:`open_h5`'s checks on ``member`` of ``archive_path``, extracted to ``path``.

    Errors name the archive and the member, not the temporary copy.

    Example:
        >>> import os, tempfile, h5py
        >>> p = os.path.join(tempfile.mkdtemp(), "model.weights.h5")
        >>> with h5py.File(p, "w") as f:
        ...     f["vars/0"] = h5py.ExternalLink("/etc/passwd", "/")
        >>> check_h5_member(p, "m.keras", "model.weights.h5")
        Traceback (most recent call last):
        ...
        kiln.saving.file_safety.UnsafeFileError: Refusing m.keras (member ...): ... external ...
    """
    try:
        with open_h5(path, "load_model"):
            pass
    except UnsafeFileError as e:
        raise UnsafeFileError(f"{archive_path} (member {member})", e.entry, e.reason,
                              "HDF5 entry") from None


def _declared_bytes(shape, itemsize):
    return math.prod(int(d) for d in shape) * int(itemsize) if shape is not None else 0


def _check_attributes(obj, path, refuse):
    import h5py

    try:
        names = list(obj.attrs)
    except (OSError, RuntimeError) as e:
        refuse(path, f"unreadable attributes (corrupt file): {e}")
    for name in names:
        attr = h5py.h5a.open(obj.id, name.encode("utf-8") if isinstance(name, str) else name)
        declared = _declared_bytes(attr.shape, attr.dtype.itemsize)
        if declared > MAX_H5_ATTRIBUTE_BYTES:
            refuse(f"{path}@{name}", f"an attribute declaring {declared} bytes, more than the "
                   f"{MAX_H5_ATTRIBUTE_BYTES} allowed")


def _check_dataset(dataset, entry, file_size, refuse):
    import h5py

    dcpl = dataset.id.get_create_plist()
    layout = dcpl.get_layout()
    if layout == h5py.h5d.VIRTUAL:
        refuse(entry, "a virtual dataset (its data comes from other files)")
    if dcpl.get_external_count() > 0:
        name = dcpl.get_external(0)[0]
        refuse(entry, f"a dataset stored in an external file ({name!r}); loading never opens "
               "another file")
    for i in range(dcpl.get_nfilters()):
        code = dcpl.get_filter(i)[0]
        if code not in _BUILTIN_H5_FILTERS:
            refuse(entry, f"HDF5 filter {code} is not built in (HDF5 would load a plugin library)")
    declared = _declared_bytes(dataset.shape, dataset.dtype.itemsize)
    if declared > MAX_WEIGHTS_BYTES:
        refuse(entry, f"a dataset of shape {dataset.shape} declares {declared} bytes, more than "
               f"the {MAX_WEIGHTS_BYTES} allowed")
    stored = dataset.id.get_storage_size()
    if declared > COMPRESSION_SLACK_BYTES and declared > MAX_COMPRESSION_RATIO * max(stored, 1):
        refuse(entry, f"a dataset of shape {dataset.shape} declares {declared} bytes from "
               f"{stored} stored (an HDF5 bomb)")
    if layout == h5py.h5d.CONTIGUOUS and stored and file_size is not None:
        offset = dataset.id.get_offset()
        if offset is not None and offset + stored > file_size:
            refuse(entry, f"its data ends at byte {offset + stored}, past the end of the "
                   f"{file_size}-byte file (truncated or corrupt)")
