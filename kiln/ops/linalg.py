"""Linear-algebra ops (``kiln.ops.linalg``): norms, solvers, factorizations and ``jvp``.

Every op is also available as ``kiln.ops.<name>``.

Example:
    >>> import kiln
    >>> float(kiln.ops.convert_to_numpy(kiln.ops.linalg.det([[2.0, 0.0], [0.0, 3.0]])))
    6.0
"""

from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.operation import op

__all__ = [
    "norm",
    "inv",
    "solve",
    "cholesky",
    "det",
    "cholesky_inverse",
    "eig",
    "eigh",
    "jvp",
    "lstsq",
    "lu_factor",
    "matrix_rank",
    "pinv",
    "qr",
    "solve_triangular",
    "svd",
]


_linalg = _backend.linalg


def _float_dtype(*xs):
    return dtypes.float_result_type(*(rules.dtype_of(x) for x in xs))


def _square_matrix_shape(x, name):
    shape = rules.shape_of(x)
    if len(shape) < 2:
        raise ValueError(f"{name}: expected a matrix (rank >= 2), received shape {shape}")
    if None not in shape[-2:] and shape[-1] != shape[-2]:
        raise ValueError(f"{name}: expected square matrices, received shape {shape}")
    return shape


def _norm_spec(x, ord=None, axis=None, keepdims=False):
    shape = rules.shape_of(x)
    if axis is not None:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        if len(axes) not in (1, 2):
            raise ValueError(f"norm: axis must name one or two axes, received {axis}")
    return KerasTensor(rules.reduce_shape(shape, axis, keepdims, "norm"), _float_dtype(x))


