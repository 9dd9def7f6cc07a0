"""Reading NumPy ``.npz`` archives that hold object arrays, without unpickling.

``np.save`` stores an object array (e.g. the IMDB and Reuters word-index
sequences: a 1-D array whose items are Python lists of ints) as a pickle
stream after the ``.npy`` header. Running that stream through ``pickle``
would let the file call any importable function. Here the stream is only
*decoded* by ``pickletools.genops`` (which never executes anything) and
interpreted by a tiny stack machine that knows the handful of opcodes and
NumPy reconstruct globals such an array produces. Anything else -- another
global (``os.system``, ``builtins.eval``...), a dict, a set, an object
attribute, an unknown opcode -- is refused with a ``ValueError`` naming the
file, before anything is called. Numeric members are read by
``np.load(..., allow_pickle=False)``.

Example:
    >>> import io, numpy as np, tempfile, os
    >>> seqs = np.empty(2, dtype=object); seqs[0] = [1, 2]; seqs[1] = [3]
    >>> path = os.path.join(tempfile.mkdtemp(), "toy.npz")
    >>> np.savez(path, x=seqs, y=np.array([0, 1]))
    >>> data = load_npz(path, ("x", "y"))
    >>> int_sequences(data["x"], path, "x"), data["y"].tolist()
    ([[1, 2], [3]], [0, 1])
"""

import io
import pickletools
import re
import zipfile
import zlib

import numpy as np

