"""The numpy backend's element-wise math, bitwise and comparison ops (interface module ``array_math``).

Float functions turn int/bool inputs into ``floatx()``; binary functions
promote with ``kiln.backend.common.dtypes.result_type`` (Python scalars weak).
float16/bfloat16 values are computed in float32 and cast back (NumPy's
bfloat16 comes from ml_dtypes and lacks many ufunc loops).

Example:
    >>> log2(np.array([4], "int32")).dtype.name
    'float32'
"""

import numpy as np

from kiln.backend.common import array_rules as rules

from kiln.backend.numpy.core import (
    BOOL,
    FLOAT32,
    HALF_NP,
    INT32,
    as_array,
    convert_to_tensor,
    dtype_name,
    promote,
    promote_float,
    to_float,
)

_COMPLEX_KIND = "c"


_require_int, _real = rules.dtype_guards(lambda x: dtype_name(x.dtype))


def _bool_to_int(x):
    return x.astype(INT32) if x.dtype == BOOL else x


def _wide(ufunc):
    """Run ``ufunc`` on float32 copies of half-precision arrays and cast the result back."""
    def run(*xs):
        dtype = xs[0].dtype
        if dtype in HALF_NP:
            return as_array(ufunc(*[x.astype(FLOAT32) for x in xs])).astype(dtype)
        return as_array(ufunc(*xs))
    return run


# -- float unary functions ------------------------------------------------------------

def _keep_dtype(ufunc):
    """``ufunc`` (run wide for half types) with its result cast to its first operand's dtype."""
    ufunc = _wide(ufunc)

    def run(x, *rest):
        out = ufunc(x, *rest)
        return out if out.dtype == x.dtype else out.astype(x.dtype)
    return run


def _float_unary(name, ufunc, real_only=False):
    return rules.float_unary(name, _keep_dtype(ufunc), to_float, _real if real_only else None)


arccos = _float_unary("arccos", np.arccos)
arccosh = _float_unary("arccosh", np.arccosh)
arcsin = _float_unary("arcsin", np.arcsin)
arcsinh = _float_unary("arcsinh", np.arcsinh)
arctanh = _float_unary("arctanh", np.arctanh)
cbrt = _float_unary("cbrt", np.cbrt, real_only=True)
deg2rad = _float_unary("deg2rad", np.deg2rad, real_only=True)
rad2deg = _float_unary("rad2deg", np.rad2deg, real_only=True)
exp2 = _float_unary("exp2", np.exp2)
fabs = _float_unary("fabs", np.abs, real_only=True)
log10 = _float_unary("log10", np.log10)
log2 = _float_unary("log2", np.log2)
sinc = _float_unary("sinc", np.sinc)
i0 = _float_unary("i0", np.i0, real_only=True)


def trunc(x):
    """Round toward zero; integer and bool inputs are returned unchanged."""
    x = convert_to_tensor(x)
    if x.dtype.kind in "biu":
        return x
    return _wide(np.trunc)(_real("trunc", x))


# -- complex parts --------------------------------------------------------------------

def angle(x):
    """Argument of complex values; real inputs give 0 or pi (int/bool as floatx)."""
    x = to_float(x)
    if x.dtype.kind == _COMPLEX_KIND:
        return as_array(np.angle(x))
    return _wide(np.arctan2)(np.zeros_like(x), x)


def conjugate(x):
    """Complex conjugate; real inputs are returned unchanged."""
    x = convert_to_tensor(x)
    return as_array(np.conjugate(x)) if x.dtype.kind == _COMPLEX_KIND else x


def real(x):
    """Real part (the input itself for real dtypes)."""
    x = convert_to_tensor(x)
    return as_array(np.real(x)) if x.dtype.kind == _COMPLEX_KIND else x


def imag(x):
    """Imaginary part (zeros of the input's dtype for real dtypes)."""
    x = convert_to_tensor(x)
    return as_array(np.imag(x)) if x.dtype.kind == _COMPLEX_KIND else np.zeros_like(x)


def isreal(x):
    """True where the imaginary part is zero (everywhere for real dtypes)."""
    x = convert_to_tensor(x)
    if x.dtype.kind == _COMPLEX_KIND:
        return as_array(np.imag(x) == 0)
    return np.ones(x.shape, BOOL)


# -- predicates -----------------------------------------------------------------------

def isneginf(x):
    x = convert_to_tensor(x)
    if x.dtype.kind in "biu":
        return np.zeros(x.shape, BOOL)
    return as_array(_real("isneginf", x) == -np.inf)


def isposinf(x):
    x = convert_to_tensor(x)
    if x.dtype.kind in "biu":
        return np.zeros(x.shape, BOOL)
    return as_array(_real("isposinf", x) == np.inf)


def signbit(x):
    x = convert_to_tensor(x)
    if x.dtype == BOOL:
        return np.zeros(x.shape, BOOL)
    if x.dtype in HALF_NP:
        x = x.astype(FLOAT32)
    return as_array(np.signbit(_real("signbit", x)))


