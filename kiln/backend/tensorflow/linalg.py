"""Linear algebra on TensorFlow: norm, inv, solve, cholesky, det (NumPy semantics).

Example:
    >>> import tensorflow as tf
    >>> float(norm(tf.constant([3.0, 4.0])))
    5.0
"""

import numpy as np
import tensorflow as tf

from kiln import config
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


def cholesky(x, upper=False):
    out = tf.linalg.cholesky(_float(x))
    if upper:
        out = tf.linalg.adjoint(out)
    return out


def det(x):
    return tf.linalg.det(_float(x))
