"""NumPy-style ops (``kiln.ops.numpy``), every one also re-exported as ``kiln.ops.<name>``.

Each op has an eager path (the active backend's ``array_ops`` function) and a
declared symbolic rule giving the output shape and dtype for KerasTensors.

Example:
    >>> import kiln
    >>> kiln.ops.convert_to_numpy(kiln.ops.add([1, 2], 10)).tolist()
    [11, 12]
"""

import builtins
import math as _pymath

from kiln import config
from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.operation import op

__all__ = [
    "add",
    "subtract",
    "multiply",
    "divide",
    "true_divide",
    "floor_divide",
    "mod",
    "power",
    "maximum",
    "minimum",
    "equal",
    "not_equal",
    "less",
    "less_equal",
    "greater",
    "greater_equal",
    "logical_and",
    "logical_or",
    "logical_not",
    "isnan",
    "isfinite",
    "isinf",
    "negative",
    "abs",
    "absolute",
    "square",
    "sqrt",
    "exp",
    "log",
    "log1p",
    "expm1",
    "sin",
    "cos",
    "tan",
    "tanh",
    "sinh",
    "cosh",
    "arctan",
    "reciprocal",
    "sign",
    "floor",
    "ceil",
    "round",
    "nan_to_num",
    "clip",
    "matmul",
    "dot",
    "tensordot",
    "outer",
    "einsum",
    "reshape",
    "transpose",
    "concatenate",
    "stack",
    "split",
    "unstack",
    "expand_dims",
    "squeeze",
    "broadcast_to",
    "tile",
    "repeat",
    "pad",
    "flip",
    "cumsum",
    "cumprod",
    "sort",
    "argsort",
    "moveaxis",
    "swapaxes",
    "ravel",
    "tril",
    "triu",
    "copy",
    "array",
    "take",
    "take_along_axis",
    "where",
    "sum",
    "prod",
    "mean",
    "var",
    "std",
    "max",
    "amax",
    "min",
    "amin",
    "all",
    "any",
    "argmax",
    "argmin",
    "count_nonzero",
    "zeros",
    "ones",
    "full",
    "zeros_like",
    "ones_like",
    "full_like",
    "arange",
    "eye",
    "identity",
    "linspace",
    "size",
    "ndim",
]


_array_ops = _backend.array_ops

# Sums and products accumulate small integers as JAX does: signed (and bool) in int32,
# unsigned in uint32.
_SUM_DTYPES = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32",
               "uint16": "uint32"}


# -- symbolic rules shared by many ops ------------------------------------------------
def _dtype(x):
    """Standardized dtype of an argument (Python scalars resolve to their default)."""
    return dtypes.result_type(rules.dtype_of(x))


def _binary_spec(name):
    def spec(x1, x2):
        return rules.elementwise_spec(x1, x2, op_name=name)
    return spec


def _int_binary_spec(name):
    """Promotion as usual, but bool operands are computed (and returned) as int32, as in JAX."""
    def spec(x1, x2):
        out = rules.elementwise_spec(x1, x2, op_name=name)
        if out.dtype == "bool":
            return KerasTensor(out.shape, "int32")
        return out
    return spec


def _subtract_spec(x1, x2):
    out = rules.elementwise_spec(x1, x2, op_name="subtract")
    if out.dtype == "bool":
        raise TypeError("subtract: boolean subtraction is not supported; use logical_xor or cast to an "
                        "integer dtype first")
    return out


def _float_binary_spec(name):
    def spec(x1, x2):
        return rules.elementwise_spec(
            x1, x2, dtype=dtypes.float_result_type(rules.dtype_of(x1), rules.dtype_of(x2)), op_name=name)
    return spec


def _bool_binary_spec(name):
    def spec(x1, x2):
        return rules.elementwise_spec(x1, x2, dtype="bool", op_name=name)
    return spec


def _same_spec(x, *args, **kwargs):
    return KerasTensor(rules.shape_of(x), _dtype(x))


def _float_unary_spec(x, *args, **kwargs):
    return KerasTensor(rules.shape_of(x), dtypes.float_result_type(rules.dtype_of(x)))


def _bool_unary_spec(x):
    return KerasTensor(rules.shape_of(x), "bool")


def _bool_to_int_spec(x):
    dtype = _dtype(x)
    return KerasTensor(rules.shape_of(x), "int32" if dtype == "bool" else dtype)


def _int_to_float_spec(x):
    dtype = _dtype(x)
    return KerasTensor(rules.shape_of(x), dtype if dtypes.is_float(dtype) else config.floatx())


def _reduce_spec(name, dtype_fn):
    def spec(x, axis=None, keepdims=False, *args, **kwargs):
        shape = rules.reduce_shape(rules.shape_of(x), axis, keepdims, name)
        return KerasTensor(shape, dtype_fn(x))
    return spec


def _sum_dtype(x):
    dtype = _dtype(x)
    return _SUM_DTYPES.get(dtype, dtype)


def _axis(axis, ndim, name):
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for a tensor of rank {ndim}")
    return axis % ndim


def _static_int(value):
    """An int for Python/NumPy integers, None for anything symbolic or unknown."""
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value) if not isinstance(value, KerasTensor) else None
    except (TypeError, ValueError):
        return None


# -- errors ---------------------------------------------------------------------------------
# -- element-wise arithmetic ------------------------------------------------------------
@op(_binary_spec("add"))
def add(x1, x2):
    """Add two tensors element-wise, with broadcasting and dtype promotion.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.add([1, 2], 10)).tolist()
        [11, 12]
    """
    return _array_ops.add(x1, x2)


@op(_subtract_spec)
def subtract(x1, x2):
    """Subtract ``x2`` from ``x1`` element-wise.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.subtract([5, 7], 2)).tolist()
        [3, 5]
    """
    return _array_ops.subtract(x1, x2)


@op(_binary_spec("multiply"))
def multiply(x1, x2):
    """Multiply two tensors element-wise.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.multiply([1, 2], 3)).tolist()
        [3, 6]
    """
    return _array_ops.multiply(x1, x2)


@op(_float_binary_spec("divide"))
def divide(x1, x2):
    """Divide element-wise; integer inputs give a float result.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.divide([1, 3], 2)).tolist()
        [0.5, 1.5]
    """
    return _array_ops.divide(x1, x2)


@op(_float_binary_spec("true_divide"))
def true_divide(x1, x2):
    """Same as :func:`divide`: true (float) division.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.true_divide([3], 2)).tolist()
        [1.5]
    """
    return _array_ops.true_divide(x1, x2)


@op(_int_binary_spec("floor_divide"))
def floor_divide(x1, x2):
    """Divide and round toward minus infinity.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.floor_divide([7, -7], 2)).tolist()
        [3, -4]
    """
    return _array_ops.floor_divide(x1, x2)


