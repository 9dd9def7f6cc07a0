"""JAX backend linear algebra over ``jax.numpy.linalg`` / ``jax.scipy.linalg`` (and ``jax.jvp``).

Example:
    >>> import jax.numpy as jnp
    >>> from kiln.backend.jax import linalg
    >>> float(linalg.det(jnp.eye(3) * 2.0))
    8.0
"""

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from kiln.backend.jax.core import promote2, to_float


def _square(x, op_name):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{op_name}: expected (..., n, n) square matrices, received shape {x.shape}")
    return x


def norm(x, ord=None, axis=None, keepdims=False):
    x = to_float(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    return jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


def inv(x):
    return jnp.linalg.inv(_square(to_float(x), "inv"))


def solve(a, b):
    a, b = promote2(to_float(a), to_float(b))
    _square(a, "solve")
    return jnp.linalg.solve(a, b)


def cholesky(x, upper=False):
    x = _square(to_float(x), "cholesky")
    lower = jnp.linalg.cholesky(x)
    if upper:
        return jnp.conj(jnp.swapaxes(lower, -1, -2))
    return lower


def det(x):
    return jnp.linalg.det(_square(to_float(x), "det"))


def slogdet(x):
    return tuple(jnp.linalg.slogdet(_square(to_float(x), "slogdet")))


def _matrix(x, op_name):
    if x.ndim < 2:
        raise ValueError(f"{op_name}: expected (..., m, n) matrices, received shape {x.shape}")
    return x


def _default_rcond(x):
    return 10.0 * max(x.shape[-2:]) * jnp.finfo(x.dtype).eps


def cholesky_inverse(x, upper=False):
    factor = _square(to_float(x), "cholesky_inverse")
    eye = jnp.broadcast_to(jnp.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
    inverse = jsl.solve_triangular(factor, eye, lower=not upper)
    if upper:
        return inverse @ jnp.swapaxes(inverse, -1, -2)
    return jnp.swapaxes(inverse, -1, -2) @ inverse


def eig(x):
    return jnp.linalg.eig(_square(to_float(x), "eig"))


def eigh(x):
    return jnp.linalg.eigh(_square(to_float(x), "eigh"))


def jvp(fun, primals, tangents, has_aux=False):
    return jax.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)


def lstsq(a, b, rcond=None):
    a, b = promote2(to_float(a), to_float(b))
    return jnp.linalg.lstsq(_matrix(a, "lstsq"), b, rcond=rcond)[0]


def lu_factor(x):
    lu, pivots, _ = jax.lax.linalg.lu(_matrix(to_float(x), "lu_factor"))
    return lu, pivots


def matrix_rank(x, tol=None):
    x = _matrix(to_float(x), "matrix_rank")
    s = jnp.linalg.svd(x, compute_uv=False)
    if tol is None:
        tol = jnp.max(s, axis=-1, keepdims=True) * (max(x.shape[-2:]) * jnp.finfo(s.dtype).eps)
    else:
        tol = jnp.expand_dims(jnp.asarray(tol, s.dtype), -1)
    return jnp.sum(s > tol, axis=-1).astype("int32")


def pinv(x, rcond=None):
    x = _matrix(to_float(x), "pinv")
    return jnp.linalg.pinv(x, rtol=_default_rcond(x) if rcond is None else rcond)


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', received {mode!r}")
    return jnp.linalg.qr(_matrix(to_float(x), "qr"), mode=mode)


def solve_triangular(a, b, lower=False):
    a, b = promote2(to_float(a), to_float(b))
    return jsl.solve_triangular(_square(a, "solve_triangular"), b, lower=lower)


def svd(x, full_matrices=True, compute_uv=True):
    return jnp.linalg.svd(_matrix(to_float(x), "svd"), full_matrices=full_matrices,
                          compute_uv=compute_uv)