# The only callables an object ndarray's pickle may name. Each is interpreted
# here (never imported or called from the stream).
_RECONSTRUCT = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
_FROMBUFFER = {("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer")}
_SCALAR = {("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}   # e.g. a np.int64 item
_NDARRAY = ("numpy", "ndarray")
_DTYPE = ("numpy", "dtype")
_ENCODE = ("_codecs", "encode")   # how protocols 0-2 written by Python 3 spell a bytes object
_ALLOWED_GLOBALS = _RECONSTRUCT | _FROMBUFFER | _SCALAR | {_NDARRAY, _DTYPE, _ENCODE}

# dtype strings an integer-sequence array can carry: bool, ints, floats, objects.
_DTYPE_STRING = re.compile(r"^(b1|[iu][1248]|f[248]|O[48]?)$")
_BYTE_ORDERS = ("<", ">", "|", "=")

_OPCODES_PUSHING_ARG = {
    "BININT", "BININT1", "BININT2", "INT", "LONG", "LONG1", "LONG4",
    "SHORT_BINSTRING", "BINSTRING", "STRING", "SHORT_BINBYTES", "BINBYTES", "BINBYTES8", "BYTEARRAY8",
    "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE",
}
_CONSTANTS = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False, "EMPTY_TUPLE": ()}


class _Refused(Exception):
    """Internal: the stream holds something an integer-sequence array never produces."""


class _Global:
    def __init__(self, key):
        self.key = key

    def __repr__(self):
        return f"{self.key[0]}.{self.key[1]}"


class _PendingDtype:
    """``numpy.dtype(descr, align, copy)``; its BUILD state sets the byte order."""

    def __init__(self, descr):
        self.descr = descr
        self.dtype = None

    def __repr__(self):
        return f"dtype({self.descr!r})"

    def build(self, state):
        if not (isinstance(state, tuple) and len(state) >= 2 and state[1] in _BYTE_ORDERS):
            raise _Refused(f"unexpected dtype state {_short(state)}")
        if any(item is not None for item in state[2:5]):
            raise _Refused("structured / sub-array dtypes are not accepted")
        dtype = np.dtype(self.descr)
        self.dtype = dtype.newbyteorder(state[1]) if state[1] in "<>" and dtype.kind != "O" else dtype


class _PendingArray:
    """``_reconstruct(ndarray, shape, typecode)``; its BUILD state carries shape, dtype and data."""

    def __init__(self):
        self.array = None

    def __repr__(self):
        return "ndarray(...)"

    def build(self, state):
        if not (isinstance(state, tuple) and len(state) == 5 and state[0] == 1):
            raise _Refused(f"unexpected ndarray state {_short(state)}")
        _, shape, dtype, fortran, data = state
        dtype = _resolve_dtype(dtype)
        shape = _check_shape(shape)
        count = int(np.prod(shape, dtype=np.int64))
        order = "F" if fortran else "C"
        if dtype.kind == "O":
            if not isinstance(data, list) or len(data) != count:
                raise _Refused(f"object array of shape {shape} needs a list of {count} items")
            array = np.empty(count, dtype=object)
            for i, item in enumerate(data):
                array[i] = _check_item(item)
            self.array = array.reshape(shape, order=order)
        else:
            self.array = _numeric_array(data, dtype, shape, order)


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _resolve_dtype(value):
    if isinstance(value, _PendingDtype) and value.dtype is not None:
        return value.dtype
    raise _Refused(f"expected a dtype, found {_short(value)}")


def _check_shape(shape):
    if not (isinstance(shape, tuple) and all(type(d) is int and d >= 0 for d in shape)):
        raise _Refused(f"bad array shape {_short(shape)}")
    return shape


def _raw_bytes(data):
    # Python 2 pickles carry raw data as str (read as latin-1 by genops).
    return data.encode("latin1") if isinstance(data, str) else data


def _numeric_array(data, dtype, shape, order):
    data = _raw_bytes(data)
    if not isinstance(data, (bytes, bytearray)):
        raise _Refused(f"numeric array data must be bytes, found {type(data).__name__}")
    count = int(np.prod(shape, dtype=np.int64))
    if len(data) != count * dtype.itemsize:
        raise _Refused(f"{len(data)} data bytes for a {shape} array of {dtype}")
    return np.frombuffer(bytes(data), dtype=dtype, count=count).reshape(shape, order=order).copy()


def _check_item(item):
    """An object array's item: an int, a flat list of ints, or a numeric array."""
    if isinstance(item, _PendingArray):
        if item.array is None:
            raise _Refused("an array item was never built")
        if item.array.dtype.kind == "O":
            raise _Refused("nested object arrays are not accepted")
        return item.array
    if type(item) is int or (isinstance(item, list) and all(type(w) is int for w in item)):
        return item
    raise _Refused(f"object array item {_short(item)} is neither an int nor a list of ints")


def _pop_to_mark(stack, marks):
    if not marks:
        raise _Refused("missing MARK")
    start = marks.pop()
    items = stack[start:]
    del stack[start:]
    return items


def _call(func, args):
    if not isinstance(func, _Global) or not isinstance(args, tuple):
        raise _Refused(f"REDUCE of {_short(func)} is not accepted")
    key = func.key
    if key in _RECONSTRUCT:
        if len(args) != 3 or not (isinstance(args[0], _Global) and args[0].key == _NDARRAY):
            raise _Refused(f"_reconstruct{_short(args)} is not accepted")
        _check_shape(args[1])
        return _PendingArray()
    if key == _DTYPE:
        if not (1 <= len(args) <= 3 and isinstance(args[0], str) and _DTYPE_STRING.match(args[0])):
            raise _Refused(f"dtype{_short(args)} is not accepted")
        return _PendingDtype(args[0])
    if key in _FROMBUFFER:
        if len(args) != 4 or args[3] not in ("C", "F"):
            raise _Refused(f"_frombuffer{_short(args)} is not accepted")
        array = _PendingArray()
        array.array = _numeric_array(args[0], _resolve_dtype(args[1]), _check_shape(args[2]), args[3])
        return array
    if key in _SCALAR:
        data = _raw_bytes(args[1]) if len(args) == 2 else None
        dtype = _resolve_dtype(args[0]) if args else None
        if dtype is None or dtype.kind not in "iu" or not isinstance(data, bytes) or len(data) != dtype.itemsize:
            raise _Refused(f"scalar{_short(args)} is not accepted (only integer scalars)")
        return int(np.frombuffer(data, dtype=dtype)[0])
    if key == _ENCODE:
        if len(args) != 2 or not isinstance(args[0], str) or args[1] != "latin1":
            raise _Refused(f"_codecs.encode{_short(args)} is not accepted")
        return args[0].encode("latin1")
    raise _Refused(f"call of {key[0]}.{key[1]} is not accepted")


def _global(module, name):
    key = (module, name)
    if key not in _ALLOWED_GLOBALS:
        raise _Refused(f"global {module}.{name} is not accepted")
    return _Global(key)


def _push_small_ints(data, pos, push):
    """Push the run of BININT1/BININT2/BININT opcodes starting at ``pos``; return where it ends.

    The bulk of a word-index array is such runs (the items of each list); decoding them
    here rather than one ``genops`` step at a time makes reading IMDB several times faster.
    Only complete opcodes are taken; anything else is left to ``genops``.
    """
    last = len(data) - 5
    while pos <= last:
        op = data[pos]
        if op == 0x4B:      # BININT1
            push(data[pos + 1])
            pos += 2
        elif op == 0x4D:    # BININT2
            push(data[pos + 1] | data[pos + 2] << 8)
            pos += 3
        elif op == 0x4A:    # BININT (signed, 4 bytes)
            push(int.from_bytes(data[pos + 1:pos + 5], "little", signed=True))
            pos += 5
        else:
            break
    return pos


def _run(data):
    """Interpret the pickle opcodes of an object ndarray; returns the ndarray."""
    stack, marks, memo = [], [], {}
    stream = io.BytesIO(data)
    for opcode, arg, pos in pickletools.genops(stream):
        name = opcode.name
        try:
            if name in ("PROTO", "FRAME"):
                continue
            if name == "STOP":
                break
            if name in _OPCODES_PUSHING_ARG:
                stack.append(arg)
            elif name in _CONSTANTS:
                stack.append(_CONSTANTS[name])
            elif name == "MARK":
                marks.append(len(stack))
                stream.seek(_push_small_ints(data, stream.tell(), stack.append))
            elif name == "EMPTY_LIST":
                stack.append([])
            elif name == "LIST":
                stack.append(_pop_to_mark(stack, marks))
            elif name == "TUPLE":
                stack.append(tuple(_pop_to_mark(stack, marks)))
            elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
                n = int(name[-1])
                if len(stack) < n:
                    raise _Refused("stack underflow")
                items = tuple(stack[-n:])
                del stack[-n:]
                stack.append(items)
            elif name == "APPEND":
                item = stack.pop()
                if not isinstance(stack[-1], list):
                    raise _Refused("APPEND to a non-list")
                stack[-1].append(item)
            elif name == "APPENDS":
                items = _pop_to_mark(stack, marks)
                if not isinstance(stack[-1], list):
                    raise _Refused("APPENDS to a non-list")
                stack[-1].extend(items)
            elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[arg] = stack[-1]
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1]
            elif name in ("GET", "BINGET", "LONG_BINGET"):
                if arg not in memo:
                    raise _Refused(f"memo key {arg} was never stored")
                stack.append(memo[arg])
            elif name == "GLOBAL":
                module, _, attr = arg.partition(" ")
                stack.append(_global(module, attr))
            elif name == "STACK_GLOBAL":
                attr, module = stack.pop(), stack.pop()
                if not (isinstance(module, str) and isinstance(attr, str)):
                    raise _Refused("STACK_GLOBAL needs two strings")
                stack.append(_global(module, attr))
            elif name == "REDUCE":
                args, func = stack.pop(), stack.pop()
                stack.append(_call(func, args))
            elif name == "BUILD":
                state, target = stack.pop(), stack[-1]
                if not isinstance(target, (_PendingArray, _PendingDtype)):
                    raise _Refused(f"BUILD on {_short(target)} is not accepted")
                target.build(state)
            elif name == "POP":
                stack.pop()
            else:
                raise _Refused("this opcode is not accepted")
        except IndexError:
            raise _Refused(f"stack underflow at opcode {name} (byte {pos})") from None
        except _Refused as e:
            raise _Refused(f"{e} (opcode {name} at byte {pos})") from None
    else:
        raise _Refused("the stream has no STOP opcode")
    if len(stack) != 1 or not isinstance(stack[0], _PendingArray) or stack[0].array is None:
        raise _Refused("the stream does not produce one NumPy array")
    return stack[0].array


