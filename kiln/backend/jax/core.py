"""JAX backend core: the Variable, tensor conversion, dtypes, tracing and indexing.

Tensors are ``jax.Array`` values. 64-bit dtypes map to their 32-bit
counterparts unless ``jax_enable_x64`` was on when Kiln was imported.

Example:
    >>> from kiln.backend.jax import core
    >>> core.convert_to_tensor([1.0, 2.0]).dtype
    dtype('float32')
    >>> core.shape(core.convert_to_tensor([[1, 2, 3]]))
    (1, 3)
"""

import contextlib

import jax
import jax.numpy as jnp
import numpy as np

from kiln import tree
from kiln.backend.common import dtypes
from kiln.backend.common.control_flow import saturate_cast_bounds
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import StatelessScope, SymbolicScope
from kiln.backend.common.variables import KerasVariable

_X64 = bool(jax.config.jax_enable_x64)
_NARROW = {"float64": "float32", "int64": "int32", "uint64": "uint32", "complex128": "complex64"}

# Kiln dtype name -> native (NumPy-style) dtype used by JAX.
DTYPES = {}
for _name in dtypes.ALLOWED_DTYPES:
    if _name == "string":
        continue
    DTYPES[_name] = jnp.dtype(_name if _X64 else _NARROW.get(_name, _name))

_SCALAR_TYPES = (bool, int, float, complex)
_ArrayType = jax.Array


def native_dtype(dtype):
    """Return the JAX dtype for any dtype spelling (None means ``floatx()``).

    Example:
        >>> native_dtype("float64") in (jnp.dtype("float32"), jnp.dtype("float64"))
        True
    """
    if type(dtype) is str:
        found = DTYPES.get(dtype)
        if found is not None:
            return found
    name = dtypes.standardize_dtype(dtype)
    if name == "string":
        raise ValueError("The jax backend has no string tensors; received dtype 'string'.")
    return DTYPES[name]


def dtype_name(x):
    """Kiln dtype name of a tensor (or anything with a ``dtype``)."""
    return dtypes.standardize_dtype(x.dtype)


class Variable(KerasVariable):
    """A Kiln Variable whose storage is a ``jax.Array`` (``self._value``).

    Example:
        >>> v = Variable([1.0, 2.0], name="w")
        >>> float(jnp.sum(v))
        3.0
    """

    def __init__(self, *args, **kwargs):
        # Initializers run eagerly even when a variable is created while JAX traces
        # (e.g. a layer built inside compute_output_spec), so no tracer is stored.
        with jax.ensure_compile_time_eval():
            super().__init__(*args, **kwargs)

    def _initialize(self, value):
        self._value = value

    def _direct_assign(self, value):
        self._value = value

    def _convert_to_tensor(self, value, dtype=None):
        return convert_to_tensor(value, dtype=dtype)

    def __jax_array__(self):
        return self.value


def _leaf_dtypes(x, found):
    """Collect promotion items (Python types or dtype names) of a nested list's leaves."""
    for item in x:
        t = type(item)
        if t in _SCALAR_TYPES:
            found.add(t)
        elif t is list or t is tuple:
            _leaf_dtypes(item, found)
        elif isinstance(item, KerasVariable):
            found.add(item.dtype)
        elif hasattr(item, "dtype"):
            found.add(dtypes.standardize_dtype(item.dtype))
        else:
            found.add(float)
    return found


def _list_dtype(x):
    """Dtype a Python list/tuple converts to: strong version of its leaves' promotion."""
    items = _leaf_dtypes(x, set())
    if not items:
        return _floatx()
    return dtypes.result_type(*items)


