"""NumPy backend core: the native tensor is ``np.ndarray``; conversion, casting, tracing.

Besides the interface functions this module holds the small helpers the other
modules of the backend share (dtype maps, promotion of operands).

Example:
    >>> x = convert_to_tensor([1.0, 2.0])
    >>> x.dtype.name, shape(x)
    ('float32', (2,))
"""

import builtins
import contextlib

import ml_dtypes
import numpy as np

from kiln import config, tree
from kiln.backend.common import dtypes
from kiln.backend.common.control_flow import (ScanPrimitives, associative_scan_by_halving,
                                              saturate_cast_bounds, scan_length,
                                              vectorize_with_batch_map)
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import SymbolicScope
from kiln.backend.common.variables import KerasVariable

# ---------------------------------------------------------------------------
# dtype maps
# ---------------------------------------------------------------------------
_NP_DTYPES = {
    name: np.dtype(name)
    for name in dtypes.ALLOWED_DTYPES
    if name not in ("bfloat16", "string")
}
_NP_DTYPES["bfloat16"] = np.dtype(ml_dtypes.bfloat16)
_NP_DTYPES["string"] = np.dtype(object)
_NAMES = {d: name for name, d in _NP_DTYPES.items()}
_NAMES[np.dtype(np.str_)] = "string"

FLOAT_NP = frozenset(_NP_DTYPES[n] for n in dtypes.FLOAT_TYPES)
INEXACT_NP = FLOAT_NP | {_NP_DTYPES["complex64"], _NP_DTYPES["complex128"]}
# Dtypes NumPy computes slowly or imprecisely (no BLAS, low-precision accumulation):
# contractions and reductions on these run in float32 and cast back.
HALF_NP = frozenset((_NP_DTYPES["float16"], _NP_DTYPES["bfloat16"]))
FLOAT32 = _NP_DTYPES["float32"]
INT32 = _NP_DTYPES["int32"]
BOOL = _NP_DTYPES["bool"]
_PY_SCALARS = (int, float, bool, complex)


def np_dtype(dtype):
    """Native NumPy dtype for any dtype spelling (None -> floatx)."""
    if type(dtype) is str:
        native = _NP_DTYPES.get(dtype)
        if native is not None:
            return native
    elif isinstance(dtype, np.dtype) and dtype in _NAMES:
        return dtype
    return _NP_DTYPES[dtypes.standardize_dtype(dtype)]


def dtype_name(native):
    """Kiln dtype name of a NumPy dtype."""
    name = _NAMES.get(native)
    if name is None:
        if native.kind in "US":
            return "string"
        return dtypes.standardize_dtype(native)
    return name


def floatx_np():
    return _NP_DTYPES[config.floatx()]


def as_array(x):
    """Wrap NumPy scalars returned by ufuncs/reductions into 0-d arrays."""
    return x if type(x) is np.ndarray else np.asarray(x)


def to_float(x):
    """Tensor with int/bool converted to floatx (float dtypes are kept)."""
    x = convert_to_tensor(x)
    if x.dtype in INEXACT_NP:
        return x
    return x.astype(floatx_np())


# (operand keys..., floatx) -> native result dtype; a key is an ndarray's dtype or a
# Python scalar's type.
_PROMOTE_CACHE = {}


def promote(*args):
    """Convert operands to one dtype following ``dtypes.result_type`` (scalars weak).

    Python scalars stay Python scalars when every array operand already has the
    result dtype (NumPy then treats them as weak too), which keeps the common
    ``tensor + 1.0`` path cheap.
    """
    if len(args) == 2:
        x1, x2 = args
        t1, t2 = type(x1), type(x2)
        if t1 is np.ndarray:
            if t2 is np.ndarray:
                if x1.dtype == x2.dtype:
                    return args
            elif t2 in _PY_SCALARS:
                if _PROMOTE_CACHE.get((x1.dtype, t2, config.floatx())) == x1.dtype:
                    return args
        elif t2 is np.ndarray and t1 in _PY_SCALARS:
            if _PROMOTE_CACHE.get((t1, x2.dtype, config.floatx())) == x2.dtype:
                return args
    items = [a if type(a) in _PY_SCALARS or type(a) is np.ndarray else convert_to_tensor(a)
             for a in args]
    key = tuple(a.dtype if type(a) is np.ndarray else type(a) for a in items)
    key = key + (config.floatx(),)
    target = _PROMOTE_CACHE.get(key)
    if target is None:
        target = np_dtype(dtypes.result_type(*items))
        if len(_PROMOTE_CACHE) < 4096:
            _PROMOTE_CACHE[key] = target
    arrays_ready = True
    has_array = False
    for a in items:
        if type(a) is np.ndarray:
            has_array = True
            if a.dtype != target:
                arrays_ready = False
                break
    keep_scalars = has_array and arrays_ready
    out = []
    for a in items:
        if type(a) is np.ndarray:
            out.append(a if a.dtype == target else a.astype(target))
        elif keep_scalars:
            out.append(a)
        else:
            out.append(np.asarray(a, dtype=target))
    return out


