"""Element-wise math, bitwise and comparison ops of ``kiln.ops.numpy`` (also ``kiln.ops.<name>``).

This module holds one family of the NumPy-style ops; ``kiln.ops.numpy``
re-exports everything in ``__all__``. Each op forwards to the backend's
``array_math`` module and declares its symbolic shape/dtype rule.

Dtype rules: float functions (``log2``, ``arcsin``...) give ``floatx()`` for
int/bool inputs; float binary functions (``arctan2``, ``hypot``...) promote
with ``dtypes.float_result_type``; ``fmax``/``fmin``/``fmod``/``gcd``/``lcm``
and the bitwise ops keep the promoted dtype (bool becomes int32 where
arithmetic needs it); predicates give bool.

Example:
    >>> import kiln
    >>> kiln.ops.convert_to_numpy(kiln.ops.log2([1, 8])).tolist()
    [0.0, 3.0]
"""

from kiln import config
from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.numpy import (
    _binary_spec,
    _bool_binary_spec,
    _bool_unary_spec,
    _dtype,
    _float_binary_spec,
    _float_unary_spec,
    _same_spec,
)
from kiln.ops.operation import op

_array_math = _backend.array_math

__all__ = [
    "angle", "arccos", "arccosh", "arcsin", "arcsinh", "arctan2", "arctanh", "cbrt", "conj",
    "conjugate", "deg2rad", "rad2deg", "exp2", "fabs", "fmax", "fmin", "fmod", "gcd", "lcm",
    "heaviside", "hypot", "i0", "imag", "real", "isreal", "isneginf", "isposinf", "ldexp", "log10",
    "log2", "logaddexp", "logaddexp2", "logical_xor", "nextafter", "signbit", "sinc", "trunc",
    "divide_no_nan", "isclose", "allclose", "bitwise_and", "bitwise_invert", "bitwise_not",
    "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "left_shift",
    "right_shift",
]

_REAL_PART = {"complex64": "float32", "complex128": "float64"}


# -- symbolic rules of this family ------------------------------------------------------
def _real_part_spec(x):
    dtype = _dtype(x)
    return KerasTensor(rules.shape_of(x), _REAL_PART.get(dtype, dtype))


def _angle_spec(x):
    dtype = _dtype(x)
    if dtype in _REAL_PART:
        dtype = _REAL_PART[dtype]
    elif not dtypes.is_float(dtype):
        dtype = config.floatx()
    return KerasTensor(rules.shape_of(x), dtype)


def _real_only(name, spec):
    """``spec`` for an op defined on real numbers only: complex inputs raise TypeError."""
    def checked(*args, **kwargs):
        for arg in (*args, *kwargs.values()):
            dtype = _dtype(arg)
            if dtype in _REAL_PART:
                raise TypeError(f"{name}: complex inputs are not supported, received dtype {dtype}")
        return spec(*args, **kwargs)
    return checked


def _check_integer(name, dtype, allow_bool=True):
    if dtypes.is_int(dtype) or (allow_bool and dtype == "bool"):
        return dtype
    raise TypeError(f"{name}: expected integer{' or bool' if allow_bool else ''} inputs, "
                    f"received dtype {dtype}")


def _int_binary_spec(name, bool_to_int):
    """Promoted dtype, which must be integer or bool; bool gives int32 when ``bool_to_int``."""
    def spec(x1, x2):
        out = rules.elementwise_spec(x1, x2, op_name=name)
        _check_integer(name, out.dtype)
        if bool_to_int and out.dtype == "bool":
            return KerasTensor(out.shape, "int32")
        return out
    return spec


def _int_unary_spec(name):
    def spec(x):
        return KerasTensor(rules.shape_of(x), _check_integer(name, _dtype(x)))
    return spec


def _fmod_spec(x1, x2):
    out = rules.elementwise_spec(x1, x2, op_name="fmod")
    return KerasTensor(out.shape, "int32") if out.dtype == "bool" else out


def _ldexp_spec(x1, x2):
    _check_integer("ldexp", _dtype(x2), allow_bool=False)
    return _float_binary_spec("ldexp")(x1, x2)


