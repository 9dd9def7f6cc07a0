"""The jax backend's array construction and manipulation ops (interface module ``array_shape``).

Built on ``jax.numpy`` with Kiln's dtype promotion; every function traces
under ``jax.jit`` (sizes, counts and axes are static Python values).

Example:
    >>> hstack([jnp.array([1, 2]), jnp.array([3])]).tolist()
    [1, 2, 3]
"""

import jax.numpy as jnp

from kiln.backend.common import array_rules as rules
from kiln.backend.common import dtypes
from kiln.backend.jax import array_ops as _ops
from kiln.backend.jax.core import _floatx, convert_to_tensor, native_dtype, promote, promotion_item

_t = convert_to_tensor


def _promoted(xs):
    xs = list(xs)
    return promote(*xs) if len(xs) > 1 else [_t(xs[0])]


# -- joining and splitting ----------------------------------------------------------

def append(x1, x2, axis=None):
    x1, x2 = promote(x1, x2)
    return jnp.append(x1, x2, axis=axis)


def array_split(x, indices_or_sections, axis=0):
    return jnp.array_split(_t(x), rules.sections(indices_or_sections), axis=int(axis))


def _equal_split(x, indices_or_sections, axis, name):
    return _ops.split(x, rules.equal_split_sections(name, x.shape, axis, indices_or_sections), axis=axis)


def hsplit(x, indices_or_sections):
    x = _t(x)
    return _equal_split(x, indices_or_sections, rules.hsplit_axis(x.ndim), "hsplit")


def vsplit(x, indices_or_sections):
    return _equal_split(_t(x), indices_or_sections, 0, "vsplit")


def dsplit(x, indices_or_sections):
    return _equal_split(_t(x), indices_or_sections, 2, "dsplit")


hstack, vstack, dstack = rules.stack_ops(jnp, _promoted)


# -- diagonals ----------------------------------------------------------------------

def diag(x, k=0):
    x = _t(x)
    rules.check_diag_input(x.shape)
    return jnp.diag(x, int(k))


def diagflat(x, k=0):
    return jnp.diagflat(_t(x), int(k))


def diagonal(x, offset=0, axis1=0, axis2=1):
    return jnp.diagonal(_t(x), int(offset), int(axis1), int(axis2))


def diff(a, n=1, axis=-1):
    return jnp.diff(_t(a), n=int(n), axis=int(axis))


# -- creation -----------------------------------------------------------------------

def empty(shape, dtype=None):
    return _ops.zeros(shape, dtype=dtype)


def empty_like(x, dtype=None):
    return _ops.zeros_like(x, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    return jnp.tri(int(N), None if M is None else int(M), int(k), dtype=native_dtype(dtype))


def vander(x, N=None, increasing=False):
    x = _t(x)
    rules.check_vander_input(x.shape)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    return jnp.vander(x, None if N is None else int(N), increasing=increasing).astype(x.dtype)


def meshgrid(*x, indexing="xy"):
    rules.check_meshgrid_indexing(indexing)
    return jnp.meshgrid(*[_t(v) for v in x], indexing=indexing)


def _space_dtype(start, stop, dtype):
    if dtype is not None:
        return native_dtype(dtype)
    return native_dtype(dtypes.float_result_type(promotion_item(start), promotion_item(stop)))


def _compute(v):
    """Operands of logspace/geomspace in float32 (or wider) for accuracy."""
    v = _t(v)
    return v if v.dtype in (jnp.float32, jnp.float64) else v.astype(jnp.float32)


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    native = _space_dtype(start, stop, dtype)
    out = jnp.logspace(_compute(start), _compute(stop), int(num), endpoint=endpoint,
                       base=_compute(base), axis=int(axis))
    return out.astype(native)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    native = _space_dtype(start, stop, dtype)
    out = jnp.geomspace(_compute(start), _compute(stop), int(num), endpoint=endpoint, axis=int(axis))
    return out.astype(native)


# -- flips and rotations --------------------------------------------------------------

fliplr, flipud = rules.flip_ops(jnp, _t)


def roll(x, shift, axis=None):
    if isinstance(shift, (list, tuple)):
        shift = tuple(shift)
    return jnp.roll(_t(x), shift, axis=axis)


def rot90(array, k=1, axes=(0, 1)):
    x = _t(array)
    rules.check_min_rank("rot90", x.shape, 2)
    return jnp.rot90(x, int(k), tuple(int(a) for a in axes))


# -- products -------------------------------------------------------------------------

def kron(x1, x2):
    x1, x2 = promote(x1, x2)
    return jnp.kron(x1, x2)


def inner(x1, x2):
    x1, x2 = promote(x1, x2)
    return jnp.inner(x1, x2)


def vdot(x1, x2):
    x1, x2 = promote(x1, x2)
    return jnp.vdot(x1, x2)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    x1, x2 = promote(x1, x2)
    rules.check_cross(x1.shape, x2.shape, axisa, axisb, axis)
    return jnp.cross(x1, x2, axisa, axisb, axisc, axis)


# -- selection and indices --------------------------------------------------------------

def select(condlist, choicelist, default=0):
    rules.check_select(condlist, choicelist)
    values = promote(*choicelist, default)
    conds = [_t(c).astype(jnp.bool_) for c in condlist]
    return jnp.select(conds, values[:-1], values[-1])


def unravel_index(indices, shape):
    indices = _t(indices)
    if not jnp.issubdtype(indices.dtype, jnp.integer):
        indices = indices.astype("int32")
    out = []
    rest = indices
    for d in reversed(tuple(int(d) for d in shape)):
        out.append(rest % d)
        rest = rest // d
    return tuple(reversed(out))


def view(x, dtype=None):
    x = _t(x)
    if dtype is None:
        return x
    target = native_dtype(dtype)
    rules.check_view(x.shape, x.dtype.name, target.name, x.dtype.itemsize, target.itemsize)
    return x.view(target)


# -- window functions -----------------------------------------------------------------

def _window(fn, name):
    def window(x):
        return fn(max(int(x), 0)).astype(native_dtype(_floatx()))

    window.__name__ = window.__qualname__ = name
    return window


bartlett = _window(jnp.bartlett, "bartlett")
blackman = _window(jnp.blackman, "blackman")
hamming = _window(jnp.hamming, "hamming")
hanning = _window(jnp.hanning, "hanning")


def kaiser(x, beta):
    return jnp.kaiser(max(int(x), 0), beta).astype(native_dtype(_floatx()))