@op(_int_binary_spec("mod"))
def mod(x1, x2):
    """Remainder of floor division; it has the sign of the divisor.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.mod([7, -7], 3)).tolist()
        [1, 2]
    """
    return _array_ops.mod(x1, x2)


@op(_int_binary_spec("power"))
def power(x1, x2):
    """Raise ``x1`` to the power ``x2`` element-wise.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.power([2, 3], 2)).tolist()
        [4, 9]
    """
    return _array_ops.power(x1, x2)


@op(_binary_spec("maximum"))
def maximum(x1, x2):
    """Element-wise larger of two tensors.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.maximum([1, 5], 3)).tolist()
        [3, 5]
    """
    return _array_ops.maximum(x1, x2)


@op(_binary_spec("minimum"))
def minimum(x1, x2):
    """Element-wise smaller of two tensors.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.minimum([1, 5], 3)).tolist()
        [1, 3]
    """
    return _array_ops.minimum(x1, x2)


# -- comparisons and logic ----------------------------------------------------------------
@op(_bool_binary_spec("equal"))
def equal(x1, x2):
    """Element-wise ``x1 == x2`` (a bool tensor).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.equal([1, 2], 2)).tolist()
        [False, True]
    """
    return _array_ops.equal(x1, x2)


@op(_bool_binary_spec("not_equal"))
def not_equal(x1, x2):
    """Element-wise ``x1 != x2``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.not_equal([1, 2], 2)).tolist()
        [True, False]
    """
    return _array_ops.not_equal(x1, x2)


@op(_bool_binary_spec("less"))
def less(x1, x2):
    """Element-wise ``x1 < x2``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.less([1, 2], 2)).tolist()
        [True, False]
    """
    return _array_ops.less(x1, x2)


@op(_bool_binary_spec("less_equal"))
def less_equal(x1, x2):
    """Element-wise ``x1 <= x2``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.less_equal([1, 3], 2)).tolist()
        [True, False]
    """
    return _array_ops.less_equal(x1, x2)


@op(_bool_binary_spec("greater"))
def greater(x1, x2):
    """Element-wise ``x1 > x2``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.greater([1, 3], 2)).tolist()
        [False, True]
    """
    return _array_ops.greater(x1, x2)


@op(_bool_binary_spec("greater_equal"))
def greater_equal(x1, x2):
    """Element-wise ``x1 >= x2``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.greater_equal([1, 2], 2)).tolist()
        [False, True]
    """
    return _array_ops.greater_equal(x1, x2)


@op(_bool_binary_spec("logical_and"))
def logical_and(x1, x2):
    """Element-wise logical AND of the truth values.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.logical_and([True, True], [True, False])).tolist()
        [True, False]
    """
    return _array_ops.logical_and(x1, x2)


@op(_bool_binary_spec("logical_or"))
def logical_or(x1, x2):
    """Element-wise logical OR of the truth values.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.logical_or([False, True], False)).tolist()
        [False, True]
    """
    return _array_ops.logical_or(x1, x2)


@op(_bool_unary_spec)
def logical_not(x):
    """Element-wise logical NOT.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.logical_not([True, False])).tolist()
        [False, True]
    """
    return _array_ops.logical_not(x)


@op(_bool_unary_spec)
def isnan(x):
    """True where ``x`` is NaN.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.isnan([1.0, float("nan")])).tolist()
        [False, True]
    """
    return _array_ops.isnan(x)


@op(_bool_unary_spec)
def isfinite(x):
    """True where ``x`` is neither infinite nor NaN.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.isfinite([1.0, float("inf")])).tolist()
        [True, False]
    """
    return _array_ops.isfinite(x)


@op(_bool_unary_spec)
def isinf(x):
    """True where ``x`` is positive or negative infinity.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.isinf([1.0, float("-inf")])).tolist()
        [False, True]
    """
    return _array_ops.isinf(x)


# -- element-wise unary math --------------------------------------------------------------
def _negative_spec(x):
    if _dtype(x) == "bool":
        raise TypeError("negative: not defined for boolean tensors; use logical_not")
    return _same_spec(x)


@op(_negative_spec)
def negative(x):
    """Element-wise ``-x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.negative([1, -2])).tolist()
        [-1, 2]
    """
    return _array_ops.negative(x)


@op(_same_spec)
def abs(x):
    """Element-wise absolute value.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.abs([-1, 2])).tolist()
        [1, 2]
    """
    return _array_ops.abs(x)


absolute = abs


@op(_bool_to_int_spec)
def square(x):
    """Element-wise ``x * x`` (bool inputs give int32).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.square([2, -3])).tolist()
        [4, 9]
    """
    return _array_ops.square(x)


@op(_float_unary_spec)
def sqrt(x):
    """Element-wise square root; integers give floats.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.sqrt([4, 9])).tolist()
        [2.0, 3.0]
    """
    return _array_ops.sqrt(x)


@op(_float_unary_spec)
def exp(x):
    """Element-wise exponential ``e**x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.exp([0.0])).tolist()
        [1.0]
    """
    return _array_ops.exp(x)


@op(_float_unary_spec)
def log(x):
    """Element-wise natural logarithm.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.log([1.0])).tolist()
        [0.0]
    """
    return _array_ops.log(x)


@op(_float_unary_spec)
def log1p(x):
    """Element-wise ``log(1 + x)``, accurate for small ``x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.log1p([0.0])).tolist()
        [0.0]
    """
    return _array_ops.log1p(x)


@op(_float_unary_spec)
def expm1(x):
    """Element-wise ``exp(x) - 1``, accurate for small ``x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.expm1([0.0])).tolist()
        [0.0]
    """
    return _array_ops.expm1(x)


@op(_float_unary_spec)
def sin(x):
    """Element-wise sine (radians).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.sin([0.0])).tolist()
        [0.0]
    """
    return _array_ops.sin(x)


@op(_float_unary_spec)
def cos(x):
    """Element-wise cosine (radians).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.cos([0.0])).tolist()
        [1.0]
    """
    return _array_ops.cos(x)


@op(_float_unary_spec)
def tan(x):
    """Element-wise tangent (radians).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.tan([0.0])).tolist()
        [0.0]
    """
    return _array_ops.tan(x)


@op(_float_unary_spec)
def tanh(x):
    """Element-wise hyperbolic tangent.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.tanh([0.0])).tolist()
        [0.0]
    """
    return _array_ops.tanh(x)


@op(_float_unary_spec)
def sinh(x):
    """Element-wise hyperbolic sine.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.sinh([0.0])).tolist()
        [0.0]
    """
    return _array_ops.sinh(x)


