"""Array construction and manipulation ops of ``kiln.ops.numpy`` (also ``kiln.ops.<name>``).

This module holds one family of the NumPy-style ops; ``kiln.ops.numpy``
re-exports everything in ``__all__``. Each op forwards to the backend's
``array_shape`` module and declares its symbolic shape/dtype rule.

Example:
    >>> import kiln
    >>> kiln.ops.convert_to_numpy(kiln.ops.vstack([[1, 2], [3, 4]])).tolist()
    [[1, 2], [3, 4]]
"""

import builtins
import math as _pymath

import numpy as np

from kiln import config
from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.core import get_item
from kiln.ops.numpy import _axis, _dtype, _static_int
from kiln.ops.operation import op

_array_shape = _backend.array_shape

__all__ = [
    "append",
    "array_split",
    "dsplit",
    "hsplit",
    "vsplit",
    "dstack",
    "hstack",
    "vstack",
    "diag",
    "diagflat",
    "diagonal",
    "diff",
    "empty",
    "empty_like",
    "fliplr",
    "flipud",
    "roll",
    "rot90",
    "tri",
    "vander",
    "meshgrid",
    "geomspace",
    "logspace",
    "kron",
    "inner",
    "vdot",
    "cross",
    "select",
    "unravel_index",
    "view",
    "get_item",
    "bartlett",
    "blackman",
    "hamming",
    "hanning",
    "kaiser",
]


# -- helpers for the symbolic rules -----------------------------------------------------

def _size(shape):
    """Number of elements of a static shape, None when a dimension is unknown."""
    return None if None in shape else int(_pymath.prod(shape))


def _add(a, b):
    return None if a is None or b is None else a + b


def _promoted(xs):
    return dtypes.result_type(*(rules.dtype_of(x) for x in xs))


def _merge_dim(a, b, name, shapes):
    if a is None:
        return b
    if b is not None and a != b:
        raise ValueError(f"{name}: incompatible shapes {shapes[0]} and {shapes[1]}")
    return a


def _join_spec(shapes, axis, dtype, name):
    """Shape of concatenating ``shapes`` (same rank) along ``axis``."""
    rank = len(shapes[0])
    out = list(shapes[0])
    for s in shapes[1:]:
        if len(s) != rank:
            raise ValueError(f"{name}: all inputs must have the same rank, received shapes {shapes}")
        for i, d in enumerate(s):
            if i == axis:
                out[i] = _add(out[i], d)
            else:
                out[i] = _merge_dim(out[i], d, name, (tuple(out), s))
    return KerasTensor(tuple(out), dtype)


def _at_least(shape, rank):
    """Shape after NumPy's atleast_1d/2d/3d."""
    if len(shape) >= rank:
        return shape
    if not shape:
        return (1,) * rank
    if len(shape) == 1:
        return (1,) + shape if rank == 2 else (1,) + shape + (1,)
    return shape + (1,)


def _sections_list(indices_or_sections):
    if isinstance(indices_or_sections, (int, np.integer)):
        return int(indices_or_sections)
    return [int(i) for i in np.asarray(indices_or_sections).reshape(-1)]


def _slice_lengths(length, indices):
    """Lengths of ``x[a:b]`` pieces cut at ``indices`` (Python slice semantics)."""
    bounds = [0] + list(indices) + [None]
    if length is None:
        return [None] * (len(indices) + 1)
    return [len(range(length)[builtins.slice(a, b)]) for a, b in zip(bounds[:-1], bounds[1:])]


# -- joining and splitting ----------------------------------------------------------

def _append_spec(x1, x2, axis=None):
    s1, s2 = rules.shape_of(x1), rules.shape_of(x2)
    dtype = _promoted((x1, x2))
    if axis is None:
        return KerasTensor((_add(_size(s1), _size(s2)),), dtype)
    if len(s1) != len(s2):
        raise ValueError(f"append: inputs must have the same rank, received shapes {s1} and {s2}")
    return _join_spec([s1, s2], _axis(axis, len(s1), "append"), dtype, "append")


