"""Torch backend: the NumPy-style ops of ``kiln.ops.numpy``.

Binary ops promote with ``kiln.backend.common.dtypes.result_type`` (Python
scalars are weak). The common cases — two tensors of one dtype, a float
tensor with a Python number — go straight to torch with no conversion.

Example:
    >>> import torch
    >>> add(torch.ones(2, dtype=torch.int8), 3).dtype
    torch.int8
"""

import builtins
import math as _pymath

import numpy as np
import torch
import torch.nn.functional as F

from kiln.backend.common import dtypes
from kiln.backend.common.variables import KerasVariable
from kiln.backend.torch.core import (
    DTYPE_NAMES,
    FLOAT_DTYPES,
    HALF_DTYPES,
    TORCH_DTYPES,
    Parameter,
    Tensor,
    Variable,
    convert_to_tensor,
    floatx_dtype,
    get_device,
    to_torch_dtype,
)

_INEXACT = frozenset(FLOAT_DTYPES | {torch.complex64, torch.complex128})
_INT32 = torch.int32
_INT64 = torch.int64
_BOOL = torch.bool
_PY_SCALARS = (bool, int, float, complex)
# Integer sums/products accumulate as in JAX: small ints and bool give int32.
_SUM_DTYPES = {
    torch.bool: _INT32, torch.int8: _INT32, torch.int16: _INT32, torch.uint8: torch.uint32,
    torch.uint16: torch.uint32, torch.int32: _INT32, torch.int64: _INT64,
    torch.uint32: torch.uint32, torch.uint64: torch.uint64,
}

_WIDE_UNSIGNED = frozenset((torch.uint32, torch.uint64))
# torch has almost no CPU kernels for these: Kiln computes on int64 and casts back.
_NO_KERNEL = frozenset((torch.uint16, torch.uint32))
_NO_KERNEL_ACCUMULATE = frozenset((torch.uint16, torch.uint32, torch.uint64))
_pair_cache = {}


def _promote(d1, d2):
    key = (d1, d2)
    dt = _pair_cache.get(key)
    if dt is None:
        dt = TORCH_DTYPES[dtypes.result_type(DTYPE_NAMES[d1], DTYPE_NAMES[d2])]
        _pair_cache[key] = dt
    return dt


def _t(x):
    cls = x.__class__
    if cls is Tensor or cls is Parameter:
        return x
    return convert_to_tensor(x)


def _fx(x):
    """x as a tensor with an inexact dtype (ints and bools become floatx)."""
    cls = x.__class__
    if not (cls is Tensor or cls is Parameter):
        x = convert_to_tensor(x)
    if x.dtype in _INEXACT:
        return x
    return x.to(floatx_dtype())


def _bin(x1, x2):
    """Promote two operands; the first comes back a tensor, the second a tensor or Python scalar.

    Under torch's own promotion the pair then yields exactly the Kiln result dtype.
    """
    c1 = x1.__class__
    c2 = x2.__class__
    if c1 is Variable:
        x1 = x1.value
        c1 = x1.__class__
    if c2 is Variable:
        x2 = x2.value
        c2 = x2.__class__
    if c1 is Tensor or c1 is Parameter:
        if c2 is Tensor or c2 is Parameter:
            d1 = x1.dtype
            d2 = x2.dtype
            if d1 is d2:
                return x1, x2
            dt = _promote(d1, d2)
            return (x1 if d1 is dt else x1.to(dt)), (x2 if d2 is dt else x2.to(dt))
        if c2 is float:
            if x1.dtype in _INEXACT:
                return x1, x2
        elif c2 is int:
            if x1.dtype is not _BOOL:
                return x1, x2
    return _bin_slow(x1, x2)


def _bin_slow(x1, x2):
    s1 = type(x1) in _PY_SCALARS
    s2 = type(x2) in _PY_SCALARS
    if not s1:
        x1 = convert_to_tensor(x1)
    if not s2:
        x2 = convert_to_tensor(x2)
    if s1 and s2:
        x1 = convert_to_tensor(x1)
        s1 = False
    dt = TORCH_DTYPES[dtypes.result_type(x1 if s1 else DTYPE_NAMES[x1.dtype],
                                         x2 if s2 else DTYPE_NAMES[x2.dtype])]
    if s1:
        return torch.tensor(x1, dtype=dt, device=x2.device), x2 if x2.dtype is dt else x2.to(dt)
    x1 = x1 if x1.dtype is dt else x1.to(dt)
    if not s2 and x2.dtype is not dt:
        x2 = x2.to(dt)
    elif x2.__class__ is bool and dt is not _BOOL:
        x2 = int(x2)  # torch refuses some ops (subtract) on a Python bool
    return x1, x2


def _int64(a, b):
    return a.to(_INT64), (b.to(_INT64) if isinstance(b, Tensor) else b)


def _arith(fn, x1, x2):
    """``fn`` on the promoted operands (uint16/uint32 computed on int64 and cast back)."""
    a, b = _bin(x1, x2)
    if a.dtype in _NO_KERNEL:
        return fn(*_int64(a, b)).to(a.dtype)
    return fn(a, b)


