"""Torch backend core: dtypes, devices, conversion, the Variable, tracing and indexing.

Tensors are plain ``torch.Tensor``s on the current device (CUDA when available,
else CPU; :func:`device_scope` overrides it). Conversion has a fast path: a
tensor that already has the wanted dtype is returned as it is.

Example:
    >>> x = convert_to_tensor([1.0, 2.0])
    >>> x.dtype, shape(x)
    (torch.float32, (2,))
"""

import builtins
import contextlib
import contextvars
import functools

import ml_dtypes
import numpy as np
import torch

from kiln import config
from kiln import tree
from kiln.backend.common import dtypes
from kiln.backend.common.control_flow import (ScanPrimitives, associative_scan_by_halving,
                                              saturate_cast_bounds, scan_length,
                                              vectorize_with_batch_map)
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import SymbolicScope, _stateless_scope
from kiln.backend.common.variables import AUTOCAST_DTYPE, KerasVariable, autocast_value

_builtin_slice = builtins.slice
Tensor = torch.Tensor
Parameter = torch.nn.Parameter

TORCH_DTYPES = {
    "bool": torch.bool,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "uint8": torch.uint8,
    "uint16": torch.uint16,
    "uint32": torch.uint32,
    "uint64": torch.uint64,
    "bfloat16": torch.bfloat16,
    "float16": torch.float16,
    "float32": torch.float32,
    "float64": torch.float64,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
}
# torch dtype -> Kiln dtype name.
DTYPE_NAMES = {v: k for k, v in TORCH_DTYPES.items()}
FLOAT_DTYPES = frozenset((torch.float16, torch.bfloat16, torch.float32, torch.float64))
HALF_DTYPES = frozenset((torch.float16, torch.bfloat16))

_DEFAULT_DEVICE = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
_CPU = torch.device("cpu")
_META = torch.device("meta")
_device_var = contextvars.ContextVar("kiln_torch_device", default=None)


def to_torch_dtype(dtype):
    """Return the torch dtype for any dtype spelling (name, NumPy dtype, torch dtype).

    Example:
        >>> to_torch_dtype("int8")
        torch.int8
    """
    if type(dtype) is torch.dtype:
        return dtype
    try:
        return TORCH_DTYPES[dtype]
    except (KeyError, TypeError):
        pass
    name = dtypes.standardize_dtype(dtype)
    if name not in TORCH_DTYPES:
        raise ValueError(f"The torch backend does not support dtype {name!r}")
    return TORCH_DTYPES[name]


def dtype_name(tensor_or_dtype):
    """Kiln dtype name of a torch tensor or dtype."""
    dtype = getattr(tensor_or_dtype, "dtype", tensor_or_dtype)
    return DTYPE_NAMES[dtype]


def floatx_dtype():
    """The torch dtype of ``kiln.config.floatx()``."""
    return TORCH_DTYPES[config.floatx()]


def get_device():
    """The device new tensors are created on (the innermost :func:`device_scope`)."""
    device = _device_var.get()
    return _DEFAULT_DEVICE if device is None else device


def _parse_device(device_name):
    device = _parse_device_name(device_name)
    # Canonical objects: the meta check elsewhere is an identity test.
    if device.type == "meta":
        return _META
    return device


def _parse_device_name(device_name):
    if isinstance(device_name, torch.device):
        return device_name
    if not isinstance(device_name, str):
        raise ValueError(f"device_scope: expected a device name such as 'cpu' or 'gpu:0', "
                         f"received {device_name!r}")
    name = device_name.lower().strip()
    if name.startswith("/"):
        name = name.rsplit("device:", 1)[-1]
    if name.startswith("gpu"):
        name = "cuda" + name[3:]
    try:
        return torch.device(name)
    except RuntimeError as e:
        raise ValueError(f"device_scope: unknown device {device_name!r}") from e


@contextlib.contextmanager
def device_scope(device_name):
    """Create new tensors on ``device_name`` ("cpu", "gpu:0", "cuda:1", "meta") inside.

    Example:
        >>> with device_scope("cpu"):
        ...     convert_to_tensor(1.0).device.type
        'cpu'
    """
    token = _device_var.set(_parse_device(device_name))
    try:
        yield
    finally:
        _device_var.reset(token)