@op(_norm_spec, module="linalg")
def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (``ord`` as in NumPy) over ``axis``.

    Example:
        >>> import kiln
        >>> float(kiln.ops.convert_to_numpy(kiln.ops.norm([3.0, 4.0])))
        5.0
    """
    return _linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


def _inv_spec(x):
    return KerasTensor(_square_matrix_shape(x, "inv"), _float_dtype(x))


@op(_inv_spec, module="linalg")
def inv(x):
    """Inverse of a square matrix (batched over leading axes).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.inv([[2.0, 0.0], [0.0, 4.0]])).tolist()
        [[0.5, 0.0], [0.0, 0.25]]
    """
    return _linalg.inv(x)


def _solve_spec(a, b):
    sa, sb = _square_matrix_shape(a, "solve"), rules.shape_of(b)
    if not sb or (sa[-1] is not None and sb[-2 if len(sb) > 1 else -1] not in (None, sa[-1])):
        raise ValueError(f"solve: b of shape {sb} does not match a of shape {sa}")
    return KerasTensor(sb, _float_dtype(a, b))


@op(_solve_spec, module="linalg")
def solve(a, b):
    """Solve ``a @ x = b`` for ``x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.solve([[2.0, 0.0], [0.0, 4.0]], [[2.0], [4.0]])).tolist()
        [[1.0], [1.0]]
    """
    return _linalg.solve(a, b)


def _cholesky_spec(x, upper=False):
    return KerasTensor(_square_matrix_shape(x, "cholesky"), _float_dtype(x))


@op(_cholesky_spec, module="linalg")
def cholesky(x, upper=False):
    """Cholesky factor of a symmetric positive-definite matrix (lower, or upper if ``upper``).

    The input is read as ``(x + x^T) / 2``, so both triangles count (as in JAX).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.cholesky([[4.0, 0.0], [0.0, 9.0]])).tolist()
        [[2.0, 0.0], [0.0, 3.0]]
    """
    return _linalg.cholesky(x, upper=upper)


def _det_spec(x):
    return KerasTensor(_square_matrix_shape(x, "det")[:-2], _float_dtype(x))


@op(_det_spec, module="linalg")
def det(x):
    """Determinant of square matrices (batched over leading axes).

    Example:
        >>> import kiln
        >>> float(kiln.ops.convert_to_numpy(kiln.ops.det([[2.0, 0.0], [0.0, 3.0]])))
        6.0
    """
    return _linalg.det(x)


def _slogdet_spec(x):
    shape = _square_matrix_shape(x, "slogdet")[:-2]
    return KerasTensor(shape, _float_dtype(x)), KerasTensor(shape, _float_dtype(x))


# A NumPy op in Keras (keras.ops.numpy.slogdet); kiln.ops.numpy re-exports it.
@op(_slogdet_spec, module="numpy")
def slogdet(x):
    """Sign and natural log of the absolute determinant: ``det = sign * exp(logabsdet)``.

    Stable where ``det`` itself would overflow or underflow.

    Example:
        >>> import kiln
        >>> sign, logabsdet = kiln.ops.slogdet([[2.0, 0.0], [0.0, -3.0]])
        >>> float(kiln.ops.convert_to_numpy(sign)), round(float(kiln.ops.convert_to_numpy(logabsdet)), 4)
        (-1.0, 1.7918)
    """
    return _linalg.slogdet(x)


def _matrix_shape(x, name):
    shape = rules.shape_of(x)
    if len(shape) < 2:
        raise ValueError(f"{name}: expected a matrix (rank >= 2), received shape {shape}")
    return shape


def _min_dim(a, b):
    return None if a is None or b is None else min(a, b)


def _cholesky_inverse_spec(x, upper=False):
    return KerasTensor(_square_matrix_shape(x, "cholesky_inverse"), _float_dtype(x))


@op(_cholesky_inverse_spec, module="linalg")
def cholesky_inverse(x, upper=False):
    """Inverse of the matrix whose Cholesky factor is ``x``.

    ``x`` is the lower factor ``L`` of ``A = L @ L.T`` (or, with ``upper=True``, the
    upper factor ``U`` of ``A = U.T @ U``); the result is ``inv(A)``.

    Example:
        >>> import kiln
        >>> out = kiln.ops.cholesky_inverse([[1.0, 0.0], [1.0, 1.0]])
        >>> kiln.ops.convert_to_numpy(out).round(4).tolist()
        [[2.0, -1.0], [-1.0, 1.0]]
    """
    return _linalg.cholesky_inverse(x, upper=upper)


def _eig_spec(x):
    shape = _square_matrix_shape(x, "eig")
    dtype = "complex128" if _float_dtype(x) == "float64" else "complex64"
    return KerasTensor(shape[:-1], dtype), KerasTensor(shape, dtype)


@op(_eig_spec, module="linalg")
def eig(x):
    """Eigenvalues and right eigenvectors (columns) of general square matrices, as complex tensors.

    Example:
        >>> import kiln
        >>> w, v = kiln.ops.eig([[2.0, 0.0], [0.0, 3.0]])
        >>> sorted(kiln.ops.convert_to_numpy(w).real.tolist())
        [2.0, 3.0]
    """
    return _linalg.eig(x)


def _eigh_spec(x):
    shape = _square_matrix_shape(x, "eigh")
    dtype = _float_dtype(x)
    return KerasTensor(shape[:-1], dtype), KerasTensor(shape, dtype)


@op(_eigh_spec, module="linalg")
def eigh(x):
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns) of symmetric matrices.

    The input is read as ``(x + x^T) / 2``, so both triangles count (as in JAX).

    Example:
        >>> import kiln
        >>> w, v = kiln.ops.eigh([[2.0, 1.0], [1.0, 2.0]])
        >>> [round(float(e), 4) for e in kiln.ops.convert_to_numpy(w)]
        [1.0, 3.0]
    """
    return _linalg.eigh(x)