@op(_append_spec)
def append(x1, x2, axis=None):
    """Join ``x2`` to the end of ``x1`` along ``axis``; both are flattened when ``axis`` is None.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.append([1, 2], [[3], [4]])).tolist()
        [1, 2, 3, 4]
    """
    return _array_shape.append(x1, x2, axis=axis)


def _array_split_spec(x, indices_or_sections, axis=0):
    shape = rules.shape_of(x)
    axis = _axis(axis, len(shape), "array_split")
    length = shape[axis]
    sections = _sections_list(indices_or_sections)
    if isinstance(sections, int):
        if sections <= 0:
            raise ValueError(f"array_split: indices_or_sections must be positive, received {sections}")
        if length is None:
            sizes = [None] * sections
        else:
            base, extra = divmod(length, sections)
            sizes = [base + 1 if i < extra else base for i in range(sections)]
    else:
        sizes = _slice_lengths(length, sections)
    dtype = _dtype(x)
    return [KerasTensor(shape[:axis] + (s,) + shape[axis + 1:], dtype) for s in sizes]


@op(_array_split_spec)
def array_split(x, indices_or_sections, axis=0):
    """Split into ``indices_or_sections`` nearly equal parts (the first ones one longer), or at indices.

    Unlike :func:`split`, the axis need not divide evenly.

    Example:
        >>> import kiln
        >>> [kiln.ops.convert_to_numpy(t).tolist() for t in kiln.ops.array_split([1, 2, 3, 4, 5], 2)]
        [[1, 2, 3], [4, 5]]
    """
    return _array_shape.array_split(x, indices_or_sections, axis=axis)