def promote_float(*args):
    """Like :func:`promote` but int/bool results become floatx."""
    items = [a if type(a) in _PY_SCALARS else convert_to_tensor(a) for a in args]
    target = np_dtype(dtypes.float_result_type(*items))
    return [cast(a, target) for a in items]


# ---------------------------------------------------------------------------
# Variable
# ---------------------------------------------------------------------------
class Variable(KerasVariable):
    """A Kiln variable stored as a ``np.ndarray`` (its own copy of the data).

    Example:
        >>> v = Variable([1.0, 2.0], name="v")
        >>> _ = v.assign([3.0, 4.0])
        >>> v.numpy().tolist()
        [3.0, 4.0]
    """

    def _initialize(self, value):
        self._value = np.array(value, copy=True)

    def _direct_assign(self, value):
        self._value = np.array(value, dtype=self._value.dtype, copy=True)

    def _convert_to_tensor(self, value, dtype=None):
        return convert_to_tensor(value, dtype=dtype)

    def numpy(self):
        return self.value if type(self.value) is np.ndarray else convert_to_numpy(self.value)

    def __array__(self, dtype=None, copy=None):
        value = self.numpy()
        if dtype is not None:
            value = value.astype(dtype, copy=False)
        return np.array(value, copy=True) if copy else value


# ---------------------------------------------------------------------------
# conversion
# ---------------------------------------------------------------------------
def _leaf_dtypes(x, out):
    for item in x:
        if isinstance(item, (list, tuple)):
            _leaf_dtypes(item, out)
        elif isinstance(item, KerasVariable):
            out.append(item.dtype)
        elif type(item) in _PY_SCALARS:
            out.append(item)
        elif hasattr(item, "dtype"):
            out.append(dtype_name(np.asarray(item).dtype) if not isinstance(item, np.ndarray)
                       else dtype_name(item.dtype))
        else:
            out.append(type(item))


