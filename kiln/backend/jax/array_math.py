"""The jax backend's element-wise math, bitwise and comparison ops (interface module ``array_math``).

Float functions turn int/bool inputs into ``floatx()``; binary functions
promote with ``kiln.backend.common.dtypes.result_type`` (Python scalars weak)
and then run the ``jax.numpy`` kernel.

Example:
    >>> from kiln.backend.jax import array_math
    >>> array_math.log2(np.array([4], "int32")).dtype
    dtype('float32')
"""

import functools

import jax.numpy as jnp
import numpy as np  # noqa: F401 - used by the docstring example

from kiln.backend.common import array_rules as rules
from kiln.backend.common import dtypes
from kiln.backend.jax.core import (
    _ArrayType,
    convert_to_tensor,
    native_dtype,
    promote2,
    promotion_item,
    to_float,
)

_t = convert_to_tensor


def _pair(x1, x2):
    """Both operands as tensors of their promoted dtype."""
    x1, x2 = promote2(x1, x2)
    if not isinstance(x1, _ArrayType):
        x1 = _t(x1, x2.dtype)
    if not isinstance(x2, _ArrayType):
        x2 = _t(x2, x1.dtype)
    return x1, x2


def _float_pair(x1, x2):
    """Both operands as tensors of ``float_result_type`` (ints/bools meet at floatx)."""
    dtype = native_dtype(dtypes.float_result_type(promotion_item(x1), promotion_item(x2)))
    return _t(x1, dtype), _t(x2, dtype)


_require_int, _real = rules.dtype_guards(lambda x: dtypes.standardize_dtype(x.dtype))


def _bool_to_int(x):
    return x.astype("int32") if x.dtype == jnp.bool_ else x


# -- float unary functions ------------------------------------------------------------

_float_unary = functools.partial(rules.float_unary, to_float=to_float)


arccos = _float_unary("arccos", jnp.arccos)
arccosh = _float_unary("arccosh", jnp.arccosh)
arcsin = _float_unary("arcsin", jnp.arcsin)
arcsinh = _float_unary("arcsinh", jnp.arcsinh)
arctanh = _float_unary("arctanh", jnp.arctanh)
cbrt = _float_unary("cbrt", jnp.cbrt, real=_real)
deg2rad = _float_unary("deg2rad", jnp.deg2rad, real=_real)
rad2deg = _float_unary("rad2deg", jnp.rad2deg, real=_real)
exp2 = _float_unary("exp2", jnp.exp2)
fabs = _float_unary("fabs", jnp.abs, real=_real)
log10 = _float_unary("log10", jnp.log10)
log2 = _float_unary("log2", jnp.log2)
sinc = _float_unary("sinc", jnp.sinc)
i0 = _float_unary("i0", jnp.i0, real=_real)


def trunc(x):
    """Round toward zero; integer and bool inputs are returned unchanged."""
    x = _t(x)
    if x.dtype.kind in "biu":
        return x
    return jnp.trunc(_real("trunc", x))


# -- complex parts --------------------------------------------------------------------

def angle(x):
    """Argument of complex values; real inputs give 0 or pi (int/bool as floatx)."""
    return jnp.angle(to_float(x))


def conjugate(x):
    """Complex conjugate; real inputs are returned unchanged."""
    return jnp.conjugate(_t(x))



def real(x):
    """Real part (the input itself for real dtypes)."""
    return jnp.real(_t(x))


def imag(x):
    """Imaginary part (zeros of the input's dtype for real dtypes)."""
    return jnp.imag(_t(x))


def isreal(x):
    """True where the imaginary part is zero (everywhere for real dtypes)."""
    return jnp.isreal(_t(x))


# -- predicates -----------------------------------------------------------------------

def isneginf(x):
    x = _t(x)
    if x.dtype.kind in "biu":
        return jnp.zeros(x.shape, jnp.bool_)
    return jnp.isneginf(_real("isneginf", x))


def isposinf(x):
    x = _t(x)
    if x.dtype.kind in "biu":
        return jnp.zeros(x.shape, jnp.bool_)
    return jnp.isposinf(_real("isposinf", x))


def signbit(x):
    x = _t(x)
    if x.dtype == jnp.bool_:
        return jnp.zeros(x.shape, jnp.bool_)
    return jnp.signbit(_real("signbit", x))


def logical_xor(x1, x2):
    return jnp.logical_xor(_t(x1), _t(x2))


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    x1, x2 = _float_pair(x1, x2)
    return jnp.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    return jnp.all(isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


# -- float binary functions -----------------------------------------------------------

_float_binary = functools.partial(rules.float_binary, float_pair=_float_pair, real=_real)


arctan2 = _float_binary("arctan2", jnp.arctan2)
hypot = _float_binary("hypot", jnp.hypot)
logaddexp = _float_binary("logaddexp", jnp.logaddexp)
logaddexp2 = _float_binary("logaddexp2", jnp.logaddexp2)
heaviside = _float_binary("heaviside", jnp.heaviside)
nextafter = _float_binary("nextafter", jnp.nextafter)


def divide_no_nan(x1, x2):
    """``x1 / x2``, with 0 wherever ``x2`` is 0."""
    x1, x2 = _float_pair(x1, x2)
    zero = x2 == 0
    return jnp.where(zero, jnp.zeros((), x1.dtype), x1 / jnp.where(zero, jnp.ones((), x2.dtype), x2))


def ldexp(x1, x2):
    """``x1 * 2 ** x2`` for an integer exponent ``x2``."""
    x2 = _require_int("ldexp", _t(x2), allow_bool=False)
    dtype = native_dtype(dtypes.float_result_type(promotion_item(x1), promotion_item(x2)))
    return jnp.ldexp(_real("ldexp", _t(x1, dtype)), x2)


# -- binary functions keeping the promoted dtype --------------------------------------

def fmax(x1, x2):
    x1, x2 = _pair(x1, x2)
    return jnp.fmax(_real("fmax", x1), x2)


def fmin(x1, x2):
    x1, x2 = _pair(x1, x2)
    return jnp.fmin(_real("fmin", x1), x2)


def fmod(x1, x2):
    x1, x2 = _pair(x1, x2)
    return jnp.fmod(_bool_to_int(_real("fmod", x1)), _bool_to_int(x2))


def gcd(x1, x2):
    x1, x2 = _pair(x1, x2)
    x1 = _bool_to_int(_require_int("gcd", x1))
    return jnp.gcd(x1, _bool_to_int(x2))


def lcm(x1, x2):
    x1, x2 = _pair(x1, x2)
    x1 = _bool_to_int(_require_int("lcm", x1))
    return jnp.lcm(x1, _bool_to_int(x2))


# -- bitwise --------------------------------------------------------------------------

_bitwise = functools.partial(rules.bitwise, pair=_pair, require_int=_require_int)


bitwise_and = _bitwise("bitwise_and", jnp.bitwise_and)
bitwise_or = _bitwise("bitwise_or", jnp.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", jnp.bitwise_xor)
bitwise_left_shift = _bitwise("bitwise_left_shift", jnp.left_shift, bool_to_int=_bool_to_int)
bitwise_right_shift = _bitwise("bitwise_right_shift", jnp.right_shift, bool_to_int=_bool_to_int)
left_shift = _bitwise("left_shift", jnp.left_shift, bool_to_int=_bool_to_int)
right_shift = _bitwise("right_shift", jnp.right_shift, bool_to_int=_bool_to_int)


def bitwise_invert(x):
    """Bitwise NOT of integers (logical NOT of bools)."""
    return jnp.invert(_require_int("bitwise_invert", _t(x)))