@op(_float_unary_spec)
def cosh(x):
    """Element-wise hyperbolic cosine.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.cosh([0.0])).tolist()
        [1.0]
    """
    return _array_ops.cosh(x)


@op(_float_unary_spec)
def arctan(x):
    """Element-wise inverse tangent, in radians.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.arctan([0.0])).tolist()
        [0.0]
    """
    return _array_ops.arctan(x)


@op(_float_unary_spec)
def reciprocal(x):
    """Element-wise ``1 / x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.reciprocal([2.0, 4.0])).tolist()
        [0.5, 0.25]
    """
    return _array_ops.reciprocal(x)


@op(_same_spec)
def sign(x):
    """Element-wise sign: -1, 0 or 1.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.sign([-3, 0, 2])).tolist()
        [-1, 0, 1]
    """
    return _array_ops.sign(x)


@op(_int_to_float_spec)
def floor(x):
    """Round down to the nearest integer value (integer inputs give floats).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.floor([1.5, -1.5])).tolist()
        [1.0, -2.0]
    """
    return _array_ops.floor(x)


@op(_int_to_float_spec)
def ceil(x):
    """Round up to the nearest integer value (integer inputs give floats).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.ceil([1.5, -1.5])).tolist()
        [2.0, -1.0]
    """
    return _array_ops.ceil(x)


@op(_same_spec)
def round(x, decimals=0):
    """Round half to even, to ``decimals`` decimal places.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.round([0.5, 1.5, 2.25], decimals=0)).tolist()
        [0.0, 2.0, 2.0]
    """
    return _array_ops.round(x, decimals=decimals)


def _nan_to_num_spec(x, nan=0.0, posinf=None, neginf=None):
    return _same_spec(x)


@op(_nan_to_num_spec)
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace NaN with ``nan`` and infinities with ``posinf``/``neginf`` (default: dtype limits).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.nan_to_num([float("nan"), 1.0])).tolist()
        [0.0, 1.0]
    """
    return _array_ops.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def _clip_spec(x, x_min, x_max):
    dtype = _dtype(x)
    return KerasTensor(rules.shape_of(x), "int32" if dtype == "bool" else dtype)


@op(_clip_spec)
def clip(x, x_min, x_max):
    """Limit the values of ``x`` to ``[x_min, x_max]``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.clip([-1, 5, 9], 0, 6)).tolist()
        [0, 5, 6]
    """
    return _array_ops.clip(x, x_min, x_max)


# -- linear algebra-like products ------------------------------------------------------------
def _matmul_spec(x1, x2):
    s1, s2 = rules.shape_of(x1), rules.shape_of(x2)
    if not s1 or not s2:
        raise ValueError(f"matmul: inputs must have rank >= 1, received shapes {s1} and {s2}")
    a = (1,) + s1 if len(s1) == 1 else s1
    b = s2 + (1,) if len(s2) == 1 else s2
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ValueError(
            f"matmul: inner dimensions differ: x1 has shape {s1}, x2 has shape {s2} "
            f"({a[-1]} != {b[-2]})"
        )
    batch = rules.broadcast_shapes(a[:-2], b[:-2], "matmul")
    shape = batch + (a[-2], b[-1])
    if len(s1) == 1:
        shape = shape[:-2] + shape[-1:]
    if len(s2) == 1:
        shape = shape[:-1]
    return KerasTensor(shape, dtypes.result_type(rules.dtype_of(x1), rules.dtype_of(x2)))


@op(_matmul_spec)
def matmul(x1, x2):
    """Matrix product of two tensors, NumPy ``matmul`` semantics (batched, broadcasting).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.matmul(kiln.ops.ones((2, 3)), kiln.ops.ones((3, 4))))
        (2, 4)
    """
    return _array_ops.matmul(x1, x2)


def _check_dim(a, b, name, s1, s2):
    if a is not None and b is not None and a != b:
        raise ValueError(f"{name}: contracted dimensions differ ({a} != {b}) for shapes {s1} and {s2}")


def _dot_spec(x1, x2):
    s1, s2 = rules.shape_of(x1), rules.shape_of(x2)
    dtype = dtypes.result_type(rules.dtype_of(x1), rules.dtype_of(x2))
    if not s1 or not s2:
        return KerasTensor(rules.broadcast_shapes(s1, s2, "dot"), dtype)
    if len(s2) == 1:
        _check_dim(s1[-1], s2[0], "dot", s1, s2)
        return KerasTensor(s1[:-1], dtype)
    _check_dim(s1[-1], s2[-2], "dot", s1, s2)
    return KerasTensor(s1[:-1] + s2[:-2] + s2[-1:], dtype)


@op(_dot_spec)
def dot(x1, x2):
    """NumPy ``dot``: inner product of vectors, matrix product of matrices, sum-product in general.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.dot([1, 2], [3, 4])).tolist()
        11
    """
    return _array_ops.dot(x1, x2)


def _tensordot_spec(x1, x2, axes=2):
    s1, s2 = rules.shape_of(x1), rules.shape_of(x2)
    dtype = dtypes.result_type(rules.dtype_of(x1), rules.dtype_of(x2))
    if isinstance(axes, int):
        a1 = list(range(len(s1) - axes, len(s1)))
        a2 = list(range(axes))
    else:
        a1, a2 = axes
        a1 = [a1] if isinstance(a1, int) else list(a1)
        a2 = [a2] if isinstance(a2, int) else list(a2)
        a1 = [_axis(a, len(s1), "tensordot") for a in a1]
        a2 = [_axis(a, len(s2), "tensordot") for a in a2]
    if len(a1) != len(a2):
        raise ValueError(f"tensordot: axes must have the same length, received {axes}")
    for i, j in zip(a1, a2):
        _check_dim(s1[i], s2[j], "tensordot", s1, s2)
    shape = tuple(d for i, d in enumerate(s1) if i not in a1) + tuple(
        d for i, d in enumerate(s2) if i not in a2)
    return KerasTensor(shape, dtype)


@op(_tensordot_spec)
def tensordot(x1, x2, axes=2):
    """Sum of products over the given axes (``axes`` an int or a pair of axis lists).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.tensordot(kiln.ops.ones((2, 3)), kiln.ops.ones((3, 4)), axes=1))
        (2, 4)
    """
    return _array_ops.tensordot(x1, x2, axes=axes)


def _outer_spec(x1, x2):
    s1, s2 = rules.shape_of(x1), rules.shape_of(x2)

    def size(s):
        return None if None in s else int(_pymath.prod(s))

    return KerasTensor((size(s1), size(s2)), dtypes.result_type(rules.dtype_of(x1), rules.dtype_of(x2)))


@op(_outer_spec)
def outer(x1, x2):
    """Outer product of two vectors (inputs are flattened first).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.outer([1, 2], [1, 10])).tolist()
        [[1, 10], [2, 20]]
    """
    return _array_ops.outer(x1, x2)


def _einsum_spec(subscripts, *operands, **kwargs):
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        inputs, output = subscripts.split("->")
    else:
        inputs, output = subscripts, None
    terms = inputs.split(",")
    if len(terms) != len(operands):
        raise ValueError(
            f"einsum: subscripts {subscripts!r} name {len(terms)} operands, received {len(operands)}")
    sizes = {}
    ellipsis_shape = ()
    counts = {}
    for term, operand in zip(terms, operands):
        shape = rules.shape_of(operand)
        if "..." in term:
            left, right = term.split("...")
            n_ell = len(shape) - len(left) - len(right)
            ell = shape[len(left):len(left) + n_ell]
            ellipsis_shape = rules.broadcast_shapes(ellipsis_shape, ell, "einsum")
            dims = list(zip(left, shape[:len(left)])) + list(zip(right, shape[len(shape) - len(right):]))
        else:
            if len(term) != len(shape):
                raise ValueError(
                    f"einsum: term {term!r} has {len(term)} indices but its operand has shape {shape}")
            dims = list(zip(term, shape))
        for letter, dim in dims:
            counts[letter] = counts.get(letter, 0) + 1
            old = sizes.get(letter)
            if old is None or old == 1:
                sizes[letter] = dim
            elif dim is not None and dim != 1 and dim != old:
                raise ValueError(f"einsum: index {letter!r} has sizes {old} and {dim}")
    if output is None:
        letters = sorted(k for k, c in counts.items() if c == 1)
        output = ("..." if ellipsis_shape or builtins.any("..." in t for t in terms) else "") + "".join(letters)
    shape = []
    if "..." in output:
        left, right = output.split("...")
        shape = [sizes[c] for c in left] + list(ellipsis_shape) + [sizes[c] for c in right]
    else:
        shape = [sizes[c] for c in output]
    dtype = dtypes.result_type(*(rules.dtype_of(o) for o in operands))
    return KerasTensor(tuple(shape), dtype)


@op(_einsum_spec)
def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over the operands, as described by ``subscripts``.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.einsum("ij,jk->ik", kiln.ops.ones((2, 3)), kiln.ops.ones((3, 5))))
        (2, 5)
    """
    return _array_ops.einsum(subscripts, *operands, **kwargs)