def random_seed_dtype():
    """Seed tensors are int64 on torch."""
    return "int64"


class Variable(KerasVariable):
    """A Kiln variable whose storage is a ``torch.nn.Parameter``.

    The Parameter object never changes: assignment copies in place, so torch
    optimizers and modules holding it keep working.

    Example:
        >>> v = Variable([1.0, 2.0], name="w")
        >>> isinstance(v.value, torch.nn.Parameter)
        True
    """

    # (module._parameters, name) of the layer that registered this variable first.
    _torch_owner = None

    def __init__(self, *args, **kwargs):
        if _device_var.get() is _META:
            # Created while tracing on the meta device (a sublayer built inside a
            # traced call): initial values must be real, so leave the meta scope.
            token = _device_var.set(None)
            try:
                super().__init__(*args, **kwargs)
            finally:
                _device_var.reset(token)
        else:
            super().__init__(*args, **kwargs)

    def _initialize(self, value):
        requires_grad = self._trainable and (value.is_floating_point() or value.is_complex())
        # A fresh copy: the initial value may alias a user tensor or NumPy array.
        self._value = Parameter(value.detach().clone(), requires_grad=requires_grad)

    def _direct_assign(self, value):
        if value.is_meta:
            return  # an update computed while tracing shapes on the meta device
        with torch.no_grad():
            self._value.copy_(value)

    def _convert_to_tensor(self, value, dtype=None):
        return convert_to_tensor(value, dtype=dtype)

    def _on_trainable_change(self):
        value = self._value
        value.requires_grad_(self._trainable and (value.is_floating_point() or value.is_complex()))

    @property
    def value(self):
        if AUTOCAST_DTYPE.get() is not None:
            return autocast_value(self, self._stored_value())
        return self._stored_value()

    def _stored_value(self):
        scope = _stateless_scope.get()
        if scope is not None:
            mapped = scope.get_current_value(self)
            if mapped is not None:
                return mapped
        if _device_var.get() is _META:
            # Shape tracing on the meta device: stand in an empty meta tensor.
            return torch.empty(self._shape, dtype=self._value.dtype, device=_META)
        owner = self._torch_owner
        if owner is not None:
            # Read through the owning module's parameter table, so that
            # torch.func.functional_call (which swaps entries there) is honoured.
            swapped = owner[0].get(owner[1])
            if swapped is not None:
                return swapped
        return self._value

    def numpy(self):
        return convert_to_numpy(self.value)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        # Lets torch functions take a Variable directly: torch.add(v, 1).
        def unwrap(x):
            return x.value if isinstance(x, KerasVariable) else x

        args = tuple(unwrap(a) if not isinstance(a, (list, tuple)) else type(a)(unwrap(i) for i in a)
                     for a in args)
        kwargs = {k: unwrap(v) for k, v in (kwargs or {}).items()}
        return func(*args, **kwargs)


def _numpy_to_tensor(x, dtype):
    if x.dtype == ml_dtypes.bfloat16:
        # np.ascontiguousarray gives at least one dimension: restore the shape of 0-d arrays.
        bits = np.ascontiguousarray(x).view(np.int16).reshape(x.shape)
        t = torch.from_numpy(bits).view(torch.bfloat16)
    else:
        if x.dtype.kind in "OSU":
            raise ValueError(f"convert_to_tensor: the torch backend cannot hold arrays of dtype {x.dtype}")
        if not x.flags.writeable or any(s < 0 for s in x.strides):
            x = np.array(x)
        t = torch.from_numpy(x)
    device = get_device()
    if dtype is not None or device.type != "cpu":
        t = t.to(device=device, dtype=dtype)
    return t


# torch has almost no CPU kernels for these (argmax, max, add, remainder, searchsorted... raise).
_NO_CPU_KERNEL = ("uint16", "uint32")


