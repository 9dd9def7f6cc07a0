"""The tensorflow backend's element-wise math, bitwise and comparison ops (interface module ``array_math``).

Float functions turn int/bool inputs into ``floatx()``; binary functions
promote with ``kiln.backend.common.dtypes.result_type`` (Python scalars weak).
float16/bfloat16 inputs are computed in float32 and cast back, since TF's CPU
kernels for many of these functions lack the half types. Functions TF has no
kernel for (``hypot``, ``logaddexp``, ``gcd``...) are composed from TF ops and
stay differentiable and traceable under ``tf.function``.

Example:
    >>> import tensorflow as tf
    >>> log2(tf.constant([4])).dtype.name
    'float32'
"""

import math as _pymath

import numpy as np
import tensorflow as tf

from kiln.backend.common import array_rules as rules
from kiln.backend.tensorflow.array_ops import _float, _float_pair, _promote
from kiln.backend.tensorflow.array_ops import maximum as _maximum
from kiln.backend.tensorflow.array_ops import minimum as _minimum
from kiln.backend.tensorflow.core import convert_to_tensor

_HALF = (tf.float16, tf.bfloat16)
_SMALL_INTS = (tf.int8, tf.int16, tf.uint8, tf.uint16, tf.uint32)
_LN2 = _pymath.log(2.0)
_LN10 = _pymath.log(10.0)


_require_int, _real = rules.dtype_guards(lambda x: x.dtype.name)


def _bool_to_int(x):
    return tf.cast(x, tf.int32) if x.dtype is tf.bool else x


def _wide(fn):
    """Run ``fn`` on float32 copies of half-precision tensors and cast the result back."""
    def run(*xs):
        dtype = xs[0].dtype
        if dtype in _HALF:
            return tf.cast(fn(*[tf.cast(x, tf.float32) for x in xs]), dtype)
        return fn(*xs)
    return run


def _int_kernel(fn, x1, x2):
    """Run an integer kernel TF only has for int32/int64 on narrower types."""
    dtype = x1.dtype
    if dtype in _SMALL_INTS:
        wide = tf.int64 if dtype is tf.uint32 else tf.int32
        return tf.cast(fn(tf.cast(x1, wide), tf.cast(x2, wide)), dtype)
    return fn(x1, x2)


# -- float unary functions ------------------------------------------------------------

def _float_unary(name, fn, real_only=False):
    return rules.float_unary(name, _wide(fn), _float, _real if real_only else None)


def _cbrt(x):
    return tf.sign(x) * tf.pow(tf.abs(x), tf.constant(1.0 / 3.0, x.dtype))


def _sinc(x):
    zero = tf.equal(x, 0)
    px = np.pi * tf.where(zero, tf.ones_like(x), x)
    return tf.where(zero, tf.ones_like(x), tf.sin(px) / px)


arccos = _float_unary("arccos", tf.math.acos)
arccosh = _float_unary("arccosh", tf.math.acosh)
arcsin = _float_unary("arcsin", tf.math.asin)
arcsinh = _float_unary("arcsinh", tf.math.asinh)
arctanh = _float_unary("arctanh", tf.math.atanh)
cbrt = _float_unary("cbrt", _cbrt, real_only=True)
deg2rad = _float_unary("deg2rad", lambda x: x * tf.constant(np.pi / 180.0, x.dtype), real_only=True)
rad2deg = _float_unary("rad2deg", lambda x: x * tf.constant(180.0 / np.pi, x.dtype), real_only=True)
exp2 = _float_unary("exp2", lambda x: tf.exp(x * tf.constant(_LN2, x.dtype)))
fabs = _float_unary("fabs", tf.abs, real_only=True)
log10 = _float_unary("log10", lambda x: tf.math.log(x) / tf.constant(_LN10, x.dtype))
log2 = _float_unary("log2", lambda x: tf.math.log(x) / tf.constant(_LN2, x.dtype))
sinc = _float_unary("sinc", _sinc)
i0 = _float_unary("i0", tf.math.bessel_i0, real_only=True)


def trunc(x):
    """Round toward zero; integer and bool inputs are returned unchanged."""
    x = convert_to_tensor(x)
    if not (x.dtype.is_floating or x.dtype.is_complex):
        return x
    x = _real("trunc", x)
    return tf.where(x < 0, tf.math.ceil(x), tf.math.floor(x))