# -- shape manipulation ---------------------------------------------------------------
def _reshape_spec(x, newshape):
    shape = rules.shape_of(x)
    newshape = (newshape,) if isinstance(newshape, int) else tuple(newshape)
    newshape = tuple(None if d is None else int(d) for d in newshape)
    if newshape.count(-1) > 1:
        raise ValueError(f"reshape: at most one -1 is allowed in newshape, received {newshape}")
    known_in = None if None in shape else int(_pymath.prod(shape))
    if -1 in newshape:
        rest = [d for d in newshape if d != -1]
        if known_in is not None and None not in rest:
            denom = int(_pymath.prod(rest))
            if denom == 0 or known_in % denom:
                raise ValueError(f"reshape: cannot reshape a tensor of shape {shape} into {newshape}")
            newshape = tuple(known_in // denom if d == -1 else d for d in newshape)
        else:
            newshape = tuple(None if d == -1 else d for d in newshape)
    elif known_in is not None and None not in newshape and known_in != int(_pymath.prod(newshape)):
        raise ValueError(f"reshape: cannot reshape a tensor of shape {shape} into {newshape}")
    return KerasTensor(newshape, _dtype(x))


@op(_reshape_spec)
def reshape(x, newshape):
    """Give ``x`` a new shape with the same number of elements (one dimension may be -1).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.reshape(kiln.ops.ones((2, 3)), (3, -1)))
        (3, 2)
    """
    return _array_ops.reshape(x, newshape)


def _transpose_spec(x, axes=None):
    shape = rules.shape_of(x)
    if axes is None:
        return KerasTensor(shape[::-1], _dtype(x))
    axes = [_axis(a, len(shape), "transpose") for a in axes]
    if sorted(axes) != list(range(len(shape))):
        raise ValueError(f"transpose: axes {axes} are not a permutation of the {len(shape)} axes of {shape}")
    return KerasTensor(tuple(shape[a] for a in axes), _dtype(x))


@op(_transpose_spec)
def transpose(x, axes=None):
    """Permute the axes (reverse them when ``axes`` is None).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.transpose(kiln.ops.ones((2, 3, 4)), (1, 0, 2)))
        (3, 2, 4)
    """
    return _array_ops.transpose(x, axes=axes)


def _concatenate_spec(xs, axis=0):
    shapes = [rules.shape_of(x) for x in xs]
    dtype = dtypes.result_type(*(rules.dtype_of(x) for x in xs))
    if axis is None:
        total = 0
        for s in shapes:
            total = None if total is None or None in s else total + int(_pymath.prod(s))
        return KerasTensor((total,), dtype)
    rank = len(shapes[0])
    axis = _axis(axis, rank, "concatenate")
    out = list(shapes[0])
    for s in shapes[1:]:
        if len(s) != rank:
            raise ValueError(f"concatenate: all inputs must have the same rank, received shapes {shapes}")
        for i, d in enumerate(s):
            if i == axis:
                out[i] = None if out[i] is None or d is None else out[i] + d
            elif out[i] is None:
                out[i] = d
            elif d is not None and d != out[i]:
                raise ValueError(
                    f"concatenate: shapes {shapes} differ on axis {i}, which is not the concatenation axis")
    return KerasTensor(tuple(out), dtype)


@op(_concatenate_spec)
def concatenate(xs, axis=0):
    """Join a list of tensors along an existing axis.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.concatenate([[1, 2], [3]])).tolist()
        [1, 2, 3]
    """
    return _array_ops.concatenate(xs, axis=axis)


def _stack_spec(x, axis=0):
    shapes = [rules.shape_of(t) for t in x]
    dtype = dtypes.result_type(*(rules.dtype_of(t) for t in x))
    out = shapes[0]
    for s in shapes[1:]:
        if len(s) != len(out):
            raise ValueError(f"stack: all inputs must have the same shape, received {shapes}")
        out = tuple(b if a is None else a for a, b in zip(out, s))
        for a, b in zip(out, s):
            if b is not None and a != b:
                raise ValueError(f"stack: all inputs must have the same shape, received {shapes}")
    axis = _axis(axis, len(out) + 1, "stack")
    return KerasTensor(out[:axis] + (len(x),) + out[axis:], dtype)


@op(_stack_spec)
def stack(x, axis=0):
    """Join a list of same-shaped tensors along a new axis.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.stack([[1, 2], [3, 4]], axis=1)).tolist()
        [[1, 3], [2, 4]]
    """
    return _array_ops.stack(x, axis=axis)


def _split_spec(x, indices_or_sections, axis=0):
    shape = rules.shape_of(x)
    axis = _axis(axis, len(shape), "split")
    length = shape[axis]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if length is not None and length % n:
            raise ValueError(f"split: axis {axis} of size {length} cannot be split into {n} equal sections")
        sizes = [None if length is None else length // n] * n
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [length]
        sizes = []
        for start, stop in zip(bounds[:-1], bounds[1:]):
            sizes.append(None if stop is None else builtins.max(0, stop - start))
    return [KerasTensor(shape[:axis] + (s,) + shape[axis + 1:], _dtype(x)) for s in sizes]


@op(_split_spec)
def split(x, indices_or_sections, axis=0):
    """Split into equal sections (an int) or at the given indices (a list); returns a list.

    Example:
        >>> import kiln
        >>> [kiln.ops.convert_to_numpy(t).tolist() for t in kiln.ops.split([1, 2, 3, 4], 2)]
        [[1, 2], [3, 4]]
    """
    return _array_ops.split(x, indices_or_sections, axis=axis)


def _unstack_spec(x, num=None, axis=0):
    shape = rules.shape_of(x)
    axis = _axis(axis, len(shape), "unstack")
    n = shape[axis] if num is None else num
    if n is None:
        raise ValueError(f"unstack: cannot unstack axis {axis} of unknown size in shape {shape}; pass num")
    return [KerasTensor(shape[:axis] + shape[axis + 1:], _dtype(x)) for _ in range(n)]


@op(_unstack_spec)
def unstack(x, num=None, axis=0):
    """Split along ``axis`` into a list of tensors, one per index, with that axis removed.

    Example:
        >>> import kiln
        >>> [kiln.ops.convert_to_numpy(t).tolist() for t in kiln.ops.unstack([[1, 2], [3, 4]])]
        [[1, 2], [3, 4]]
    """
    return _array_ops.unstack(x, num=num, axis=axis)


def _expand_dims_spec(x, axis):
    shape = list(rules.shape_of(x))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    rank = len(shape) + len(axes)
    for a in sorted(_axis(a, rank, "expand_dims") for a in axes):
        shape.insert(a, 1)
    return KerasTensor(tuple(shape), _dtype(x))


@op(_expand_dims_spec)
def expand_dims(x, axis):
    """Insert a size-1 axis at ``axis`` (an int or a tuple of ints).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.expand_dims(kiln.ops.ones((2, 3)), 1))
        (2, 1, 3)
    """
    return _array_ops.expand_dims(x, axis)


def _squeeze_spec(x, axis=None):
    shape = rules.shape_of(x)
    if axis is None:
        return KerasTensor(tuple(d for d in shape if d != 1), _dtype(x))
    axes = rules.canonical_axes(axis, len(shape), "squeeze")
    for a in axes:
        if shape[a] not in (1, None):
            raise ValueError(f"squeeze: cannot squeeze axis {a} of size {shape[a]} in shape {shape}")
    return KerasTensor(tuple(d for i, d in enumerate(shape) if i not in axes), _dtype(x))


@op(_squeeze_spec)
def squeeze(x, axis=None):
    """Remove size-1 axes (all of them, or those in ``axis``).

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.squeeze(kiln.ops.ones((2, 1, 3))))
        (2, 3)
    """
    return _array_ops.squeeze(x, axis=axis)


def _broadcast_to_spec(x, shape):
    target = (shape,) if isinstance(shape, int) else tuple(shape)
    rules.broadcast_shapes(rules.shape_of(x), target, "broadcast_to")
    return KerasTensor(target, _dtype(x))


@op(_broadcast_to_spec)
def broadcast_to(x, shape):
    """Broadcast ``x`` to ``shape``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.broadcast_to([1, 2], (2, 2))).tolist()
        [[1, 2], [1, 2]]
    """
    return _array_ops.broadcast_to(x, shape)


def _tile_spec(x, repeats):
    _check_repeats("tile", repeats)
    shape = rules.shape_of(x)
    repeats = (repeats,) if isinstance(repeats, int) else tuple(repeats)
    rank = builtins.max(len(shape), len(repeats))
    shape = (1,) * (rank - len(shape)) + shape
    repeats = (1,) * (rank - len(repeats)) + repeats
    return KerasTensor(tuple(None if d is None else d * r for d, r in zip(shape, repeats)), _dtype(x))


@op(_tile_spec)
def tile(x, repeats):
    """Repeat the whole tensor ``repeats`` times along each axis.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.tile([1, 2], 2)).tolist()
        [1, 2, 1, 2]
    """
    _check_repeats("tile", repeats)
    return _array_ops.tile(x, repeats)


def _repeat_spec(x, repeats, axis=None):
    shape = rules.shape_of(x)
    r = _static_int(repeats) if not isinstance(repeats, (list, tuple)) else None
    if isinstance(repeats, (list, tuple)):
        total = builtins.sum(int(v) for v in repeats)
    if axis is None:
        size = None if None in shape else int(_pymath.prod(shape))
        if isinstance(repeats, (list, tuple)):
            return KerasTensor((total,), _dtype(x))
        return KerasTensor((None if size is None or r is None else size * r,), _dtype(x))
    axis = _axis(axis, len(shape), "repeat")
    if isinstance(repeats, (list, tuple)):
        new = total if len(repeats) != 1 else (None if shape[axis] is None else shape[axis] * total)
    else:
        new = None if shape[axis] is None or r is None else shape[axis] * r
    return KerasTensor(shape[:axis] + (new,) + shape[axis + 1:], _dtype(x))


@op(_repeat_spec)
def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times (along ``axis``, or of the flattened tensor).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.repeat([1, 2], 2)).tolist()
        [1, 1, 2, 2]
    """
    return _array_ops.repeat(x, repeats, axis=axis)


def _pad_spec(x, pad_width, mode="constant", constant_values=None):
    shape = rules.shape_of(x)
    import numpy as np

    widths = np.broadcast_to(np.asarray(pad_width, dtype="int64"), (len(shape), 2))
    out = tuple(None if d is None else d + int(lo) + int(hi) for d, (lo, hi) in zip(shape, widths))
    return KerasTensor(out, _dtype(x))


@op(_pad_spec)
def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad each axis by ``pad_width`` ((before, after) per axis) using ``mode``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.pad([1, 2], ((1, 1),))).tolist()
        [0, 1, 2, 0]
    """
    return _array_ops.pad(x, pad_width, mode=mode, constant_values=constant_values)


def _flip_spec(x, axis=None):
    rules.canonical_axes(axis, len(rules.shape_of(x)), "flip")
    return _same_spec(x)


@op(_flip_spec)
def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.flip([1, 2, 3])).tolist()
        [3, 2, 1]
    """
    return _array_ops.flip(x, axis=axis)


def _cumulative_spec(x, axis=None, dtype=None):
    shape = rules.shape_of(x)
    if axis is None:
        shape = (None if None in shape else int(_pymath.prod(shape)),)
    else:
        _axis(axis, len(shape), "cumsum")
    if dtype is None:
        dtype = _dtype(x)
        dtype = "int32" if dtype == "bool" else dtype
    return KerasTensor(shape, dtypes.standardize_dtype(dtype))


@op(_cumulative_spec)
def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along ``axis`` (of the flattened tensor when None).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.cumsum([1, 2, 3])).tolist()
        [1, 3, 6]
    """
    return _array_ops.cumsum(x, axis=axis, dtype=dtype)