def decode_object_array(data, source="<bytes>"):
    """Decode the pickle stream of an object ``.npy`` without executing it.

    Raises ``ValueError`` naming ``source`` when the stream holds anything an
    array of integer lists would not.

    Example:
        >>> import io, pickle, numpy as np
        >>> a = np.empty(1, dtype=object); a[0] = [4, 5]
        >>> decode_object_array(pickle.dumps(a, protocol=3))[0]
        [4, 5]
    """
    try:
        return _run(bytes(data))
    except _Refused as e:
        raise ValueError(
            f"Refusing to read {source}: its pickled object array holds something other than "
            f"integer sequences: {e}. The file was not unpickled."
        ) from None
    except (ValueError, EOFError, TypeError) as e:   # genops on a malformed or truncated stream
        raise ValueError(f"Could not decode the object array in {source}: {e}") from None


def _read_npy_header(handle, source):
    try:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            return np.lib.format.read_array_header_1_0(handle)
        if version == (2, 0):
            return np.lib.format.read_array_header_2_0(handle)
    except ValueError as e:
        raise ValueError(f"{source} is not a valid .npy member: {e}") from None
    raise ValueError(f"{source}: unsupported .npy format version {version}")


def load_npz(path, keys):
    """Return ``{key: ndarray}`` for ``keys`` of the ``.npz`` archive at ``path``.

    Numeric members go through ``np.load(path, allow_pickle=False)``; object
    members through :func:`decode_object_array`. Missing keys, a file that is
    not an archive and refused contents raise ``ValueError`` naming ``path``.

    Example:
        >>> import numpy as np, os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "a.npz")
        >>> np.savez(path, y=np.arange(3))
        >>> load_npz(path, ("y",))["y"].tolist()
        [0, 1, 2]
    """
    out = {}
    try:
        if not zipfile.is_zipfile(path):
            raise ValueError(f"{path} is not a .npz (zip) archive")
        with np.load(path, allow_pickle=False) as archive, zipfile.ZipFile(path) as raw:
            names = set(archive.files)
            missing = [k for k in keys if k not in names]
            if missing:
                raise ValueError(f"{path} has no array {missing}; it holds {sorted(names)}")
            for key in keys:
                source = f"{path} (array {key!r})"
                with raw.open(key + ".npy") as handle:
                    shape, _, dtype = _read_npy_header(handle, source)
                    if dtype.kind != "O":
                        out[key] = archive[key]
                        continue
                    array = decode_object_array(handle.read(), source)
                if array.shape != tuple(shape):
                    raise ValueError(f"{source}: header shape {shape} but the data holds {array.shape}")
                out[key] = array
    except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as e:
        raise ValueError(f"Could not read the NumPy archive {path}: {e}") from e
    except ValueError as e:
        if path in str(e):
            raise
        raise ValueError(f"Could not read the NumPy archive {path}: {e}") from e
    return out


def int_sequences(array, path, key):
    """The rows of ``array`` as a list of lists of Python ints.

    ``array`` is a 1-D object array of int lists (or of 1-D int arrays), or a
    2-D integer array. Anything else raises ``ValueError`` naming ``path``.

    Example:
        >>> int_sequences(np.array([[1, 2], [3, 4]]), "f.npz", "x")
        [[1, 2], [3, 4]]
    """
    where = f"{path} (array {key!r})"
    if array.dtype.kind in "iu" and array.ndim == 2:
        return array.tolist()
    if array.dtype.kind != "O" or array.ndim != 1:
        raise ValueError(
            f"{where}: expected a 1-D object array of integer sequences, got {array.dtype} {array.shape}")
    rows = []
    for i, row in enumerate(array):
        if isinstance(row, np.ndarray) and row.ndim == 1 and row.dtype.kind in "iu":
            row = row.tolist()
        if not isinstance(row, list) or not all(type(w) is int for w in row):
            raise ValueError(f"{where}: item {i} is not a list of integers ({_short(row)})")
        rows.append(row)
    return rows