def _from_foreign(x):
    """NumPy view/copy of a torch/TF/JAX tensor (or anything with ``__array__``)."""
    module = type(x).__module__ or ""
    if module.startswith("torch"):
        x = x.detach().cpu()
        if str(x.dtype) == "torch.bfloat16":
            return x.float().numpy().astype(_NP_DTYPES["bfloat16"])
        return x.numpy()
    if hasattr(x, "numpy") and module.startswith("tensorflow"):
        return np.asarray(x.numpy())
    return np.asarray(x)


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Return ``x`` as a ``np.ndarray`` (returned as is when it already has ``dtype``).

    Python floats become floatx, Python ints int32, bools bool; NumPy arrays keep
    their dtype.

    Example:
        >>> convert_to_tensor(3).dtype.name, convert_to_tensor(1.5).dtype.name
        ('int32', 'float32')
    """
    if type(x) is np.ndarray:
        if dtype is None:
            return x
        native = np_dtype(dtype)
        return x if x.dtype == native else x.astype(native)
    if sparse:
        raise ValueError("convert_to_tensor: the numpy backend has no sparse tensors (sparse=True)")
    if ragged:
        raise ValueError("convert_to_tensor: the numpy backend has no ragged tensors (ragged=True)")
    if isinstance(x, KerasVariable):
        return convert_to_tensor(x.value, dtype)
    if isinstance(x, KerasTensor):
        raise ValueError(
            "convert_to_tensor: received a symbolic KerasTensor "
            f"(shape={x.shape}, dtype={x.dtype}); expected a concrete value. KerasTensors only "
            "build functional models; call your function on real data instead."
        )
    native = None if dtype is None else np_dtype(dtype)
    t = type(x)
    if t in _PY_SCALARS:
        if native is None:
            native = np_dtype(dtypes.result_type(x))
        return np.asarray(x, dtype=native)
    if isinstance(x, np.generic):
        x = np.asarray(x)
        return x if native is None or x.dtype == native else x.astype(native)
    if t is list or t is tuple:
        if native is None:
            found = []
            _leaf_dtypes(x, found)
            array = np.asarray(x)
            if array.dtype.kind in "OUS":
                return array.astype(object)
            try:
                native = np_dtype(dtypes.result_type(*found)) if found else floatx_np()
            except (KeyError, ValueError):
                return array
            return array if array.dtype == native else array.astype(native)
        return np.asarray(x, dtype=native)
    if isinstance(x, np.ndarray):  # ndarray subclass
        x = np.asarray(x)
    elif isinstance(x, str):
        return np.asarray(x, dtype=object if native is None else native)
    else:
        x = _from_foreign(x)
    if x.dtype.kind == "U":
        x = x.astype(object)
    return x if native is None or x.dtype == native else x.astype(native)


def convert_to_numpy(x):
    """Return ``x`` as a NumPy array (no copy for arrays and variables).

    Example:
        >>> convert_to_numpy([1, 2]).tolist()
        [1, 2]
    """
    if type(x) is np.ndarray:
        return x
    if isinstance(x, KerasVariable):
        return convert_to_numpy(x.value)
    return convert_to_tensor(x)


def is_tensor(x):
    """True for native tensors of this backend: NumPy arrays and NumPy scalars.

    Example:
        >>> is_tensor(np.zeros(2)), is_tensor([1.0])
        (True, False)
    """
    return isinstance(x, (np.ndarray, np.generic))


def shape(x):
    """Static shape as a tuple of ints.

    Example:
        >>> shape(np.zeros((2, 3)))
        (2, 3)
    """
    if type(x) is np.ndarray or isinstance(x, KerasVariable):
        return tuple(x.shape)
    return tuple(convert_to_tensor(x).shape)


def cast(x, dtype):
    """Cast ``x`` to ``dtype`` (no copy when it already has it).

    Example:
        >>> cast(np.array([1.7]), "int32").tolist()
        [1]
    """
    native = np_dtype(dtype)
    if type(x) is np.ndarray:
        return x if x.dtype == native else x.astype(native)
    if type(x) in _PY_SCALARS:
        return np.asarray(x, dtype=native)
    return convert_to_tensor(x, dtype=native)


def stop_gradient(variable):
    """Identity: the numpy backend has no gradients.

    Example:
        >>> stop_gradient(np.ones(1)).tolist()
        [1.0]
    """
    if isinstance(variable, KerasVariable):
        return variable.value
    return variable


def cond(pred, true_fn, false_fn):
    """Run ``true_fn()`` if ``pred`` else ``false_fn()`` (a plain Python branch).

    Example:
        >>> cond(np.array(True), lambda: 1, lambda: 2)
        1
    """
    if isinstance(pred, KerasVariable):
        pred = pred.value
    pred = np.asarray(pred)
    if pred.size != 1:
        raise ValueError(f"cond: `pred` must be a scalar, received shape {pred.shape}")
    return true_fn() if bool(pred.reshape(())) else false_fn()


# ---------------------------------------------------------------------------
# tracing
# ---------------------------------------------------------------------------
_TRACE_SIZES = (83, 89)


def _placeholders(args, kwargs, size, fill):
    def to_concrete(leaf):
        if isinstance(leaf, KerasTensor):
            leaf_shape = tuple(size if d is None else d for d in leaf.shape)
            native = np_dtype(leaf.dtype)
            if fill == "zeros":
                return np.zeros(leaf_shape, dtype=native)
            # Fallback fill: well-conditioned positive values (SPD-friendly for square
            # matrices: identity-like plus a small constant).
            value = np.full(leaf_shape, 0.5, dtype=np.float64)
            if len(leaf_shape) >= 2 and leaf_shape[-1] == leaf_shape[-2]:
                value = value * 0.1 + np.eye(leaf_shape[-1])
            return value.astype(native)
        return leaf

    return tree.map_structure(to_concrete, (args, kwargs))


def _run_traced(fn, args, kwargs, size):
    last_error = None
    for fill in ("zeros", "ones"):
        concrete_args, concrete_kwargs = _placeholders(args, kwargs, size, fill)
        try:
            with SymbolicScope(), np.errstate(all="ignore"):
                return fn(*concrete_args, **concrete_kwargs)
        except (np.linalg.LinAlgError, ZeroDivisionError, FloatingPointError) as e:
            last_error = e
    raise last_error


def _has_none_dims(args, kwargs):
    for leaf in tree.flatten((args, kwargs)):
        if isinstance(leaf, KerasTensor) and None in leaf.shape:
            return True
    return False


def compute_output_spec(fn, *args, **kwargs):
    """Trace ``fn`` on zero arrays standing in for KerasTensors; return KerasTensors.

    Unknown (None) dimensions are tried with two sizes; output dims that differ
    between the runs become None.

    Example:
        >>> spec = compute_output_spec(lambda x: x[:, :2], KerasTensor((None, 5)))
        >>> spec.shape, spec.dtype
        ((None, 2), 'float32')
    """
    first = _run_traced(fn, args, kwargs, _TRACE_SIZES[0])
    if not _has_none_dims(args, kwargs):
        def spec(leaf):
            if is_tensor(leaf):
                return KerasTensor(leaf.shape, dtype=dtype_name(leaf.dtype))
            return leaf

        return tree.map_structure(spec, first)
    second = _run_traced(fn, args, kwargs, _TRACE_SIZES[1])

    def merge(a, b):
        if is_tensor(a):
            a_shape, b_shape = np.shape(a), np.shape(b)
            if len(a_shape) != len(b_shape):
                raise ValueError(
                    "compute_output_spec: the output rank depends on an unknown input dimension "
                    f"(got shapes {a_shape} and {b_shape})"
                )
            merged = tuple(da if da == db else None for da, db in zip(a_shape, b_shape))
            return KerasTensor(merged, dtype=dtype_name(a.dtype))
        return a

    return tree.map_structure(merge, first, second)


@contextlib.contextmanager
def device_scope(device_name):
    """No-op device scope (the numpy backend only runs on the CPU).

    Example:
        >>> with device_scope("cpu:0"):
        ...     pass
    """
    if not isinstance(device_name, str):
        raise ValueError(f"device_scope: expected a device name string, received {device_name!r}")
    yield


def random_seed_dtype():
    """Dtype of seed tensors on this backend.

    Example:
        >>> random_seed_dtype()
        'uint32'
    """
    return "uint32"


# ---------------------------------------------------------------------------
# indexing
# ---------------------------------------------------------------------------
def scatter(indices, values, shape):
    """Zeros of ``shape`` with ``values`` added at ``indices`` (duplicates summed).

    Example:
        >>> scatter([[0], [2]], [1.0, 2.0], (4,)).tolist()
        [1.0, 0.0, 2.0, 0.0]
    """
    indices = convert_to_tensor(indices)
    values = convert_to_tensor(values)
    out_shape = tuple(int(d) for d in shape)
    if indices.ndim < 1 or indices.shape[-1] > len(out_shape):
        raise ValueError(
            f"scatter: indices must have shape (..., k) with k <= {len(out_shape)} (rank of "
            f"`shape`), received indices of shape {indices.shape}"
        )
    depth = indices.shape[-1]
    flat_index = tuple(np.moveaxis(indices.reshape(-1, depth), -1, 0))
    expected = indices.shape[:-1] + out_shape[depth:]
    values = np.broadcast_to(values, expected).reshape((-1,) + out_shape[depth:])
    out = np.zeros(out_shape, dtype=values.dtype)
    np.add.at(out, flat_index, values)
    return out


def slice(inputs, start_indices, shape):
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices``.

    Starts are clamped so that the block fits (as ``lax.dynamic_slice``); a size of
    -1 takes the rest of that axis.

    Example:
        >>> slice(np.arange(6), [2], [3]).tolist()
        [2, 3, 4]
    """
    inputs = convert_to_tensor(inputs)
    starts = [int(s) for s in np.asarray(convert_to_numpy(start_indices)).reshape(-1)]
    sizes = [int(s) for s in np.asarray(convert_to_numpy(shape)).reshape(-1)]
    if len(starts) != inputs.ndim or len(sizes) != inputs.ndim:
        raise ValueError(
            f"slice: start_indices and shape need {inputs.ndim} entries (the rank of inputs), "
            f"received {len(starts)} and {len(sizes)}"
        )
    index = []
    for start, size, dim in zip(starts, sizes, inputs.shape):
        if size < 0:
            size = dim - start
        if size > dim:
            raise ValueError(f"slice: size {size} is larger than the dimension {dim}")
        start = builtins.min(builtins.max(start, 0), dim - size)
        index.append(builtins.slice(start, start + size))
    return inputs[tuple(index)]