def via_int64(cast_back):
    """Decorate a backend function so uint16/uint32 inputs run on int64 copies.

    torch stores uint16/uint32 but lacks most CPU kernels for them; int64 holds
    every value exactly. With ``cast_back=True`` the int64 results return to the
    promoted dtype of the converted inputs (value results such as ``diff``);
    with ``cast_back=False`` results are left alone (indices, booleans).

    Example:
        >>> @via_int64(cast_back=True)
        ... def twice(x):
        ...     return x + x
        >>> twice(np.array([3], "uint32")).dtype
        torch.uint32
    """

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            converted, widened = [], []
            for arg in args:
                dtype = getattr(arg, "dtype", None)
                name = DTYPE_NAMES.get(dtype) if isinstance(arg, torch.Tensor) else (
                    np.dtype(dtype).name if isinstance(arg, np.ndarray) else None)
                if name in _NO_CPU_KERNEL:
                    widened.append(name)
                    arg = convert_to_tensor(arg).to(torch.int64)
                converted.append(arg)
            if not widened:
                return fn(*args, **kwargs)
            out = fn(*converted, **kwargs)
            if not cast_back:
                return out
            target = TORCH_DTYPES[dtypes.result_type(*widened)]
            return tree.map_structure(
                lambda t: t.to(target) if isinstance(t, torch.Tensor) and t.dtype is torch.int64 else t, out)

        return wrapper

    return decorate


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """Convert ``x`` (tensor, array, scalar, list, Variable) to a torch tensor.

    Python floats become ``floatx()``, ints int32, bools bool; NumPy arrays keep
    their dtype. A tensor already of ``dtype`` is returned unchanged.

    Example:
        >>> convert_to_tensor(3).dtype, convert_to_tensor(3.0).dtype
        (torch.int32, torch.float32)
    """
    cls = x.__class__
    if cls is Tensor or cls is Parameter:
        if dtype is None:
            return x
        dt = dtype if dtype.__class__ is torch.dtype else to_torch_dtype(dtype)
        return x if x.dtype is dt else x.to(dt)
    if sparse:
        raise ValueError("convert_to_tensor: the torch backend does not support sparse=True")
    if ragged:
        raise ValueError("convert_to_tensor: the torch backend does not support ragged=True")
    if isinstance(x, KerasVariable):
        return convert_to_tensor(x.value, dtype)
    dt = None if dtype is None else to_torch_dtype(dtype)
    if isinstance(x, Tensor):
        return x if dt is None or x.dtype is dt else x.to(dt)
    if cls is float:
        return torch.tensor(x, dtype=dt or floatx_dtype(), device=get_device())
    if cls is int:
        return torch.tensor(x, dtype=dt or torch.int32, device=get_device())
    if cls is bool:
        return torch.tensor(x, dtype=dt or torch.bool, device=get_device())
    if isinstance(x, np.ndarray):
        return _numpy_to_tensor(x, dt)
    if isinstance(x, np.generic):
        return _numpy_to_tensor(np.asarray(x), dt)
    if isinstance(x, KerasTensor):
        raise ValueError(
            "convert_to_tensor: received a symbolic KerasTensor; it has no value. "
            "Use it to build a functional model, or pass real data."
        )
    if isinstance(x, (list, tuple)):
        if _has_tensor_leaf(x):
            items = [convert_to_tensor(i) for i in x]
            if dt is None:
                dt = TORCH_DTYPES[dtypes.result_type(*[i.dtype for i in items])]
            device = items[0].device if items else get_device()
            return torch.stack([i.to(device=device, dtype=dt) for i in items]) if items else \
                torch.zeros((0,), dtype=dt)
        array = np.asarray(x)
        if dt is None:
            if array.dtype == np.float64:
                dt = floatx_dtype()
            elif array.dtype == np.int64:
                dt = torch.int32
            elif array.size == 0 and array.dtype.kind == "f":
                dt = floatx_dtype()
        return _numpy_to_tensor(array, dt)
    if cls is complex:
        return torch.tensor(x, dtype=dt or torch.complex64, device=get_device())
    if hasattr(x, "__array__"):
        return convert_to_tensor(np.asarray(x), dtype)
    raise ValueError(f"convert_to_tensor: cannot convert {type(x).__name__} to a torch tensor")


def _has_tensor_leaf(x):
    for item in x:
        if isinstance(item, (Tensor, KerasVariable)):
            return True
        if isinstance(item, (list, tuple)) and _has_tensor_leaf(item):
            return True
    return False


