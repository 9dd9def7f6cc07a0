"""Linear algebra in NumPy (batched over leading dims); ``jvp`` is unsupported (no autodiff).

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


def _symmetrize(x):
    # As on jax: (x + x^H) / 2, so every backend reads both triangles the same way.
    return (x + np.swapaxes(x, -1, -2).conj()) / 2


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
        lower = np.linalg.cholesky(_symmetrize(x))
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


def slogdet(x):
    """Sign and log of the absolute determinant of (batched) square matrices.

    Example:
        >>> [v.round(4).item() for v in slogdet(np.array([[1.0, 2.0], [3.0, 4.0]]))]
        [-1.0, 0.6931]
    """
    x, dtype = _prep(x)
    _square(x, "slogdet")
    sign, logabsdet = np.linalg.slogdet(x)
    return np.asarray(sign).astype(dtype, copy=False), np.asarray(logabsdet).astype(dtype, copy=False)


UNSUPPORTED = {"jvp": "forward-mode differentiation needs autodiff, which the numpy backend lacks"}


def _matrix(x, op):
    if x.ndim < 2:
        raise ValueError(f"{op}: expected (..., m, n) matrices, received shape {x.shape}")


def cholesky_inverse(x, upper=False):
    """Inverse of ``L @ L.T`` (or ``U.T @ U`` with ``upper``) from its Cholesky factor.

    Example:
        >>> cholesky_inverse(np.array([[2.0]])).tolist()
        [[0.25]]
    """
    x, dtype = _prep(x)
    _square(x, "cholesky_inverse")
    factor = np.triu(x) if upper else np.tril(x)
    inverse = np.linalg.inv(factor)
    if upper:
        out = inverse @ np.swapaxes(inverse, -1, -2)
    else:
        out = np.swapaxes(inverse, -1, -2) @ inverse
    return out.astype(dtype, copy=False)


_COMPLEX_FOR = {np.dtype("float64"): np.complex128}


def eig(x):
    """Eigenvalues and right eigenvectors of square matrices, always complex.

    Example:
        >>> eig(np.array([[2.0, 0.0], [0.0, 3.0]]))[0].real.tolist()
        [2.0, 3.0]
    """
    x, dtype = _prep(x)
    _square(x, "eig")
    w, v = np.linalg.eig(x)
    ctype = _COMPLEX_FOR.get(np.dtype(dtype), np.complex64)
    return w.astype(ctype), v.astype(ctype)


def eigh(x):
    """Ascending eigenvalues and orthonormal eigenvectors of symmetric matrices.

    Example:
        >>> eigh(np.array([[2.0, 0.0], [0.0, 1.0]]))[0].tolist()
        [1.0, 2.0]
    """
    x, dtype = _prep(x)
    _square(x, "eigh")
    w, v = np.linalg.eigh(_symmetrize(x))
    return w.astype(dtype, copy=False), v.astype(dtype, copy=False)


def jvp(fun, primals, tangents, has_aux=False):
    """Unsupported: the numpy backend has no automatic differentiation."""
    from kiln.backend.interface import unsupported_error

    raise unsupported_error("numpy", "linalg.jvp")


def lstsq(a, b, rcond=None):
    """Minimum-norm least-squares solution of ``a @ x = b`` (2-D ``a``).

    Example:
        >>> lstsq(np.array([[2.0], [0.0]]), np.array([4.0, 1.0])).tolist()
        [2.0]
    """
    a, b = promote_float(a, b)
    dtype = a.dtype
    if dtype in HALF_NP:
        a, b = a.astype(FLOAT32), b.astype(FLOAT32)
    if a.ndim != 2:
        raise ValueError(f"lstsq: expected a matrix a of shape (m, n), received shape {a.shape}")
    return np.linalg.lstsq(a, b, rcond=rcond)[0].astype(dtype, copy=False)


def lu_factor(x):
    """LU factorization with partial pivoting in LAPACK's packed layout, 0-based int32 pivots.

    Example:
        >>> lu, pivots = lu_factor(np.array([[1.0, 2.0], [3.0, 4.0]]))
        >>> pivots.tolist()
        [1, 1]
    """
    x, dtype = _prep(x)
    _matrix(x, "lu_factor")
    m, n = x.shape[-2:]
    k = min(m, n)
    batch = x.shape[:-2]
    a = np.array(x, copy=True).reshape((-1, m, n))
    pivots = np.zeros((a.shape[0], k), np.int32)
    every = np.arange(a.shape[0])
    for i in range(k):
        p = i + np.argmax(np.abs(a[:, i:, i]), axis=1)
        pivots[:, i] = p
        row_i = a[every, i].copy()
        a[every, i] = a[every, p]
        a[every, p] = row_i
        pivot = a[:, i, i]
        safe = np.where(pivot != 0, pivot, 1)
        a[:, i + 1:, i] = np.where((pivot != 0)[:, None], a[:, i + 1:, i] / safe[:, None],
                                   a[:, i + 1:, i])
        a[:, i + 1:, i + 1:] -= a[:, i + 1:, i, None] * a[:, i, None, i + 1:]
    return a.reshape(x.shape).astype(dtype, copy=False), pivots.reshape(batch + (k,))


def matrix_rank(x, tol=None):
    """Number of singular values above ``tol`` (default ``max(s) * max(m, n) * eps``), int32.

    Example:
        >>> int(matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]])))
        1
    """
    x, _ = _prep(x)
    _matrix(x, "matrix_rank")
    s = np.linalg.svd(x, compute_uv=False)
    if tol is None:
        tol = np.max(s, axis=-1, keepdims=True) * (max(x.shape[-2:]) * np.finfo(s.dtype).eps)
    else:
        tol = np.expand_dims(np.asarray(tol, s.dtype), -1)
    return np.asarray(np.sum(s > tol, axis=-1)).astype(np.int32)


def pinv(x, rcond=None):
    """Pseudo-inverse from the SVD; singular values up to ``rcond * max(s)`` are dropped.

    Example:
        >>> pinv(np.array([[2.0, 0.0], [0.0, 0.0]])).tolist()
        [[0.5, 0.0], [0.0, 0.0]]
    """
    x, dtype = _prep(x)
    _matrix(x, "pinv")
    if rcond is None:
        rcond = 10.0 * max(x.shape[-2:]) * np.finfo(x.dtype).eps
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    cutoff = np.asarray(rcond)[..., None] * np.max(s, axis=-1, keepdims=True)
    s_inv = np.where(s > cutoff, 1.0 / np.where(s > cutoff, s, 1.0), 0.0)
    out = np.swapaxes(vh, -1, -2) @ (s_inv[..., None] * np.swapaxes(u, -1, -2))
    return out.astype(dtype, copy=False)


def qr(x, mode="reduced"):
    """QR decomposition (``mode`` ``"reduced"`` or ``"complete"``).

    Example:
        >>> [a.shape for a in qr(np.ones((3, 2)))]
        [(3, 2), (2, 2)]
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', received {mode!r}")
    x, dtype = _prep(x)
    _matrix(x, "qr")
    q, r = np.linalg.qr(x, mode=mode)
    return q.astype(dtype, copy=False), r.astype(dtype, copy=False)


def solve_triangular(a, b, lower=False):
    """Solve ``a @ x = b`` reading only the lower or upper triangle of ``a``.

    Example:
        >>> solve_triangular(np.array([[2.0, 1.0], [0.0, 4.0]]), np.array([4.0, 8.0])).tolist()
        [1.0, 2.0]
    """
    a, b = promote_float(a, b)
    _square(a, "solve_triangular")
    return solve(np.tril(a) if lower else np.triu(a), b)


def svd(x, full_matrices=True, compute_uv=True):
    """``(u, s, vh)`` with ``x = u @ diag(s) @ vh``, or ``s`` alone.

    Example:
        >>> svd(np.array([[3.0, 0.0], [0.0, 4.0]]), compute_uv=False).tolist()
        [4.0, 3.0]
    """
    x, dtype = _prep(x)
    _matrix(x, "svd")
    if not compute_uv:
        return np.linalg.svd(x, compute_uv=False).astype(dtype, copy=False)
    u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
    return u.astype(dtype, copy=False), s.astype(dtype, copy=False), vh.astype(dtype, copy=False)