def _convert_key_item(k):
    if isinstance(k, KerasVariable):
        return k.value
    if type(k) is list:
        return np.asarray([_convert_key_item(i) for i in k])
    if isinstance(k, KerasTensor):
        raise ValueError("get_item: cannot index with a symbolic KerasTensor")
    if not isinstance(k, (int, builtins.slice, np.ndarray, np.generic, type(None), type(Ellipsis))):
        module = type(k).__module__ or ""
        if module.startswith(("torch", "tensorflow", "jax")):
            return _from_foreign(k)
    return k


def get_item(x, key):
    """``x[key]`` with Python/NumPy indexing semantics.

    Example:
        >>> get_item(np.arange(6).reshape(2, 3), (1, [0, 2])).tolist()
        [3, 5]
    """
    x = convert_to_tensor(x)
    if type(key) is tuple:
        key = tuple(_convert_key_item(k) for k in key)
    else:
        key = _convert_key_item(key)
    return as_array(x[key])


# ---------------------------------------------------------------------------
# control flow, transforms and updates (plain Python loops)
# ---------------------------------------------------------------------------
def saturate_cast(x, dtype):
    """Clip ``x`` to the range of ``dtype`` (as representable in x's dtype), then cast.

    Example:
        >>> saturate_cast(np.array([-1.0, 300.0]), "uint8").tolist()
        [0, 255]
    """
    x = convert_to_tensor(x)
    target = np_dtype(dtype)
    bounds = saturate_cast_bounds(dtype_name(x.dtype), dtype_name(target))
    if bounds is not None:
        x = np.clip(x, *bounds)
    return as_array(x).astype(target)