# -- complex parts --------------------------------------------------------------------

def angle(x):
    """Argument of complex values; real inputs give 0 or pi (int/bool as floatx)."""
    x = _float(x)
    if x.dtype.is_complex:
        return tf.math.angle(x)
    return _wide(tf.math.atan2)(tf.zeros_like(x), x)


def conjugate(x):
    """Complex conjugate; real inputs are returned unchanged."""
    x = convert_to_tensor(x)
    return tf.math.conj(x) if x.dtype.is_complex else x


def real(x):
    """Real part (the input itself for real dtypes)."""
    x = convert_to_tensor(x)
    return tf.math.real(x) if x.dtype.is_complex else x


def imag(x):
    """Imaginary part (zeros of the input's dtype for real dtypes)."""
    x = convert_to_tensor(x)
    return tf.math.imag(x) if x.dtype.is_complex else tf.zeros_like(x)


def isreal(x):
    """True where the imaginary part is zero (everywhere for real dtypes)."""
    x = convert_to_tensor(x)
    if x.dtype.is_complex:
        return tf.equal(tf.math.imag(x), 0)
    return tf.ones_like(x, dtype=tf.bool)


# -- predicates -----------------------------------------------------------------------

def isneginf(x):
    x = _real("isneginf", convert_to_tensor(x))
    if not x.dtype.is_floating:
        return tf.zeros_like(x, dtype=tf.bool)
    return tf.equal(x, tf.constant(-np.inf, x.dtype))


def isposinf(x):
    x = _real("isposinf", convert_to_tensor(x))
    if not x.dtype.is_floating:
        return tf.zeros_like(x, dtype=tf.bool)
    return tf.equal(x, tf.constant(np.inf, x.dtype))


_SAME_WIDTH_INT = {tf.float16: tf.int16, tf.bfloat16: tf.int16, tf.float32: tf.int32,
                   tf.float64: tf.int64}


def signbit(x):
    x = convert_to_tensor(x)
    if x.dtype is tf.bool or x.dtype.is_unsigned:
        return tf.zeros_like(x, dtype=tf.bool)
    if x.dtype.is_integer:
        return x < 0
    _real("signbit", x)
    # The sign bit is the integer sign of the same-width bit pattern (covers -0.0 and -nan).
    return tf.bitcast(x, _SAME_WIDTH_INT[x.dtype]) < 0


def logical_xor(x1, x2):
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    if x1.dtype is not tf.bool:
        x1 = tf.not_equal(x1, 0)
    if x2.dtype is not tf.bool:
        x2 = tf.not_equal(x2, 0)
    return tf.math.logical_xor(x1, x2)


def _is_finite(x):
    if x.dtype.is_complex:
        return tf.math.is_finite(tf.math.real(x)) & tf.math.is_finite(tf.math.imag(x))
    return tf.math.is_finite(x)


def _is_nan(x):
    if x.dtype.is_complex:
        return tf.math.is_nan(tf.math.real(x)) | tf.math.is_nan(tf.math.imag(x))
    return tf.math.is_nan(x)


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    x1, x2 = _float_pair(x1, x2)
    if x1.dtype in _HALF:
        x1, x2 = tf.cast(x1, tf.float32), tf.cast(x2, tf.float32)
    magnitude = tf.abs(x2)  # real even for complex inputs
    tolerance = tf.cast(atol, magnitude.dtype) + tf.cast(rtol, magnitude.dtype) * magnitude
    finite = _is_finite(x1) & _is_finite(x2)
    safe_diff = tf.abs(tf.where(finite, x1 - x2, tf.zeros_like(x1)))
    close = tf.where(finite, safe_diff <= tolerance, tf.equal(x1, x2))
    if equal_nan:
        close = close | (_is_nan(x1) & _is_nan(x2))
    return close