def _compare(fn, x1, x2):
    """A comparison on the promoted operands (uint16/uint32 compared as int64)."""
    a, b = _bin(x1, x2)
    if a.dtype in _NO_KERNEL:
        return fn(*_int64(a, b))
    return fn(a, b)


def _as_tensor_like(value, ref):
    if isinstance(value, Tensor):
        return value
    return torch.tensor(value, dtype=ref.dtype, device=ref.device)


def _axis(axis):
    if axis is None or axis.__class__ is int:
        return axis
    return tuple(axis)


# -- elementwise binary -----------------------------------------------------------------
def add(x1, x2):
    """Elementwise ``x1 + x2``."""
    if x1.__class__ is Tensor and x2.__class__ is Tensor and x1.dtype is x2.dtype and x1.dtype not in _NO_KERNEL:
        return torch.add(x1, x2)  # the common case, without a call to _bin
    a, b = _bin(x1, x2)  # inlined _arith: add is the hottest op
    if a.dtype in _NO_KERNEL:
        return torch.add(*_int64(a, b)).to(a.dtype)
    return torch.add(a, b)


def subtract(x1, x2):
    """Elementwise ``x1 - x2``."""
    a, b = _bin(x1, x2)
    if a.dtype is _BOOL:
        raise TypeError("subtract: boolean subtraction is not supported; use logical_xor or cast to "
                        "an integer dtype first")
    if a.dtype in _NO_KERNEL:
        return torch.sub(*_int64(a, b)).to(a.dtype)
    return torch.sub(a, b)


def multiply(x1, x2):
    """Elementwise ``x1 * x2``."""
    if x1.__class__ is Tensor and x2.__class__ is Tensor and x1.dtype is x2.dtype and x1.dtype not in _NO_KERNEL:
        return torch.mul(x1, x2)
    a, b = _bin(x1, x2)  # inlined _arith, as in add
    if a.dtype in _NO_KERNEL:
        return torch.mul(*_int64(a, b)).to(a.dtype)
    return torch.mul(a, b)


def true_divide(x1, x2):
    """Elementwise ``x1 / x2``; integer inputs give floatx."""
    a, b = _bin(x1, x2)
    if a.dtype not in _INEXACT:
        a = a.to(floatx_dtype())
        if b.__class__ is not int and b.__class__ is not bool and b.__class__ is not float:
            b = b.to(a.dtype)
    return torch.div(a, b)


def divide(x1, x2):
    """Elementwise ``x1 / x2``; integer inputs give floatx."""
    return true_divide(x1, x2)


def floor_divide(x1, x2):
    """Elementwise ``x1 // x2`` (rounds toward minus infinity)."""
    a, b = _bin(x1, x2)
    if a.dtype is _BOOL:
        a = a.to(_INT32)
    elif a.dtype in _NO_KERNEL:
        return torch.floor_divide(*_int64(a, b)).to(a.dtype)
    return torch.floor_divide(a, b)


def mod(x1, x2):
    """Elementwise remainder with the sign of the divisor (NumPy ``mod``)."""
    a, b = _bin(x1, x2)
    if a.dtype is _BOOL:
        a = a.to(_INT32)
        if isinstance(b, Tensor):
            b = b.to(_INT32)
    elif a.dtype in _NO_KERNEL:
        return torch.remainder(*_int64(a, b)).to(a.dtype)
    return torch.remainder(a, b)


def power(x1, x2):
    """Elementwise ``x1 ** x2``."""
    a, b = _bin(x1, x2)
    if a.dtype is _BOOL:  # computed on integers, as in JAX
        a = a.to(_INT32)
        if isinstance(b, Tensor):
            b = b.to(_INT32)
    elif a.dtype in _NO_KERNEL:
        return torch.pow(*_int64(a, b)).to(a.dtype)
    return torch.pow(a, b)


def maximum(x1, x2):
    """Elementwise maximum (NaN propagates)."""
    a, b = _bin(x1, x2)
    if not (b.__class__ is Tensor or isinstance(b, Tensor)):
        b = torch.tensor(b, dtype=a.dtype, device=a.device)
    if a.dtype in _NO_KERNEL:
        return torch.maximum(*_int64(a, b)).to(a.dtype)
    return torch.maximum(a, b)


def minimum(x1, x2):
    """Elementwise minimum (NaN propagates)."""
    a, b = _bin(x1, x2)
    if not (b.__class__ is Tensor or isinstance(b, Tensor)):
        b = torch.tensor(b, dtype=a.dtype, device=a.device)
    if a.dtype in _NO_KERNEL:
        return torch.minimum(*_int64(a, b)).to(a.dtype)
    return torch.minimum(a, b)


def equal(x1, x2):
    """Elementwise ``x1 == x2`` (bool)."""
    return _compare(torch.eq, x1, x2)


def not_equal(x1, x2):
    """Elementwise ``x1 != x2`` (bool)."""
    return _compare(torch.ne, x1, x2)


