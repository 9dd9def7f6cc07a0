"""The tensorflow backend's array construction and manipulation ops (interface module ``array_shape``).

Built on TF kernels with Kiln's dtype promotion; every function traces under
``tf.function`` (sizes, counts and axes are static Python values, shapes
come from the static shape of the inputs).

Example:
    >>> hstack([tf.constant([1, 2]), tf.constant([3])]).numpy().tolist()
    [1, 2, 3]
"""

import math as _pymath

import tensorflow as tf

from kiln import config
from kiln.backend.common import array_rules as rules
from kiln.backend.common.dtypes import float_result_type, result_type
from kiln.backend.tensorflow import array_ops as _ops
from kiln.backend.tensorflow.core import convert_to_tensor, tf_dtype

_t = convert_to_tensor
_PY = (bool, int, float, complex)
# Integer dtypes that TF's matmul kernels accept.
_MATMUL_INTS = (tf.int32, tf.int64)


def _to_numpy(indices):
    return indices.numpy() if isinstance(indices, tf.Tensor) else indices


def _common(*xs):
    """Tensors of the promoted dtype of ``xs`` (Python scalars are weak)."""
    items = [x if type(x) in _PY else _t(x) for x in xs]
    dtype = result_type(*[x if type(x) in _PY else x.dtype.name for x in items])
    return [_t(x, dtype) for x in items]


def _along(axis, ndim, piece):
    """A ``__getitem__`` key applying ``piece`` (a slice or int) on ``axis``."""
    axis = axis % ndim
    return (slice(None),) * axis + (piece,)


# -- joining and splitting ----------------------------------------------------------

def append(x1, x2, axis=None):
    x1, x2 = _common(x1, x2)
    if axis is None:
        return tf.concat([tf.reshape(x1, [-1]), tf.reshape(x2, [-1])], 0)
    return tf.concat([x1, x2], int(axis))


def array_split(x, indices_or_sections, axis=0):
    x = _t(x)
    axis = int(axis)
    length = x.shape[axis]
    sections = rules.sections(indices_or_sections, _to_numpy)
    if isinstance(sections, int):
        rules.check_positive_sections(sections)
        if length is None:
            raise ValueError("array_split: the split axis must have a known size")
        base, extra = divmod(length, sections)
        bounds = [0]
        for i in range(sections):
            bounds.append(bounds[-1] + base + (1 if i < extra else 0))
        pairs = zip(bounds[:-1], bounds[1:])
    else:
        bounds = [0] + sections + [None]
        pairs = zip(bounds[:-1], bounds[1:])
    return [x[_along(axis, x.shape.rank, slice(a, b))] for a, b in pairs]


def _equal_split(x, indices_or_sections, axis, name):
    return _ops.split(x, rules.equal_split_sections(name, x.shape, axis, indices_or_sections, _to_numpy), axis=axis)


def hsplit(x, indices_or_sections):
    x = _t(x)
    return _equal_split(x, indices_or_sections, rules.hsplit_axis(x.shape.rank), "hsplit")


def vsplit(x, indices_or_sections):
    return _equal_split(_t(x), indices_or_sections, 0, "vsplit")


def dsplit(x, indices_or_sections):
    return _equal_split(_t(x), indices_or_sections, 2, "dsplit")


def _at_least(x, rank):
    """NumPy's atleast_1d/2d/3d: (N,) -> (1, N) -> (1, N, 1); (M, N) -> (M, N, 1)."""
    ndim = x.shape.rank
    if ndim >= rank:
        return x
    if ndim == 0:
        return tf.reshape(x, [1] * rank)
    if ndim == 1:
        x = x[None]
        return x if rank == 2 else x[..., None]
    return x[..., None]


def hstack(xs):
    xs = _common(*xs)
    if xs[0].shape.rank <= 1:
        return tf.concat([tf.reshape(x, [-1]) for x in xs], 0)
    return tf.concat(xs, 1)


def vstack(xs):
    return tf.concat([_at_least(x, 2) for x in _common(*xs)], 0)


def dstack(xs):
    return tf.concat([_at_least(x, 3) for x in _common(*xs)], 2)


# -- diagonals ----------------------------------------------------------------------

def diag(x, k=0):
    x = _t(x)
    if x.shape.rank == 1:
        return tf.linalg.diag(x, k=int(k))
    if x.shape.rank == 2:
        return _diag_part(x, int(k))
    rules.check_diag_input(x.shape)


