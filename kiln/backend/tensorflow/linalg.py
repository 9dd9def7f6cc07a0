"""Linear algebra on TensorFlow (NumPy/LAPACK semantics), ``jvp`` through ForwardAccumulator.

Example:
    >>> import tensorflow as tf
    >>> float(norm(tf.constant([3.0, 4.0])))
    5.0
"""

import numpy as np
import tensorflow as tf

from kiln import config
from kiln.backend.common.dtypes import result_type
from kiln.backend.tensorflow.core import convert_to_tensor, tf_dtype


def _float(x):
    x = convert_to_tensor(x)
    if x.dtype.is_floating or x.dtype.is_complex:
        return x
    return tf.cast(x, tf_dtype(config.floatx()))


def _vector_norm(x, ord, axis, keepdims):
    a = tf.abs(x)
    if ord is None or ord == 2:
        return tf.sqrt(tf.reduce_sum(tf.square(a), axis=axis, keepdims=keepdims))
    if ord == float("inf"):
        return tf.reduce_max(a, axis=axis, keepdims=keepdims)
    if ord == float("-inf"):
        return tf.reduce_min(a, axis=axis, keepdims=keepdims)
    if ord == 0:
        return tf.reduce_sum(tf.cast(tf.not_equal(a, 0), a.dtype), axis=axis, keepdims=keepdims)
    if ord == 1:
        return tf.reduce_sum(a, axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is only valid for matrix norms (2 axes)")
    p = tf.cast(ord, a.dtype)
    return tf.pow(tf.reduce_sum(tf.pow(a, p), axis=axis, keepdims=keepdims), 1.0 / p)


def _matrix_norm(x, ord, axis, keepdims):
    rank = x.shape.rank
    row, col = axis[0] % rank, axis[1] % rank
    a = tf.abs(x)
    if ord is None or ord == "fro":
        out = tf.sqrt(tf.reduce_sum(tf.square(a), axis=[row, col], keepdims=True))
    elif ord in (1, -1):
        sums = tf.reduce_sum(a, axis=row, keepdims=True)
        out = (tf.reduce_max if ord == 1 else tf.reduce_min)(sums, axis=col, keepdims=True)
    elif ord in (float("inf"), float("-inf")):
        sums = tf.reduce_sum(a, axis=col, keepdims=True)
        out = (tf.reduce_max if ord > 0 else tf.reduce_min)(sums, axis=row, keepdims=True)
    elif ord in ("nuc", 2, -2):
        others = [i for i in range(rank) if i not in (row, col)]
        moved = tf.transpose(x, others + [row, col])
        s = tf.linalg.svd(moved, compute_uv=False)
        if ord == "nuc":
            s = tf.reduce_sum(s, axis=-1)
        elif ord == 2:
            s = tf.reduce_max(s, axis=-1)
        else:
            s = tf.reduce_min(s, axis=-1)
        s = tf.cast(s, a.dtype)
        out = s
        for i in sorted((row, col)):
            out = tf.expand_dims(out, i)
    else:
        raise ValueError(f"norm: invalid ord {ord!r} for a matrix norm; use None, 'fro', "
                         "'nuc', 1, -1, 2, -2, inf or -inf")
    if not keepdims:
        out = tf.squeeze(out, axis=[row, col])
    return out


def norm(x, ord=None, axis=None, keepdims=False):
    x = _float(x)
    rank = x.shape.rank
    if axis is None:
        if ord is None:
            out = tf.sqrt(tf.reduce_sum(tf.square(tf.abs(x))))
            return tf.reshape(out, [1] * rank) if keepdims else out
        if rank == 1:
            return _vector_norm(x, ord, 0, keepdims)
        if rank == 2:
            return _matrix_norm(x, ord, (0, 1), keepdims)
        raise ValueError(f"norm: with ord={ord!r} and axis=None the input must be 1-D or 2-D, "
                         f"received rank {rank}")
    if isinstance(axis, (int, np.integer)):
        return _vector_norm(x, ord, int(axis), keepdims)
    axis = tuple(int(a) for a in axis)
    if len(axis) == 1:
        return _vector_norm(x, ord, axis[0], keepdims)
    if len(axis) == 2:
        return _matrix_norm(x, ord, axis, keepdims)
    raise ValueError(f"norm: axis must be an int or a pair of ints, received {axis}")


def inv(x):
    return tf.linalg.inv(_float(x))


def solve(a, b):
    a = _float(a)
    b = convert_to_tensor(b, a.dtype.name)
    if b.shape.rank == a.shape.rank - 1:
        return tf.squeeze(tf.linalg.solve(a, tf.expand_dims(b, -1)), -1)
    return tf.linalg.solve(a, b)


def _symmetrize(x):
    # Like jax: use (x + x^H) / 2, so the result and its gradient do not depend on which
    # triangle the kernel happens to read.
    return (x + tf.linalg.adjoint(x)) / 2


def cholesky(x, upper=False):
    out = tf.linalg.cholesky(_symmetrize(_float(x)))
    if upper:
        out = tf.linalg.adjoint(out)
    return out


def det(x):
    return tf.linalg.det(_float(x))


def slogdet(x):
    return tuple(tf.linalg.slogdet(_square(_float(x), "slogdet")))


def _matrix(x, op_name):
    if x.shape.rank < 2:
        raise ValueError(f"{op_name}: expected (..., m, n) matrices, received shape {x.shape}")
    return x


def _square(x, op_name):
    if x.shape.rank < 2 or (x.shape[-1] is not None and x.shape[-1] != x.shape[-2]):
        raise ValueError(f"{op_name}: expected (..., n, n) square matrices, received shape {x.shape}")
    return x


def _pair(a, b):
    a, b = _float(a), _float(b)
    dtype = tf_dtype(result_type(a.dtype.name, b.dtype.name))
    return tf.cast(a, dtype), tf.cast(b, dtype)


def _eps(dtype):
    return float(np.finfo(dtype.as_numpy_dtype).eps)


def _eye_like(x):
    return tf.broadcast_to(tf.eye(tf.shape(x)[-1], dtype=x.dtype), tf.shape(x))


def cholesky_inverse(x, upper=False):
    factor = _square(_float(x), "cholesky_inverse")
    lower = tf.linalg.adjoint(factor) if upper else factor
    return tf.linalg.cholesky_solve(lower, _eye_like(lower))


def eig(x):
    return tf.linalg.eig(_square(_float(x), "eig"))


def eigh(x):
    return tf.linalg.eigh(_symmetrize(_square(_float(x), "eigh")))


def jvp(fun, primals, tangents, has_aux=False):
    primals = [convert_to_tensor(p) for p in primals]
    tangents = [tf.cast(convert_to_tensor(t), p.dtype) for p, t in zip(primals, tangents)]
    with tf.autodiff.ForwardAccumulator(primals, tangents) as accumulator:
        out = fun(*primals)
        if has_aux:
            out, aux = out
    tangents_out = accumulator.jvp(out, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return (out, tangents_out, aux) if has_aux else (out, tangents_out)


def lstsq(a, b, rcond=None):
    a, b = _pair(a, b)
    _matrix(a, "lstsq")
    vector = b.shape.rank == a.shape.rank - 1
    if vector:
        b = b[..., None]
    s, u, v = tf.linalg.svd(a, full_matrices=False)
    if rcond is None:
        rcond = _eps(a.dtype) * max(a.shape[-2:])
    keep = s > rcond * tf.reduce_max(s, axis=-1, keepdims=True)
    s_inv = tf.where(keep, 1.0 / tf.where(keep, s, tf.ones_like(s)), tf.zeros_like(s))
    x = tf.matmul(v, s_inv[..., None] * tf.matmul(u, b, adjoint_a=True))
    return x[..., 0] if vector else x


def _lu_rectangular(a):
    """Partial-pivoting LU of (..., m, n) matrices with m != n (tf.linalg.lu wants squares)."""
    m, n = a.shape[-2], a.shape[-1]
    pivots = []
    for i in range(min(m, n)):
        p = i + tf.argmax(tf.abs(a[..., i:, i]), axis=-1, output_type=tf.int32)
        pivots.append(p)
        # Swap rows i and p with one-hot arithmetic (p varies over the batch).
        at_i, at_p = tf.one_hot(i, m, dtype=a.dtype), tf.one_hot(p, m, dtype=a.dtype)
        row_p = tf.einsum("...m,...mn->...n", at_p, a)
        a = a + (at_i - at_p)[..., :, None] * (row_p - a[..., i, :])[..., None, :]
        pivot = a[..., i, i]
        nonzero = tf.not_equal(pivot, 0)
        below = tf.where(nonzero[..., None], a[..., i + 1:, i] / tf.where(nonzero, pivot, 1)[..., None],
                         a[..., i + 1:, i])
        rest = a[..., i + 1:, i + 1:] - below[..., :, None] * a[..., i:i + 1, i + 1:]
        bottom = tf.concat([a[..., i + 1:, :i], below[..., None], rest], axis=-1)
        a = tf.concat([a[..., :i + 1, :], bottom], axis=-2)
    return a, tf.stack(pivots, axis=-1)


def lu_factor(x):
    x = _matrix(_float(x), "lu_factor")
    if x.shape[-1] != x.shape[-2]:
        return _lu_rectangular(x)
    lu, permutation = tf.linalg.lu(x)
    # tf.linalg.lu returns the final row order; LAPACK-style pivots record the swap made at
    # each step: replay the swaps on the identity order.
    n = x.shape[-1]
    current = tf.broadcast_to(tf.range(n, dtype=permutation.dtype), tf.shape(permutation))
    pivots = []
    for i in range(n):
        target = permutation[..., i]
        j = tf.argmax(tf.cast(tf.equal(current, target[..., None]), tf.int32), axis=-1,
                      output_type=permutation.dtype)
        pivots.append(j)
        swap = (tf.one_hot(i, n, dtype=permutation.dtype) - tf.one_hot(j, n, dtype=permutation.dtype))
        current = current + (target - current[..., i])[..., None] * swap
    return lu, tf.cast(tf.stack(pivots, axis=-1), tf.int32)


def matrix_rank(x, tol=None):
    x = _matrix(_float(x), "matrix_rank")
    s = tf.linalg.svd(x, compute_uv=False)
    if tol is None:
        tol = tf.reduce_max(s, axis=-1, keepdims=True) * (max(x.shape[-2:]) * _eps(s.dtype))
    else:
        tol = tf.expand_dims(tf.cast(tol, s.dtype), -1)
    return tf.reduce_sum(tf.cast(s > tol, tf.int32), axis=-1)


def pinv(x, rcond=None):
    x = _matrix(_float(x), "pinv")
    if rcond is None:
        rcond = 10.0 * max(x.shape[-2:]) * _eps(x.dtype)
    return tf.linalg.pinv(x, rcond=rcond)


def qr(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', received {mode!r}")
    return tuple(tf.linalg.qr(_matrix(_float(x), "qr"), full_matrices=mode == "complete"))


def solve_triangular(a, b, lower=False):
    a, b = _pair(a, b)
    _square(a, "solve_triangular")
    if b.shape.rank == a.shape.rank - 1:
        return tf.linalg.triangular_solve(a, b[..., None], lower=lower)[..., 0]
    return tf.linalg.triangular_solve(a, b, lower=lower)


def svd(x, full_matrices=True, compute_uv=True):
    x = _matrix(_float(x), "svd")
    if not compute_uv:
        return tf.linalg.svd(x, full_matrices=full_matrices, compute_uv=False)
    s, u, v = tf.linalg.svd(x, full_matrices=full_matrices)
    return u, s, tf.linalg.adjoint(v)