def less(x1, x2):
    """Elementwise ``x1 < x2`` (bool)."""
    return _compare(torch.lt, x1, x2)


def less_equal(x1, x2):
    """Elementwise ``x1 <= x2`` (bool)."""
    return _compare(torch.le, x1, x2)


def greater(x1, x2):
    """Elementwise ``x1 > x2`` (bool)."""
    return _compare(torch.gt, x1, x2)


def greater_equal(x1, x2):
    """Elementwise ``x1 >= x2`` (bool)."""
    return _compare(torch.ge, x1, x2)


def _bool_operand(x, ref):
    if isinstance(x, KerasVariable):
        x = x.value
    if isinstance(x, Tensor):
        return x if x.dtype is _BOOL else x.to(_BOOL)
    if type(x) in _PY_SCALARS:
        return torch.tensor(bool(x), device=ref.device if ref is not None else get_device())
    return convert_to_tensor(x)


def logical_and(x1, x2):
    """Elementwise logical AND (bool)."""
    a = _bool_operand(x1, None)
    return torch.logical_and(a, _bool_operand(x2, a))


def logical_or(x1, x2):
    """Elementwise logical OR (bool)."""
    a = _bool_operand(x1, None)
    return torch.logical_or(a, _bool_operand(x2, a))


def logical_not(x):
    """Elementwise logical NOT (bool)."""
    x = _t(x)
    return torch.logical_not(x if x.dtype is _BOOL else x.to(_BOOL))


# -- elementwise unary ------------------------------------------------------------------
def _float_unary(name, fn, doc):
    def unary(x):
        cls = x.__class__
        if not (cls is Tensor or cls is Parameter):
            x = convert_to_tensor(x)
        if x.dtype not in _INEXACT:
            x = x.to(floatx_dtype())
        return fn(x)

    unary.__name__ = unary.__qualname__ = name
    unary.__doc__ = doc
    return unary


sqrt = _float_unary("sqrt", torch.sqrt, "Elementwise square root (float result).")
exp = _float_unary("exp", torch.exp, "Elementwise ``e ** x`` (float result).")
log = _float_unary("log", torch.log, "Elementwise natural logarithm (float result).")
log1p = _float_unary("log1p", torch.log1p, "Elementwise ``log(1 + x)`` (float result).")
expm1 = _float_unary("expm1", torch.expm1, "Elementwise ``exp(x) - 1`` (float result).")
sin = _float_unary("sin", torch.sin, "Elementwise sine (float result).")
cos = _float_unary("cos", torch.cos, "Elementwise cosine (float result).")
tan = _float_unary("tan", torch.tan, "Elementwise tangent (float result).")
tanh = _float_unary("tanh", torch.tanh, "Elementwise hyperbolic tangent (float result).")
sinh = _float_unary("sinh", torch.sinh, "Elementwise hyperbolic sine (float result).")
cosh = _float_unary("cosh", torch.cosh, "Elementwise hyperbolic cosine (float result).")
arctan = _float_unary("arctan", torch.arctan, "Elementwise inverse tangent (float result).")
reciprocal = _float_unary("reciprocal", torch.reciprocal, "Elementwise ``1 / x`` (float result).")
floor = _float_unary("floor", torch.floor, "Elementwise floor (float result, as in JAX).")
ceil = _float_unary("ceil", torch.ceil, "Elementwise ceiling (float result, as in JAX).")


def negative(x):
    """Elementwise ``-x`` (unsigned integers wrap around; bool is refused)."""
    x = _t(x)
    if x.dtype is _BOOL:
        raise TypeError("negative: not defined for boolean tensors; use logical_not")
    if x.dtype in _NO_KERNEL:
        return torch.neg(x.to(_INT64)).to(x.dtype)
    return torch.neg(x)


def abs(x):  # noqa: A001 - public op name
    """Elementwise absolute value."""
    x = _t(x)
    if x.dtype is _BOOL or x.dtype in _NO_KERNEL:  # unsigned: nothing to do
        return x
    return torch.abs(x)


def square(x):
    """Elementwise ``x * x`` (bool gives int32)."""
    x = _t(x)
    if x.dtype is _BOOL:
        x = x.to(_INT32)
    elif x.dtype in _NO_KERNEL:
        return torch.square(x.to(_INT64)).to(x.dtype)
    return torch.square(x)


def sign(x):
    """Elementwise sign (-1, 0, 1)."""
    x = _t(x)
    if x.dtype is _BOOL:
        return x
    if x.dtype in _NO_KERNEL:
        return (x != 0).to(x.dtype)
    return torch.sign(x)


def round(x, decimals=0):  # noqa: A001 - public op name
    """Round half to even to ``decimals`` places."""
    x = _t(x)
    if x.dtype in _INEXACT:
        return torch.round(x, decimals=decimals) if decimals else torch.round(x)
    if x.dtype is _BOOL or decimals >= 0:
        return x
    factor = 10 ** (-decimals)
    return (torch.round(x.double() / factor) * factor).to(x.dtype)


def isnan(x):
    """Elementwise NaN test (bool)."""
    return torch.isnan(_t(x))