_SCATTER_UFUNCS = {"add": np.add, "mul": np.multiply, "max": np.maximum, "min": np.minimum}


def scatter_update(inputs, indices, updates, reduction=None):
    """A copy of ``inputs`` with ``updates`` written (or combined by ``reduction``) at ``indices``.

    Example:
        >>> scatter_update(np.zeros(3), [[2]], [5.0]).tolist()
        [0.0, 0.0, 5.0]
    """
    inputs = convert_to_tensor(inputs)
    indices = convert_to_tensor(indices)
    updates = convert_to_tensor(updates, inputs.dtype)
    if reduction is not None and reduction not in _SCATTER_UFUNCS:
        raise ValueError(f"scatter_update: reduction must be one of None, 'add', 'mul', 'max', "
                         f"'min'; received {reduction!r}")
    out = inputs.copy()
    key = tuple(np.moveaxis(indices, -1, 0))
    if reduction is None:
        out[key] = updates
    else:
        _SCATTER_UFUNCS[reduction].at(out, key, updates)
    return out


def _update_window(shape, start_indices, sizes):
    """Slices of the block of ``sizes`` at ``start_indices``, starts clamped so that it fits."""
    starts = [int(s) for s in np.asarray(convert_to_numpy(start_indices)).reshape(-1)]
    if len(starts) != len(shape):
        raise ValueError(f"slice_update: start_indices needs {len(shape)} entries (the rank of "
                         f"inputs), received {len(starts)}")
    return tuple(builtins.slice(s, s + n) for s, n in
                 ((builtins.min(builtins.max(s, 0), d - n), n) for s, n, d in zip(starts, sizes, shape)))


def slice_update(inputs, start_indices, updates):
    """A copy of ``inputs`` with the block at ``start_indices`` replaced by ``updates``.

    Example:
        >>> slice_update(np.zeros(4), [1], np.ones(2)).tolist()
        [0.0, 1.0, 1.0, 0.0]
    """
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates, inputs.dtype)
    out = inputs.copy()
    out[_update_window(inputs.shape, start_indices, updates.shape)] = updates
    return out