def convert_to_numpy(x):
    """Return ``x`` as a NumPy array (bfloat16 via ml_dtypes; no copy on CPU when possible).

    Example:
        >>> convert_to_numpy(convert_to_tensor([1, 2])).tolist()
        [1, 2]
    """
    if isinstance(x, KerasVariable):
        x = x.value
    if isinstance(x, Tensor):
        if x.requires_grad:
            x = x.detach()
        if x.device.type != "cpu":
            x = x.cpu()
        if x.dtype is torch.bfloat16:
            return x.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
        return x.numpy()
    if isinstance(x, (list, tuple)):
        return np.array([convert_to_numpy(i) for i in x])
    return np.asarray(x)


def is_tensor(x):
    """True for torch tensors (Parameters included).

    Example:
        >>> is_tensor(torch.ones(1)), is_tensor(1.0)
        (True, False)
    """
    return isinstance(x, Tensor)


def shape(x):
    """Static shape as a tuple of ints.

    Example:
        >>> shape(torch.zeros(2, 3))
        (2, 3)
    """
    return tuple(x.shape)


def cast(x, dtype):
    """Convert ``x`` to a tensor of ``dtype``.

    Example:
        >>> cast([1.5], "int32").dtype
        torch.int32
    """
    return convert_to_tensor(x, dtype)


def stop_gradient(variable):
    """Return a tensor that carries no gradient back to ``variable``."""
    return convert_to_tensor(variable).detach()


def cond(pred, true_fn, false_fn):
    """Run ``true_fn()`` if ``pred`` else ``false_fn()`` (eager Python branch).

    Example:
        >>> cond(torch.tensor(True), lambda: 1, lambda: 2)
        1
    """
    if isinstance(pred, KerasVariable):
        pred = pred.value
    return true_fn() if bool(pred) else false_fn()


# -- tracing ----------------------------------------------------------------------------
_TRACE_SIZES = (83, 89)


def _placeholders(args, kwargs, fill, device):
    def make(x):
        if isinstance(x, KerasTensor):
            shape_ = tuple(fill if d is None else d for d in x.shape)
            return torch.zeros(shape_, dtype=to_torch_dtype(x.dtype), device=device)
        return x

    return tree.map_structure(make, (args, kwargs))


def _run_traced(fn, args, kwargs, device):
    has_none = any(
        isinstance(x, KerasTensor) and None in x.shape for x in tree.flatten((args, kwargs))
    )
    sizes = _TRACE_SIZES if has_none else _TRACE_SIZES[:1]
    outputs = []
    with device_scope(device):
        for size in sizes:
            a, k = _placeholders(args, kwargs, size, device)
            outputs.append(fn(*a, **k))
    return outputs


def _to_spec(first, second):
    if isinstance(first, Tensor):
        shape_ = tuple(first.shape)
        if second is not None:
            shape_ = tuple(d1 if d1 == d2 else None for d1, d2 in zip(shape_, second.shape))
        return KerasTensor(shape_, dtype=DTYPE_NAMES[first.dtype])
    return first


def compute_output_spec(fn, *args, **kwargs):
    """Trace ``fn`` on placeholders for the KerasTensors in its arguments; return KerasTensors.

    Runs on the ``meta`` device (no memory, no compute) and falls back to small
    real zeros when an op does not support meta tensors. None dimensions are
    found by running twice with two sizes.

    Example:
        >>> out = compute_output_spec(lambda x: x * 2, KerasTensor((None, 3)))
        >>> out.shape, out.dtype
        ((None, 3), 'float32')
    """
    with SymbolicScope():
        try:
            outputs = _run_traced(fn, args, kwargs, _META)
        except Exception:
            outputs = _run_traced(fn, args, kwargs, _DEFAULT_DEVICE)
    if len(outputs) == 1:
        return tree.map_structure(lambda o: _to_spec(o, None), outputs[0])
    return tree.map_structure(_to_spec, outputs[0], outputs[1])


# -- indexing ---------------------------------------------------------------------------
def _index_part(k):
    cls = k.__class__
    if cls is int or cls is _builtin_slice or k is None or k is Ellipsis or cls is Tensor:
        return k
    if isinstance(k, KerasVariable):
        k = k.value
    if isinstance(k, Tensor):
        return k
    if isinstance(k, (np.ndarray, np.generic)):
        if k.ndim == 0 and k.dtype.kind in "iu":
            return int(k)
        return torch.as_tensor(k)
    if isinstance(k, list):
        return convert_to_tensor(k, "bool" if k and all(type(i) is bool for i in k) else None)
    return k