def isfinite(x):
    """Elementwise finiteness test (bool)."""
    return torch.isfinite(_t(x))


def isinf(x):
    """Elementwise infinity test (bool)."""
    return torch.isinf(_t(x))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace NaN and infinities with finite numbers."""
    x = _t(x)
    if x.dtype not in _INEXACT:
        return x
    return torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def clip(x, x_min, x_max):
    """Clamp ``x`` into ``[x_min, x_max]`` (bool input gives int32)."""
    x = _t(x)
    if x.dtype is _BOOL:
        x = x.to(_INT32)
    lo_t = not isinstance(x_min, (int, float)) and x_min is not None
    hi_t = not isinstance(x_max, (int, float)) and x_max is not None
    if lo_t or hi_t:
        dt = TORCH_DTYPES[dtypes.result_type(DTYPE_NAMES[x.dtype], x_min, x_max)]
        x = x.to(dt)
        x_min = None if x_min is None else _as_tensor_like(convert_to_tensor(x_min, dt), x)
        x_max = None if x_max is None else _as_tensor_like(convert_to_tensor(x_max, dt), x)
    return torch.clamp(x, x_min, x_max)


# -- linear algebra-ish -----------------------------------------------------------------
def matmul(x1, x2):
    """Matrix product with NumPy broadcasting rules."""
    if (x1.__class__ is Tensor and x2.__class__ is Tensor and x1.dtype is x2.dtype
            and x1.dtype in _INEXACT):
        return torch.matmul(x1, x2)  # the common case: two float tensors of one dtype
    a, b = _bin(x1, x2)
    if not isinstance(b, Tensor):
        b = convert_to_tensor(b, a.dtype)
    if a.dtype is _BOOL:
        return torch.matmul(a.to(_INT32), b.to(_INT32)) != 0
    if a.dtype in _NO_KERNEL:
        return torch.matmul(a.to(_INT64), b.to(_INT64)).to(a.dtype)
    return torch.matmul(a, b)


def dot(x1, x2):
    """NumPy ``dot``: scalars multiply, otherwise contract the last axis of x1 with x2's."""
    a, b = _bin(x1, x2)
    if not isinstance(b, Tensor):
        b = convert_to_tensor(b, a.dtype)
    if a.dtype in _NO_KERNEL:
        return dot(a.to(_INT64), b.to(_INT64)).to(a.dtype)
    if a.ndim == 0 or b.ndim == 0:
        return torch.mul(a, b)
    if b.ndim <= 2:
        return torch.matmul(a, b)
    return torch.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 2]))


