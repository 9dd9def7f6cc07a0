"""Dtype names and the type-promotion lattice shared by every backend.

Kiln names dtypes by strings (``"float32"``, ``"int8"``, ``"bool"``...). Binary
ops promote their inputs with :func:`result_type`, which follows the JAX
lattice: integers meet floats at the float, signed and unsigned integers meet at
the next wider signed integer, and Python scalars are *weak* (they adopt the
other operand's type where that type can hold them).

Example:
    >>> result_type("int32", "float16")
    'float16'
    >>> result_type("float32", float)
    'float32'
"""

import functools

import numpy as np

from kiln import config

FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
INT_TYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
COMPLEX_TYPES = ("complex64", "complex128")
ALLOWED_DTYPES = ("bool",) + FLOAT_TYPES + INT_TYPES + COMPLEX_TYPES + ("string",)

# Weak (Python scalar) pseudo-types of the lattice.
_WEAK_INT, _WEAK_FLOAT, _WEAK_COMPLEX = "int*", "float*", "complex*"

_LATTICE_EDGES = {
    "bool": (_WEAK_INT,),
    _WEAK_INT: ("uint8", "int8"),
    "uint8": ("uint16", "int16"),
    "uint16": ("uint32", "int32"),
    "uint32": ("uint64", "int64"),
    "uint64": (_WEAK_FLOAT,),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": (_WEAK_FLOAT,),
    _WEAK_FLOAT: ("bfloat16", "float16", _WEAK_COMPLEX),
    "bfloat16": ("float32",),
    "float16": ("float32",),
    "float32": ("float64", "complex64"),
    "float64": ("complex128",),
    _WEAK_COMPLEX: ("complex64",),
    "complex64": ("complex128",),
    "complex128": (),
}


def _upper_set(node):
    seen = {node}
    stack = [node]
    while stack:
        for parent in _LATTICE_EDGES[stack.pop()]:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return frozenset(seen)


_UPPER_SETS = {node: _upper_set(node) for node in _LATTICE_EDGES}

_ALIASES = {
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "int": "int32",
    "long": "int64",
    "bool_": "bool",
    "boolean": "bool",
    "str": "string",
    "object": "string",
}


def _standardize_hashable(dtype):
    if dtype is None:
        return config.floatx()
    if dtype is bool:
        return "bool"
    if dtype is int:
        return "int32"
    if dtype is float:
        return config.floatx()
    if dtype is complex:
        return "complex64"
    if dtype is str:
        return "string"
    if isinstance(dtype, type) and issubclass(dtype, np.generic):
        return _standardize_hashable(np.dtype(dtype))
    name = getattr(dtype, "name", None)
    if not isinstance(name, str):
        name = str(dtype)
    if name.startswith("torch."):
        name = name[len("torch."):]
    if name.startswith("<dtype: '"):  # tf.DType repr
        name = name[len("<dtype: '"):-2]
    name = _ALIASES.get(name, name)
    if name not in ALLOWED_DTYPES:
        if hasattr(dtype, "dtype"):
            return _standardize_hashable(dtype.dtype)
        raise ValueError(f"Invalid dtype: {dtype!r}. Expected one of {', '.join(ALLOWED_DTYPES)}.")
    return name


_NAME_CACHE = {}


def standardize_dtype(dtype):
    """Return the Kiln name of a dtype given as a string, NumPy/JAX/torch/TF dtype or Python type.

    ``None`` means the default float type (``kiln.config.floatx()``).

    Example:
        >>> standardize_dtype(np.float32)
        'float32'
        >>> standardize_dtype("float")
        'float32'
    """
    if type(dtype) is str and dtype in ALLOWED_DTYPES:
        return dtype
    if dtype is None or dtype is float:
        return config.floatx()  # never cached: floatx can change
    # A plain dict (not lru_cache) so torch.compile can trace through the lookup.
    try:
        name = _NAME_CACHE.get(dtype)
    except TypeError:  # unhashable (e.g. a NumPy dtype object from some builds)
        return _standardize_hashable(str(dtype))
    if name is None:
        name = _standardize_hashable(dtype)
        if len(_NAME_CACHE) < 1024:
            _NAME_CACHE[dtype] = name
    return name