def _jvp_spec(fun, primals, tangents, has_aux=False):
    from kiln import tree

    if not isinstance(primals, (list, tuple)) or not isinstance(tangents, (list, tuple)):
        raise ValueError("jvp: primals and tangents must be tuples or lists")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: primals and tangents must have the same length, received "
                         f"{len(primals)} and {len(tangents)}")
    out = _backend.core.compute_output_spec(fun, *primals)
    if has_aux:
        out, aux = out
    tangents_out = tree.map_structure(lambda t: KerasTensor(t.shape, t.dtype), out)
    return (out, tangents_out, aux) if has_aux else (out, tangents_out)


@op(_jvp_spec, module="linalg")
def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode derivative: ``fun(*primals)`` and its directional derivative along ``tangents``.

    Returns ``(outputs, output_tangents)``; with ``has_aux=True`` ``fun`` returns
    ``(outputs, aux)`` and the result is ``(outputs, output_tangents, aux)``.

    Example:
        >>> import kiln
        >>> out, tangent = kiln.ops.jvp(kiln.ops.square, (kiln.ops.convert_to_tensor(3.0),),
        ...                             (kiln.ops.convert_to_tensor(1.0),))
        >>> float(kiln.ops.convert_to_numpy(out)), float(kiln.ops.convert_to_numpy(tangent))
        (9.0, 6.0)
    """
    return _linalg.jvp(fun, primals, tangents, has_aux=has_aux)


def _lstsq_spec(a, b, rcond=None):
    sa, sb = _matrix_shape(a, "lstsq"), rules.shape_of(b)
    if len(sa) != 2 or len(sb) not in (1, 2) or None not in (sa[0], sb[0]) and sa[0] != sb[0]:
        raise ValueError(f"lstsq: expected a of shape (m, n) and b of shape (m,) or (m, k), "
                         f"received shapes {sa} and {sb}")
    return KerasTensor((sa[1],) + tuple(sb[1:]), _float_dtype(a, b))


@op(_lstsq_spec, module="linalg")
def lstsq(a, b, rcond=None):
    """Least-squares solution ``x`` minimising ``||a @ x - b||``.

    Singular values of ``a`` below ``rcond`` times the largest are treated as zero
    (default: machine epsilon times ``max(m, n)``).

    Example:
        >>> import kiln
        >>> x = kiln.ops.lstsq([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], [1.0, 2.0, 0.0])
        >>> kiln.ops.convert_to_numpy(x).round(4).tolist()
        [1.0, 1.0]
    """
    return _linalg.lstsq(a, b, rcond=rcond)


def _lu_factor_spec(x):
    shape = _matrix_shape(x, "lu_factor")
    return (KerasTensor(shape, _float_dtype(x)),
            KerasTensor(shape[:-2] + (_min_dim(shape[-2], shape[-1]),), "int32"))


@op(_lu_factor_spec, module="linalg")
def lu_factor(x):
    """LU factorization with partial pivoting, packed as in LAPACK's ``getrf``.

    Returns ``(lu, pivots)``: ``lu`` holds ``U`` in its upper triangle and the unit
    lower factor ``L`` below the diagonal; row ``i`` was swapped with row
    ``pivots[i]`` (0-based, int32).

    Example:
        >>> import kiln
        >>> lu, pivots = kiln.ops.lu_factor([[1.0, 2.0], [3.0, 4.0]])
        >>> kiln.ops.convert_to_numpy(pivots).tolist()
        [1, 1]
    """
    return _linalg.lu_factor(x)


def _matrix_rank_spec(x, tol=None):
    return KerasTensor(_matrix_shape(x, "matrix_rank")[:-2], "int32")


@op(_matrix_rank_spec, module="linalg")
def matrix_rank(x, tol=None):
    """Rank of matrices: the number of singular values above ``tol`` (int32).

    ``tol`` defaults to the largest singular value times ``max(m, n)`` times the
    dtype's machine epsilon.

    Example:
        >>> import kiln
        >>> int(kiln.ops.convert_to_numpy(kiln.ops.matrix_rank([[1.0, 2.0], [2.0, 4.0]])))
        1
    """
    return _linalg.matrix_rank(x, tol=tol)


def _pinv_spec(x, rcond=None):
    shape = _matrix_shape(x, "pinv")
    return KerasTensor(shape[:-2] + (shape[-1], shape[-2]), _float_dtype(x))


@op(_pinv_spec, module="linalg")
def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse of matrices, computed from their SVD.

    Singular values up to ``rcond`` times the largest are dropped (default:
    ``10 * max(m, n) * eps``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.pinv([[2.0, 0.0], [0.0, 0.0]])).tolist()
        [[0.5, 0.0], [0.0, 0.0]]
    """
    return _linalg.pinv(x, rcond=rcond)