@op(_cumulative_spec)
def cumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (of the flattened tensor when None).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.cumprod([1, 2, 3])).tolist()
        [1, 2, 6]
    """
    return _array_ops.cumprod(x, axis=axis, dtype=dtype)


def _sort_spec(x, axis=-1):
    shape = rules.shape_of(x)
    if axis is not None:
        _axis(axis, len(shape), "sort")
    else:
        shape = (None if None in shape else int(_pymath.prod(shape)),)
    return KerasTensor(shape, _dtype(x))


@op(_sort_spec)
def sort(x, axis=-1):
    """Sort ascending along ``axis``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.sort([3, 1, 2])).tolist()
        [1, 2, 3]
    """
    return _array_ops.sort(x, axis=axis)


def _argsort_spec(x, axis=-1):
    return KerasTensor(_sort_spec(x, axis).shape, "int32")


@op(_argsort_spec)
def argsort(x, axis=-1):
    """Indices (int32) that sort ``x`` ascending along ``axis``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.argsort([3, 1, 2])).tolist()
        [1, 2, 0]
    """
    return _array_ops.argsort(x, axis=axis)


def _moveaxis_spec(x, source, destination):
    shape = rules.shape_of(x)
    rank = len(shape)
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source {source} and destination {destination} differ in length")
    src = [_axis(a, rank, "moveaxis") for a in src]
    dst = [_axis(a, rank, "moveaxis") for a in dst]
    order = [i for i in range(rank) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return KerasTensor(tuple(shape[i] for i in order), _dtype(x))


@op(_moveaxis_spec)
def moveaxis(x, source, destination):
    """Move axes ``source`` to positions ``destination``; the others keep their order.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.moveaxis(kiln.ops.ones((2, 3, 4)), 0, -1))
        (3, 4, 2)
    """
    return _array_ops.moveaxis(x, source, destination)


def _swapaxes_spec(x, axis1, axis2):
    shape = list(rules.shape_of(x))
    a, b = _axis(axis1, len(shape), "swapaxes"), _axis(axis2, len(shape), "swapaxes")
    shape[a], shape[b] = shape[b], shape[a]
    return KerasTensor(tuple(shape), _dtype(x))


@op(_swapaxes_spec)
def swapaxes(x, axis1, axis2):
    """Exchange two axes.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.swapaxes(kiln.ops.ones((2, 3, 4)), 0, 2))
        (4, 3, 2)
    """
    return _array_ops.swapaxes(x, axis1, axis2)


def _ravel_spec(x):
    shape = rules.shape_of(x)
    return KerasTensor((None if None in shape else int(_pymath.prod(shape)),), _dtype(x))


@op(_ravel_spec)
def ravel(x):
    """Flatten to one dimension.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.ravel([[1, 2], [3, 4]])).tolist()
        [1, 2, 3, 4]
    """
    return _array_ops.ravel(x)


def _tri_spec(x, k=0):
    if len(rules.shape_of(x)) < 2:
        raise ValueError(f"tril/triu: input must have rank >= 2, received shape {rules.shape_of(x)}")
    return _same_spec(x)


@op(_tri_spec)
def tril(x, k=0):
    """Keep the lower triangle (on and below diagonal ``k``) of the last two axes, zero the rest.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.tril([[1, 2], [3, 4]])).tolist()
        [[1, 0], [3, 4]]
    """
    return _array_ops.tril(x, k=k)


@op(_tri_spec)
def triu(x, k=0):
    """Keep the upper triangle (on and above diagonal ``k``) of the last two axes, zero the rest.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.triu([[1, 2], [3, 4]])).tolist()
        [[1, 2], [0, 4]]
    """
    return _array_ops.triu(x, k=k)


@op(_same_spec)
def copy(x):
    """Return a copy of ``x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.copy([1, 2])).tolist()
        [1, 2]
    """
    return _array_ops.copy(x)


def _array_spec(x, dtype=None):
    return KerasTensor(rules.shape_of(x), _dtype(x) if dtype is None else dtypes.standardize_dtype(dtype))


@op(_array_spec)
def array(x, dtype=None):
    """Create a tensor from array-like data, optionally as ``dtype``.

    Example:
        >>> import kiln
        >>> kiln.ops.dtype(kiln.ops.array([1, 2], dtype="float32"))
        'float32'
    """
    return _array_ops.array(x, dtype=dtype)


# -- indexing ---------------------------------------------------------------------------
def _check_indices(name, indices):
    """``indices`` must hold integers (a float or bool index tensor is a mistake, not a cast)."""
    kind = rules.dtype_of(indices)
    if kind is None or kind is int or (isinstance(kind, str) and dtypes.is_int(kind)):
        return
    raise TypeError(f"{name}: indices must be integers, got dtype {getattr(kind, '__name__', kind)}")


def _check_repeats(name, repeats):
    items = repeats if isinstance(repeats, (list, tuple)) else (repeats,)
    for item in items:
        if isinstance(item, (float, bool)) or (hasattr(item, "dtype") and not dtypes.is_int(item.dtype)):
            raise TypeError(f"{name}: repeats must be integers, got {repeats!r}")


def _take_spec(x, indices, axis=None):
    _check_indices("take", indices)
    shape = rules.shape_of(x)
    ishape = rules.shape_of(indices)
    if axis is None:
        return KerasTensor(ishape, _dtype(x))
    axis = _axis(axis, len(shape), "take")
    return KerasTensor(shape[:axis] + ishape + shape[axis + 1:], _dtype(x))


@op(_take_spec)
def take(x, indices, axis=None):
    """Gather elements at ``indices`` along ``axis`` (of the flattened tensor when None).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.take([10, 20, 30], [2, 0])).tolist()
        [30, 10]
    """
    _check_indices("take", indices)
    return _array_ops.take(x, indices, axis=axis)


def _take_along_axis_spec(x, indices, axis=None):
    _check_indices("take_along_axis", indices)
    shape, ishape = rules.shape_of(x), rules.shape_of(indices)
    if axis is None:
        return KerasTensor(ishape, _dtype(x))
    axis = _axis(axis, len(shape), "take_along_axis")
    if len(ishape) != len(shape):
        raise ValueError(
            f"take_along_axis: indices must have the rank of x, received shapes {shape} and {ishape}")
    a = list(shape)
    a[axis] = 1
    b = list(ishape)
    b[axis] = 1
    out = list(rules.broadcast_shapes(tuple(a), tuple(b), "take_along_axis"))
    out[axis] = ishape[axis]
    return KerasTensor(tuple(out), _dtype(x))


@op(_take_along_axis_spec)
def take_along_axis(x, indices, axis=None):
    """Pick values of ``x`` with ``indices`` matching it index-for-index along ``axis``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.take_along_axis([[1, 2], [3, 4]], [[1], [0]], axis=1)).tolist()
        [[2], [3]]
    """
    _check_indices("take_along_axis", indices)
    return _array_ops.take_along_axis(x, indices, axis=axis)


def _where_spec(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        rank = len(rules.shape_of(condition))
        return tuple(KerasTensor((None,), "int32") for _ in range(rank))
    if x1 is None or x2 is None:
        raise ValueError("where: x1 and x2 must both be given, or both be None")
    shape = rules.broadcast_shapes(rules.shape_of(condition), rules.shape_of(x1), "where")
    shape = rules.broadcast_shapes(shape, rules.shape_of(x2), "where")
    return KerasTensor(shape, dtypes.result_type(rules.dtype_of(x1), rules.dtype_of(x2)))


@op(_where_spec)
def where(condition, x1=None, x2=None):
    """Pick ``x1`` where ``condition`` is true, else ``x2`` (broadcasting).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.where([True, False], [1, 2], [10, 20])).tolist()
        [1, 20]
    """
    return _array_ops.where(condition, x1, x2)


# -- reductions ---------------------------------------------------------------------------
@op(_reduce_spec("sum", _sum_dtype))
def sum(x, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes when None); bool/int8/int16 sum to int32, uint8/uint16 to uint32.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.sum([[1, 2], [3, 4]], axis=0)).tolist()
        [4, 6]
    """
    return _array_ops.sum(x, axis=axis, keepdims=keepdims)