def get_item(x, key):
    """``x[key]`` with NumPy indexing rules (ints, slices, None, Ellipsis, int/bool arrays).

    Example:
        >>> get_item(torch.arange(6).reshape(2, 3), 1).tolist()
        [3, 4, 5]
    """
    x = convert_to_tensor(x)
    if key.__class__ is tuple:
        key = tuple(_index_part(k) for k in key)
    else:
        key = _index_part(key)
    return x[key]


def slice(inputs, start_indices, shape):  # noqa: A001 - public op name
    """Take the block of size ``shape`` starting at ``start_indices``.

    Example:
        >>> slice(torch.arange(10), [2], [3]).tolist()
        [2, 3, 4]
    """
    inputs = convert_to_tensor(inputs)
    if isinstance(start_indices, (Tensor, KerasVariable)):
        start_indices = convert_to_tensor(start_indices).tolist()
    if isinstance(shape, Tensor):
        shape = shape.tolist()
    key = []
    for axis, (start, size) in enumerate(zip(start_indices, shape)):
        start = int(start)
        size = int(size)
        if size < 0:
            size = inputs.shape[axis] - start
        key.append(_builtin_slice(start, start + size))
    return inputs[tuple(key)]



def scatter(indices, values, shape):
    """Zeros of ``shape`` with ``values`` added at ``indices`` (duplicates accumulate).

    Example:
        >>> scatter([[0], [2]], [1.0, 2.0], (4,)).tolist()
        [1.0, 0.0, 2.0, 0.0]
    """
    indices = convert_to_tensor(indices)
    values = convert_to_tensor(values)
    if indices.dtype is not torch.int64:
        indices = indices.long()
    if isinstance(shape, Tensor):
        shape = shape.tolist()
    zeros = torch.zeros(tuple(int(d) for d in shape), dtype=values.dtype, device=values.device)
    index = tuple(indices[..., i] for i in range(indices.shape[-1]))
    return zeros.index_put(index, values, accumulate=True)


# -- control flow, transforms and updates --------------------------------------------------
def saturate_cast(x, dtype):
    """Clip ``x`` to the range of ``dtype`` (as representable in x's dtype), then cast.

    Example:
        >>> saturate_cast(torch.tensor([-1.0, 300.0]), "uint8").tolist()
        [0, 255]
    """
    x = convert_to_tensor(x)
    target = to_torch_dtype(dtype)
    bounds = saturate_cast_bounds(DTYPE_NAMES[x.dtype], DTYPE_NAMES[target])
    if bounds is not None:
        x = torch.clamp(x, *bounds)
    return x.to(target)


_SCATTER_REDUCE = {"mul": "prod", "max": "amax", "min": "amin"}


def scatter_update(inputs, indices, updates, reduction=None):
    """A copy of ``inputs`` with ``updates`` written (or combined by ``reduction``) at ``indices``.

    Example:
        >>> scatter_update(torch.zeros(3), [[2]], [5.0]).tolist()
        [0.0, 0.0, 5.0]
    """
    inputs = convert_to_tensor(inputs)
    indices = convert_to_tensor(indices).long()
    updates = convert_to_tensor(updates, inputs.dtype).to(inputs.device)
    if reduction not in (None, "add") and reduction not in _SCATTER_REDUCE:
        raise ValueError(f"scatter_update: reduction must be one of None, 'add', 'mul', 'max', "
                         f"'min'; received {reduction!r}")
    depth = indices.shape[-1]
    if reduction is None or reduction == "add":
        key = tuple(indices[..., i] for i in builtins.range(depth))
        return inputs.index_put(key, updates, accumulate=reduction == "add")
    # Other reductions: flatten the indexed axes into one and scatter_reduce along it.
    lead, rest = tuple(inputs.shape[:depth]), tuple(inputs.shape[depth:])
    strides = torch.tensor(np.cumprod((1,) + lead[::-1])[-2::-1].copy(), device=indices.device)
    flat_index = (indices.reshape(-1, depth) * strides).sum(-1)
    flat_updates = updates.reshape((-1,) + rest)
    index = flat_index.reshape((-1,) + (1,) * len(rest)).expand(flat_updates.shape)
    out = inputs.reshape((-1,) + rest).scatter_reduce(0, index, flat_updates, _SCATTER_REDUCE[reduction])
    return out.reshape(inputs.shape)


