"""The torch backend's array construction and manipulation ops (interface module ``array_shape``).

Built on torch's own kernels with Kiln's dtype promotion (Python scalars are
weak, 32-bit defaults); sizes, counts and axes are Python values.

Example:
    >>> hstack([torch.tensor([1, 2]), torch.tensor([3])]).tolist()
    [1, 2, 3]
"""

import torch

from kiln.backend.common import array_rules as rules
from kiln.backend.common import dtypes
from kiln.backend.torch import array_ops as _ops
from kiln.backend.torch.core import (
    DTYPE_NAMES,
    TORCH_DTYPES,
    Tensor,
    convert_to_tensor,
    floatx_dtype,
    get_device,
    to_torch_dtype,
    via_int64,
)

_t = convert_to_tensor
_PY_SCALARS = (bool, int, float, complex)


def _to_numpy(indices):
    return indices.tolist() if isinstance(indices, Tensor) else indices


def _common(*xs):
    """Tensors of the promoted dtype of ``xs`` (Python scalars are weak)."""
    items = [x if type(x) in _PY_SCALARS else _t(x) for x in xs]
    name = dtypes.result_type(*[x if type(x) in _PY_SCALARS else DTYPE_NAMES[x.dtype] for x in items])
    dt = TORCH_DTYPES[name]
    return [_t(x, dt) for x in items]


# -- joining and splitting ----------------------------------------------------------

def append(x1, x2, axis=None):
    x1, x2 = _common(x1, x2)
    if axis is None:
        return torch.cat([x1.reshape(-1), x2.reshape(-1)])
    return torch.cat([x1, x2], dim=int(axis))


def array_split(x, indices_or_sections, axis=0):
    sections = rules.sections(indices_or_sections, _to_numpy)
    rules.check_positive_sections(sections)
    return list(torch.tensor_split(_t(x), sections, dim=int(axis)))


def _equal_split(x, indices_or_sections, axis, name):
    return _ops.split(x, rules.equal_split_sections(name, x.shape, axis, indices_or_sections, _to_numpy), axis=axis)


def hsplit(x, indices_or_sections):
    x = _t(x)
    return _equal_split(x, indices_or_sections, rules.hsplit_axis(x.ndim), "hsplit")


def vsplit(x, indices_or_sections):
    return _equal_split(_t(x), indices_or_sections, 0, "vsplit")


def dsplit(x, indices_or_sections):
    return _equal_split(_t(x), indices_or_sections, 2, "dsplit")


hstack, vstack, dstack = rules.stack_ops(torch, lambda xs: _common(*xs))


# -- diagonals ----------------------------------------------------------------------

def diag(x, k=0):
    x = _t(x)
    rules.check_diag_input(x.shape)
    return torch.diag(x, int(k))


def diagflat(x, k=0):
    return torch.diagflat(_t(x), int(k))


def diagonal(x, offset=0, axis1=0, axis2=1):
    return torch.diagonal(_t(x), int(offset), int(axis1), int(axis2))


@via_int64(cast_back=True)
def diff(a, n=1, axis=-1):
    a = _t(a)
    if int(n) == 0:
        return a
    return torch.diff(a, n=int(n), dim=int(axis))


# -- creation -----------------------------------------------------------------------

def empty(shape, dtype=None):
    return _ops.zeros(shape, dtype=dtype)


