"""The numpy backend's array construction and manipulation ops (interface module ``array_shape``).

Each function takes ndarrays or array-likes, converts them with Kiln's dtype
rules (64-bit defaults narrowed to 32 bits) and returns ndarrays.

Example:
    >>> hstack([np.array([1, 2]), np.array([3])]).tolist()
    [1, 2, 3]
"""

import numpy as np

from kiln.backend.common import array_rules as rules
from kiln.backend.common import dtypes
from kiln.backend.numpy.core import (
    as_array,
    convert_to_tensor,
    floatx_np,
    np_dtype,
)
from kiln.backend.numpy import array_ops as _ops

_t = convert_to_tensor


_PY_SCALARS = (bool, int, float, complex)


def _common(*xs):
    """Arrays of the promoted dtype of ``xs`` (Python scalars are weak)."""
    items = [x if type(x) in _PY_SCALARS else _t(x) for x in xs]
    dtype = dtypes.result_type(*items)
    return [_t(x, dtype) for x in items]


# -- joining and splitting ----------------------------------------------------------

def append(x1, x2, axis=None):
    x1, x2 = _common(x1, x2)
    return np.append(as_array(x1), as_array(x2), axis=axis)


def array_split(x, indices_or_sections, axis=0):
    return np.array_split(_t(x), rules.sections(indices_or_sections), axis=int(axis))


def _equal_split(x, indices_or_sections, axis, name):
    x = _t(x)
    return _ops.split(x, rules.equal_split_sections(name, x.shape, axis, indices_or_sections), axis=axis)


def hsplit(x, indices_or_sections):
    x = _t(x)
    return _equal_split(x, indices_or_sections, rules.hsplit_axis(x.ndim), "hsplit")


def vsplit(x, indices_or_sections):
    return _equal_split(x, indices_or_sections, 0, "vsplit")


def dsplit(x, indices_or_sections):
    return _equal_split(x, indices_or_sections, 2, "dsplit")


hstack, vstack, dstack = rules.stack_ops(np, lambda xs: _common(*xs))


# -- diagonals ----------------------------------------------------------------------

def diag(x, k=0):
    x = _t(x)
    rules.check_diag_input(x.shape)
    return np.diag(x, int(k))


def diagflat(x, k=0):
    return np.diagflat(_t(x), int(k))


def diagonal(x, offset=0, axis1=0, axis2=1):
    return np.diagonal(_t(x), int(offset), int(axis1), int(axis2)).copy()


def diff(a, n=1, axis=-1):
    return np.diff(_t(a), n=int(n), axis=int(axis))


# -- creation -----------------------------------------------------------------------

def empty(shape, dtype=None):
    return _ops.zeros(shape, dtype=dtype)


def empty_like(x, dtype=None):
    return _ops.zeros_like(x, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    dtype = floatx_np() if dtype is None else np_dtype(dtype)
    return np.tri(int(N), None if M is None else int(M), int(k), dtype=dtype)


def vander(x, N=None, increasing=False):
    x = _t(x)
    rules.check_vander_input(x.shape)
    if x.dtype == np.bool_:
        x = x.astype("int32")
    return np.vander(x, None if N is None else int(N), increasing=increasing).astype(x.dtype)


def meshgrid(*x, indexing="xy"):
    rules.check_meshgrid_indexing(indexing)
    return [g.copy() for g in np.meshgrid(*[_t(v) for v in x], indexing=indexing)]


def _space_dtype(start, stop, dtype):
    if dtype is not None:
        return np_dtype(dtype)
    items = [v if type(v) in (int, float, bool) else _t(v) for v in (start, stop)]
    return np_dtype(dtypes.float_result_type(*items))


def _f64(v):
    return v if type(v) in (int, float, bool) else _t(v).astype(np.float64)


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    native = _space_dtype(start, stop, dtype)
    out = np.logspace(_f64(start), _f64(stop), int(num), endpoint=endpoint, base=_f64(base),
                      dtype=np.float64, axis=int(axis))
    return out.astype(native)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    native = _space_dtype(start, stop, dtype)
    out = np.geomspace(_f64(start), _f64(stop), int(num), endpoint=endpoint, dtype=np.float64,
                       axis=int(axis))
    return out.astype(native)


# -- flips and rotations --------------------------------------------------------------

fliplr, flipud = rules.flip_ops(np, _t)


def roll(x, shift, axis=None):
    if isinstance(shift, np.ndarray):
        shift = tuple(int(s) for s in shift.reshape(-1)) if shift.ndim else int(shift)
    return np.roll(_t(x), shift, axis=axis)


def rot90(array, k=1, axes=(0, 1)):
    x = _t(array)
    rules.check_min_rank("rot90", x.shape, 2)
    return np.rot90(x, int(k), tuple(int(a) for a in axes)).copy()


# -- products -------------------------------------------------------------------------

def kron(x1, x2):
    x1, x2 = _common(x1, x2)
    return as_array(np.kron(x1, x2))


def inner(x1, x2):
    x1, x2 = _common(x1, x2)
    return as_array(np.inner(x1, x2))


def vdot(x1, x2):
    x1, x2 = _common(x1, x2)
    return as_array(np.vdot(x1, x2))


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = _common(x1, x2)
    rules.check_cross(x1.shape, x2.shape, axisa, axisb, None)
    a, b = np.moveaxis(x1, axisa, -1), np.moveaxis(x2, axisb, -1)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return as_array(a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0])
    # A 2-vector is a 3-vector with z = 0 (NumPy deprecates 2-vectors in np.cross).
    a = np.pad(a, [(0, 0)] * (a.ndim - 1) + [(0, 1)]) if a.shape[-1] == 2 else a
    b = np.pad(b, [(0, 0)] * (b.ndim - 1) + [(0, 1)]) if b.shape[-1] == 2 else b
    return as_array(np.cross(a, b, axisc=axisc))


# -- selection and indices --------------------------------------------------------------

def select(condlist, choicelist, default=0):
    rules.check_select(condlist, choicelist)
    values = _common(*choicelist, default)
    conds = [_t(c).astype(bool) for c in condlist]
    return as_array(np.select(conds, [as_array(v) for v in values[:-1]], as_array(values[-1])))


def unravel_index(indices, shape):
    indices = _t(indices)
    dtype = indices.dtype if indices.dtype.kind in "iu" else np.dtype("int32")
    shape = tuple(int(d) for d in shape)
    out = []
    rest = indices.astype(dtype)
    for d in reversed(shape):
        out.append(rest % d)
        rest = rest // d
    return tuple(as_array(o).astype(dtype) for o in reversed(out))


def view(x, dtype=None):
    x = _t(x)
    if dtype is None:
        return x.copy()
    target = np_dtype(dtype)
    rules.check_view(x.shape, x.dtype.name, target.name, x.dtype.itemsize, target.itemsize)
    return np.ascontiguousarray(x).view(target)


# -- window functions -----------------------------------------------------------------

def _window(fn, name):
    def window(x):
        return fn(max(int(x), 0)).astype(floatx_np())

    window.__name__ = window.__qualname__ = name
    return window


bartlett = _window(np.bartlett, "bartlett")
blackman = _window(np.blackman, "blackman")
hamming = _window(np.hamming, "hamming")
hanning = _window(np.hanning, "hanning")


def kaiser(x, beta):
    return np.kaiser(max(int(x), 0), float(beta)).astype(floatx_np())