def _promote_all(tensors):
    first = tensors[0].dtype
    if builtins.all(t.dtype is first for t in tensors):
        return tensors
    dt = TORCH_DTYPES[dtypes.result_type(*[DTYPE_NAMES[t.dtype] for t in tensors])]
    return [t if t.dtype is dt else t.to(dt) for t in tensors]


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over ``operands`` (promoted to one dtype)."""
    tensors = _promote_all([_t(o) for o in operands])
    return torch.einsum(subscripts, *tensors)


def tensordot(x1, x2, axes=2):
    """Sum products over the given axes (NumPy ``tensordot``)."""
    a, b = _bin(x1, x2)
    if not isinstance(b, Tensor):
        b = convert_to_tensor(b, a.dtype)
    if not isinstance(axes, int):
        a_axes, b_axes = axes
        a_axes = [a_axes] if isinstance(a_axes, int) else list(a_axes)
        b_axes = [b_axes] if isinstance(b_axes, int) else list(b_axes)
        axes = (a_axes, b_axes)
    if a.dtype in _NO_KERNEL:
        return torch.tensordot(a.to(_INT64), b.to(_INT64), dims=axes).to(a.dtype)
    return torch.tensordot(a, b, dims=axes)


def outer(x1, x2):
    """Outer product of the flattened inputs."""
    a, b = _bin(x1, x2)
    if not isinstance(b, Tensor):
        b = convert_to_tensor(b, a.dtype)
    if a.dtype in _NO_KERNEL:
        return torch.outer(a.reshape(-1).to(_INT64), b.reshape(-1).to(_INT64)).to(a.dtype)
    return torch.outer(a.reshape(-1), b.reshape(-1))


# -- shape manipulation -----------------------------------------------------------------
def _shape_arg(shape):
    if isinstance(shape, int):
        return (shape,)
    if isinstance(shape, Tensor):
        return tuple(shape.tolist())
    return tuple(int(d) for d in shape)


def reshape(x, newshape):
    """Give ``x`` a new shape (one entry may be -1)."""
    x = _t(x)
    return torch.reshape(x, _shape_arg(newshape))


def transpose(x, axes=None):
    """Permute axes (reverse them when ``axes`` is None)."""
    x = _t(x)
    if axes is None:
        return x.permute(tuple(range(x.ndim - 1, -1, -1)))
    return x.permute(tuple(axes))


def concatenate(xs, axis=0):
    """Join tensors along an existing axis (None flattens them first)."""
    tensors = _promote_all([_t(x) for x in xs])
    if axis is None:
        tensors = [t.reshape(-1) for t in tensors]
        axis = 0
    return torch.cat(tensors, dim=axis)


def stack(x, axis=0):
    """Join tensors along a new axis."""
    tensors = _promote_all([_t(i) for i in x])
    return torch.stack(tensors, dim=axis)


def split(x, indices_or_sections, axis=0):
    """Split into equal sections (an int) or at the given indices; returns a list."""
    x = _t(x)
    if isinstance(indices_or_sections, int):
        size = x.shape[axis]
        if indices_or_sections <= 0 or size % indices_or_sections:
            raise ValueError(
                f"split: an axis of size {size} cannot be split into {indices_or_sections} "
                "equal sections"
            )
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    return list(torch.tensor_split(x, [int(i) for i in indices_or_sections], dim=axis))


def expand_dims(x, axis):
    """Insert size-1 axes at ``axis`` (an int or a tuple)."""
    x = _t(x)
    if isinstance(axis, int):
        return torch.unsqueeze(x, axis)
    out_ndim = x.ndim + len(axis)
    positions = sorted(a + out_ndim if a < 0 else a for a in axis)
    shape = list(x.shape)
    for p in positions:
        shape.insert(p, 1)
    return x.reshape(shape)


def squeeze(x, axis=None):
    """Remove size-1 axes (all of them, or those in ``axis``)."""
    x = _t(x)
    if axis is None:
        return torch.squeeze(x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(
                f"squeeze: cannot squeeze axis {a} of shape {tuple(x.shape)}: its size is not 1"
            )
    return torch.squeeze(x, dim=axes)


def take(x, indices, axis=None):
    """Gather entries along ``axis`` (flattened when None); negative indices wrap."""
    x = _t(x)
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    if not isinstance(indices, int):
        indices = _t(indices)
        if indices.dtype in _INEXACT:
            indices = indices.to(_INT64)
    if axis < 0:
        axis += x.ndim
    if axis == 0:
        return x[indices]
    return x[(builtins.slice(None),) * axis + (indices,)]


def take_along_axis(x, indices, axis=None):
    """Gather with an index tensor matching ``x`` along ``axis`` (NumPy semantics)."""
    x = _t(x)
    indices = _t(indices)
    if axis is None:
        x = x.reshape(-1)
        indices = indices.reshape(-1)
        axis = 0
    if indices.dtype is not _INT64:
        indices = indices.to(_INT64)
    indices = torch.where(indices < 0, indices + x.shape[axis], indices)
    if x.dtype in _NO_KERNEL:
        return torch.take_along_dim(x.to(_INT64), indices, dim=axis).to(x.dtype)
    return torch.take_along_dim(x, indices, dim=axis)


def where(condition, x1=None, x2=None):
    """Choose ``x1`` where ``condition`` else ``x2``; with one argument, the nonzero indices."""
    condition = _t(condition)
    if condition.dtype is not _BOOL:
        condition = condition != 0
    if x1 is None and x2 is None:
        return tuple(i.to(_INT32) for i in torch.nonzero(condition, as_tuple=True))
    if x1 is None or x2 is None:
        raise ValueError("where: x1 and x2 must be given together (or both left out)")
    a, b = _bin(x1, x2)
    return torch.where(condition, a, b)


def broadcast_to(x, shape):
    """Broadcast ``x`` to ``shape``."""
    return torch.broadcast_to(_t(x), _shape_arg(shape))


def tile(x, repeats):
    """Repeat the whole tensor ``repeats`` times per axis."""
    x = _t(x)
    return torch.tile(x, _shape_arg(repeats))


def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times (flattened when ``axis`` is None)."""
    x = _t(x)
    if not isinstance(repeats, int):
        repeats = _t(repeats)
        if repeats.ndim == 0:
            repeats = int(repeats)
        elif repeats.dtype is not _INT64:
            repeats = repeats.to(_INT64)
    return torch.repeat_interleave(x, repeats, dim=axis)


