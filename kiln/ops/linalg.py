"""Linear-algebra ops (``kiln.ops.linalg``): norm, inverse, solve, Cholesky, determinant.

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
