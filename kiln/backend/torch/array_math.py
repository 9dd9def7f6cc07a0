"""The torch backend's element-wise math, bitwise and comparison ops (interface module ``array_math``).

Float functions turn int/bool inputs into ``floatx()``; binary functions
promote with ``kiln.backend.common.dtypes.result_type`` (Python scalars weak)
and then run the torch kernel. Kernels torch lacks for a dtype (``nextafter``
on float16/bfloat16) run in a wider type or through the bit pattern.

Example:
    >>> import torch
    >>> log2(torch.tensor([4], dtype=torch.int32)).dtype
    torch.float32
"""

import functools
import math as _pymath

import torch

from kiln.backend.common import array_rules as rules
from kiln.backend.common import dtypes
from kiln.backend.torch.array_ops import _INEXACT, _bin, _fx, _t
from kiln.backend.torch.core import (
    DTYPE_NAMES,
    HALF_DTYPES,
    TORCH_DTYPES,
    Tensor,
    convert_to_tensor,
)

_BOOL = torch.bool
_INT32 = torch.int32
_COMPLEX = frozenset((torch.complex64, torch.complex128))
_LN2 = _pymath.log(2.0)


def _pair(x1, x2):
    """Both operands as tensors of their promoted dtype."""
    a, b = _bin(x1, x2)
    if not isinstance(b, Tensor):
        b = torch.tensor(b, dtype=a.dtype, device=a.device)
    return a, b


def _key(x):
    return type(x) if type(x) in (bool, int, float, complex) else DTYPE_NAMES[x.dtype]


def _float_pair(x1, x2):
    """Both operands as tensors of ``float_result_type`` (ints/bools meet at floatx)."""
    if type(x1) not in (bool, int, float, complex):
        x1 = _t(x1)
    if type(x2) not in (bool, int, float, complex):
        x2 = _t(x2)
    dtype = TORCH_DTYPES[dtypes.float_result_type(_key(x1), _key(x2))]
    return convert_to_tensor(x1, dtype), convert_to_tensor(x2, dtype)


_require_int, _real = rules.dtype_guards(lambda x: DTYPE_NAMES[x.dtype])


# torch has few CPU kernels for the wide unsigned types: compute in a signed type that holds
# every value (uint64 wraps through int64) and cast back.
_UNSIGNED_COMPUTE = {torch.uint16: torch.int32, torch.uint32: torch.int64, torch.uint64: torch.int64}


def _via_signed(fn, *xs):
    wide = _UNSIGNED_COMPUTE.get(xs[0].dtype)
    if wide is None:
        return fn(*xs)
    return fn(*[x.to(wide) for x in xs]).to(xs[0].dtype)


def _bool_to_int(x):
    return x.to(_INT32) if x.dtype is _BOOL else x


# -- float unary functions ------------------------------------------------------------

_float_unary = functools.partial(rules.float_unary, to_float=_fx)


def _cbrt(x):
    return torch.sign(x) * torch.pow(torch.abs(x), 1.0 / 3.0)


arccos = _float_unary("arccos", torch.arccos)
arccosh = _float_unary("arccosh", torch.arccosh)
arcsin = _float_unary("arcsin", torch.arcsin)
arcsinh = _float_unary("arcsinh", torch.arcsinh)
arctanh = _float_unary("arctanh", torch.arctanh)
cbrt = _float_unary("cbrt", _cbrt, real=_real)
deg2rad = _float_unary("deg2rad", torch.deg2rad, real=_real)
rad2deg = _float_unary("rad2deg", torch.rad2deg, real=_real)
exp2 = _float_unary("exp2", torch.exp2)
fabs = _float_unary("fabs", torch.abs, real=_real)
log10 = _float_unary("log10", torch.log10)
log2 = _float_unary("log2", torch.log2)
sinc = _float_unary("sinc", torch.sinc)
i0 = _float_unary("i0", torch.special.i0, real=_real)