def _pad_pairs(pad_width, ndim):
    if isinstance(pad_width, Tensor):
        pad_width = pad_width.tolist()
    arr = np.asarray(pad_width, dtype=np.int64)
    try:
        arr = np.broadcast_to(arr, (ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit a tensor of rank {ndim}")
    return [(int(a), int(b)) for a, b in arr]


_PAD_MODES = {"constant", "reflect", "symmetric", "edge", "wrap", "maximum", "minimum",
              "mean", "median"}


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad like ``numpy.pad`` (modes constant, reflect, symmetric, edge, wrap)."""
    x = _t(x)
    pairs = _pad_pairs(pad_width, x.ndim)
    if mode == "constant":
        flat = []
        for before, after in reversed(pairs):
            flat.extend((before, after))
        while flat and flat[-1] == 0 and flat[-2] == 0:
            flat = flat[:-2]
        if not flat:
            return x
        value = 0 if constant_values is None else constant_values
        if isinstance(value, Tensor):
            value = value.item()
        if x.dtype is _BOOL:
            return F.pad(x.to(torch.uint8), flat, value=int(bool(value))).to(_BOOL)
        return F.pad(x, flat, value=value)
    if constant_values is not None:
        raise ValueError(f"pad: constant_values is only used with mode='constant', received mode={mode!r}")
    if mode not in ("reflect", "symmetric", "edge", "wrap"):
        raise ValueError(
            f"pad: unsupported mode {mode!r}; the torch backend supports 'constant', 'reflect', "
            "'symmetric', 'edge' and 'wrap'"
        )
    for axis, (before, after) in enumerate(pairs):
        if before == 0 and after == 0:
            continue
        index = np.pad(np.arange(x.shape[axis]), (before, after), mode=mode)
        x = torch.index_select(x, axis, torch.as_tensor(index, device=x.device))
    return x


def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None)."""
    x = _t(x)
    if x.dtype in _NO_KERNEL:
        return flip(x.to(_INT64), axis).to(x.dtype)
    if axis is None:
        return torch.flip(x, dims=tuple(range(x.ndim)))
    return torch.flip(x, dims=(axis,) if isinstance(axis, int) else tuple(axis))


def moveaxis(x, source, destination):
    """Move axes to new positions."""
    x = _t(x)
    if not isinstance(source, int):
        source = tuple(source)
    if not isinstance(destination, int):
        destination = tuple(destination)
    return torch.movedim(x, source, destination)


def swapaxes(x, axis1, axis2):
    """Swap two axes."""
    return torch.swapaxes(_t(x), axis1, axis2)


def ravel(x):
    """Flatten to 1-D."""
    return torch.reshape(_t(x), (-1,))


def unstack(x, num=None, axis=0):
    """Split along ``axis`` into a list of tensors of rank one less."""
    x = _t(x)
    if num is not None and x.shape[axis] != num:
        raise ValueError(f"unstack: expected axis {axis} of size {num}, received shape {tuple(x.shape)}")
    return list(torch.unbind(x, dim=axis))


def tril(x, k=0):
    """Lower triangle (zeros above diagonal ``k``)."""
    x = _t(x)
    if x.dtype in _NO_KERNEL:
        return torch.tril(x.to(_INT64), diagonal=k).to(x.dtype)
    return torch.tril(x, diagonal=k)


def triu(x, k=0):
    """Upper triangle (zeros below diagonal ``k``)."""
    x = _t(x)
    if x.dtype in _NO_KERNEL:
        return torch.triu(x.to(_INT64), diagonal=k).to(x.dtype)
    return torch.triu(x, diagonal=k)


def size(x):
    """Number of elements, as an int32 scalar tensor."""
    x = _t(x)
    return torch.tensor(x.numel(), dtype=_INT32)


def ndim(x):
    """Number of dimensions (an int)."""
    if isinstance(x, (Tensor, KerasVariable)):
        return x.ndim
    return _t(x).ndim


def copy(x):
    """A copy of ``x``."""
    return _t(x).clone()


def array(x, dtype=None):
    """Make a tensor from ``x``."""
    return convert_to_tensor(x, dtype)


# -- reductions -------------------------------------------------------------------------
def sum(x, axis=None, keepdims=False):  # noqa: A001 - public op name
    """Sum over ``axis``; bool and small ints accumulate in int32."""
    x = _t(x)
    dt = _SUM_DTYPES.get(x.dtype)
    if dt in _WIDE_UNSIGNED:
        # torch has no CPU kernels for uint32/uint64 sums: accumulate in int64.
        return sum(x.to(_INT64), axis, keepdims).to(dt)
    if axis is None:
        if keepdims:
            return torch.sum(x, dim=tuple(range(x.ndim)), keepdim=True, dtype=dt)
        return torch.sum(x, dtype=dt)
    axis = _axis(axis)
    if axis == ():
        return x if dt is None else x.to(dt)
    return torch.sum(x, dim=axis, keepdim=keepdims, dtype=dt)


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis`` (float result)."""
    x = _fx(x)
    if axis is None:
        if keepdims:
            return torch.mean(x, dim=tuple(range(x.ndim)), keepdim=True)
        return torch.mean(x)
    axis = _axis(axis)
    if axis == ():
        return x
    return torch.mean(x, dim=axis, keepdim=keepdims)


def _extreme(x, axis, keepdims, initial, reduce_fn, combine_fn, name):
    x = _t(x)
    if x.dtype in _NO_KERNEL:
        return _extreme(x.to(_INT64), axis, keepdims, initial, reduce_fn, combine_fn, name).to(x.dtype)
    axis = _axis(axis)
    if x.numel() == 0:
        if initial is None:
            raise ValueError(f"{name}: zero-size input has no {name} without `initial`")
        shape = list(x.shape)
        dims = range(x.ndim) if axis is None else ((axis,) if isinstance(axis, int) else axis)
        dims = {d % x.ndim for d in dims}
        out = [1 if i in dims else s for i, s in enumerate(shape)] if keepdims else \
            [s for i, s in enumerate(shape) if i not in dims]
        return torch.full(out, initial, dtype=x.dtype, device=x.device)
    if axis is None:
        result = reduce_fn(x)
        if keepdims:
            result = result.reshape((1,) * x.ndim)
    elif axis == ():
        result = x
    else:
        result = reduce_fn(x, dim=axis, keepdim=keepdims)
    if initial is not None:
        result = combine_fn(result, torch.tensor(initial, dtype=result.dtype, device=result.device))
    return result


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - public op name
    """Maximum over ``axis``, at least ``initial`` when given."""
    return _extreme(x, axis, keepdims, initial, torch.amax, torch.maximum, "max")


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - public op name
    """Minimum over ``axis``, at most ``initial`` when given."""
    return _extreme(x, axis, keepdims, initial, torch.amin, torch.minimum, "min")


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis``; bool/int8/int16 accumulate in int32, uint8/uint16 in uint32."""
    x = _t(x)
    dt = to_torch_dtype(dtype) if dtype is not None else _SUM_DTYPES.get(x.dtype)
    if dt in _NO_KERNEL_ACCUMULATE:  # no unsigned product kernels: accumulate in int64
        return prod(x.to(_INT64), axis, keepdims).to(dt)
    if axis is None:
        result = torch.prod(x, dtype=dt)
        return result.reshape((1,) * x.ndim) if keepdims else result
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if not axes:
        return x if dt is None else x.to(dt)
    if len(axes) == 1:
        return torch.prod(x, dim=axes[0], keepdim=keepdims, dtype=dt)
    for a in sorted((a % x.ndim for a in axes), reverse=True):
        x = torch.prod(x, dim=a, keepdim=keepdims, dtype=dt)
    return x


def _moment_input(x):
    x = _fx(x)
    if x.dtype in HALF_DTYPES:
        return x.float(), x.dtype
    return x, None


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis`` (float result; halves computed in float32)."""
    x, back = _moment_input(x)
    axis = _axis(axis)
    if axis is None and keepdims:
        axis = tuple(range(x.ndim))
    result = torch.var(x, dim=axis, correction=0, keepdim=keepdims)
    return result if back is None else result.to(back)


def std(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis`` (float result)."""
    x, back = _moment_input(x)
    axis = _axis(axis)
    if axis is None and keepdims:
        axis = tuple(range(x.ndim))
    result = torch.std(x, dim=axis, correction=0, keepdim=keepdims)
    return result if back is None else result.to(back)


def _bool_reduce(fn, x, axis, keepdims):
    x = _t(x)
    if x.dtype is not _BOOL:
        x = x != 0
    if axis is None:
        result = fn(x)
        return result.reshape((1,) * x.ndim) if keepdims else result
    axis = _axis(axis)
    if axis == ():
        return x
    return fn(x, dim=axis, keepdim=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001 - public op name
    """True where every element along ``axis`` is nonzero."""
    return _bool_reduce(torch.all, x, axis, keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001 - public op name
    """True where some element along ``axis`` is nonzero."""
    return _bool_reduce(torch.any, x, axis, keepdims)


def _arg_reduce(fn, x, axis, keepdims):
    x = _t(x)
    if x.dtype is _BOOL:
        x = x.to(torch.uint8)
    elif x.dtype in _NO_KERNEL:
        x = x.to(_INT64)
    if axis is None:
        result = fn(x.reshape(-1))
        if keepdims:
            result = result.reshape((1,) * x.ndim)
    else:
        result = fn(x, dim=axis, keepdim=keepdims)
    return result.to(_INT32)


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum along ``axis`` (int32)."""
    return _arg_reduce(torch.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum along ``axis`` (int32)."""
    return _arg_reduce(torch.argmin, x, axis, keepdims)


def count_nonzero(x, axis=None):
    """Number of nonzero elements along ``axis`` (int32)."""
    x = _t(x)
    axis = _axis(axis)
    if axis == ():
        return (x != 0).to(_INT32)
    if x.dtype in _NO_KERNEL:
        x = x != 0
    return torch.count_nonzero(x, dim=axis).to(_INT32)


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (flattened when None)."""
    x = _t(x)
    # Integers keep their dtype (as in JAX); bool counts in int32.
    dt = to_torch_dtype(dtype) if dtype is not None else (_INT32 if x.dtype is _BOOL else x.dtype)
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    if dt in _NO_KERNEL_ACCUMULATE:
        return torch.cumsum(x.to(_INT64), dim=axis).to(dt)
    return torch.cumsum(x, dim=axis, dtype=dt)


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (flattened when None)."""
    x = _t(x)
    # Integers keep their dtype (as in JAX); bool counts in int32.
    dt = to_torch_dtype(dtype) if dtype is not None else (_INT32 if x.dtype is _BOOL else x.dtype)
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    if dt in _NO_KERNEL_ACCUMULATE:
        return torch.cumprod(x.to(_INT64), dim=axis).to(dt)
    return torch.cumprod(x, dim=axis, dtype=dt)


def sort(x, axis=-1):
    """Sorted copy along ``axis`` (flattened when None)."""
    x = _t(x)
    if axis is None:
        x = x.reshape(-1)
        axis = -1
    if x.dtype in _NO_KERNEL:
        return torch.sort(x.to(_INT64), dim=axis).values.to(x.dtype)
    return torch.sort(x, dim=axis).values


def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (stable, int32)."""
    x = _t(x)
    if axis is None:
        x = x.reshape(-1)
        axis = -1
    if x.dtype is _BOOL:
        x = x.to(torch.uint8)
    elif x.dtype in _NO_KERNEL:
        x = x.to(_INT64)
    return torch.argsort(x, dim=axis, stable=True).to(_INT32)


# -- creation ---------------------------------------------------------------------------
def _dtype_or_floatx(dtype):
    if dtype is None:
        return floatx_dtype()
    return to_torch_dtype(dtype)


def zeros(shape, dtype=None):
    """A tensor of zeros (floatx by default)."""
    return torch.zeros(_shape_arg(shape), dtype=_dtype_or_floatx(dtype), device=get_device())


def ones(shape, dtype=None):
    """A tensor of ones (floatx by default)."""
    return torch.ones(_shape_arg(shape), dtype=_dtype_or_floatx(dtype), device=get_device())


def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value`` (dtype inferred from it when None)."""
    shape = _shape_arg(shape)
    if type(fill_value) in _PY_SCALARS:
        if dtype is None:
            dt = TORCH_DTYPES[dtypes.result_type(fill_value)]
        else:
            dt = to_torch_dtype(dtype)
        return torch.full(shape, fill_value, dtype=dt, device=get_device())
    fill = convert_to_tensor(fill_value, dtype)
    return torch.broadcast_to(fill, shape).clone()


def zeros_like(x, dtype=None):
    """Zeros with the shape (and, by default, dtype) of ``x``."""
    x = _t(x)
    return torch.zeros_like(x, dtype=None if dtype is None else to_torch_dtype(dtype))


def ones_like(x, dtype=None):
    """Ones with the shape (and, by default, dtype) of ``x``."""
    x = _t(x)
    return torch.ones_like(x, dtype=None if dtype is None else to_torch_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    """``fill_value`` with the shape (and, by default, dtype) of ``x``."""
    x = _t(x)
    dt = x.dtype if dtype is None else to_torch_dtype(dtype)
    if type(fill_value) in _PY_SCALARS:
        return torch.full_like(x, fill_value, dtype=dt)
    fill = convert_to_tensor(fill_value, dt)
    return torch.broadcast_to(fill, x.shape).clone()


def _scalar(v):
    if isinstance(v, KerasVariable):
        v = v.value
    if isinstance(v, (Tensor, np.ndarray, np.generic)):
        return v.item()
    return v


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``; int args give int32, floats floatx."""
    if dtype is None:
        dtype = dtypes.result_type(*[v for v in (start, stop, step) if v is not None])
    dt = to_torch_dtype(dtype)
    start, stop, step = _scalar(start), _scalar(stop), _scalar(step)
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    return torch.arange(start, stop, step, dtype=dt, device=get_device())


def eye(N, M=None, k=0, dtype=None):
    """A 2-D tensor with ones on diagonal ``k``."""
    dt = _dtype_or_floatx(dtype)
    N = int(_scalar(N))
    M = N if M is None else int(_scalar(M))
    if k == 0:
        return torch.eye(N, M, dtype=dt, device=get_device())
    ones_ = torch.ones((N, M), dtype=torch.uint8, device=get_device())
    return torch.triu(torch.tril(ones_, diagonal=k), diagonal=k).to(dt)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced samples from ``start`` to ``stop``."""
    if dtype is None:
        dtype = dtypes.result_type(start, stop, float)
    dt = to_torch_dtype(dtype)
    num = int(num)
    compute = torch.float64 if dt is torch.float64 else torch.float32
    start_t = convert_to_tensor(start, compute)
    stop_t = convert_to_tensor(stop, compute)
    div = (num - 1) if endpoint else num
    step = (stop_t - start_t) / div if div > 0 else torch.full_like(stop_t - start_t, _pymath.nan)
    if start_t.ndim == 0 and stop_t.ndim == 0:
        if num == 1:
            samples = start_t.reshape(1)
        else:
            samples = torch.linspace(float(start_t), float(stop_t) if endpoint else
                                     float(stop_t - step), num, dtype=compute, device=get_device())
    else:
        start_t, stop_t = torch.broadcast_tensors(start_t, stop_t)
        step = (stop_t - start_t) / div if div > 0 else torch.full_like(stop_t, _pymath.nan)
        steps = torch.arange(num, dtype=compute, device=start_t.device)
        steps = steps.reshape((num,) + (1,) * start_t.ndim)
        samples = start_t.unsqueeze(0) + steps * step.unsqueeze(0)
        if endpoint and num > 1:
            samples[-1] = stop_t
        if axis != 0:
            samples = torch.movedim(samples, 0, axis)
    if dt not in _INEXACT:
        samples = torch.floor(samples)
    samples = samples.to(dt)
    if retstep:
        return samples, step.to(dt) if dt in _INEXACT else step
    return samples
