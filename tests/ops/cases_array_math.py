"""Op cases for element-wise math, bitwise and comparison ops (kiln.ops._array_math)."""

import numpy as np

from op_cases import B, Case, F, F2, FN, GradCase, I, I2, RNG, _f32  # noqa: F401

# Inputs inside each function's domain.
UNIT = (FN / 2.5).astype("float32")                      # (-0.8, 0.8): arcsin, arccos, arctanh
ABOVE_ONE = (F + 1.0).astype("float32")                  # arccosh
SINC_X = np.array([0.0, 0.5, -1.5, 2.25], "float32")     # sinc includes its removable point
C = (FN + 1j * F2).astype("complex64")
C_REALISH = np.array([1 + 0j, 2 - 1j, -3 + 0j], "complex64")
SPECIAL = np.array([1.0, np.nan, np.inf, -np.inf, -0.0, 0.0], "float32")
EMPTY = np.zeros((0, 3), "float32")
SCALAR = np.array(0.25, "float32")
F16 = F.astype("float16")
INTS = np.array([[12, -18, 0], [7, 0, 9]], "int32")
INTS2 = np.array([8, 12, 0], "int32")
SHIFT_X = np.array([1, 3, -16, 255], "int32")
SHIFT_Y = np.array([1, 2, 3, 0], "int32")


def _bf16(x):
    import ml_dtypes

    return x.astype(ml_dtypes.bfloat16)


def _in_f32(fn):
    """Reference computed in float32 (for half-precision cases; the case names the dtype)."""
    def ref(*args, **kwargs):
        args = [a.astype("float32") if isinstance(a, np.ndarray) and a.dtype.kind not in "biuc" else a
                for a in args]
        return np.asarray(fn(*args, **kwargs)).astype("float32")
    return ref


FLOAT_UNARY = {
    # name: (input, NumPy reference)
    "arccos": (UNIT, np.arccos),
    "arccosh": (ABOVE_ONE, np.arccosh),
    "arcsin": (UNIT, np.arcsin),
    "arcsinh": (FN, np.arcsinh),
    "arctanh": (UNIT, np.arctanh),
    "cbrt": (FN, np.cbrt),
    "deg2rad": (FN * 90, np.deg2rad),
    "rad2deg": (FN, np.rad2deg),
    "exp2": (FN, np.exp2),
    "fabs": (FN, np.fabs),
    "i0": (FN, np.i0),
    "log10": (F, np.log10),
    "log2": (F, np.log2),
    "sinc": (SINC_X, np.sinc),
}

FLOAT_BINARY = {
    "arctan2": np.arctan2,
    "hypot": np.hypot,
    "logaddexp": np.logaddexp,
    "logaddexp2": np.logaddexp2,
}


def _f32_ref(fn):
    return lambda *args: np.asarray(fn(*args)).astype("float32")