def switch(index, branches, *operands):
    """``branches[index](*operands)`` with ``index`` clamped to the valid range."""
    index = builtins.min(builtins.max(int(convert_to_numpy(index)), 0), len(branches) - 1)
    return branches[index](*operands)


def _tensors(structure):
    return tree.map_structure(lambda v: v if v is None else convert_to_tensor(v), structure)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (at most ``maximum_iterations``)."""
    is_sequence = isinstance(loop_vars, (list, tuple))
    state = _tensors(tuple(loop_vars) if is_sequence else (loop_vars,))
    limit = None if maximum_iterations is None else int(convert_to_numpy(maximum_iterations))
    steps = 0
    while (limit is None or steps < limit) and bool(np.asarray(cond(*state)).reshape(())):
        out = body(*state)
        state = _tensors(tuple(out) if is_sequence else (out,))
        steps += 1
    if not is_sequence:
        return state[0]
    return type(loop_vars)(state) if type(loop_vars) in (list, tuple) else state


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``."""
    val = _tensors(init_val)
    for i in range(int(convert_to_numpy(lower)), int(convert_to_numpy(upper))):
        val = _tensors(body_fun(i, val))
    return val


def _stack_steps(outputs, stack):
    """Stack a list of per-step output structures leaf by leaf (None leaves stay None)."""
    return tree.map_structure(lambda *leaves: None if leaves[0] is None else stack(leaves), *outputs)


def _scan_loop(f, init, xs, length, reverse, take, stack, to_tensor):
    """``lax.scan`` semantics as a Python loop, given a backend's slicing and stacking."""
    flat = None if xs is None else [to_tensor(x) for x in tree.flatten(xs)]
    n = scan_length(flat, length)
    carry = tree.map_structure(lambda v: v if v is None else to_tensor(v), init)
    steps = builtins.range(n - 1, -1, -1) if reverse else builtins.range(n)
    ys = []
    for i in steps:
        x = None if xs is None else tree.pack_sequence_as(xs, [take(leaf, i) for leaf in flat])
        carry, y = f(carry, x)
        ys.append(y)
    if n == 0:
        return carry, None
    if reverse:
        ys.reverse()
    return carry, _stack_steps(ys, stack)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns ``(carry, stacked ys)``."""
    return _scan_loop(lambda c, x: _tensors(f(c, x)), init, xs, length, reverse,
                      lambda x, i: as_array(x[i]), np.stack, convert_to_tensor)


def map(f, xs):  # noqa: A001 - public op name
    """``f`` applied to each slice of ``xs`` along axis 0, results stacked."""
    return scan(lambda carry, x: (carry, f(x)), (), xs)[1]


def vectorized_map(function, elements):
    """``function`` applied to each slice of ``elements`` along axis 0 (a loop on this backend)."""
    return map(function, elements)


_SCAN_PRIMITIVES = ScanPrimitives(lambda x, order, axis: np.take(x, order, axis=axis),
                                  lambda xs, axis: np.concatenate(xs, axis=axis), np.flip, convert_to_tensor)


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of ``elems`` along ``axis`` with the associative binary ``f``.

    Example:
        >>> associative_scan(lambda a, b: a + b, np.arange(1.0, 5.0)).tolist()
        [1.0, 3.0, 6.0, 10.0]
    """
    return associative_scan_by_halving(f, elems, reverse, axis, _SCAN_PRIMITIVES)


def custom_gradient(f):
    """The forward value of ``f`` (the numpy backend computes no gradients)."""
    import functools

    @functools.wraps(f)
    def forward(*args):
        return f(*args)[0]

    return forward


def vectorize(pyfunc, excluded=None, signature=None):
    """``numpy.vectorize``-style broadcasting of ``pyfunc`` (a loop on this backend).

    Example:
        >>> vectorize(lambda a, b: a * b)(np.ones((2, 1)), np.arange(3.0)).shape
        (2, 3)
    """
    return vectorize_with_batch_map(vectorized_map, pyfunc, excluded, signature, convert_to_tensor,
                                    np.broadcast_to, np.reshape)