def logical_xor(x1, x2):
    return as_array(np.logical_xor(convert_to_tensor(x1), convert_to_tensor(x2)))


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    x1, x2 = promote_float(x1, x2)
    if x1.dtype in HALF_NP:
        x1, x2 = x1.astype(FLOAT32), x2.astype(FLOAT32)
    return as_array(np.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    return as_array(np.all(isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)))


# -- float binary functions -----------------------------------------------------------

def _float_binary(name, ufunc, real_only=True):
    return rules.float_binary(name, _keep_dtype(ufunc), promote_float, _real if real_only else None)


def _divide_no_nan(x1, x2):
    zero = x2 == 0
    return np.where(zero, np.zeros((), x1.dtype), x1 / np.where(zero, np.ones((), x2.dtype), x2))


arctan2 = _float_binary("arctan2", np.arctan2)
hypot = _float_binary("hypot", np.hypot)
logaddexp = _float_binary("logaddexp", np.logaddexp)
logaddexp2 = _float_binary("logaddexp2", np.logaddexp2)
heaviside = _float_binary("heaviside", np.heaviside)
divide_no_nan = _float_binary("divide_no_nan", _divide_no_nan, real_only=False)


def nextafter(x1, x2):
    """The next representable value after ``x1`` toward ``x2`` (in the promoted float dtype)."""
    x1, x2 = promote_float(x1, x2)
    _real("nextafter", x1)
    if x1.dtype in HALF_NP:
        # Step the sign-magnitude bit pattern by one unit toward x2.
        x1, x2 = np.broadcast_arrays(x1, x2)
        bits = x1.view(np.int16)
        away = (x2 > x1) == (x1 > 0)
        stepped = np.where(away, bits + 1, bits - 1).astype(np.int16).view(x1.dtype)
        tiny = np.ones_like(bits).view(x1.dtype)  # smallest positive subnormal
        out = np.where(x1 == 0, np.where(x2 > 0, tiny, -tiny), stepped)
        out = np.where(x1 == x2, x2, out)
        return as_array(np.where(np.isnan(x1) | np.isnan(x2), x1 + x2, out))
    return as_array(np.nextafter(x1, x2))


def ldexp(x1, x2):
    """``x1 * 2 ** x2`` for an integer exponent ``x2``."""
    x2 = _require_int("ldexp", convert_to_tensor(x2), allow_bool=False)
    x1, _ = promote_float(x1, np.zeros((), x2.dtype))
    _real("ldexp", x1)
    if x1.dtype in HALF_NP:
        return as_array(np.ldexp(x1.astype(FLOAT32), x2)).astype(x1.dtype)
    return as_array(np.ldexp(x1, x2)).astype(x1.dtype)


# -- binary functions keeping the promoted dtype --------------------------------------

def _pair(x1, x2):
    """Both operands as arrays of their promoted dtype."""
    x1, x2 = promote(x1, x2)
    if type(x1) is not np.ndarray:
        x1 = np.asarray(x1, x2.dtype)
    if type(x2) is not np.ndarray:
        x2 = np.asarray(x2, x1.dtype)
    return x1, x2


def _same_binary(name, ufunc, bool_to_int=False, integer=False):
    def binary(x1, x2):
        x1, x2 = _pair(x1, x2)
        if integer:
            _require_int(name, x1)
        else:
            _real(name, x1)
        if bool_to_int:
            x1, x2 = _bool_to_int(x1), _bool_to_int(x2)
        if x1.dtype in HALF_NP:
            return as_array(ufunc(x1.astype(FLOAT32), x2.astype(FLOAT32))).astype(x1.dtype)
        return as_array(ufunc(x1, x2))

    binary.__name__ = binary.__qualname__ = name
    binary.__doc__ = f"Elementwise {name} after promotion."
    return binary


fmax = _same_binary("fmax", np.fmax)
fmin = _same_binary("fmin", np.fmin)
fmod = _same_binary("fmod", np.fmod, bool_to_int=True)


def _int_binary(name, ufunc, bool_to_int=True):
    return _same_binary(name, ufunc, bool_to_int=bool_to_int, integer=True)


gcd = _int_binary("gcd", np.gcd)
lcm = _int_binary("lcm", np.lcm)


# -- bitwise --------------------------------------------------------------------------

bitwise_and = _int_binary("bitwise_and", np.bitwise_and, bool_to_int=False)
bitwise_or = _int_binary("bitwise_or", np.bitwise_or, bool_to_int=False)
bitwise_xor = _int_binary("bitwise_xor", np.bitwise_xor, bool_to_int=False)
bitwise_left_shift = _int_binary("bitwise_left_shift", np.left_shift)
bitwise_right_shift = _int_binary("bitwise_right_shift", np.right_shift)
left_shift = _int_binary("left_shift", np.left_shift)
right_shift = _int_binary("right_shift", np.right_shift)


def bitwise_invert(x):
    """Bitwise NOT of integers (logical NOT of bools)."""
    return as_array(np.invert(_require_int("bitwise_invert", convert_to_tensor(x))))