def _qr_spec(x, mode="reduced"):
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', received {mode!r}")
    shape = _matrix_shape(x, "qr")
    m, n = shape[-2:]
    k = m if mode == "complete" else _min_dim(m, n)
    dtype = _float_dtype(x)
    return KerasTensor(shape[:-2] + (m, k), dtype), KerasTensor(shape[:-2] + (k, n), dtype)


@op(_qr_spec, module="linalg")
def qr(x, mode="reduced"):
    """QR decomposition ``x = q @ r`` with orthonormal columns in ``q`` and upper-triangular ``r``.

    ``mode="reduced"`` gives ``q`` of shape ``(..., m, k)`` and ``r`` ``(..., k, n)``
    with ``k = min(m, n)``; ``mode="complete"`` gives a square ``q`` ``(..., m, m)``.

    Example:
        >>> import kiln
        >>> q, r = kiln.ops.qr([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        >>> tuple(kiln.ops.shape(q)), tuple(kiln.ops.shape(r))
        ((3, 2), (2, 2))
    """
    return _linalg.qr(x, mode=mode)


def _solve_triangular_spec(a, b, lower=False):
    sa, sb = _square_matrix_shape(a, "solve_triangular"), rules.shape_of(b)
    if not sb or (sa[-1] is not None and sb[-2 if len(sb) > 1 else -1] not in (None, sa[-1])):
        raise ValueError(f"solve_triangular: b of shape {sb} does not match a of shape {sa}")
    return KerasTensor(sb, _float_dtype(a, b))


@op(_solve_triangular_spec, module="linalg")
def solve_triangular(a, b, lower=False):
    """Solve ``a @ x = b`` for triangular ``a`` (upper, or lower with ``lower=True``).

    Only the named triangle of ``a`` is read.

    Example:
        >>> import kiln
        >>> x = kiln.ops.solve_triangular([[2.0, 1.0], [0.0, 4.0]], [[4.0], [8.0]])
        >>> kiln.ops.convert_to_numpy(x).tolist()
        [[1.0], [2.0]]
    """
    return _linalg.solve_triangular(a, b, lower=lower)


def _svd_spec(x, full_matrices=True, compute_uv=True):
    shape = _matrix_shape(x, "svd")
    m, n = shape[-2:]
    k = _min_dim(m, n)
    batch, dtype = shape[:-2], _float_dtype(x)
    s = KerasTensor(batch + (k,), dtype)
    if not compute_uv:
        return s
    if full_matrices:
        return KerasTensor(batch + (m, m), dtype), s, KerasTensor(batch + (n, n), dtype)
    return KerasTensor(batch + (m, k), dtype), s, KerasTensor(batch + (k, n), dtype)


@op(_svd_spec, class_name="SVD", module="linalg")
def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition ``x = u @ diag(s) @ vh``, singular values descending.

    Returns ``(u, s, vh)``, or only ``s`` when ``compute_uv=False``. With
    ``full_matrices=False`` ``u`` and ``vh`` keep only ``min(m, n)`` columns/rows.

    Example:
        >>> import kiln
        >>> s = kiln.ops.svd([[3.0, 0.0], [0.0, 4.0]], compute_uv=False)
        >>> kiln.ops.convert_to_numpy(s).tolist()
        [4.0, 3.0]
    """
    return _linalg.svd(x, full_matrices=full_matrices, compute_uv=compute_uv)