def _floatx():
    from kiln import config

    return config.floatx()


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Turn ``x`` (jax array, NumPy array, Variable, scalar, nested list) into a ``jax.Array``.

    Python floats become ``floatx()``, ints ``int32``, bools ``bool``; NumPy
    arrays keep their dtype (64-bit narrowed when x64 is off). A jax array of the
    requested dtype is returned unchanged.

    Example:
        >>> convert_to_tensor(3).dtype, convert_to_tensor(np.zeros(2, "int8")).dtype
        (dtype('int32'), dtype('int8'))
    """
    if ragged:
        raise ValueError("convert_to_tensor: the jax backend does not support ragged tensors.")
    if isinstance(x, _ArrayType):
        if dtype is None:
            return x
        target = native_dtype(dtype)
        return x if x.dtype == target else x.astype(target)
    if isinstance(x, KerasVariable):
        return convert_to_tensor(x.value, dtype)
    if isinstance(x, KerasTensor):
        raise TypeError(
            "convert_to_tensor: received a symbolic KerasTensor "
            f"{x!r}; it has no value. Call the op on concrete data, or build a functional Model."
        )
    if dtype is not None:
        return jnp.asarray(x, dtype=native_dtype(dtype))
    t = type(x)
    if t is float:
        return jnp.asarray(x, dtype=native_dtype(_floatx()))
    if t is bool:
        return jnp.asarray(x, dtype=jnp.bool_)
    if t is int:
        return jnp.asarray(x, dtype=DTYPES["int32"])
    if t is complex:
        return jnp.asarray(x, dtype=DTYPES["complex64"])
    if isinstance(x, np.ndarray) or isinstance(x, np.generic):
        if x.dtype.kind in "OSU":
            raise ValueError(f"convert_to_tensor: cannot convert a NumPy array of dtype {x.dtype} "
                             "to a jax tensor (expected a numeric or bool dtype).")
        return jnp.asarray(x, dtype=native_dtype(x.dtype.name))
    if t is list or t is tuple:
        return jnp.asarray(x, dtype=native_dtype(_list_dtype(x)))
    if hasattr(x, "__jax_array__"):
        return jnp.asarray(x)
    # Other frameworks' tensors (torch, tf) and array-likes go through NumPy.
    if hasattr(x, "numpy") and callable(x.numpy):
        try:
            x = x.numpy()
        except Exception:  # torch tensors that need grad
            x = x.detach().cpu().numpy()
        return convert_to_tensor(np.asarray(x))
    array = np.asarray(x)
    if array.dtype.kind in "OSU":
        raise ValueError(f"convert_to_tensor: cannot convert {type(x).__name__} {x!r} to a jax tensor.")
    return convert_to_tensor(array)


def convert_to_numpy(x):
    """Return ``x`` as a NumPy array (no copy for a jax array on the CPU).

    Example:
        >>> convert_to_numpy(jnp.ones(2)).tolist()
        [1.0, 1.0]
    """
    if isinstance(x, KerasVariable):
        x = x.value
    if isinstance(x, KerasTensor):
        raise TypeError("convert_to_numpy: a KerasTensor is symbolic and has no value.")
    return np.asarray(x)


def is_tensor(x):
    """True for ``jax.Array`` values (tracers included)."""
    return isinstance(x, _ArrayType)


def shape(x):
    """Static shape of ``x`` as a tuple of ints.

    Example:
        >>> shape(jnp.zeros((2, 3)))
        (2, 3)
    """
    s = getattr(x, "shape", None)
    if s is not None:
        return tuple(s)
    return tuple(np.shape(x))


def cast(x, dtype):
    """Cast ``x`` to ``dtype`` (returns ``x`` itself if it already has that dtype)."""
    if isinstance(x, _ArrayType):
        target = native_dtype(dtype)
        return x if x.dtype == target else x.astype(target)
    return convert_to_tensor(x, dtype)


def stop_gradient(variable):
    """Return the value with gradients blocked."""
    return jax.lax.stop_gradient(convert_to_tensor(variable))


def cond(pred, true_fn, false_fn):
    """``jax.lax.cond``: both branches are traced, one runs; works under ``jax.jit``."""
    if isinstance(pred, KerasVariable):
        pred = pred.value
    return jax.lax.cond(pred, true_fn, false_fn)


def _placeholder_shapes(shape, fill):
    return tuple(fill if d is None else d for d in shape)


def _trace_once(fn, args, kwargs, fill):
    flat = tree.flatten((args, kwargs))
    positions = [i for i, leaf in enumerate(flat) if isinstance(leaf, KerasTensor)]
    specs = [jax.ShapeDtypeStruct(_placeholder_shapes(flat[i].shape, fill),
                                  native_dtype(flat[i].dtype)) for i in positions]

    def run(*tensors):
        leaves = list(flat)
        for pos, tensor in zip(positions, tensors):
            leaves[pos] = tensor
        call_args, call_kwargs = tree.pack_sequence_as((args, kwargs), leaves)
        return fn(*call_args, **call_kwargs)

    with StatelessScope(), SymbolicScope():
        return jax.eval_shape(run, *specs)


def _is_spec(x):
    return isinstance(x, jax.ShapeDtypeStruct)


def compute_output_spec(fn, *args, **kwargs):
    """Trace ``fn`` on placeholders for the KerasTensors in ``args``/``kwargs``.

    Unknown (None) dimensions are traced twice with different sizes; output
    dimensions that change become None. Returns the output structure with
    every tensor replaced by a :class:`KerasTensor`.

    Example:
        >>> out = compute_output_spec(lambda a: jnp.sum(a, axis=1), KerasTensor((None, 4)))
        >>> out.shape, out.dtype
        ((None,), 'float32')
    """
    has_none = any(
        isinstance(leaf, KerasTensor) and None in leaf.shape for leaf in tree.flatten((args, kwargs))
    )
    first = _trace_once(fn, args, kwargs, 83)
    if not has_none:
        return tree.map_structure(
            lambda s: KerasTensor(s.shape, dtypes.standardize_dtype(s.dtype)) if _is_spec(s) else s,
            first,
        )
    second = _trace_once(fn, args, kwargs, 89)
    flat1, flat2 = tree.flatten(first), tree.flatten(second)
    out = []
    for a, b in zip(flat1, flat2):
        if _is_spec(a):
            dims = tuple(d1 if d1 == d2 else None for d1, d2 in zip(a.shape, b.shape))
            if len(a.shape) != len(b.shape):
                raise ValueError(
                    f"compute_output_spec: the output rank of {getattr(fn, '__name__', fn)} depends "
                    f"on the input size ({a.shape} vs {b.shape}); cannot infer a static shape."
                )
            out.append(KerasTensor(dims, dtypes.standardize_dtype(a.dtype)))
        else:
            out.append(a)
    return tree.pack_sequence_as(first, out)


def _parse_device(device_name):
    if not isinstance(device_name, str):
        return device_name  # a jax Device
    name = device_name.lower()
    kind, _, index = name.partition(":")
    index = int(index) if index else 0
    kind = {"cuda": "gpu"}.get(kind, kind)
    try:
        devices = jax.devices(kind)
    except RuntimeError as e:
        raise ValueError(f"device_scope: no '{kind}' device is available ({e}).") from None
    if index >= len(devices):
        raise ValueError(
            f"device_scope: device index {index} is out of range; {len(devices)} '{kind}' device(s) exist."
        )
    return devices[index]


@contextlib.contextmanager
def device_scope(device_name):
    """Place new arrays on ``device_name`` (``"cpu"``, ``"gpu:1"``...) inside the block.

    Example:
        >>> with device_scope("cpu:0"):
        ...     _ = jnp.ones(2)
    """
    with jax.default_device(_parse_device(device_name)):
        yield


def random_seed_dtype():
    """Seeds are raw JAX PRNG keys: ``uint32`` arrays of shape (2,)."""
    return "uint32"


def scatter(indices, values, shape):
    """A zeros tensor of ``shape`` with ``values`` added at ``indices`` (shape (N, k)).

    Example:
        >>> scatter([[0], [2], [0]], [1.0, 2.0, 3.0], (3,)).tolist()
        [4.0, 0.0, 2.0]
    """
    indices = convert_to_tensor(indices)
    values = convert_to_tensor(values)
    if indices.ndim < 1:
        raise ValueError(f"scatter: indices must have rank >= 1, received shape {indices.shape}")
    zeros = jnp.zeros(tuple(shape), dtype=values.dtype)
    key = tuple(jnp.moveaxis(indices, -1, 0))
    return zeros.at[key].add(values)


def slice(inputs, start_indices, shape):
    """A ``shape``-sized window of ``inputs`` starting at ``start_indices``."""
    inputs = convert_to_tensor(inputs)
    if isinstance(start_indices, (list, tuple)):
        start_indices = [s.value if isinstance(s, KerasVariable) else s for s in start_indices]
    else:
        start_indices = list(convert_to_tensor(start_indices))
    if len(start_indices) != inputs.ndim or len(shape) != inputs.ndim:
        raise ValueError(
            f"slice: expected start_indices and shape of length {inputs.ndim} (the input rank), "
            f"received {len(start_indices)} and {len(shape)}"
        )
    return jax.lax.dynamic_slice(inputs, start_indices, tuple(shape))


def _index_part(k):
    if isinstance(k, KerasVariable):
        return k.value
    if type(k) is list:
        return jnp.asarray(k)
    return k


def get_item(x, key):
    """``x[key]`` with Python/NumPy indexing (ints, slices, None, Ellipsis, int/bool arrays)."""
    x = convert_to_tensor(x)
    if type(key) is tuple:
        key = tuple(_index_part(k) for k in key)
    else:
        key = _index_part(key)
    return x[key]


# Helpers shared by the other modules of this backend ------------------------------

def promotion_item(x):
    """What ``dtypes.result_type`` should see for ``x``: a Python type (weak) or a dtype name."""
    t = type(x)
    if t in _SCALAR_TYPES:
        return t
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        return dtype if type(dtype) is str else dtypes.standardize_dtype(dtype)
    if t is list or t is tuple:
        items = _leaf_dtypes(x, set())
        if all(i in _SCALAR_TYPES for i in items):
            if complex in items:
                return complex
            if float in items:
                return float
            return int if int in items else bool
        return dtypes.result_type(*items)
    return dtypes.standardize_dtype(np.asarray(x).dtype)


def promote(*xs):
    """Convert ``xs`` to tensors of their common (promoted) dtype."""
    dtype = dtypes.result_type(*(promotion_item(x) for x in xs))
    return [convert_to_tensor(x, dtype) for x in xs]


_PAIR_CACHE = {}


def _pair_dtype(a, b):
    """Cached ``result_type`` for two promotion items, as a native dtype."""
    key = (a, b)
    found = _PAIR_CACHE.get(key)
    if found is None:
        found = native_dtype(dtypes.result_type(a, b))
        if len(_PAIR_CACHE) < 4096:
            _PAIR_CACHE[key] = found
    return found


def promote2(x1, x2):
    """Fast two-argument :func:`promote`.

    A Python scalar next to a tensor is left as is (JAX treats it as weak, so
    it adopts the tensor's promoted dtype) to avoid a device transfer.
    """
    t1, t2 = type(x1), type(x2)
    if isinstance(x1, _ArrayType):
        if isinstance(x2, _ArrayType):
            if x1.dtype == x2.dtype:
                return x1, x2
            dtype = _pair_dtype(x1.dtype, x2.dtype)
            return (x1 if x1.dtype == dtype else x1.astype(dtype),
                    x2 if x2.dtype == dtype else x2.astype(dtype))
        if t2 in _SCALAR_TYPES:
            dtype = _pair_dtype(x1.dtype, t2)
            return (x1 if x1.dtype == dtype else x1.astype(dtype)), x2
    elif t1 in _SCALAR_TYPES and isinstance(x2, _ArrayType):
        dtype = _pair_dtype(t1, x2.dtype)
        return x1, (x2 if x2.dtype == dtype else x2.astype(dtype))
    dtype = dtypes.result_type(promotion_item(x1), promotion_item(x2))
    return convert_to_tensor(x1, dtype), convert_to_tensor(x2, dtype)


_FLOAT_KINDS = "fc"


def to_float(x):
    """Tensor of ``x``; integer/bool inputs become ``floatx()``."""
    x = convert_to_tensor(x)
    if x.dtype.kind in _FLOAT_KINDS or x.dtype == DTYPES["bfloat16"]:
        return x
    return x.astype(native_dtype(_floatx()))


def is_float_tensor(x):
    return x.dtype.kind in _FLOAT_KINDS or x.dtype == DTYPES["bfloat16"]


# Control flow, transforms and updates ----------------------------------------------

def saturate_cast(x, dtype):
    """Clip ``x`` to the range of ``dtype`` (as representable in x's dtype), then cast."""
    x = convert_to_tensor(x)
    target = native_dtype(dtype)
    bounds = saturate_cast_bounds(dtype_name(x), dtypes.standardize_dtype(target))
    if bounds is not None:
        x = jnp.clip(x, *bounds)
    return x.astype(target)


_SCATTER_METHODS = {None: "set", "add": "add", "mul": "multiply", "max": "max", "min": "min"}


def scatter_update(inputs, indices, updates, reduction=None):
    """``inputs`` with ``updates`` written at ``indices`` (shape (N, k)), or combined by ``reduction``."""
    inputs = convert_to_tensor(inputs)
    indices = convert_to_tensor(indices)
    updates = convert_to_tensor(updates, inputs.dtype)
    method = _SCATTER_METHODS.get(reduction)
    if method is None:
        raise ValueError(f"scatter_update: reduction must be one of None, 'add', 'mul', 'max', "
                         f"'min'; received {reduction!r}")
    key = tuple(jnp.moveaxis(indices, -1, 0))
    return getattr(inputs.at[key], method)(updates)


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block starting at ``start_indices`` replaced by ``updates``."""
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates, inputs.dtype)
    if isinstance(start_indices, (list, tuple)):
        start_indices = [s.value if isinstance(s, KerasVariable) else s for s in start_indices]
    else:
        start_indices = list(convert_to_tensor(start_indices))
    return jax.lax.dynamic_update_slice(inputs, updates, start_indices)


def switch(index, branches, *operands):
    """``branches[index](*operands)`` with ``index`` clamped to the valid range (``lax.switch``)."""
    if isinstance(index, KerasVariable):
        index = index.value
    return jax.lax.switch(index, branches, *operands)


def _same_types(new, old):
    return tree.map_structure(lambda n, o: convert_to_tensor(n, o.dtype), new, old)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``.

    With a static ``maximum_iterations`` the loop is a fixed-length ``lax.scan``
    whose steps past the stopping point keep the state, so it can be
    differentiated in reverse mode; otherwise it is a ``lax.while_loop``.
    """
    is_sequence = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_sequence else (loop_vars,)
    state = tree.map_structure(convert_to_tensor, state)

    def step(s):
        out = body(*s)
        return _same_types(tuple(out) if is_sequence else (out,), s)

    def keep_going(s):
        return jnp.reshape(cond(*s), ())

    if maximum_iterations is None:
        out = jax.lax.while_loop(keep_going, step, state)
    elif isinstance(maximum_iterations, (int, np.integer)):
        def scan_step(s, _):
            return jax.lax.cond(keep_going(s), step, lambda same: same, s), None

        out, _ = jax.lax.scan(scan_step, state, None, length=int(maximum_iterations))
    else:
        limit = convert_to_tensor(maximum_iterations, "int32")
        out = jax.lax.while_loop(lambda c: jnp.logical_and(c[0] < limit, keep_going(c[1])),
                                 lambda c: (c[0] + 1, step(c[1])), (jnp.asarray(0, jnp.int32), state))[1]
    if not is_sequence:
        return out[0]
    return type(loop_vars)(out) if type(loop_vars) in (list, tuple) else out


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)`` (``lax.fori_loop``)."""
    init_val = tree.map_structure(convert_to_tensor, init_val)
    return jax.lax.fori_loop(lower, upper, lambda i, v: _same_types(body_fun(i, v), v), init_val)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """``lax.scan``: ``carry, y = f(carry, x)`` over the leading axis of ``xs``; ys stacked."""
    init = tree.map_structure(convert_to_tensor, init)
    if xs is not None:
        xs = tree.map_structure(convert_to_tensor, xs)
    return jax.lax.scan(f, init, xs, length=length, reverse=reverse, unroll=unroll)


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive prefix combination of ``elems`` along ``axis`` with the associative ``f``."""
    elems = tree.map_structure(convert_to_tensor, elems)
    if axis < 0:
        axis += tree.flatten(elems)[0].ndim
    return jax.lax.associative_scan(f, elems, reverse=reverse, axis=axis)


def map(f, xs):  # noqa: A001 - public op name
    """``f`` applied to each slice of ``xs`` along its leading axis, results stacked."""
    return jax.lax.map(f, xs)


def vectorized_map(function, elements):
    """``jax.vmap(function)(elements)``."""
    return jax.vmap(function)(elements)


def custom_gradient(f):
    """Decorator: ``f(*args)`` returns ``(output, grad_fn)``; ``grad_fn(upstream)`` gives the input grads."""

    def forward(*args):
        output, grad_fn = f(*args)

        def vjp(upstream):
            grads = grad_fn(upstream)
            return tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)

        return output, vjp

    return jax.custom_gradient(forward)


def vectorize(pyfunc, excluded=None, signature=None):
    """``jnp.vectorize``: ``pyfunc`` broadcast over the loop dimensions of its inputs."""
    return jnp.vectorize(pyfunc, excluded=frozenset(excluded or ()), signature=signature)