def empty_like(x, dtype=None):
    return _ops.zeros_like(x, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    dt = floatx_dtype() if dtype is None else to_torch_dtype(dtype)
    N = int(N)
    M = N if M is None else int(M)
    device = get_device()
    rows = torch.arange(N, device=device).unsqueeze(1)
    cols = torch.arange(M, device=device).unsqueeze(0)
    return (cols <= rows + int(k)).to(dt)


def vander(x, N=None, increasing=False):
    x = _t(x)
    rules.check_vander_input(x.shape)
    if x.dtype is torch.bool:
        x = x.to(torch.int32)
    n = x.shape[0] if N is None else int(N)
    # Powers by a cumulative product (torch.vander's backward fails on an in-place update).
    columns = [torch.ones_like(x).unsqueeze(1)][:n]
    if n > 1:
        columns.append(torch.cumprod(x.unsqueeze(1).expand(x.shape[0], n - 1), dim=1).to(x.dtype))
    out = torch.cat(columns, dim=1) if columns else x.new_zeros((x.shape[0], 0))
    return out if increasing else torch.flip(out, (1,))


def meshgrid(*x, indexing="xy"):
    rules.check_meshgrid_indexing(indexing)
    vectors = [_t(v).reshape(-1) for v in x]
    # Each grid keeps its input's dtype (torch.meshgrid wants one dtype for all).
    shape, axes = _grid_layout([v.shape[0] for v in vectors], indexing)
    ones = [1] * len(shape)
    out = []
    for v, axis in zip(vectors, axes):
        view_shape = list(ones)
        view_shape[axis] = v.shape[0]
        out.append(v.reshape(view_shape).expand(shape))
    return out


def _grid_layout(sizes, indexing):
    """The grids' shape and the axis each input vector runs along."""
    axes = list(range(len(sizes)))
    if indexing == "xy" and len(sizes) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(sizes)
    for size, axis in zip(sizes, axes):
        shape[axis] = size
    return shape, axes


def _space_dtype(start, stop, dtype):
    if dtype is not None:
        return to_torch_dtype(dtype)
    items = [v if type(v) in _PY_SCALARS else DTYPE_NAMES[_t(v).dtype] for v in (start, stop)]
    return TORCH_DTYPES[dtypes.float_result_type(*items)]


def _compute_dtype(dt):
    return torch.float64 if dt is torch.float64 else torch.float32


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    dt = _space_dtype(start, stop, dtype)
    compute = _compute_dtype(dt)
    exponents = _ops.linspace(start, stop, num, endpoint=endpoint, dtype=DTYPE_NAMES[compute], axis=axis)
    base = base if type(base) in _PY_SCALARS else _t(base, compute)
    return torch.pow(base, exponents).to(dt)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    dt = _space_dtype(start, stop, dtype)
    compute = _compute_dtype(dt)
    start, stop = _t(start, compute), _t(stop, compute)
    exponents = _ops.linspace(torch.log10(torch.abs(start)), torch.log10(torch.abs(stop)), num,
                              endpoint=endpoint, dtype=DTYPE_NAMES[compute], axis=axis)
    sign = torch.sign(start)
    if sign.ndim:
        sign = sign.unsqueeze(int(axis) % (sign.ndim + 1))
    return (sign * torch.pow(10.0, exponents)).to(dt)


# -- flips and rotations --------------------------------------------------------------

fliplr, flipud = rules.flip_ops(torch, _t)


def roll(x, shift, axis=None):
    x = _t(x)
    if isinstance(shift, Tensor):
        shift = shift.tolist()
    if isinstance(shift, (list, tuple)):
        shift = tuple(int(s) for s in shift)
    else:
        shift = int(shift)
    if axis is None:
        return torch.roll(x, shift)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else (int(axis),)
    shift, axis = rules.check_roll_axes(shift, axis)
    return torch.roll(x, shift, axis)


def rot90(array, k=1, axes=(0, 1)):
    x = _t(array)
    rules.check_min_rank("rot90", x.shape, 2)
    return torch.rot90(x, int(k), [int(a) for a in axes])


# -- products -------------------------------------------------------------------------

def kron(x1, x2):
    x1, x2 = _common(x1, x2)
    return torch.kron(x1, x2)


def inner(x1, x2):
    x1, x2 = _common(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    if x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"inner: the last dimensions of shapes {tuple(x1.shape)} and "
                         f"{tuple(x2.shape)} differ")
    dt = x1.dtype
    if dt is torch.bool:
        return torch.tensordot(x1.to(torch.int32), x2.to(torch.int32), dims=([x1.ndim - 1], [x2.ndim - 1])) != 0
    return torch.tensordot(x1, x2, dims=([x1.ndim - 1], [x2.ndim - 1])).to(dt)


def vdot(x1, x2):
    x1, x2 = _common(x1, x2)
    a, b = x1.reshape(-1), x2.reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"vdot: inputs must have the same number of elements, received shapes "
                         f"{tuple(x1.shape)} and {tuple(x2.shape)}")
    if a.is_complex():
        a = a.conj()
    dt = a.dtype
    if dt is torch.bool:
        return torch.any(a & b)
    return torch.sum(a * b).to(dt)


@via_int64(cast_back=True)
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = _common(x1, x2)
    a = torch.movedim(x1, int(axisa), -1) if x1.ndim else x1
    b = torch.movedim(x2, int(axisb), -1) if x2.ndim else x2
    rules.check_cross(a.shape, b.shape, -1, -1, None)
    a0, a1 = a[..., 0], a[..., 1]
    b0, b1 = b[..., 0], b[..., 1]
    z = a0 * b1 - a1 * b0
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return z
    a2 = a[..., 2] if a.shape[-1] == 3 else None
    b2 = b[..., 2] if b.shape[-1] == 3 else None
    x = (a1 * b2 if b2 is not None else 0) - (a2 * b1 if a2 is not None else 0)
    y = (a2 * b0 if a2 is not None else 0) - (a0 * b2 if b2 is not None else 0)
    x, y, z = torch.broadcast_tensors(_t(x, a.dtype), _t(y, a.dtype), z)
    return torch.movedim(torch.stack([x, y, z], dim=-1), -1, int(axisc))


# -- selection and indices --------------------------------------------------------------

def select(condlist, choicelist, default=0):
    rules.check_select(condlist, choicelist)
    values = _common(*choicelist, default)
    conds = [_t(c).to(torch.bool) for c in condlist]
    shape = torch.broadcast_shapes(*[c.shape for c in conds], *[v.shape for v in values])
    out = torch.broadcast_to(values[-1], shape)
    for cond, value in zip(reversed(conds), reversed(values[:-1])):
        out = torch.where(cond, value, out)
    return out


@via_int64(cast_back=True)
def unravel_index(indices, shape):
    indices = _t(indices)
    if indices.dtype.is_floating_point or indices.dtype is torch.bool or indices.is_complex():
        indices = indices.to(torch.int32)
    out = []
    rest = indices
    for d in reversed(tuple(int(d) for d in shape)):
        out.append(torch.remainder(rest, d))
        rest = torch.div(rest, d, rounding_mode="floor")
    return tuple(reversed(out))


def view(x, dtype=None):
    x = _t(x)
    if dtype is None:
        return x.clone()
    dt = to_torch_dtype(dtype)
    rules.check_view(x.shape, DTYPE_NAMES[x.dtype], DTYPE_NAMES[dt], x.dtype.itemsize, dt.itemsize)
    return x.contiguous().view(dt)


# -- window functions -----------------------------------------------------------------

def _window(fn, name):
    def window(x):
        return fn(max(int(x), 0), periodic=False, dtype=floatx_dtype(), device=get_device())

    window.__name__ = window.__qualname__ = name
    return window


bartlett = _window(torch.bartlett_window, "bartlett")
blackman = _window(torch.blackman_window, "blackman")
hamming = _window(torch.hamming_window, "hamming")
hanning = _window(torch.hann_window, "hanning")


def kaiser(x, beta):
    return torch.kaiser_window(max(int(x), 0), periodic=False, beta=float(beta), dtype=floatx_dtype(),
                               device=get_device())

