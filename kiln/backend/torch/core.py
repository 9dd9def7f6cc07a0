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

import ml_dtypes
import numpy as np
import torch

from kiln import config
from kiln import tree
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import SymbolicScope, _stateless_scope
from kiln.backend.common.variables import KerasVariable

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
        t = torch.from_numpy(np.ascontiguousarray(x).view(np.int16)).view(torch.bfloat16)
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