def _prod_spec(x, axis=None, keepdims=False, dtype=None):
    shape = rules.reduce_shape(rules.shape_of(x), axis, keepdims, "prod")
    return KerasTensor(shape, _sum_dtype(x) if dtype is None else dtypes.standardize_dtype(dtype))


@op(_prod_spec)
def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis`` (all axes when None).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.prod([[1, 2], [3, 4]], axis=1)).tolist()
        [2, 12]
    """
    return _array_ops.prod(x, axis=axis, keepdims=keepdims, dtype=dtype)


def _float_dtype(x):
    return dtypes.float_result_type(rules.dtype_of(x))


@op(_reduce_spec("mean", _float_dtype))
def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis``; integer inputs give floats.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.mean([1, 2, 3, 4])).tolist()
        2.5
    """
    return _array_ops.mean(x, axis=axis, keepdims=keepdims)


@op(_reduce_spec("var", _float_dtype))
def var(x, axis=None, keepdims=False):
    """Population variance over ``axis``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.var([1.0, 3.0])).tolist()
        1.0
    """
    return _array_ops.var(x, axis=axis, keepdims=keepdims)


@op(_reduce_spec("std", _float_dtype))
def std(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.std([1.0, 3.0])).tolist()
        1.0
    """
    return _array_ops.std(x, axis=axis, keepdims=keepdims)


@op(_reduce_spec("max", _dtype))
def max(x, axis=None, keepdims=False, initial=None):
    """Largest value over ``axis``; ``initial`` is a lower bound for the result.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.max([[1, 5], [3, 4]], axis=0)).tolist()
        [3, 5]
    """
    return _array_ops.max(x, axis=axis, keepdims=keepdims, initial=initial)


@op(_reduce_spec("amax", _dtype))
def amax(x, axis=None, keepdims=False):
    """Largest value over ``axis`` (NumPy's name for :func:`max`, without ``initial``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.amax([[1, 5], [3, 4]], axis=1)).tolist()
        [5, 4]
    """
    return _array_ops.max(x, axis=axis, keepdims=keepdims)


@op(_reduce_spec("min", _dtype))
def min(x, axis=None, keepdims=False, initial=None):
    """Smallest value over ``axis``; ``initial`` is an upper bound for the result.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.min([[1, 5], [3, 4]], axis=0)).tolist()
        [1, 4]
    """
    return _array_ops.min(x, axis=axis, keepdims=keepdims, initial=initial)


@op(_reduce_spec("amin", _dtype))
def amin(x, axis=None, keepdims=False):
    """Smallest value over ``axis`` (NumPy's name for :func:`min`, without ``initial``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.amin([[1, 5], [3, 4]], axis=1)).tolist()
        [1, 3]
    """
    return _array_ops.min(x, axis=axis, keepdims=keepdims)


@op(_reduce_spec("all", lambda x: "bool"))
def all(x, axis=None, keepdims=False):
    """True where every element over ``axis`` is true.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.all([True, False])).tolist()
        False
    """
    return _array_ops.all(x, axis=axis, keepdims=keepdims)


@op(_reduce_spec("any", lambda x: "bool"))
def any(x, axis=None, keepdims=False):
    """True where some element over ``axis`` is true.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.any([True, False])).tolist()
        True
    """
    return _array_ops.any(x, axis=axis, keepdims=keepdims)


def _arg_reduce_spec(x, axis=None, keepdims=False):
    shape = rules.shape_of(x)
    if axis is None:
        return KerasTensor((1,) * len(shape) if keepdims else (), "int32")
    return KerasTensor(rules.reduce_shape(shape, axis, keepdims, "argmax"), "int32")


@op(_arg_reduce_spec)
def argmax(x, axis=None, keepdims=False):
    """Index (int32) of the largest value along ``axis`` (of the flattened tensor when None).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.argmax([1, 5, 3])).tolist()
        1
    """
    return _array_ops.argmax(x, axis=axis, keepdims=keepdims)


@op(_arg_reduce_spec)
def argmin(x, axis=None, keepdims=False):
    """Index (int32) of the smallest value along ``axis`` (of the flattened tensor when None).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.argmin([4, 1, 3])).tolist()
        1
    """
    return _array_ops.argmin(x, axis=axis, keepdims=keepdims)


def _count_nonzero_spec(x, axis=None):
    return KerasTensor(rules.reduce_shape(rules.shape_of(x), axis, False, "count_nonzero"), "int32")


@op(_count_nonzero_spec)
def count_nonzero(x, axis=None):
    """Number of non-zero elements along ``axis`` (int32).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.count_nonzero([0, 1, 2])).tolist()
        2
    """
    return _array_ops.count_nonzero(x, axis=axis)


# -- creation -------------------------------------------------------------------------
def _shape_arg(shape):
    if isinstance(shape, int):
        return (shape,)
    return tuple(None if d is None or isinstance(d, KerasTensor) else int(d) for d in shape)


def _creation_spec(shape, dtype=None):
    return KerasTensor(_shape_arg(shape), dtypes.standardize_dtype(dtype))


@op(_creation_spec)
def zeros(shape, dtype=None):
    """A tensor of zeros (default dtype ``floatx()``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.zeros((2,))).tolist()
        [0.0, 0.0]
    """
    return _array_ops.zeros(shape, dtype=dtype)


@op(_creation_spec)
def ones(shape, dtype=None):
    """A tensor of ones (default dtype ``floatx()``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.ones((2,))).tolist()
        [1.0, 1.0]
    """
    return _array_ops.ones(shape, dtype=dtype)


def _full_spec(shape, fill_value, dtype=None):
    if dtype is None:
        dtype = _dtype(fill_value)
    return KerasTensor(_shape_arg(shape), dtypes.standardize_dtype(dtype))


@op(_full_spec)
def full(shape, fill_value, dtype=None):
    """A tensor filled with ``fill_value`` (dtype inferred from it when None).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.full((2,), 7)).tolist()
        [7, 7]
    """
    return _array_ops.full(shape, fill_value, dtype=dtype)


def _like_spec(x, dtype=None):
    return KerasTensor(rules.shape_of(x), _dtype(x) if dtype is None else dtypes.standardize_dtype(dtype))


@op(_like_spec)
def zeros_like(x, dtype=None):
    """Zeros with the shape (and, by default, the dtype) of ``x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.zeros_like([1, 2])).tolist()
        [0, 0]
    """
    return _array_ops.zeros_like(x, dtype=dtype)


@op(_like_spec)
def ones_like(x, dtype=None):
    """Ones with the shape (and, by default, the dtype) of ``x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.ones_like([1, 2])).tolist()
        [1, 1]
    """
    return _array_ops.ones_like(x, dtype=dtype)


def _full_like_spec(x, fill_value, dtype=None):
    return _like_spec(x, dtype)


@op(_full_like_spec)
def full_like(x, fill_value, dtype=None):
    """``fill_value`` with the shape (and, by default, the dtype) of ``x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.full_like([1, 2], 5)).tolist()
        [5, 5]
    """
    return _array_ops.full_like(x, fill_value, dtype=dtype)


def _arange_spec(start, stop=None, step=None, dtype=None):
    if stop is None:
        start, stop = 0, start
    step_ = 1 if step is None else step
    if dtype is None:
        dtype = dtypes.result_type(*(rules.dtype_of(v) for v in (start, stop, step) if v is not None))
    values = [v if isinstance(v, (int, float)) else None for v in (start, stop, step_)]
    length = None
    if None not in values:
        length = builtins.max(0, int(_pymath.ceil((values[1] - values[0]) / values[2])))
    return KerasTensor((length,), dtypes.standardize_dtype(dtype))


@op(_arange_spec)
def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``; ints give int32, floats give ``floatx()``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.arange(1, 7, 2)).tolist()
        [1, 3, 5]
    """
    return _array_ops.arange(start, stop=stop, step=step, dtype=dtype)