def slice_update(inputs, start_indices, updates):
    """A copy of ``inputs`` with the block at ``start_indices`` replaced by ``updates``.

    Starts are clamped so that the block fits (as ``lax.dynamic_update_slice``).

    Example:
        >>> slice_update(torch.zeros(4), [1], torch.ones(2)).tolist()
        [0.0, 1.0, 1.0, 0.0]
    """
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates, inputs.dtype).to(inputs.device)
    if isinstance(start_indices, (Tensor, KerasVariable)):
        start_indices = convert_to_tensor(start_indices).tolist()
    starts = [int(s) for s in start_indices]
    if len(starts) != inputs.ndim or updates.ndim != inputs.ndim:
        raise ValueError(f"slice_update: start_indices and updates need {inputs.ndim} axes (the rank "
                         f"of inputs), received {len(starts)} and {updates.ndim}")
    key = tuple(_builtin_slice(s, s + n) for s, n in
                ((builtins.min(builtins.max(s, 0), d - n), n)
                 for s, n, d in zip(starts, updates.shape, inputs.shape)))
    out = inputs.clone()
    out[key] = updates
    return out


def switch(index, branches, *operands):
    """``branches[index](*operands)`` with ``index`` clamped to the valid range."""
    index = builtins.min(builtins.max(int(index), 0), len(branches) - 1)
    return branches[index](*operands)


def _map_leaves(fn, structure):
    """``fn`` on each leaf of nested lists/tuples/dicts, in plain Python (torch.compile traces it)."""
    cls = structure.__class__
    if cls is list or cls is tuple:
        return cls(_map_leaves(fn, item) for item in structure)
    if cls is dict:
        return {key: _map_leaves(fn, value) for key, value in structure.items()}
    if isinstance(structure, (list, tuple, dict)):  # namedtuples and other containers
        return tree.map_structure(fn, structure)
    return fn(structure)


def _tensors(structure):
    return _map_leaves(lambda v: v if v is None else convert_to_tensor(v), structure)


def _arrays_to_tensors(structure):
    """Arrays and Variables become tensors; Python numbers (loop counters) stay as they are."""
    return _map_leaves(lambda v: v if v is None or v.__class__ in (int, float, bool) else
                       convert_to_tensor(v), structure)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (at most ``maximum_iterations``).

    An eager Python loop, so gradients flow through every executed step.
    """
    is_sequence = isinstance(loop_vars, (list, tuple))
    # Python numbers stay Python numbers until the end, so that a counter test such as
    # ``i < n`` is no tensor-to-bool conversion (a graph break under torch.compile).
    state = _arrays_to_tensors(tuple(loop_vars) if is_sequence else (loop_vars,))
    limit = None if maximum_iterations is None else int(maximum_iterations)
    steps = 0
    while (limit is None or steps < limit) and bool(cond(*state)):
        out = body(*state)
        state = tuple(out) if is_sequence else (out,)
        steps += 1
    state = _tensors(state)
    if not is_sequence:
        return state[0]
    return type(loop_vars)(state) if type(loop_vars) in (list, tuple) else state


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for the Python ints ``i`` in ``range(lower, upper)``."""
    val = _arrays_to_tensors(init_val)
    for i in builtins.range(int(lower), int(upper)):
        val = body_fun(i, val)
    return _tensors(val)


def _leaf_list(structure):
    cls = structure.__class__
    if cls is list or cls is tuple:
        return [leaf for item in structure for leaf in _leaf_list(item)]
    if cls is dict:
        return [leaf for key in structure for leaf in _leaf_list(structure[key])]
    return tree.flatten(structure) if isinstance(structure, (list, tuple, dict)) else [structure]