def trunc(x):
    """Round toward zero; integer and bool inputs are returned unchanged."""
    x = _t(x)
    if x.dtype not in _INEXACT:
        return x
    return torch.trunc(_real("trunc", x))


# -- complex parts --------------------------------------------------------------------

def angle(x):
    """Argument of complex values; real inputs give 0 or pi (int/bool as floatx)."""
    x = _fx(x)
    if x.dtype in _COMPLEX:
        return torch.angle(x)
    return torch.atan2(torch.zeros_like(x), x)


def conjugate(x):
    """Complex conjugate; real inputs are returned unchanged."""
    x = _t(x)
    if x.dtype in _COMPLEX:
        return torch.conj_physical(x)
    return x


def real(x):
    """Real part (the input itself for real dtypes)."""
    x = _t(x)
    if x.dtype in _COMPLEX:
        return torch.real(x)
    return x


def imag(x):
    """Imaginary part (zeros of the input's dtype for real dtypes)."""
    x = _t(x)
    if x.dtype in _COMPLEX:
        return torch.imag(x)
    return torch.zeros_like(x)


def isreal(x):
    """True where the imaginary part is zero (everywhere for real dtypes)."""
    return torch.isreal(_t(x))


# -- predicates -----------------------------------------------------------------------

def isneginf(x):
    x = _t(x)
    if x.dtype not in _INEXACT:
        return torch.zeros_like(x, dtype=_BOOL)
    return torch.isneginf(_real("isneginf", x))


def isposinf(x):
    x = _t(x)
    if x.dtype not in _INEXACT:
        return torch.zeros_like(x, dtype=_BOOL)
    return torch.isposinf(_real("isposinf", x))


def signbit(x):
    x = _t(x)
    if x.dtype is _BOOL:
        return torch.zeros_like(x, dtype=_BOOL)
    return torch.signbit(_real("signbit", x))


def _truth(x):
    x = _t(x)
    return x if x.dtype is _BOOL else x.to(_BOOL)


def logical_xor(x1, x2):
    a = _truth(x1)
    return torch.logical_xor(a, _truth(x2).to(a.device))