def cases():
    out = []
    # -- float functions of one argument: float32, int (floatx result), half precision.
    for name, (x, ref) in FLOAT_UNARY.items():
        out.append(Case(name, x.astype("float32"), ref=_f32_ref(ref), id=f"{name}-f32", rtol=1e-5, atol=1e-6))
    for name in ("arcsinh", "cbrt", "deg2rad", "rad2deg", "exp2", "fabs", "i0", "log10", "log2", "sinc"):
        ints = (I - 2) if name not in ("log10", "log2") else I
        out.append(Case(name, ints, ref=_f32_ref(FLOAT_UNARY[name][1]), dtype="float32", id=f"{name}-i32"))
    out += [
        Case("log2", F16, ref=_in_f32(np.log2), dtype="float16", rtol=2e-3, atol=2e-3,
             id="log2-f16"),
        Case("arcsinh", _bf16(FN), ref=_in_f32(np.arcsinh), dtype="bfloat16", rtol=2e-2,
             atol=2e-2, id="arcsinh-bf16"),
        Case("exp2", SCALAR, ref=_f32_ref(np.exp2), id="exp2-0d"),
        Case("log10", EMPTY + 1, ref=_f32_ref(np.log10), id="log10-empty"),
        Case("fabs", B, ref=_f32_ref(np.fabs), dtype="float32", id="fabs-bool"),
        Case("trunc", FN * 3, ref=np.trunc, id="trunc-f32"),
        Case("trunc", I - 3, ref=lambda x: x, id="trunc-i32"),
        Case("trunc", (FN * 3).astype("float16"), ref=np.trunc, dtype="float16", id="trunc-f16"),
    ]
    # -- complex parts, on complex64 and on real inputs.
    for name, ref in (("angle", np.angle), ("real", np.real), ("imag", np.imag),
                      ("conj", np.conj), ("conjugate", np.conjugate), ("isreal", np.isreal)):
        out.append(Case(name, C, ref=ref, id=f"{name}-c64", rtol=1e-5, atol=1e-6))
        out.append(Case(name, FN, ref=ref, id=f"{name}-f32"))
    out += [
        Case("angle", np.array([-1.0, 0.0, -0.0, 2.0], "float32"), ref=np.angle, id="angle-signed-zero"),
        Case("angle", I - 3, ref=_f32_ref(np.angle), dtype="float32", id="angle-i32"),
        Case("imag", I, ref=np.imag, id="imag-i32"),
        Case("isreal", C_REALISH, ref=np.isreal, id="isreal-mixed"),
        Case("angle", C[0, 0], ref=lambda z: np.float32(np.angle(z)), dtype="float32", id="angle-0d"),
    ]
    # -- predicates and comparisons.
    for name in ("isneginf", "isposinf", "signbit"):
        out.append(Case(name, SPECIAL, ref=getattr(np, name), id=f"{name}-f32"))
        out.append(Case(name, I - 3, ref=getattr(np, name), id=f"{name}-i32"))
    out += [
        Case("signbit", SPECIAL.astype("float16"), ref=np.signbit, id="signbit-f16"),
        Case("signbit", B, ref=lambda x: np.zeros(x.shape, bool), id="signbit-bool"),
        Case("logical_xor", B, B[::-1], ref=np.logical_xor),
        Case("logical_xor", I - 2, B, ref=np.logical_xor, id="logical_xor-int-bool"),
        Case("logical_xor", B, True, ref=np.logical_xor, id="logical_xor-pyscalar"),
        Case("isclose", F, F + 1e-6, ref=np.isclose),
        Case("isclose", F, F2, ref=np.isclose, id="isclose-far"),
        Case("isclose", SPECIAL, SPECIAL[::-1], ref=np.isclose, id="isclose-special"),
        Case("isclose", SPECIAL, SPECIAL, equal_nan=True, ref=lambda a, b, equal_nan: np.isclose(
            a, b, equal_nan=equal_nan), id="isclose-equal-nan"),
        # rtol/atol go positionally: Case's own rtol/atol keywords are the test tolerances.
        Case("isclose", F, F2[0], 0.9, 0.0, ref=lambda a, b, rtol, atol: np.isclose(
            a, b, rtol=rtol, atol=atol), id="isclose-broadcast-rtol"),
        Case("isclose", I, I2, ref=np.isclose, id="isclose-i32"),
        Case("allclose", F, F + 1e-7, ref=lambda a, b: np.asarray(np.allclose(a, b))),
        Case("allclose", F, F2, ref=lambda a, b: np.asarray(np.allclose(a, b)), id="allclose-false"),
        Case("allclose", F, F[0], 1e-05, 10.0, ref=lambda a, b, rtol, atol: np.asarray(
            np.allclose(a, b, rtol=rtol, atol=atol)), id="allclose-broadcast"),
    ]
    # -- float functions of two arguments.
    for name, ref in FLOAT_BINARY.items():
        out.append(Case(name, FN, F2, ref=ref, id=f"{name}-f32"))
        out.append(Case(name, I - 2, I2, ref=_f32_ref(ref), dtype="float32", id=f"{name}-i32"))
        out.append(Case(name, FN, F2[0], ref=ref, id=f"{name}-broadcast"))
    out += [
        Case("arctan2", np.array([0.0, -0.0, 1.0, -1.0], "float32"), np.array([-1.0, -1.0, 0.0, 0.0], "float32"),
             ref=np.arctan2, id="arctan2-axes"),
        Case("hypot", np.array([3e30, np.inf, 0.0], "float32"), np.array([4e30, 1.0, 0.0], "float32"),
             ref=np.hypot, id="hypot-extremes"),
        Case("logaddexp", np.array([-np.inf, np.inf, 100.0], "float32"),
             np.array([-np.inf, np.inf, -100.0], "float32"), ref=np.logaddexp, id="logaddexp-inf"),
        Case("logaddexp2", F16, F16, ref=_in_f32(np.logaddexp2), dtype="float16", rtol=2e-3,
             atol=2e-3, id="logaddexp2-f16"),
        Case("hypot", I, 2.0, ref=_f32_ref(np.hypot), dtype="float32", id="hypot-pyfloat"),
        Case("heaviside", np.array([-1.5, 0.0, 2.0, np.nan], "float32"), 0.5, ref=lambda a, b: np.heaviside(
            a, np.float32(b)), id="heaviside-pyfloat"),
        Case("heaviside", FN, F2[0], ref=np.heaviside, id="heaviside-broadcast"),
        Case("heaviside", I - 2, I2, ref=_f32_ref(np.heaviside), dtype="float32", id="heaviside-i32"),
        Case("nextafter", F, F2, ref=np.nextafter, rtol=0, atol=0),
        Case("nextafter", np.array([0.0, 1.0, -1.0, 2.0], "float16"), np.array([-1.0, 0.0, -2.0, 2.0], "float16"),
             ref=np.nextafter, rtol=0, atol=0, id="nextafter-f16"),
        Case("divide_no_nan", F, np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 4.0]], "float32"),
             ref=lambda a, b: np.where(b == 0, 0, a / np.where(b == 0, 1, b)).astype("float32")),
        Case("divide_no_nan", I, np.array([0, 2, 3], "int32"),
             ref=lambda a, b: np.where(b == 0, 0, a / np.where(b == 0, 1, b)).astype("float32"),
             dtype="float32", id="divide_no_nan-i32"),
        Case("ldexp", F, I, ref=np.ldexp),
        Case("ldexp", FN, -2, ref=lambda a, b: np.ldexp(a, b).astype("float32"), id="ldexp-pyint"),
        Case("ldexp", I, I2, ref=_f32_ref(np.ldexp), dtype="float32", id="ldexp-i32"),
        Case("ldexp", F16, I, ref=_in_f32(np.ldexp), dtype="float16", rtol=1e-3,
             id="ldexp-f16"),
        # 2 ** x2 alone overflows or is subnormal in float32 while x1 * 2 ** x2 is an ordinary value.
        Case("ldexp", np.array([0.0, 1e-30, 3e38, -2.0], "float32"), np.array([200, 100, -140, 3], "int32"),
             ref=np.ldexp, id="ldexp-extremes"),
    ]
    # -- binary functions keeping the promoted dtype.
    nan_a = np.array([np.nan, 1.0, np.nan, -2.0], "float32")
    nan_b = np.array([2.0, np.nan, np.nan, 3.0], "float32")
    for name in ("fmax", "fmin"):
        ref = getattr(np, name)
        out += [
            Case(name, nan_a, nan_b, ref=ref, id=f"{name}-nan"),
            Case(name, I, I2, ref=ref, id=f"{name}-i32"),
            Case(name, FN, F2[0], ref=ref, id=f"{name}-broadcast"),
            Case(name, B, B[::-1], ref=ref, id=f"{name}-bool"),
        ]
    out += [
        Case("fmod", FN * 3, F2, ref=np.fmod, rtol=1e-5, atol=1e-5),
        Case("fmod", I * 3 - 7, I2, ref=np.fmod, id="fmod-i32"),
        Case("fmod", np.array([-1e-30, 5.5, -7.25, 0.0], "float32"), np.array([1.0, -2.0, 2.0, 3.0], "float32"),
             ref=np.fmod, rtol=0, atol=0, id="fmod-exact"),
        Case("fmod", I * 3 - 7, 3, ref=np.fmod, id="fmod-pyint"),
        Case("fmod", (FN * 3).astype("float16"), 1.5, ref=_in_f32(np.fmod), dtype="float16",
             rtol=2e-3, atol=2e-3, id="fmod-f16"),
        Case("gcd", INTS, INTS2, ref=np.gcd),
        Case("gcd", INTS.astype("int8"), 6, ref=np.gcd, dtype="int8", id="gcd-int8-pyint"),
        Case("lcm", INTS, INTS2, ref=np.lcm),
        Case("lcm", INTS.astype("int16"), 4, ref=np.lcm, dtype="int16", id="lcm-int16-pyint"),
    ]
    # -- bitwise.
    a, b = I * 7, I2 * 3
    u = np.array([200, 15, 0, 255], "uint8")
    for name, ref in (("bitwise_and", np.bitwise_and), ("bitwise_or", np.bitwise_or),
                      ("bitwise_xor", np.bitwise_xor)):
        out += [
            Case(name, a, b, ref=ref, id=f"{name}-i32"),
            Case(name, u, np.array(90, "uint8"), ref=ref, id=f"{name}-u8"),
            Case(name, B, B[::-1], ref=ref, id=f"{name}-bool"),
            Case(name, a - 20, b[0], ref=ref, id=f"{name}-broadcast"),
        ]
    for name in ("bitwise_invert", "bitwise_not"):
        out += [
            Case(name, a - 20, ref=np.invert, id=f"{name}-i32"),
            Case(name, u, ref=np.invert, id=f"{name}-u8"),
            Case(name, B, ref=np.invert, id=f"{name}-bool"),
        ]
    for name, ref in (("bitwise_left_shift", np.left_shift), ("left_shift", np.left_shift),
                      ("bitwise_right_shift", np.right_shift), ("right_shift", np.right_shift)):
        out += [
            Case(name, SHIFT_X, SHIFT_Y, ref=ref, id=f"{name}-i32"),
            Case(name, u, np.array([1, 2, 3, 0], "uint8"), ref=ref, id=f"{name}-u8"),
            Case(name, SHIFT_X, 2, ref=ref, id=f"{name}-pyint"),
        ]
    return out


def grad_cases():
    return [
        GradCase("arccos", UNIT),
        GradCase("arccosh", ABOVE_ONE),
        GradCase("arcsin", UNIT),
        GradCase("arcsinh", FN),
        GradCase("arctanh", UNIT),
        GradCase("cbrt", F),
        GradCase("deg2rad", FN),
        GradCase("rad2deg", FN),
        GradCase("exp2", FN),
        GradCase("fabs", F),
        GradCase("i0", FN),
        GradCase("log10", F),
        GradCase("log2", F),
        GradCase("sinc", np.array([0.3, -0.7, 1.4], "float32")),
        GradCase("arctan2", FN, F2),
        GradCase("hypot", FN, F2),
        GradCase("logaddexp", FN, F2),
        GradCase("logaddexp2", FN, F2),
        GradCase("fmax", FN, F2[::-1]),
        GradCase("fmin", FN, F2[::-1]),
        GradCase("fmod", F * 3, np.full((2, 3), 0.7, "float32")),
        GradCase("divide_no_nan", FN, F2),
        GradCase("ldexp", FN, I, wrt=(0,)),
        GradCase("real", FN),
        GradCase("conjugate", FN),
    ]