def _stack_steps(steps):
    """Stack per-step output structures leaf by leaf (None leaves stay None)."""
    first = steps[0]
    cls = first.__class__
    if first is None:
        return None
    if cls is list or cls is tuple:
        return cls(_stack_steps([s[j] for s in steps]) for j in builtins.range(len(first)))
    if cls is dict:
        return {key: _stack_steps([s[key] for s in steps]) for key in first}
    if isinstance(first, (list, tuple, dict)):
        return tree.map_structure(lambda *leaves: torch.stack([convert_to_tensor(v) for v in leaves]),
                                  *steps)
    return torch.stack([convert_to_tensor(v) for v in steps])


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns ``(carry, stacked ys)``.

    A Python loop (``torch.compile`` unrolls it); gradients flow through every step.
    """
    xs = None if xs is None else _tensors(xs)
    n = scan_length(None if xs is None else _leaf_list(xs), length)
    carry = _tensors(init)
    ys = []
    for i in (builtins.range(n - 1, -1, -1) if reverse else builtins.range(n)):
        carry, y = f(carry, None if xs is None else _map_leaves(lambda t: t[i], xs))
        carry = _tensors(carry)
        ys.append(y)
    if n == 0:
        return carry, None
    if reverse:
        ys.reverse()
    return carry, _stack_steps(ys)


def map(f, xs):  # noqa: A001 - public op name
    """``f`` applied to each slice of ``xs`` along axis 0, results stacked."""
    return scan(lambda carry, x: (carry, f(x)), (), xs)[1]


def vectorized_map(function, elements):
    """``torch.vmap(function)(elements)``."""
    return torch.vmap(function)(_tensors(elements))


def _take_positions(x, order, axis):
    return torch.index_select(x, axis, torch.tensor(order, device=x.device))


_SCAN_PRIMITIVES = ScanPrimitives(_take_positions, lambda xs, axis: torch.cat(xs, dim=axis),
                                  lambda x, axis: torch.flip(x, (axis,)), convert_to_tensor)


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of ``elems`` along ``axis`` with the associative binary ``f``.

    Example:
        >>> associative_scan(lambda a, b: a + b, torch.arange(1.0, 5.0)).tolist()
        [1.0, 3.0, 6.0, 10.0]
    """
    return associative_scan_by_halving(f, elems, reverse, axis, _SCAN_PRIMITIVES)


class _CustomGradient(torch.autograd.Function):
    """Runs ``f`` forward and calls the ``grad_fn`` it returned on the way back."""

    @staticmethod
    def forward(ctx, f, args_structure, *flat_args):
        output, grad_fn = f(*tree.pack_sequence_as(args_structure, flat_args))
        ctx.grad_fn = grad_fn
        ctx.n_args = len(flat_args)
        flat_out = tree.flatten(output)
        ctx.output_structure = tree.map_structure(lambda _: 0, output)
        return flat_out[0] if len(flat_out) == 1 and not tree.is_nested(output) else tuple(flat_out)

    @staticmethod
    def backward(ctx, *upstream):
        upstream = tree.pack_sequence_as(ctx.output_structure, upstream)
        grads = ctx.grad_fn(upstream)
        grads = tree.flatten(tuple(grads) if isinstance(grads, (list, tuple)) else (grads,))
        grads = list(grads) + [None] * (ctx.n_args - len(grads))
        return (None, None) + tuple(grads)


def custom_gradient(f):
    """Decorator: ``f(*args)`` returns ``(output, grad_fn)``; ``grad_fn(upstream)`` gives the input grads.

    Example:
        >>> h = custom_gradient(lambda x: (x * 2, lambda up: up * 0.5))
        >>> x = torch.ones(2, requires_grad=True)
        >>> h(x).sum().backward(); x.grad.tolist()
        [0.5, 0.5]
    """
    import functools

    @functools.wraps(f)
    def wrapper(*args):
        flat = [convert_to_tensor(a) if isinstance(a, (float, int, np.ndarray, KerasVariable)) else a
                for a in tree.flatten(args)]
        structure = tree.map_structure(lambda _: 0, args)
        out = _CustomGradient.apply(f, structure, *flat)
        return out

    return wrapper


def vectorize(pyfunc, excluded=None, signature=None):
    """``numpy.vectorize``-style broadcasting of ``pyfunc``, batched with ``torch.vmap``.

    Example:
        >>> vectorize(lambda a, b: a * b)(torch.ones(2, 1), torch.arange(3.0)).shape
        torch.Size([2, 3])
    """
    return vectorize_with_batch_map(vectorized_map, pyfunc, excluded, signature, convert_to_tensor,
                                    torch.broadcast_to, torch.reshape)