def _eye_spec(N, M=None, k=0, dtype=None):
    return KerasTensor((_static_int(N), _static_int(N if M is None else M)), dtypes.standardize_dtype(dtype))


@op(_eye_spec)
def eye(N, M=None, k=0, dtype=None):
    """An ``N x M`` matrix with ones on diagonal ``k`` (default dtype ``floatx()``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.eye(2)).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    return _array_ops.eye(N, M=M, k=k, dtype=dtype)


def identity(n, dtype=None):
    """The ``n x n`` identity matrix (an alias of ``eye(n)``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.identity(2)).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    return eye(n, dtype=dtype)


def _linspace_spec(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    if dtype is None:
        dtype = dtypes.float_result_type(rules.dtype_of(start), rules.dtype_of(stop))
    dtype = dtypes.standardize_dtype(dtype)
    base = rules.broadcast_shapes(rules.shape_of(start), rules.shape_of(stop), "linspace")
    axis = _axis(axis, len(base) + 1, "linspace")
    out = KerasTensor(base[:axis] + (num,) + base[axis:], dtype)
    if retstep:
        return out, KerasTensor(base, dtype)
    return out


@op(_linspace_spec)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (included when ``endpoint``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.linspace(0, 1, 3)).tolist()
        [0.0, 0.5, 1.0]
    """
    return _array_ops.linspace(start, stop, num=num, endpoint=endpoint, retstep=retstep,
                               dtype=dtype, axis=axis)


# -- tensor properties ----------------------------------------------------------------
def _size_spec(x):
    return KerasTensor((), "int32")


@op(_size_spec)
def size(x):
    """Number of elements of ``x``.

    Example:
        >>> import kiln
        >>> int(kiln.ops.size(kiln.ops.ones((2, 3))))
        6
    """
    return _array_ops.size(x)


def ndim(x):
    """Number of dimensions of ``x`` (a Python int for KerasTensors).

    Example:
        >>> import kiln
        >>> int(kiln.ops.ndim(kiln.ops.ones((2, 3))))
        2
    """
    if isinstance(x, KerasTensor):
        return x.ndim
    return _array_ops.ndim(x)


# The other NumPy-style families live in their own modules (one concept each).
from kiln.ops import _array_math, _array_shape, _array_stats  # noqa: E402
from kiln.ops._array_math import *  # noqa: E402,F401,F403
from kiln.ops._array_shape import *  # noqa: E402,F401,F403
from kiln.ops._array_stats import *  # noqa: E402,F401,F403

# NumPy ops whose machinery lives with its concept: vectorize with the control flow in core,
# slogdet with the determinants in linalg.
from kiln.ops.core import vectorize  # noqa: E402,F401
from kiln.ops.linalg import slogdet  # noqa: E402,F401

__all__ += _array_math.__all__ + _array_stats.__all__ + _array_shape.__all__ + ["vectorize", "slogdet"]