def _equal_split_spec(name, axis_fn):
    def spec(x, indices_or_sections):
        shape = rules.shape_of(x)
        axis = axis_fn(len(shape))
        if len(shape) <= axis:
            raise ValueError(f"{name}: input must have rank > {axis}, received shape {shape}")
        length = shape[axis]
        sections = _sections_list(indices_or_sections)
        if isinstance(sections, int):
            if sections <= 0 or (length is not None and length % sections):
                raise ValueError(
                    f"{name}: axis {axis} of size {length} cannot be split into {sections} equal sections")
            sizes = [None if length is None else length // sections] * sections
        else:
            sizes = _slice_lengths(length, sections)
        dtype = _dtype(x)
        return [KerasTensor(shape[:axis] + (s,) + shape[axis + 1:], dtype) for s in sizes]

    return spec


@op(_equal_split_spec("hsplit", lambda ndim: 1 if ndim > 1 else 0))
def hsplit(x, indices_or_sections):
    """Split horizontally: along axis 1 (axis 0 for 1-D input), into equal parts or at indices.

    Example:
        >>> import kiln
        >>> [kiln.ops.shape(t) for t in kiln.ops.hsplit(kiln.ops.ones((2, 4)), 2)]
        [(2, 2), (2, 2)]
    """
    return _array_shape.hsplit(x, indices_or_sections)


@op(_equal_split_spec("vsplit", lambda ndim: 0))
def vsplit(x, indices_or_sections):
    """Split vertically (along axis 0) into equal parts or at indices; needs rank >= 2 in NumPy terms.

    Example:
        >>> import kiln
        >>> [kiln.ops.shape(t) for t in kiln.ops.vsplit(kiln.ops.ones((4, 2)), [1])]
        [(1, 2), (3, 2)]
    """
    return _array_shape.vsplit(x, indices_or_sections)


@op(_equal_split_spec("dsplit", lambda ndim: 2))
def dsplit(x, indices_or_sections):
    """Split along the depth axis (axis 2) into equal parts or at indices.

    Example:
        >>> import kiln
        >>> [kiln.ops.shape(t) for t in kiln.ops.dsplit(kiln.ops.ones((1, 2, 4)), 2)]
        [(1, 2, 2), (1, 2, 2)]
    """
    return _array_shape.dsplit(x, indices_or_sections)


def _check_list(xs, name):
    if not isinstance(xs, (list, tuple)) or not len(xs):
        raise ValueError(f"{name}: xs must be a non-empty list of tensors, received {xs!r}")


def _hstack_spec(xs):
    _check_list(xs, "hstack")
    shapes = [rules.shape_of(x) for x in xs]
    dtype = _promoted(xs)
    if len(shapes[0]) <= 1:
        total = 0
        for s in shapes:
            total = _add(total, _size(s))
        return KerasTensor((total,), dtype)
    return _join_spec(shapes, 1, dtype, "hstack")


@op(_hstack_spec)
def hstack(xs):
    """Stack tensors horizontally: join along axis 1 (axis 0 for 1-D inputs).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.hstack([[1, 2], [3]])).tolist()
        [1, 2, 3]
    """
    return _array_shape.hstack(xs)


def _vstack_spec(xs):
    _check_list(xs, "vstack")
    return _join_spec([_at_least(rules.shape_of(x), 2) for x in xs], 0, _promoted(xs), "vstack")


@op(_vstack_spec)
def vstack(xs):
    """Stack tensors vertically: 1-D inputs become rows, then join along axis 0.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.vstack([[1, 2], [3, 4]])).tolist()
        [[1, 2], [3, 4]]
    """
    return _array_shape.vstack(xs)


def _dstack_spec(xs):
    _check_list(xs, "dstack")
    return _join_spec([_at_least(rules.shape_of(x), 3) for x in xs], 2, _promoted(xs), "dstack")


@op(_dstack_spec)
def dstack(xs):
    """Stack tensors along a third (depth) axis; (N,) becomes (1, N, 1) and (M, N) becomes (M, N, 1).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.dstack([[1, 2], [3, 4]]))
        (1, 2, 2)
    """
    return _array_shape.dstack(xs)


# -- diagonals ----------------------------------------------------------------------

def _diag_length(rows, cols, k):
    if rows is None or cols is None:
        return None
    return builtins.max(0, builtins.min(rows + builtins.min(k, 0), cols - builtins.max(k, 0)))


def _diag_spec(x, k=0):
    shape = rules.shape_of(x)
    k = int(k)
    if len(shape) == 1:
        n = _add(shape[0], builtins.abs(k))
        return KerasTensor((n, n), _dtype(x))
    if len(shape) == 2:
        return KerasTensor((_diag_length(shape[0], shape[1], k),), _dtype(x))
    raise ValueError(f"diag: input must be 1-D or 2-D, received shape {shape}")


@op(_diag_spec)
def diag(x, k=0):
    """Build a matrix with the 1-D ``x`` on diagonal ``k``, or take diagonal ``k`` of a 2-D ``x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.diag([1, 2])).tolist()
        [[1, 0], [0, 2]]
    """
    return _array_shape.diag(x, k=k)


def _diagflat_spec(x, k=0):
    n = _add(_size(rules.shape_of(x)), builtins.abs(int(k)))
    return KerasTensor((n, n), _dtype(x))


@op(_diagflat_spec)
def diagflat(x, k=0):
    """A square matrix with the flattened ``x`` on diagonal ``k`` and zeros elsewhere.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.diagflat([[1, 2]], k=1)).tolist()
        [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    """
    return _array_shape.diagflat(x, k=k)


def _plane_axes(shape, axis1, axis2, name, rank_error):
    """The two distinct, non-negative axes of a diagonal/trace over ``shape`` and the other dims.

    ``rank_error`` words the complaint about a rank below 2.
    """
    if len(shape) < 2:
        raise ValueError(f"{name}: {rank_error}, received shape {shape}")
    a1, a2 = _axis(axis1, len(shape), name), _axis(axis2, len(shape), name)
    if a1 == a2:
        raise ValueError(f"{name}: axis1 and axis2 must differ, received {axis1} and {axis2}")
    return a1, a2, tuple(d for i, d in enumerate(shape) if i not in (a1, a2))


def _diagonal_spec(x, offset=0, axis1=0, axis2=1):
    shape = rules.shape_of(x)
    a1, a2, rest = _plane_axes(shape, axis1, axis2, "diagonal", "input must have rank >= 2")
    return KerasTensor(rest + (_diag_length(shape[a1], shape[a2], int(offset)),), _dtype(x))


@op(_diagonal_spec)
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal ``offset`` of the 2-D slices over ``axis1``/``axis2``, as a new last axis.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.diagonal([[1, 2], [3, 4]])).tolist()
        [1, 4]
    """
    return _array_shape.diagonal(x, offset=offset, axis1=axis1, axis2=axis2)


def _diff_spec(a, n=1, axis=-1):
    shape = rules.shape_of(a)
    if int(n) < 0:
        raise ValueError(f"diff: n must be non-negative, received {n}")
    if not shape:
        raise ValueError("diff: input must have rank >= 1, received a scalar")
    axis = _axis(axis, len(shape), "diff")
    length = shape[axis]
    new = None if length is None else builtins.max(0, length - int(n))
    return KerasTensor(shape[:axis] + (new,) + shape[axis + 1:], _dtype(a))


@op(_diff_spec)
def diff(a, n=1, axis=-1):
    """The ``n``-th discrete difference ``a[i + 1] - a[i]`` along ``axis``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.diff([1, 4, 9, 16])).tolist()
        [3, 5, 7]
    """
    return _array_shape.diff(a, n=n, axis=axis)


# -- creation -----------------------------------------------------------------------

def _empty_spec(shape, dtype=None):
    shape = (shape,) if isinstance(shape, int) else tuple(
        None if d is None or isinstance(d, KerasTensor) else int(d) for d in shape)
    return KerasTensor(shape, dtypes.standardize_dtype(dtype))


@op(_empty_spec)
def empty(shape, dtype=None):
    """A tensor of ``shape`` whose values are unspecified (Kiln fills it with zeros).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.empty((2, 3)))
        (2, 3)
    """
    return _array_shape.empty(shape, dtype=dtype)


def _empty_like_spec(x, dtype=None):
    return KerasTensor(rules.shape_of(x), _dtype(x) if dtype is None else dtypes.standardize_dtype(dtype))


@op(_empty_like_spec)
def empty_like(x, dtype=None):
    """An uninitialized (here: zero) tensor with the shape and, by default, the dtype of ``x``.

    Example:
        >>> import kiln
        >>> kiln.ops.dtype(kiln.ops.empty_like([1, 2]))
        'int32'
    """
    return _array_shape.empty_like(x, dtype=dtype)


def _tri_spec(N, M=None, k=0, dtype=None):
    return KerasTensor((_static_int(N), _static_int(N if M is None else M)),
                       dtypes.standardize_dtype(dtype))


@op(_tri_spec)
def tri(N, M=None, k=0, dtype=None):
    """An ``N x M`` matrix with ones at and below diagonal ``k`` and zeros above it.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.tri(2, 3, k=1)).tolist()
        [[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]]
    """
    return _array_shape.tri(N, M=M, k=k, dtype=dtype)


def _vander_spec(x, N=None, increasing=False):
    shape = rules.shape_of(x)
    if len(shape) != 1:
        raise ValueError(f"vander: x must be 1-D, received shape {shape}")
    dtype = _dtype(x)
    cols = shape[0] if N is None else int(N)
    return KerasTensor((shape[0], cols), "int32" if dtype == "bool" else dtype)


@op(_vander_spec)
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of ``x``: columns are powers of ``x``, highest first unless ``increasing``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.vander([1, 2, 3], N=3)).tolist()
        [[1, 1, 1], [4, 2, 1], [9, 3, 1]]
    """
    return _array_shape.vander(x, N=N, increasing=increasing)