def _isclose_spec(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    return rules.elementwise_spec(x1, x2, dtype="bool", op_name="isclose")


def _allclose_spec(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    rules.broadcast_shapes(rules.shape_of(x1), rules.shape_of(x2), "allclose")
    return KerasTensor((), "bool")


# -- float functions of one argument ----------------------------------------------------
@op(_float_unary_spec)
def arccos(x):
    """Inverse cosine, element-wise (radians in ``[0, pi]``); ints give floats.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.arccos([1.0, -1.0])).round(4).tolist()
        [0.0, 3.1416]
    """
    return _array_math.arccos(x)


@op(_float_unary_spec)
def arccosh(x):
    """Inverse hyperbolic cosine, element-wise (defined for ``x >= 1``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.arccosh([1.0])).tolist()
        [0.0]
    """
    return _array_math.arccosh(x)


@op(_float_unary_spec)
def arcsin(x):
    """Inverse sine, element-wise (radians in ``[-pi/2, pi/2]``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.arcsin([0.0, 1.0])).round(4).tolist()
        [0.0, 1.5708]
    """
    return _array_math.arcsin(x)


@op(_float_unary_spec)
def arcsinh(x):
    """Inverse hyperbolic sine, element-wise.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.arcsinh([0.0])).tolist()
        [0.0]
    """
    return _array_math.arcsinh(x)


@op(_float_unary_spec)
def arctanh(x):
    """Inverse hyperbolic tangent, element-wise (defined on ``(-1, 1)``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.arctanh([0.0])).tolist()
        [0.0]
    """
    return _array_math.arctanh(x)


@op(_real_only("cbrt", _float_unary_spec))
def cbrt(x):
    """Real cube root, element-wise (negative inputs give negative roots).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.cbrt([8.0, -27.0])).round(4).tolist()
        [2.0, -3.0]
    """
    return _array_math.cbrt(x)


@op(_real_only("deg2rad", _float_unary_spec))
def deg2rad(x):
    """Convert angles from degrees to radians.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.deg2rad([180.0])).round(4).tolist()
        [3.1416]
    """
    return _array_math.deg2rad(x)


@op(_real_only("rad2deg", _float_unary_spec))
def rad2deg(x):
    """Convert angles from radians to degrees.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.rad2deg([3.14159265])).round(3).tolist()
        [180.0]
    """
    return _array_math.rad2deg(x)


@op(_float_unary_spec)
def exp2(x):
    """``2 ** x``, element-wise, as floats.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.exp2([3, -1])).tolist()
        [8.0, 0.5]
    """
    return _array_math.exp2(x)


@op(_real_only("fabs", _float_unary_spec))
def fabs(x):
    """Absolute value as a float tensor (int/bool inputs give floats).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.fabs([-2, 3])).tolist()
        [2.0, 3.0]
    """
    return _array_math.fabs(x)


@op(_real_only("i0", _float_unary_spec))
def i0(x):
    """Modified Bessel function of the first kind, order 0, element-wise.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.i0([0.0])).tolist()
        [1.0]
    """
    return _array_math.i0(x)


@op(_float_unary_spec)
def log10(x):
    """Base-10 logarithm, element-wise.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.log10([1.0, 100.0])).tolist()
        [0.0, 2.0]
    """
    return _array_math.log10(x)


@op(_float_unary_spec)
def log2(x):
    """Base-2 logarithm, element-wise.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.log2([1, 8])).tolist()
        [0.0, 3.0]
    """
    return _array_math.log2(x)


@op(_float_unary_spec)
def sinc(x):
    """Normalized sinc: ``sin(pi * x) / (pi * x)``, with value 1 at 0.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.sinc([0.0, 1.0])).round(4).tolist()
        [1.0, 0.0]
    """
    return _array_math.sinc(x)


@op(_real_only("trunc", _same_spec))
def trunc(x):
    """Round toward zero, element-wise; the dtype is kept (ints pass through).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.trunc([-1.7, 2.5])).tolist()
        [-1.0, 2.0]
    """
    return _array_math.trunc(x)


# -- complex parts ------------------------------------------------------------------------
@op(_angle_spec)
def angle(x):
    """Counterclockwise angle of each complex value (a real tensor, radians).

    Real inputs give 0 for non-negative values and pi for negative ones.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.angle([1j, -1.0])).round(4).tolist()
        [1.5708, 3.1416]
    """
    return _array_math.angle(x)


@op(_same_spec)
def conjugate(x):
    """Complex conjugate (the imaginary part changes sign); real inputs are unchanged.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.conjugate([1 + 2j])).tolist()
        [(1-2j)]
    """
    return _array_math.conjugate(x)


def conj(x):
    """Short name for :func:`conjugate`.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.conj([3 - 1j])).tolist()
        [(3+1j)]
    """
    return conjugate(x)


@op(_real_part_spec)
def real(x):
    """Real part of each element (real inputs are returned as they are).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.real([1 + 2j])).tolist()
        [1.0]
    """
    return _array_math.real(x)


@op(_real_part_spec)
def imag(x):
    """Imaginary part of each element (zeros for real inputs).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.imag([1 + 2j])).tolist()
        [2.0]
    """
    return _array_math.imag(x)


@op(_bool_unary_spec)
def isreal(x):
    """True where the imaginary part is zero (everywhere for real dtypes).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.isreal([1 + 0j, 1j])).tolist()
        [True, False]
    """
    return _array_math.isreal(x)


# -- predicates and comparisons -------------------------------------------------------------
@op(_real_only("isneginf", _bool_unary_spec))
def isneginf(x):
    """True where ``x`` is negative infinity.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.isneginf([float("-inf"), 1.0])).tolist()
        [True, False]
    """
    return _array_math.isneginf(x)


@op(_real_only("isposinf", _bool_unary_spec))
def isposinf(x):
    """True where ``x`` is positive infinity.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.isposinf([float("inf"), 1.0])).tolist()
        [True, False]
    """
    return _array_math.isposinf(x)


@op(_real_only("signbit", _bool_unary_spec))
def signbit(x):
    """True where the sign bit is set (negative values, including ``-0.0``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.signbit([-0.0, 1.0, -2.0])).tolist()
        [True, False, True]
    """
    return _array_math.signbit(x)


@op(_bool_binary_spec("logical_xor"))
def logical_xor(x1, x2):
    """Element-wise exclusive OR of the truth values.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.logical_xor([True, True], [True, False])).tolist()
        [False, True]
    """
    return _array_math.logical_xor(x1, x2)


@op(_isclose_spec)
def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True where ``|x1 - x2| <= atol + rtol * |x2|`` (infinities must match exactly).

    ``equal_nan=True`` makes two NaNs compare equal.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.isclose([1.0, 1.0], [1.0 + 1e-9, 1.1])).tolist()
        [True, False]
    """
    return _array_math.isclose(x1, x2, rtol, atol, equal_nan)


@op(_allclose_spec)
def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """A scalar bool: :func:`isclose` holds for every (broadcast) pair of elements.

    Example:
        >>> import kiln
        >>> bool(kiln.ops.allclose([1.0, 2.0], [1.0, 2.0 + 1e-7]))
        True
    """
    return _array_math.allclose(x1, x2, rtol, atol, equal_nan)


# -- float functions of two arguments -------------------------------------------------------
@op(_real_only("arctan2", _float_binary_spec("arctan2")))
def arctan2(x1, x2):
    """Angle of the point ``(x2, x1)``: the quadrant-aware ``arctan(x1 / x2)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.arctan2([1.0, 1.0], [1.0, -1.0])).round(4).tolist()
        [0.7854, 2.3562]
    """
    return _array_math.arctan2(x1, x2)


@op(_real_only("hypot", _float_binary_spec("hypot")))
def hypot(x1, x2):
    """``sqrt(x1 ** 2 + x2 ** 2)``, element-wise, without intermediate overflow.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.hypot([3], [4])).tolist()
        [5.0]
    """
    return _array_math.hypot(x1, x2)


@op(_real_only("logaddexp", _float_binary_spec("logaddexp")))
def logaddexp(x1, x2):
    """``log(exp(x1) + exp(x2))``, computed stably.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.logaddexp([0.0], [0.0])).round(4).tolist()
        [0.6931]
    """
    return _array_math.logaddexp(x1, x2)


@op(_real_only("logaddexp2", _float_binary_spec("logaddexp2")))
def logaddexp2(x1, x2):
    """``log2(2 ** x1 + 2 ** x2)``, computed stably.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.logaddexp2([1.0], [1.0])).tolist()
        [2.0]
    """
    return _array_math.logaddexp2(x1, x2)


@op(_real_only("heaviside", _float_binary_spec("heaviside")))
def heaviside(x1, x2):
    """Step function: 0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.heaviside([-1.0, 0.0, 2.0], 0.5)).tolist()
        [0.0, 0.5, 1.0]
    """
    return _array_math.heaviside(x1, x2)


@op(_real_only("nextafter", _float_binary_spec("nextafter")))
def nextafter(x1, x2):
    """The next representable value after ``x1`` in the direction of ``x2``.

    Example:
        >>> import kiln
        >>> float(kiln.ops.nextafter(1.0, 2.0)) > 1.0
        True
    """
    return _array_math.nextafter(x1, x2)


@op(_float_binary_spec("divide_no_nan"))
def divide_no_nan(x1, x2):
    """``x1 / x2``, but 0 wherever ``x2`` is 0 (instead of inf or NaN).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.divide_no_nan([1.0, 3.0], [0.0, 2.0])).tolist()
        [0.0, 1.5]
    """
    return _array_math.divide_no_nan(x1, x2)


@op(_real_only("ldexp", _ldexp_spec))
def ldexp(x1, x2):
    """``x1 * 2 ** x2`` for integer exponents ``x2`` (a float result).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.ldexp([1.5, 3.0], [2, -1])).tolist()
        [6.0, 1.5]
    """
    return _array_math.ldexp(x1, x2)


# -- binary functions keeping the promoted dtype ------------------------------------------
@op(_real_only("fmax", _binary_spec("fmax")))
def fmax(x1, x2):
    """Element-wise maximum that ignores NaN (NaN only where both are NaN).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.fmax([1.0, float("nan")], [2.0, 3.0])).tolist()
        [2.0, 3.0]
    """
    return _array_math.fmax(x1, x2)


@op(_real_only("fmin", _binary_spec("fmin")))
def fmin(x1, x2):
    """Element-wise minimum that ignores NaN (NaN only where both are NaN).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.fmin([1.0, float("nan")], [2.0, 3.0])).tolist()
        [1.0, 3.0]
    """
    return _array_math.fmin(x1, x2)


@op(_real_only("fmod", _fmod_spec))
def fmod(x1, x2):
    """Remainder of truncated division: it has the sign of the dividend ``x1``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.fmod([7, -7], 3)).tolist()
        [1, -1]
    """
    return _array_math.fmod(x1, x2)


@op(_int_binary_spec("gcd", bool_to_int=True))
def gcd(x1, x2):
    """Greatest common divisor of integers (non-negative; ``gcd(0, 0) == 0``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.gcd([12, -18], 8)).tolist()
        [4, 2]
    """
    return _array_math.gcd(x1, x2)


@op(_int_binary_spec("lcm", bool_to_int=True))
def lcm(x1, x2):
    """Least common multiple of integers (non-negative; 0 if either is 0).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.lcm([4, -6], 6)).tolist()
        [12, 6]
    """
    return _array_math.lcm(x1, x2)


# -- bitwise ------------------------------------------------------------------------------
@op(_int_binary_spec("bitwise_and", bool_to_int=False))
def bitwise_and(x, y):
    """Bitwise AND of integer (or bool) tensors.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.bitwise_and([12, 10], 6)).tolist()
        [4, 2]
    """
    return _array_math.bitwise_and(x, y)


@op(_int_binary_spec("bitwise_or", bool_to_int=False))
def bitwise_or(x, y):
    """Bitwise OR of integer (or bool) tensors.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.bitwise_or([12, 10], 1)).tolist()
        [13, 11]
    """
    return _array_math.bitwise_or(x, y)


@op(_int_binary_spec("bitwise_xor", bool_to_int=False))
def bitwise_xor(x, y):
    """Bitwise exclusive OR of integer (or bool) tensors.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.bitwise_xor([12, 10], 6)).tolist()
        [10, 12]
    """
    return _array_math.bitwise_xor(x, y)


@op(_int_unary_spec("bitwise_invert"))
def bitwise_invert(x):
    """Bitwise NOT (two's complement: ``~x == -x - 1``); logical NOT for bools.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.bitwise_invert([0, 5])).tolist()
        [-1, -6]
    """
    return _array_math.bitwise_invert(x)


def bitwise_not(x):
    """Short name for :func:`bitwise_invert`.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.bitwise_not([True, False])).tolist()
        [False, True]
    """
    return bitwise_invert(x)


@op(_int_binary_spec("bitwise_left_shift", bool_to_int=True))
def bitwise_left_shift(x, y):
    """Shift the bits of ``x`` left by ``y`` (``x * 2 ** y`` while it fits).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.bitwise_left_shift([1, 3], 2)).tolist()
        [4, 12]
    """
    return _array_math.bitwise_left_shift(x, y)


@op(_int_binary_spec("bitwise_right_shift", bool_to_int=True))
def bitwise_right_shift(x, y):
    """Shift the bits of ``x`` right by ``y`` (arithmetic shift for signed types).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.bitwise_right_shift([16, -16], 2)).tolist()
        [4, -4]
    """
    return _array_math.bitwise_right_shift(x, y)


@op(_int_binary_spec("left_shift", bool_to_int=True))
def left_shift(x, y):
    """Same as :func:`bitwise_left_shift`.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.left_shift([1, 3], 1)).tolist()
        [2, 6]
    """
    return _array_math.left_shift(x, y)


@op(_int_binary_spec("right_shift", bool_to_int=True))
def right_shift(x, y):
    """Same as :func:`bitwise_right_shift`.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.right_shift([8, -8], 1)).tolist()
        [4, -4]
    """
    return _array_math.right_shift(x, y)
