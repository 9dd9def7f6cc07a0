"""JAX backend linear algebra: norm, inv, solve, cholesky, det (``jax.numpy.linalg``).

Example:
    >>> import jax.numpy as jnp
    >>> from kiln.backend.jax import linalg
    >>> float(linalg.det(jnp.eye(3) * 2.0))
    8.0
"""

import jax.numpy as jnp

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