def _meshgrid_spec(*x, indexing="xy"):
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', received {indexing!r}")
    sizes = [_size(rules.shape_of(v)) for v in x]
    if indexing == "xy" and len(sizes) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    return [KerasTensor(tuple(sizes), _dtype(v)) for v in x]


@op(_meshgrid_spec)
def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors (``"xy"``: Cartesian, ``"ij"``: matrix indexing).

    Example:
        >>> import kiln
        >>> [kiln.ops.shape(g) for g in kiln.ops.meshgrid([1, 2, 3], [4, 5])]
        [(2, 3), (2, 3)]
    """
    return _array_shape.meshgrid(*x, indexing=indexing)


def _space_shape(name, start, stop, num, dtype, axis):
    if dtype is None:
        dtype = dtypes.float_result_type(rules.dtype_of(start), rules.dtype_of(stop))
    base = rules.broadcast_shapes(rules.shape_of(start), rules.shape_of(stop), name)
    num = int(num)
    if num < 0:
        raise ValueError(f"{name}: num must be non-negative, received {num}")
    axis = _axis(axis, len(base) + 1, name)
    return KerasTensor(base[:axis] + (num,) + base[axis:], dtypes.standardize_dtype(dtype))


def _logspace_spec(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    return _space_shape("logspace", start, stop, num, dtype, axis)


@op(_logspace_spec)
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``num`` numbers evenly spaced on a log scale, from ``base**start`` to ``base**stop``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.logspace(0, 2, 3)).tolist()
        [1.0, 10.0, 100.0]
    """
    return _array_shape.logspace(start, stop, num=num, endpoint=endpoint, base=base, dtype=dtype,
                                 axis=axis)


