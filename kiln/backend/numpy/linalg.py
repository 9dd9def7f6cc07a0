"""Linear algebra in NumPy: norm, inv, solve, cholesky, det (batched over leading dims).

Int/bool inputs become floatx; float16/bfloat16 are computed in float32 and
cast back (LAPACK has no half-precision routines).

Example:
    >>> import numpy as np
    >>> det(np.eye(2)).item()
    1.0
"""

import numpy as np

from kiln.backend.numpy.core import FLOAT32, HALF_NP, promote_float, to_float


def _prep(x):
    x = to_float(x)
    if x.dtype in HALF_NP:
        return x.astype(FLOAT32), x.dtype
    return x, x.dtype


def _square(x, op):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{op}: expected (..., n, n) square matrices, received shape {x.shape}")


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (``np.linalg.norm`` semantics; float result).

    Example:
        >>> norm(np.array([3.0, 4.0])).item()
        5.0
    """
    x, dtype = _prep(x)
    if axis is not None and not isinstance(axis, int):
        axis = tuple(int(a) for a in axis)
    if isinstance(ord, str) and ord not in ("fro", "nuc"):
        raise ValueError(f"norm: invalid ord {ord!r}; expected a number, 'fro' or 'nuc'")
    return np.asarray(np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)).astype(dtype)


def inv(x):
    """Inverse of (batched) square matrices.

    Example:
        >>> inv(np.array([[2.0]])).tolist()
        [[0.5]]
    """
    x, dtype = _prep(x)
    _square(x, "inv")
    return np.linalg.inv(x).astype(dtype, copy=False)


def solve(a, b):
    """Solve ``a @ x = b`` for ``x`` (``b`` a vector or a batch of matrices).

    Example:
        >>> solve(np.array([[2.0]]), np.array([4.0])).tolist()
        [2.0]
    """
    a, b = promote_float(a, b)
    dtype = a.dtype
    if dtype in HALF_NP:
        a, b = a.astype(FLOAT32), b.astype(FLOAT32)
    _square(a, "solve")
    if b.ndim == a.ndim - 1:
        out = np.linalg.solve(a, b[..., None])[..., 0]
    else:
        out = np.linalg.solve(a, b)
    return out.astype(dtype, copy=False)


def cholesky(x, upper=False):
    """Cholesky factor of (batched) symmetric positive-definite matrices.

    Lower-triangular ``L`` with ``x = L @ L.T``; with ``upper=True`` returns ``L.T``.

    Example:
        >>> cholesky(np.array([[4.0]])).tolist()
        [[2.0]]
    """
    x, dtype = _prep(x)
    _square(x, "cholesky")
    try:
        lower = np.linalg.cholesky(x)
    except np.linalg.LinAlgError as e:
        raise ValueError(f"cholesky: the input is not positive definite ({e})") from None
    out = np.swapaxes(lower, -1, -2).conj() if upper else lower
    return np.ascontiguousarray(out).astype(dtype, copy=False)


def det(x):
    """Determinant of (batched) square matrices.

    Example:
        >>> det(np.array([[1.0, 2.0], [3.0, 4.0]])).round(4).item()
        -2.0
    """
    x, dtype = _prep(x)
    _square(x, "det")
    return np.asarray(np.linalg.det(x)).astype(dtype, copy=False)
