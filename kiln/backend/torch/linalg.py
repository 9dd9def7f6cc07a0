"""Torch backend: ``kiln.ops.linalg`` over ``torch.linalg`` (and ``torch.func.jvp``).

Example:
    >>> import torch
    >>> float(det(torch.eye(3) * 2.0))
    8.0
"""

import torch

from kiln.backend.torch.array_ops import _fx
from kiln.backend.torch.core import convert_to_tensor


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - public signature
    """Vector or matrix norm, NumPy semantics (a 2-tuple ``axis`` means a matrix norm)."""
    x = _fx(x)
    if isinstance(axis, (list, tuple)):
        axis = tuple(axis)
        if len(axis) == 1:
            axis = axis[0]
    if axis is None and ord is not None:
        if x.ndim == 1:
            axis = 0
        elif x.ndim == 2:
            axis = (0, 1)
        else:
            raise ValueError(f"norm: ord={ord!r} needs axis for an input of rank {x.ndim}")
    if isinstance(axis, tuple) and len(axis) == 2:
        return torch.linalg.matrix_norm(x, ord="fro" if ord is None else ord, dim=axis,
                                        keepdim=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is only valid for matrix norms (2 axes)")
    return torch.linalg.vector_norm(x, ord=2 if ord is None else ord, dim=axis, keepdim=keepdims)


def inv(x):
    """Matrix inverse over the last two axes."""
    return torch.linalg.inv(_fx(x))


def solve(a, b):
    """Solve ``a @ x = b`` for ``x``."""
    a = _fx(a)
    b = _fx(b)
    if b.dtype is not a.dtype:
        b = b.to(a.dtype)
    return torch.linalg.solve(a, b)


def _symmetrize(x):
    # Like jax: use (x + x^H) / 2, so the result and its gradient do not depend on which
    # triangle the kernel happens to read.
    return (x + x.transpose(-1, -2).conj()) / 2


def cholesky(x, upper=False):
    """Cholesky factor (lower by default) of a symmetric positive-definite matrix."""
    return torch.linalg.cholesky(_symmetrize(_fx(x)), upper=upper)


def det(x):
    """Determinant over the last two axes."""
    return torch.linalg.det(_fx(x))


def slogdet(x):
    """Sign and log of the absolute determinant over the last two axes."""
    return tuple(torch.linalg.slogdet(_square(_fx(x), "slogdet")))


def _matrix(x, op_name):
    if x.ndim < 2:
        raise ValueError(f"{op_name}: expected (..., m, n) matrices, received shape {tuple(x.shape)}")
    return x


def _square(x, op_name):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{op_name}: expected (..., n, n) square matrices, received shape {tuple(x.shape)}")
    return x


def _pair(a, b):
    a, b = _fx(a), _fx(b)
    dtype = torch.promote_types(a.dtype, b.dtype)
    return a.to(dtype), b.to(dtype)


def cholesky_inverse(x, upper=False):
    """Inverse of ``L @ L.T`` (or ``U.T @ U`` with ``upper``) from its Cholesky factor."""
    factor = _square(_fx(x), "cholesky_inverse")
    # Mask the unused triangle so that it gets no gradient either.
    factor = torch.triu(factor) if upper else torch.tril(factor)
    return torch.cholesky_inverse(factor, upper=upper)


def eig(x):
    """Eigenvalues and right eigenvectors (complex) of general square matrices."""
    return tuple(torch.linalg.eig(_square(_fx(x), "eig")))


def eigh(x):
    """Ascending eigenvalues and eigenvectors of symmetric matrices (lower triangle read)."""
    return tuple(torch.linalg.eigh(_symmetrize(_square(_fx(x), "eigh"))))


def _as_tensor(x):
    return x if isinstance(x, torch.Tensor) else convert_to_tensor(x)


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode Jacobian-vector product with ``torch.func.jvp``."""
    primals = tuple(_as_tensor(p) for p in primals)
    tangents = tuple(_as_tensor(t).to(p.dtype) for p, t in zip(primals, tangents))
    return torch.func.jvp(fun, primals, tangents, has_aux=has_aux)


def lstsq(a, b, rcond=None):
    """Minimum-norm least-squares solution of ``a @ x = b``."""
    a, b = _pair(a, b)
    _matrix(a, "lstsq")
    vector = b.ndim == a.ndim - 1
    if vector:
        b = b.unsqueeze(-1)
    driver = "gelsd" if a.device.type == "cpu" else None
    x = torch.linalg.lstsq(a, b, rcond=rcond, driver=driver).solution
    return x.squeeze(-1) if vector else x


def lu_factor(x):
    """Packed LU factors and 0-based int32 pivots (LAPACK getrf layout)."""
    lu, pivots = torch.linalg.lu_factor(_matrix(_fx(x), "lu_factor"))
    return lu, (pivots - 1).to(torch.int32)


def matrix_rank(x, tol=None):
    """Number of singular values above ``tol`` (default: ``max(s) * max(m, n) * eps``)."""
    x = _matrix(_fx(x), "matrix_rank")
    if tol is None:
        rank = torch.linalg.matrix_rank(x)
    else:
        rank = torch.linalg.matrix_rank(x, atol=tol, rtol=0.0)
    return rank.to(torch.int32)


def pinv(x, rcond=None):
    """Pseudo-inverse; singular values up to ``rcond * max(s)`` are dropped."""
    x = _matrix(_fx(x), "pinv")
    if rcond is None:
        rcond = 10.0 * max(x.shape[-2:]) * torch.finfo(x.dtype).eps
    return torch.linalg.pinv(x, rtol=rcond)


def qr(x, mode="reduced"):
    """QR decomposition (``mode`` ``"reduced"`` or ``"complete"``)."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', received {mode!r}")
    return tuple(torch.linalg.qr(_matrix(_fx(x), "qr"), mode=mode))


def solve_triangular(a, b, lower=False):
    """Solve ``a @ x = b`` reading only the lower or upper triangle of ``a``."""
    a, b = _pair(a, b)
    _square(a, "solve_triangular")
    vector = b.ndim == a.ndim - 1
    if vector:
        b = b.unsqueeze(-1)
    x = torch.linalg.solve_triangular(a, b, upper=not lower)
    return x.squeeze(-1) if vector else x


def svd(x, full_matrices=True, compute_uv=True):
    """``(u, s, vh)`` with ``x = u @ diag(s) @ vh``, or ``s`` alone."""
    x = _matrix(_fx(x), "svd")
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return tuple(torch.linalg.svd(x, full_matrices=full_matrices))