def _geomspace_spec(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return _space_shape("geomspace", start, stop, num, dtype, axis)


@op(_geomspace_spec)
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` numbers from ``start`` to ``stop`` in geometric progression (a constant ratio).

    Example:
        >>> import kiln
        >>> [round(v, 3) for v in kiln.ops.convert_to_numpy(kiln.ops.geomspace(1, 8, 4)).tolist()]
        [1.0, 2.0, 4.0, 8.0]
    """
    return _array_shape.geomspace(start, stop, num=num, endpoint=endpoint, dtype=dtype, axis=axis)


# -- flips and rotations --------------------------------------------------------------

def _fliplr_spec(x):
    shape = rules.shape_of(x)
    if len(shape) < 2:
        raise ValueError(f"fliplr: input must have rank >= 2, received shape {shape}")
    return KerasTensor(shape, _dtype(x))


@op(_fliplr_spec)
def fliplr(x):
    """Reverse the order of the columns (axis 1).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.fliplr([[1, 2], [3, 4]])).tolist()
        [[2, 1], [4, 3]]
    """
    return _array_shape.fliplr(x)


def _flipud_spec(x):
    shape = rules.shape_of(x)
    if not shape:
        raise ValueError("flipud: input must have rank >= 1, received a scalar")
    return KerasTensor(shape, _dtype(x))


@op(_flipud_spec)
def flipud(x):
    """Reverse the order of the rows (axis 0).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.flipud([[1, 2], [3, 4]])).tolist()
        [[3, 4], [1, 2]]
    """
    return _array_shape.flipud(x)


def _roll_spec(x, shift, axis=None):
    shape = rules.shape_of(x)
    if axis is not None:
        rules.canonical_axes(axis, len(shape), "roll")
    return KerasTensor(shape, _dtype(x))


@op(_roll_spec)
def roll(x, shift, axis=None):
    """Shift elements cyclically by ``shift`` along ``axis`` (of the flattened tensor when None).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.roll([1, 2, 3, 4], 1)).tolist()
        [4, 1, 2, 3]
    """
    return _array_shape.roll(x, shift, axis=axis)


def _rot90_spec(array, k=1, axes=(0, 1)):
    shape = rules.shape_of(array)
    if len(shape) < 2:
        raise ValueError(f"rot90: array must have rank >= 2, received shape {shape}")
    if len(axes) != 2:
        raise ValueError(f"rot90: axes must name two axes, received {axes}")
    a0, a1 = _axis(axes[0], len(shape), "rot90"), _axis(axes[1], len(shape), "rot90")
    if a0 == a1:
        raise ValueError(f"rot90: axes must be two different axes, received {axes}")
    out = list(shape)
    if int(k) % 2:
        out[a0], out[a1] = out[a1], out[a0]
    return KerasTensor(tuple(out), _dtype(array))


@op(_rot90_spec)
def rot90(array, k=1, axes=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``axes`` (from the first axis toward the second).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.rot90([[1, 2], [3, 4]])).tolist()
        [[2, 4], [1, 3]]
    """
    return _array_shape.rot90(array, k=k, axes=axes)


# -- products -------------------------------------------------------------------------

def _kron_spec(x1, x2):
    s1, s2 = rules.shape_of(x1), rules.shape_of(x2)
    rank = builtins.max(len(s1), len(s2))
    s1 = (1,) * (rank - len(s1)) + s1
    s2 = (1,) * (rank - len(s2)) + s2
    shape = tuple(None if a is None or b is None else a * b for a, b in zip(s1, s2))
    return KerasTensor(shape, _promoted((x1, x2)))


@op(_kron_spec)
def kron(x1, x2):
    """Kronecker product: every element of ``x1`` scales a whole copy of ``x2``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.kron([1, 10], [1, 2])).tolist()
        [1, 2, 10, 20]
    """
    return _array_shape.kron(x1, x2)


def _inner_spec(x1, x2):
    s1, s2 = rules.shape_of(x1), rules.shape_of(x2)
    dtype = _promoted((x1, x2))
    if not s1 or not s2:
        return KerasTensor(s1 or s2, dtype)
    if s1[-1] is not None and s2[-1] is not None and s1[-1] != s2[-1]:
        raise ValueError(f"inner: the last dimensions of shapes {s1} and {s2} differ")
    return KerasTensor(s1[:-1] + s2[:-1], dtype)


@op(_inner_spec)
def inner(x1, x2):
    """Inner product over the last axes of ``x1`` and ``x2`` (a plain product for scalars).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.inner([1, 2, 3], [4, 5, 6])).tolist()
        32
    """
    return _array_shape.inner(x1, x2)


def _vdot_spec(x1, x2):
    n1, n2 = _size(rules.shape_of(x1)), _size(rules.shape_of(x2))
    if n1 is not None and n2 is not None and n1 != n2:
        raise ValueError(f"vdot: inputs must have the same number of elements, received shapes "
                         f"{rules.shape_of(x1)} and {rules.shape_of(x2)}")
    return KerasTensor((), _promoted((x1, x2)))


@op(_vdot_spec)
def vdot(x1, x2):
    """Dot product of the flattened inputs (``x1`` is conjugated when complex).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.vdot([[1, 2], [3, 4]], [[1, 1], [1, 1]])).tolist()
        10
    """
    return _array_shape.vdot(x1, x2)


def _cross_spec(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    s1, s2 = rules.shape_of(x1), rules.shape_of(x2)
    dims = []
    rests = []
    for name, s, ax in (("x1", s1, axisa), ("x2", s2, axisb)):
        if not s:
            raise ValueError(f"cross: {name} must have rank >= 1, received shape {s}")
        ax = _axis(ax, len(s), "cross")
        if s[ax] not in (2, 3):
            raise ValueError(f"cross: {name} must have size 2 or 3 along the vector axis, received shape {s}")
        dims.append(s[ax])
        rests.append(s[:ax] + s[ax + 1:])
    batch = rules.broadcast_shapes(rests[0], rests[1], "cross")
    dtype = _promoted((x1, x2))
    if dims == [2, 2]:
        return KerasTensor(batch, dtype)
    axisc = _axis(axisc, len(batch) + 1, "cross")
    return KerasTensor(batch[:axisc] + (3,) + batch[axisc:], dtype)


@op(_cross_spec)
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (or 2-vectors, whose missing z is 0) along the vector axes.

    ``axisa``/``axisb``/``axisc`` pick the vector axis of ``x1``, ``x2`` and the
    result; ``axis`` sets all three. Two 2-vectors give the scalar z component.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.cross([1, 0, 0], [0, 1, 0])).tolist()
        [0, 0, 1]
    """
    return _array_shape.cross(x1, x2, axisa=axisa, axisb=axisb, axisc=axisc, axis=axis)


# -- selection and indices --------------------------------------------------------------

def _select_spec(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: condlist and choicelist must have the same length, received "
                         f"{len(condlist)} and {len(choicelist)}")
    if not len(condlist):
        raise ValueError("select: condlist must not be empty")
    shape = rules.shape_of(default)
    for t in list(condlist) + list(choicelist):
        shape = rules.broadcast_shapes(shape, rules.shape_of(t), "select")
    return KerasTensor(shape, _promoted(list(choicelist) + [default]))


@op(_select_spec)
def select(condlist, choicelist, default=0):
    """Pick, element-wise, from the first choice whose condition holds; ``default`` where none does.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([1, 5, 9])
        >>> kiln.ops.convert_to_numpy(kiln.ops.select([x < 3, x > 6], [x, -x], 0)).tolist()
        [1, 0, -9]
    """
    return _array_shape.select(condlist, choicelist, default=default)


def _unravel_index_spec(indices, shape):
    dtype = _dtype(indices)
    if not dtypes.is_int(dtype):
        dtype = "int32"
    return tuple(KerasTensor(rules.shape_of(indices), dtype) for _ in shape)


@op(_unravel_index_spec)
def unravel_index(indices, shape):
    """Turn flat indices into a tuple of coordinate tensors for an array of ``shape`` (C order).

    Example:
        >>> import kiln
        >>> [kiln.ops.convert_to_numpy(t).tolist() for t in kiln.ops.unravel_index([1, 5], (2, 3))]
        [[0, 1], [1, 2]]
    """
    return _array_shape.unravel_index(indices, shape)


def _itemsize(dtype):
    if dtype == "bool":
        return 1
    if dtype == "bfloat16":
        return 2
    return np.dtype(dtype).itemsize


def _view_spec(x, dtype=None):
    shape = rules.shape_of(x)
    source = _dtype(x)
    if dtype is None:
        return KerasTensor(shape, source)
    target = dtypes.standardize_dtype(dtype)
    size_in, size_out = _itemsize(source), _itemsize(target)
    if size_in == size_out:
        return KerasTensor(shape, target)
    if not shape:
        raise ValueError(f"view: a 0-d tensor of dtype {source} cannot be viewed as {target}")
    last = shape[-1]
    if last is not None:
        if (last * size_in) % size_out:
            raise ValueError(f"view: the last axis of shape {shape} ({source}) does not divide into "
                             f"whole {target} elements")
        last = last * size_in // size_out
    return KerasTensor(shape[:-1] + (last,), target)


@op(_view_spec)
def view(x, dtype=None):
    """Reinterpret the bits of ``x`` as ``dtype``; the last axis grows or shrinks by the itemsize ratio.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.view(kiln.ops.ones((2,), "float32"), "int32")).tolist()
        [1065353216, 1065353216]
    """
    return _array_shape.view(x, dtype=dtype)


# -- window functions -----------------------------------------------------------------

def _window_spec(x, *args):
    if isinstance(x, KerasTensor) and x.shape not in ((), (1,)):
        raise ValueError(f"window functions: the window length must be a scalar, received shape {x.shape}")
    length = _static_int(x)
    return KerasTensor((None if length is None else builtins.max(length, 0),), config.floatx())


@op(_window_spec)
def bartlett(x):
    """The Bartlett (triangular) window of length ``x``, peaking at 1 in the middle.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.bartlett(5)).tolist()
        [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    return _array_shape.bartlett(x)


@op(_window_spec)
def blackman(x):
    """The Blackman window of length ``x`` (a three-term cosine taper).

    Example:
        >>> import kiln
        >>> round(float(kiln.ops.convert_to_numpy(kiln.ops.blackman(5))[2]), 4)
        1.0
    """
    return _array_shape.blackman(x)


@op(_window_spec)
def hamming(x):
    """The Hamming window of length ``x``: ``0.54 - 0.46 cos(2 pi n / (x - 1))``.

    Example:
        >>> import kiln
        >>> [round(v, 4) for v in kiln.ops.convert_to_numpy(kiln.ops.hamming(3)).tolist()]
        [0.08, 1.0, 0.08]
    """
    return _array_shape.hamming(x)


@op(_window_spec)
def hanning(x):
    """The Hann window of length ``x``: ``0.5 - 0.5 cos(2 pi n / (x - 1))``.

    Example:
        >>> import kiln
        >>> [round(v, 4) for v in kiln.ops.convert_to_numpy(kiln.ops.hanning(3)).tolist()]
        [0.0, 1.0, 0.0]
    """
    return _array_shape.hanning(x)


def _kaiser_spec(x, beta):
    return _window_spec(x)


@op(_kaiser_spec)
def kaiser(x, beta):
    """The Kaiser window of length ``x``; ``beta`` sets the trade-off between main lobe and side lobes.

    Example:
        >>> import kiln
        >>> [round(v, 4) for v in kiln.ops.convert_to_numpy(kiln.ops.kaiser(3, 0.0)).tolist()]
        [1.0, 1.0, 1.0]
    """
    return _array_shape.kaiser(x, beta)