def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    return tf.reduce_all(isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


# -- float binary functions -----------------------------------------------------------

def _float_binary(name, fn):
    return rules.float_binary(name, _wide(fn), _float_pair, _real)


def _hypot(x1, x2):
    a, b = tf.abs(x1), tf.abs(x2)
    big = tf.maximum(a, b)
    safe = tf.where(tf.equal(big, 0), tf.ones_like(big), big)
    out = big * tf.sqrt(tf.square(a / safe) + tf.square(b / safe))
    return tf.where(tf.math.is_inf(a) | tf.math.is_inf(b), tf.fill(tf.shape(out), tf.constant(np.inf, out.dtype)),
                    out)


def _logaddexp(x1, x2):
    x1, x2 = tf.broadcast_to(x1, tf.shape(x1 + x2)), tf.broadcast_to(x2, tf.shape(x1 + x2))
    same_inf = tf.equal(x1, x2) & tf.math.is_inf(x1)
    diff = tf.where(same_inf, tf.zeros_like(x1), x1 - x2)
    out = tf.maximum(x1, x2) + tf.math.log1p(tf.exp(-tf.abs(diff)))
    return tf.where(same_inf, x1, out)


def _logaddexp2(x1, x2):
    ln2 = tf.constant(_LN2, x1.dtype)
    return _logaddexp(x1 * ln2, x2 * ln2) / ln2


def _heaviside(x1, x2):
    x1, x2 = tf.broadcast_to(x1, tf.shape(x1 + x2)), tf.broadcast_to(x2, tf.shape(x1 + x2))
    step = tf.where(x1 > 0, tf.ones_like(x1), tf.zeros_like(x1))
    return tf.where(tf.equal(x1, 0), x2, tf.where(tf.math.is_nan(x1), x1, step))


def _nextafter(x1, x2):
    dtype = x1.dtype
    if dtype not in _HALF:
        return tf.math.nextafter(x1, x2)
    # Step the sign-magnitude bit pattern by one unit toward x2.
    x1, x2 = tf.broadcast_to(x1, tf.shape(x1 + x2)), tf.broadcast_to(x2, tf.shape(x1 + x2))
    bits = tf.bitcast(x1, tf.int16)
    away = tf.equal(x2 > x1, x1 > 0)
    stepped = tf.bitcast(tf.where(away, bits + 1, bits - 1), dtype)
    tiny = tf.bitcast(tf.ones_like(bits), dtype)  # smallest positive subnormal
    out = tf.where(tf.equal(x1, 0), tf.where(x2 > 0, tiny, -tiny), stepped)
    out = tf.where(tf.equal(x1, x2), x2, out)
    return tf.where(tf.math.is_nan(x1) | tf.math.is_nan(x2), x1 + x2, out)


arctan2 = _float_binary("arctan2", tf.math.atan2)
hypot = _float_binary("hypot", _hypot)
logaddexp = _float_binary("logaddexp", _logaddexp)
logaddexp2 = _float_binary("logaddexp2", _logaddexp2)
heaviside = _float_binary("heaviside", _heaviside)


def nextafter(x1, x2):
    """The next representable value after ``x1`` toward ``x2`` (in the promoted float dtype)."""
    x1, x2 = _float_pair(x1, x2)
    return _nextafter(_real("nextafter", x1), x2)


def divide_no_nan(x1, x2):
    """``x1 / x2``, with 0 wherever ``x2`` is 0."""
    x1, x2 = _float_pair(x1, x2)
    return tf.math.divide_no_nan(x1, x2)


def ldexp(x1, x2):
    """``x1 * 2 ** x2`` for an integer exponent ``x2``."""
    x2 = _require_int("ldexp", convert_to_tensor(x2), allow_bool=False)
    x1, _ = _float_pair(x1, tf.zeros((), x2.dtype))
    _real("ldexp", x1)
    # Scale in float64 by powers of two that stay normal there (TF flushes subnormals and
    # 2 ** x2 alone may overflow where x1 * 2 ** x2 does not): one factor for narrower
    # types, two for float64; exponents past the clip give 0 or inf either way.
    limit = 2000 if x1.dtype is tf.float64 else 1000
    exponent = tf.cast(tf.clip_by_value(tf.cast(x2, tf.int64), -limit, limit), tf.float64)
    two = tf.constant(2.0, tf.float64)
    if x1.dtype is tf.float64:
        half = tf.math.floor(exponent / 2)
        return x1 * tf.pow(two, half) * tf.pow(two, exponent - half)
    return tf.cast(tf.cast(x1, tf.float64) * tf.pow(two, exponent), x1.dtype)


# -- binary functions keeping the promoted dtype --------------------------------------

def _nan_ignoring(name, pick, fallback):
    """``pick`` (tf.maximum/tf.minimum) that returns the other operand where one is NaN."""
    def binary(x1, x2):
        x1, x2 = _promote(x1, x2)
        _real(name, x1)
        if not x1.dtype.is_floating:
            return fallback(x1, x2)
        return tf.where(tf.math.is_nan(x2), x1, tf.where(tf.math.is_nan(x1), x2, pick(x1, x2)))

    binary.__name__ = binary.__qualname__ = name
    binary.__doc__ = f"Elementwise {name}: NaN only where both operands are NaN."
    return binary


fmax = _nan_ignoring("fmax", tf.maximum, _maximum)
fmin = _nan_ignoring("fmin", tf.minimum, _minimum)


def fmod(x1, x2):
    x1, x2 = _promote(x1, x2)
    x1, x2 = _bool_to_int(_real("fmod", x1)), _bool_to_int(x2)
    if x1.dtype.is_floating:
        return _wide(_float_fmod)(x1, x2)
    return _int_kernel(tf.truncatemod, x1, x2)


def _float_fmod(x1, x2):
    shape = tf.shape(x1 + x2)
    return _fmod_with_gradient(tf.broadcast_to(x1, shape), tf.broadcast_to(x2, shape))


@tf.custom_gradient
def _fmod_with_gradient(x1, x2):
    # TF registers no gradient for TruncateMod: d/dx1 = 1, d/dx2 = -trunc(x1 / x2).
    def grad(upstream):
        quotient = x1 / x2
        return upstream, -upstream * tf.where(quotient < 0, tf.math.ceil(quotient), tf.math.floor(quotient))

    return tf.truncatemod(x1, x2), grad


def _gcd(a, b):
    a, b = tf.abs(a), tf.abs(b)
    a, b = tf.broadcast_to(a, tf.shape(a + b)), tf.broadcast_to(b, tf.shape(a + b))

    def step(a, b):
        nonzero = tf.not_equal(b, 0)
        safe = tf.where(nonzero, b, tf.ones_like(b))
        return tf.where(nonzero, b, a), tf.where(nonzero, tf.math.floormod(a, safe), tf.zeros_like(b))

    a, _ = tf.while_loop(lambda a, b: tf.reduce_any(tf.not_equal(b, 0)), step, (a, b))
    return a


def gcd(x1, x2):
    x1, x2 = _promote(x1, x2)
    x1 = _bool_to_int(_require_int("gcd", x1))
    return _int_kernel(_gcd, x1, _bool_to_int(x2))


def _lcm(a, b):
    divisor = _gcd(a, b)
    safe = tf.where(tf.equal(divisor, 0), tf.ones_like(divisor), divisor)
    return tf.abs(tf.math.floordiv(a, safe) * b)


def lcm(x1, x2):
    x1, x2 = _promote(x1, x2)
    x1 = _bool_to_int(_require_int("lcm", x1))
    return _int_kernel(_lcm, x1, _bool_to_int(x2))


# -- bitwise --------------------------------------------------------------------------

def _bitwise(name, fn, bool_fn=None):
    def binary(x, y):
        x, y = _promote(x, y)
        _require_int(name, x)
        if x.dtype is tf.bool:
            if bool_fn is not None:
                return bool_fn(x, y)
            x, y = tf.cast(x, tf.int32), tf.cast(y, tf.int32)
        return fn(x, y)

    binary.__name__ = binary.__qualname__ = name
    binary.__doc__ = f"Elementwise {name} of integer/bool tensors after promotion."
    return binary


bitwise_and = _bitwise("bitwise_and", tf.bitwise.bitwise_and, tf.math.logical_and)
bitwise_or = _bitwise("bitwise_or", tf.bitwise.bitwise_or, tf.math.logical_or)
bitwise_xor = _bitwise("bitwise_xor", tf.bitwise.bitwise_xor, tf.math.logical_xor)
bitwise_left_shift = _bitwise("bitwise_left_shift", tf.bitwise.left_shift)
bitwise_right_shift = _bitwise("bitwise_right_shift", tf.bitwise.right_shift)
left_shift = _bitwise("left_shift", tf.bitwise.left_shift)
right_shift = _bitwise("right_shift", tf.bitwise.right_shift)


def bitwise_invert(x):
    """Bitwise NOT of integers (logical NOT of bools)."""
    x = _require_int("bitwise_invert", convert_to_tensor(x))
    if x.dtype is tf.bool:
        return tf.math.logical_not(x)
    return tf.bitwise.invert(x)
