"""Core ops (``kiln.ops.core``): conversion, casting, control flow, slicing and scattering.

``convert_to_tensor``, ``convert_to_numpy``, ``is_tensor``, ``shape``, ``dtype``
and ``cond`` are plain functions; the others are Operations with a declared
symbolic rule.

Example:
    >>> import kiln
    >>> kiln.ops.dtype(kiln.ops.cast([1, 2], "float16"))
    'float16'
"""

from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.operation import op

__all__ = [
    "convert_to_tensor",
    "convert_to_numpy",
    "is_tensor",
    "shape",
    "dtype",
    "cast",
    "stop_gradient",
    "cond",
    "scatter",
    "slice",
    "get_item",
]


_core = _backend.core


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Turn array-like data (lists, NumPy arrays, scalars, Variables) into a backend tensor.

    Example:
        >>> import kiln
        >>> kiln.ops.dtype(kiln.ops.convert_to_tensor([1.0, 2.0]))
        'float32'
    """
    return _core.convert_to_tensor(x, dtype=dtype, sparse=sparse, ragged=ragged)


def convert_to_numpy(x):
    """Return the value of a tensor (or Variable, list, scalar) as a NumPy array.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.ones((2,))).tolist()
        [1.0, 1.0]
    """
    return _core.convert_to_numpy(x)


def is_tensor(x):
    """True if ``x`` is a native tensor of the active backend.

    Example:
        >>> import kiln
        >>> kiln.ops.is_tensor(kiln.ops.ones((1,))), kiln.ops.is_tensor([1.0])
        (True, False)
    """
    return _core.is_tensor(x)


def shape(x):
    """The shape of ``x`` as a tuple (the static shape, with None, for a KerasTensor).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.ones((2, 3)))
        (2, 3)
    """
    if isinstance(x, KerasTensor):
        return x.shape
    return _core.shape(x)


def dtype(x):
    """The Kiln dtype name of a tensor, Variable, KerasTensor or array.

    Example:
        >>> import kiln
        >>> kiln.ops.dtype(kiln.ops.ones((1,), dtype="int8"))
        'int8'
    """
    value = getattr(x, "dtype", None)
    if value is None:
        value = _core.convert_to_tensor(x).dtype
    return dtypes.standardize_dtype(value)


def _cast_spec(x, dtype):
    return KerasTensor(rules.shape_of(x), dtypes.standardize_dtype(dtype))


@op(_cast_spec, module="core")
def cast(x, dtype):
    """Convert ``x`` to ``dtype``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.cast([1.7, -1.7], "int32")).tolist()
        [1, -1]
    """
    return _core.cast(x, dtype)


def _stop_gradient_spec(variable):
    return KerasTensor(rules.shape_of(variable), dtypes.result_type(rules.dtype_of(variable)))


@op(_stop_gradient_spec, module="core")
def stop_gradient(variable):
    """Return the value unchanged, but let no gradient flow through it.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.stop_gradient([1.0])).tolist()
        [1.0]
    """
    return _core.stop_gradient(variable)


def cond(pred, true_fn, false_fn):
    """Call ``true_fn()`` if ``pred`` is true, else ``false_fn()`` (traceable on JAX/TF).

    Example:
        >>> import kiln
        >>> int(kiln.ops.cond(True, lambda: 1, lambda: 2))
        1
    """
    return _core.cond(pred, true_fn, false_fn)


def _scatter_spec(indices, values, shape):
    return KerasTensor(tuple(shape), dtypes.result_type(rules.dtype_of(values)))


@op(_scatter_spec, module="core")
def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (last axis = coordinates).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.scatter([[0], [2]], [1.0, 2.0], (3,))).tolist()
        [1.0, 0.0, 2.0]
    """
    return _core.scatter(indices, values, shape)


def _slice_spec(inputs, start_indices, shape):
    in_shape = rules.shape_of(inputs)
    shape = tuple(shape)
    if len(shape) != len(in_shape):
        raise ValueError(
            f"slice: shape {shape} must have one entry per axis of the input of shape {in_shape}")
    out = tuple(d if s is None or s == -1 else s for s, d in zip(shape, in_shape)) if -1 in shape else shape
    return KerasTensor(out, dtypes.result_type(rules.dtype_of(inputs)))


@op(_slice_spec, module="core")
def slice(inputs, start_indices, shape):
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.slice([1, 2, 3, 4], (1,), (2,))).tolist()
        [2, 3]
    """
    return _core.slice(inputs, start_indices, shape)


def _slice_length(dim, s):
    if dim is None:
        if s.start is None and s.stop is None and s.step in (None, 1):
            return None
        # Only slices whose length does not depend on the size are resolvable.
        start, stop, step = s.start or 0, s.stop, s.step or 1
        if step > 0 and stop is not None and start >= 0 and stop >= 0:
            return max(0, -(-(stop - start) // step))
        return None
    return len(range(*s.indices(dim)))


def _get_item_spec(x, key):
    shape = rules.shape_of(x)
    dtype = dtypes.result_type(rules.dtype_of(x))
    if not isinstance(key, tuple):
        key = (key,)
    # Boolean tensor masks select a data-dependent number of elements.
    n_consumed = 0
    for k in key:
        if k is None or k is Ellipsis:
            continue
        kd = rules.dtype_of(k) if isinstance(k, KerasTensor) or hasattr(k, "dtype") else None
        if kd == "bool":
            n_consumed += len(rules.shape_of(k))
        else:
            n_consumed += 1
    if n_consumed > len(shape):
        raise ValueError(f"get_item: too many indices ({n_consumed}) for a tensor of shape {shape}")
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise ValueError("get_item: an index can only have a single Ellipsis ('...')")
    expanded = []
    for k in key:
        if k is Ellipsis:
            expanded.extend([_full_slice()] * (len(shape) - n_consumed))
        else:
            expanded.append(k)
    if not any(k is Ellipsis for k in key):
        expanded.extend([_full_slice()] * (len(shape) - n_consumed))
    out = []
    pos = 0
    advanced_shape = None
    for k in expanded:
        if k is None:
            out.append(1)
            continue
        dim = shape[pos] if pos < len(shape) else None
        if isinstance(k, bool):
            raise ValueError("get_item: a Python bool is not a valid index")
        if isinstance(k, int):
            if dim is not None and not -dim <= k < dim:
                raise ValueError(f"get_item: index {k} is out of bounds for axis {pos} of size {dim}")
            pos += 1
        elif type(k).__name__ == "slice":
            out.append(_slice_length(dim, k))
            pos += 1
        else:
            kshape = rules.shape_of(k)
            kdtype = rules.dtype_of(k)
            if kdtype == "bool" or kdtype is bool:
                pos += len(kshape)
                new = (None,)
            else:
                pos += 1
                new = kshape
            if advanced_shape is None:
                advanced_shape = new
                out.append("adv")
            else:
                advanced_shape = rules.broadcast_shapes(advanced_shape, new, "get_item")
    final = []
    for d in out:
        if d == "adv":
            final.extend(advanced_shape)
        else:
            final.append(d)
    return KerasTensor(tuple(final), dtype)


def _full_slice():
    import builtins

    return builtins.slice(None)


@op(_get_item_spec, module="core", class_name="GetItem")
def get_item(x, key):
    """``x[key]`` with Python/NumPy indexing (ints, slices, None, Ellipsis, index tensors).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.get_item([[1, 2], [3, 4]], (Ellipsis, 1))).tolist()
        [2, 4]
    """
    return _core.get_item(x, key)