def _diag_part(x, k):
    """Diagonal ``k`` of the last two axes; empty when it lies outside the matrix."""
    rows, cols = x.shape[-2], x.shape[-1]
    if rows is not None and cols is not None and not -rows < k < cols:
        return tf.zeros(tuple(x.shape[:-2]) + (0,), x.dtype)
    return tf.linalg.diag_part(x, k=k)


def diagflat(x, k=0):
    return tf.linalg.diag(tf.reshape(_t(x), [-1]), k=int(k))


def diagonal(x, offset=0, axis1=0, axis2=1):
    x = _t(x)
    ndim = x.shape.rank
    if ndim < 2:
        raise ValueError(f"diagonal: input must have rank >= 2, received shape {tuple(x.shape)}")
    a1, a2 = int(axis1) % ndim, int(axis2) % ndim
    if a1 == a2:
        raise ValueError(f"diagonal: axis1 and axis2 must differ, received {axis1} and {axis2}")
    perm = [i for i in range(ndim) if i not in (a1, a2)] + [a1, a2]
    return _diag_part(tf.transpose(x, perm), int(offset))


def diff(a, n=1, axis=-1):
    a = _t(a)
    ndim = a.shape.rank
    for _ in range(int(n)):
        upper = a[_along(int(axis), ndim, slice(1, None))]
        lower = a[_along(int(axis), ndim, slice(None, -1))]
        a = tf.not_equal(upper, lower) if a.dtype is tf.bool else upper - lower
    return a


# -- creation -----------------------------------------------------------------------

def empty(shape, dtype=None):
    return _ops.zeros(shape, dtype=dtype)