def is_float(dtype):
    """True for floating dtypes, e.g. ``is_float("bfloat16")``.

    Example:
        >>> is_float("float16"), is_float("int32")
        (True, False)
    """
    return standardize_dtype(dtype) in FLOAT_TYPES


def is_int(dtype):
    """True for signed and unsigned integer dtypes.

    Example:
        >>> is_int("uint8")
        True
    """
    return standardize_dtype(dtype) in INT_TYPES


def is_complex(dtype):
    """True for complex dtypes.

    Example:
        >>> is_complex("complex64")
        True
    """
    return standardize_dtype(dtype) in COMPLEX_TYPES


def _lattice_node(item):
    """Map one result_type argument to a lattice node (weak for Python scalars)."""
    if item is None:
        return None
    t = type(item)
    if t is bool:
        return "bool"
    if t is int or item is int:
        return _WEAK_INT
    if t is float or item is float:
        return _WEAK_FLOAT
    if t is complex or item is complex:
        return _WEAK_COMPLEX
    dtype = getattr(item, "dtype", None)
    if dtype is not None and not isinstance(item, (str, np.dtype, type)):
        return standardize_dtype(dtype)
    return standardize_dtype(item)


@functools.lru_cache(maxsize=2048)
def _join(nodes):
    common = frozenset(_LATTICE_EDGES)
    for node in nodes:
        common = common & _UPPER_SETS[node]
    # The join is the element of the common upper set that is below all others.
    for candidate in common:
        if _UPPER_SETS[candidate] >= common:
            return candidate
    raise ValueError(f"No common dtype for {nodes}")


def _resolve_weak(node):
    if node == _WEAK_INT:
        return "int32"
    if node == _WEAK_FLOAT:
        return config.floatx()
    if node == _WEAK_COMPLEX:
        return "complex64"
    return node


def result_type(*items):
    """Return the dtype that ``items`` (dtypes, tensors or Python scalars) promote to.

    Follows the JAX promotion lattice; Python ``int``/``float`` values are weak.
    With no non-None item the result is ``floatx()``.

    Example:
        >>> result_type("uint8", "int8")
        'int16'
        >>> result_type("int64", "float32")
        'float32'
        >>> result_type("int8", 3)
        'int8'
        >>> result_type("uint32", "int32")
        'int32'
    """
    nodes = tuple(n for n in (_lattice_node(i) for i in items) if n is not None)
    if not nodes:
        return config.floatx()
    if len(nodes) == 1:
        return _resolve_weak(nodes[0])
    return _resolve_weak(_joined_node(tuple(sorted(set(nodes)))))


# A join that is wider than every input narrows back (JAX with x64 off): ``uint32`` meeting a
# signed integer gives ``int32``, never ``int64``. Inputs that are 64-bit already stay 64-bit.
_NARROW = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}


@functools.lru_cache(maxsize=2048)
def _joined_node(nodes):
    joined = nodes[0] if len(nodes) == 1 else _join(nodes)
    if joined in _NARROW and _NARROW.keys().isdisjoint(nodes):
        joined = _NARROW[joined]
    return joined


def float_result_type(*items):
    """Like :func:`result_type`, but integer/bool results become ``floatx()``.

    Used by ops that always produce floats (``sqrt``, ``mean``, ``divide``...).

    Example:
        >>> float_result_type("int32")
        'float32'
        >>> float_result_type("float16")
        'float16'
    """
    dtype = result_type(*items)
    if dtype in FLOAT_TYPES or dtype in COMPLEX_TYPES:
        return dtype
    return config.floatx()