def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    x1, x2 = _float_pair(x1, x2)
    return torch.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    return torch.all(isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


# -- float binary functions -----------------------------------------------------------

_float_binary = functools.partial(rules.float_binary, float_pair=_float_pair, real=_real)


def _logaddexp2(x1, x2):
    return torch.logaddexp(x1 * _LN2, x2 * _LN2) / _LN2


def _heaviside(x1, x2):
    x1, x2 = torch.broadcast_tensors(x1, x2)
    step = torch.where(x1 > 0, torch.ones_like(x1), torch.zeros_like(x1))
    return torch.where(x1 == 0, x2, torch.where(torch.isnan(x1), x1, step))


def _nextafter(x1, x2):
    if x1.dtype not in HALF_DTYPES:
        return torch.nextafter(x1, x2)
    # Step the bit pattern (sign-magnitude) by one unit toward x2.
    x1, x2 = torch.broadcast_tensors(x1, x2)
    bits = x1.view(torch.int16)
    away = (x2 > x1) == (x1 > 0)
    stepped = torch.where(away, bits + 1, bits - 1).view(x1.dtype)
    tiny = torch.ones_like(bits).view(x1.dtype)  # smallest positive subnormal
    from_zero = torch.where(x2 > 0, tiny, -tiny)
    out = torch.where(x1 == 0, from_zero, stepped)
    out = torch.where(x1 == x2, x2, out)
    return torch.where(torch.isnan(x1) | torch.isnan(x2), x1 + x2, out)


arctan2 = _float_binary("arctan2", torch.atan2)
hypot = _float_binary("hypot", torch.hypot)
logaddexp = _float_binary("logaddexp", torch.logaddexp)
logaddexp2 = _float_binary("logaddexp2", _logaddexp2)
heaviside = _float_binary("heaviside", _heaviside)
nextafter = _float_binary("nextafter", _nextafter)


def divide_no_nan(x1, x2):
    """``x1 / x2``, with 0 wherever ``x2`` is 0."""
    x1, x2 = _float_pair(x1, x2)
    zero = x2 == 0
    safe = torch.where(zero, torch.ones_like(x2), x2)
    return torch.where(zero, torch.zeros_like(x1 / safe), x1 / safe)


def ldexp(x1, x2):
    """``x1 * 2 ** x2`` for an integer exponent ``x2``."""
    x2 = _require_int("ldexp", _t(x2), allow_bool=False)
    x1 = _t(x1) if type(x1) not in (bool, int, float, complex) else x1
    dtype = TORCH_DTYPES[dtypes.float_result_type(_key(x1), DTYPE_NAMES[x2.dtype])]
    x1 = _real("ldexp", convert_to_tensor(x1, dtype))
    # Scale in float64 by powers of two that stay finite there (2 ** x2 alone may overflow
    # where x1 * 2 ** x2 does not): one factor for narrower types, two for float64;
    # exponents past the clip give 0 or inf either way.
    limit = 2000 if dtype is torch.float64 else 1000
    exponent = torch.clamp(x2.to(device=x1.device, dtype=torch.int64), -limit, limit).to(torch.float64)
    if dtype is torch.float64:
        half = torch.floor(exponent / 2)
        return x1 * torch.exp2(half) * torch.exp2(exponent - half)
    return (x1.to(torch.float64) * torch.exp2(exponent)).to(dtype)


# -- binary functions keeping the promoted dtype --------------------------------------

def fmax(x1, x2):
    x1, x2 = _pair(x1, x2)
    if x1.dtype is _BOOL:
        return torch.logical_or(x1, x2)
    return _via_signed(torch.fmax, _real("fmax", x1), x2)


def fmin(x1, x2):
    x1, x2 = _pair(x1, x2)
    if x1.dtype is _BOOL:
        return torch.logical_and(x1, x2)
    return _via_signed(torch.fmin, _real("fmin", x1), x2)


def fmod(x1, x2):
    x1, x2 = _pair(x1, x2)
    return _via_signed(torch.fmod, _bool_to_int(_real("fmod", x1)), _bool_to_int(x2))


def gcd(x1, x2):
    x1, x2 = _pair(x1, x2)
    x1 = _bool_to_int(_require_int("gcd", x1))
    return _via_signed(torch.gcd, x1, _bool_to_int(x2))


def lcm(x1, x2):
    x1, x2 = _pair(x1, x2)
    x1 = _bool_to_int(_require_int("lcm", x1))
    return _via_signed(lambda a, b: torch.abs(torch.lcm(a, b)), x1, _bool_to_int(x2))


# -- bitwise --------------------------------------------------------------------------

def _bitwise(name, fn, bool_to_int=False):
    return rules.bitwise(name, functools.partial(_via_signed, fn), _pair, _require_int,
                         _bool_to_int if bool_to_int else None)


bitwise_and = _bitwise("bitwise_and", torch.bitwise_and)
bitwise_or = _bitwise("bitwise_or", torch.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", torch.bitwise_xor)
bitwise_left_shift = _bitwise("bitwise_left_shift", torch.bitwise_left_shift, bool_to_int=True)
bitwise_right_shift = _bitwise("bitwise_right_shift", torch.bitwise_right_shift, bool_to_int=True)
left_shift = _bitwise("left_shift", torch.bitwise_left_shift, bool_to_int=True)
right_shift = _bitwise("right_shift", torch.bitwise_right_shift, bool_to_int=True)


def bitwise_invert(x):
    """Bitwise NOT of integers (logical NOT of bools)."""
    return _via_signed(torch.bitwise_not, _require_int("bitwise_invert", _t(x)))
