"""Torch backend: ``kiln.ops.linalg`` (norm, inv, solve, cholesky, det) over ``torch.linalg``.

Example:
    >>> import torch
    >>> float(det(torch.eye(3) * 2.0))
    8.0
"""

import torch

from kiln.backend.torch.array_ops import _fx


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


def cholesky(x, upper=False):
    """Cholesky factor (lower by default) of a symmetric positive-definite matrix."""
    return torch.linalg.cholesky(_fx(x), upper=upper)


def det(x):
    """Determinant over the last two axes."""
    return torch.linalg.det(_fx(x))