def empty_like(x, dtype=None):
    return _ops.zeros_like(x, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    N = int(N)
    M = N if M is None else int(M)
    rows = tf.range(N)[:, None]
    cols = tf.range(M)[None, :]
    return tf.cast(cols <= rows + int(k), tf_dtype(dtype))


def vander(x, N=None, increasing=False):
    x = _t(x)
    rules.check_vander_input(x.shape)
    if x.dtype is tf.bool:
        x = tf.cast(x, tf.int32)
    n = x.shape[0] if N is None else int(N)
    powers = tf.range(n, dtype=x.dtype) if increasing else tf.range(n - 1, -1, -1, dtype=x.dtype)
    if x.dtype.is_integer:
        # Integer powers by repeated multiplication (tf.pow has no kernel for small ints).
        cols = []
        column = tf.ones_like(x)
        for _ in range(n):
            cols.append(column)
            column = column * x
        out = tf.stack(cols, axis=1) if n else tf.zeros((x.shape[0], 0), x.dtype)
        return out if increasing else out[:, ::-1]
    return tf.pow(x[:, None], powers[None, :])


def meshgrid(*x, indexing="xy"):
    rules.check_meshgrid_indexing(indexing)
    vectors = [tf.reshape(_t(v), [-1]) for v in x]
    # Each grid keeps its input's dtype (tf.meshgrid wants one dtype for all).
    axes = list(range(len(vectors)))
    if indexing == "xy" and len(vectors) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(vectors)
    for v, axis in zip(vectors, axes):
        shape[axis] = v.shape[0] if v.shape[0] is not None else tf.shape(v)[0]
    out = []
    for v, axis in zip(vectors, axes):
        view_shape = [1] * len(vectors)
        view_shape[axis] = -1
        out.append(tf.broadcast_to(tf.reshape(v, view_shape), tf.stack(shape)))
    return out


def _space_dtype(start, stop, dtype):
    if dtype is not None:
        return tf_dtype(dtype)
    keys = [v if type(v) in _PY else _t(v).dtype.name for v in (start, stop)]
    return tf_dtype(float_result_type(*keys))


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    out_dtype = _space_dtype(start, stop, dtype)
    compute = tf.float64 if out_dtype is tf.float64 else tf.float32
    exponents = _ops.linspace(start, stop, num, endpoint=endpoint, dtype=compute.name, axis=axis)
    return tf.cast(tf.pow(tf.cast(_t(base), compute), exponents), out_dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    out_dtype = _space_dtype(start, stop, dtype)
    compute = tf.float64 if out_dtype is tf.float64 else tf.float32
    start, stop = tf.cast(_t(start), compute), tf.cast(_t(stop), compute)
    log10 = _pymath.log(10.0)
    exponents = _ops.linspace(tf.math.log(tf.abs(start)) / log10, tf.math.log(tf.abs(stop)) / log10,
                              num, endpoint=endpoint, dtype=compute.name, axis=axis)
    sign = tf.sign(start)
    if sign.shape.rank:
        sign = tf.expand_dims(sign, int(axis))
    return tf.cast(sign * tf.pow(tf.constant(10.0, compute), exponents), out_dtype)


# -- flips and rotations --------------------------------------------------------------

def fliplr(x):
    x = _t(x)
    rules.check_min_rank("fliplr", x.shape, 2)
    return tf.reverse(x, [1])


def flipud(x):
    x = _t(x)
    rules.check_min_rank("flipud", x.shape, 1)
    return tf.reverse(x, [0])


def roll(x, shift, axis=None):
    x = _t(x)
    if isinstance(shift, (list, tuple)):
        shift = [int(s) for s in shift]
    if axis is None:
        flat = tf.reshape(x, [-1])
        total = sum(shift) if isinstance(shift, list) else shift
        return tf.reshape(tf.roll(flat, total, 0), tf.shape(x))
    axis = [int(a) for a in axis] if isinstance(axis, (list, tuple)) else [int(axis)]
    shift, axis = rules.check_roll_axes(shift, axis)
    return tf.roll(x, shift, axis)



def rot90(array, k=1, axes=(0, 1)):
    x = _t(array)
    ndim = x.shape.rank
    rules.check_min_rank("rot90", x.shape, 2)
    a0, a1 = int(axes[0]) % ndim, int(axes[1]) % ndim
    if a0 == a1:
        raise ValueError(f"rot90: the two axes must differ, received {axes}")
    k = int(k) % 4
    if k == 0:
        return x
    if k == 2:
        return tf.reverse(x, [a0, a1])
    perm = list(range(ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return tf.transpose(tf.reverse(x, [a1]), perm)
    return tf.reverse(tf.transpose(x, perm), [a1])


# -- products -------------------------------------------------------------------------

def kron(x1, x2):
    x1, x2 = _common(x1, x2)
    rank = max(x1.shape.rank, x2.shape.rank)
    s1 = [1] * (rank - x1.shape.rank) + list(x1.shape)
    s2 = [1] * (rank - x2.shape.rank) + list(x2.shape)
    a = tf.reshape(x1, [d for pair in zip(s1, [1] * rank) for d in pair])
    b = tf.reshape(x2, [d for pair in zip([1] * rank, s2) for d in pair])
    product = tf.logical_and(a, b) if x1.dtype is tf.bool else a * b
    return tf.reshape(product, [d1 * d2 for d1, d2 in zip(s1, s2)])


def _contract(x1, x2, axes):
    """tensordot for every dtype (small ints and bool go through int32)."""
    dtype = x1.dtype
    if dtype.is_floating or dtype.is_complex or dtype in _MATMUL_INTS:
        return tf.tensordot(x1, x2, axes)
    out = tf.tensordot(tf.cast(x1, tf.int32), tf.cast(x2, tf.int32), axes)
    return tf.not_equal(out, 0) if dtype is tf.bool else tf.cast(out, dtype)


def inner(x1, x2):
    x1, x2 = _common(x1, x2)
    if x1.shape.rank == 0 or x2.shape.rank == 0:
        return tf.logical_and(x1, x2) if x1.dtype is tf.bool else x1 * x2
    if x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"inner: the last dimensions of shapes {tuple(x1.shape)} and "
                         f"{tuple(x2.shape)} differ")
    return _contract(x1, x2, [[x1.shape.rank - 1], [x2.shape.rank - 1]])


def vdot(x1, x2):
    x1, x2 = _common(x1, x2)
    a, b = tf.reshape(x1, [-1]), tf.reshape(x2, [-1])
    if a.shape[0] is not None and b.shape[0] is not None and a.shape[0] != b.shape[0]:
        raise ValueError(f"vdot: inputs must have the same number of elements, received shapes "
                         f"{tuple(x1.shape)} and {tuple(x2.shape)}")
    if a.dtype.is_complex:
        a = tf.math.conj(a)
    return _contract(a, b, 1)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = _common(x1, x2)
    rules.check_cross(x1.shape, x2.shape, int(axisa), int(axisb), None)
    a = tf.unstack(x1, axis=int(axisa))
    b = tf.unstack(x2, axis=int(axisb))
    z = a[0] * b[1] - a[1] * b[0]
    if len(a) == 2 and len(b) == 2:
        return z
    zero = tf.zeros_like(z)
    a2 = a[2] if len(a) == 3 else zero
    b2 = b[2] if len(b) == 3 else zero
    x = a[1] * b2 - a2 * b[1]
    y = a2 * b[0] - a[0] * b2
    shape = tf.broadcast_dynamic_shape(tf.broadcast_dynamic_shape(tf.shape(x), tf.shape(y)), tf.shape(z))
    parts = [tf.broadcast_to(p, shape) for p in (x, y, z)]
    rank = len(parts[0].shape)
    return tf.stack(parts, axis=int(axisc) % (rank + 1))


# -- selection and indices --------------------------------------------------------------

def select(condlist, choicelist, default=0):
    rules.check_select(condlist, choicelist)
    values = _common(*choicelist, default)
    conds = [tf.cast(_t(c), tf.bool) for c in condlist]
    shape = tf.shape(values[-1])
    for t in conds + values[:-1]:
        shape = tf.broadcast_dynamic_shape(shape, tf.shape(t))
    out = tf.broadcast_to(values[-1], shape)
    for cond, value in zip(reversed(conds), reversed(values[:-1])):
        out = tf.where(cond, value, out)
    return out


def unravel_index(indices, shape):
    indices = _t(indices)
    if not indices.dtype.is_integer:
        indices = tf.cast(indices, tf.int32)
    out = []
    rest = indices
    for d in reversed(tuple(int(d) for d in shape)):
        out.append(tf.math.floormod(rest, d))
        rest = tf.math.floordiv(rest, d)
    return tuple(reversed(out))


def view(x, dtype=None):
    x = _t(x)
    if dtype is None:
        return tf.identity(x)
    target = tf_dtype(dtype)
    source = x.dtype
    if source is tf.bool:
        x = tf.cast(x, tf.uint8)
    bits = tf.uint8 if target is tf.bool else target
    ratio_in, ratio_out = x.dtype.size, bits.size
    shape = list(x.shape)
    rules.check_view(x.shape, source.name, target.name, ratio_in, ratio_out)
    if ratio_in == ratio_out:
        out = tf.bitcast(x, bits)
    elif ratio_in > ratio_out:
        out = tf.bitcast(x, bits)
        out = tf.reshape(out, shape[:-1] + [shape[-1] * (ratio_in // ratio_out)])
    else:
        factor = ratio_out // ratio_in
        if shape[-1] % factor:
            raise ValueError(f"view: the last axis of shape {tuple(shape)} is not divisible by "
                             f"{factor} to view {source.name} as {target.name}")
        out = tf.bitcast(tf.reshape(x, shape[:-1] + [shape[-1] // factor, factor]), bits)
    return tf.not_equal(out, 0) if target is tf.bool else out


# -- window functions -----------------------------------------------------------------

def _positions(x):
    """Window length ``M`` and ``2 pi n / (M - 1)`` for ``n`` in ``0..M-1`` (float64)."""
    m = max(int(x), 0)
    n = tf.range(m, dtype=tf.float64)
    return m, n, 2.0 * _pymath.pi * n / max(m - 1, 1)


def _finish(values, m):
    if m == 1:
        values = tf.ones([1], tf.float64)
    return tf.cast(values, tf_dtype(config.floatx()))


def bartlett(x):
    m, n, _ = _positions(x)
    return _finish(1.0 - tf.abs(2.0 * n / max(m - 1, 1) - 1.0), m)


def blackman(x):
    m, _, phase = _positions(x)
    return _finish(0.42 - 0.5 * tf.cos(phase) + 0.08 * tf.cos(2.0 * phase), m)


def hamming(x):
    m, _, phase = _positions(x)
    return _finish(0.54 - 0.46 * tf.cos(phase), m)


def hanning(x):
    m, _, phase = _positions(x)
    return _finish(0.5 - 0.5 * tf.cos(phase), m)


def kaiser(x, beta):
    m, n, _ = _positions(x)
    beta = tf.cast(_t(beta), tf.float64)
    ratio = 2.0 * n / max(m - 1, 1) - 1.0
    values = tf.math.bessel_i0(beta * tf.sqrt(tf.maximum(1.0 - ratio * ratio, 0.0))) / tf.math.bessel_i0(beta)
    return _finish(values, m)
