"""Element-wise math, bitwise and comparison ops: errors, aliases, graph records and compiled use.

Values, shapes and dtypes are in ``cases_array_math.py`` (checked by the shared
value and symbolic tests); this module covers what a case table cannot.
"""

import numpy as np
import pytest

import kiln
from kiln import ops
from kiln.backend import KerasTensor

BACKEND = kiln.backend.current.NAME


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor", "left_shift",
                                  "right_shift", "bitwise_left_shift", "bitwise_right_shift",
                                  "gcd", "lcm"])
def test_integer_ops_reject_floats_naming_op_and_dtype(name):
    fn = getattr(ops, name)
    with pytest.raises(TypeError, match=f"{name}.*float32"):
        fn(np.ones(3, "float32"), np.ones(3, "int32"))
    with pytest.raises(TypeError, match=f"{name}.*float32"):
        fn(KerasTensor((None, 3), "float32"), KerasTensor((3,), "int32"))


@pytest.mark.parametrize("name", ["bitwise_invert", "bitwise_not"])
def test_bitwise_invert_rejects_floats(name):
    with pytest.raises(TypeError, match="bitwise_invert.*float16"):
        getattr(ops, name)(np.ones(3, "float16"))
    with pytest.raises(TypeError, match="bitwise_invert.*float32"):
        getattr(ops, name)(KerasTensor((2,), "float32"))


REAL_ONLY_UNARY = ["cbrt", "deg2rad", "rad2deg", "fabs", "i0", "trunc", "signbit", "isneginf",
                   "isposinf"]
REAL_ONLY_BINARY = ["arctan2", "hypot", "logaddexp", "logaddexp2", "heaviside", "nextafter", "fmax",
                    "fmin", "fmod"]


@pytest.mark.parametrize("name", REAL_ONLY_UNARY + REAL_ONLY_BINARY + ["ldexp"])
def test_real_only_ops_reject_complex_naming_op_and_dtype(name):
    fn = getattr(ops, name)
    z = np.array([1 + 1j, 2], "complex64")
    args = (z,) if name in REAL_ONLY_UNARY else (z, np.array([1, 2], "int32"))
    with pytest.raises(TypeError, match=f"{name}.*complex64"):
        fn(*args)
    symbolic = [KerasTensor(a.shape, str(a.dtype)) for a in args]
    with pytest.raises(TypeError, match=f"{name}.*complex64"):
        fn(*symbolic)


def test_complex_inputs_where_they_are_defined():
    z = np.array([1 + 1j, -2 + 0.5j], "complex64")
    for name in ("arcsinh", "log2", "exp2", "sinc"):
        got = ops.convert_to_numpy(getattr(ops, name)(z))
        np.testing.assert_allclose(got, getattr(np, name)(z), rtol=1e-5, err_msg=name)
        assert ops.dtype(getattr(ops, name)(z)) == "complex64"
    assert ops.convert_to_numpy(ops.isclose(z, z + 1e-7)).tolist() == [True, True]
    np.testing.assert_allclose(ops.convert_to_numpy(ops.divide_no_nan(z, np.array([0j, 2j], "complex64"))),
                               [0, z[1] / 2j], rtol=1e-6)


def test_ldexp_needs_an_integer_exponent():
    with pytest.raises(TypeError, match="ldexp.*float32"):
        ops.ldexp(np.ones(2, "float32"), np.ones(2, "float32"))
    with pytest.raises(TypeError, match="ldexp.*bool"):
        ops.ldexp(KerasTensor((2,)), KerasTensor((2,), "bool"))


@pytest.mark.parametrize("name", ["arctan2", "fmod", "gcd", "bitwise_and", "isclose", "allclose",
                                  "logical_xor", "ldexp"])
def test_symbolic_shape_errors_name_the_op_and_shapes(name):
    dtype = "int32" if name in ("gcd", "bitwise_and", "ldexp") else "float32"
    x1 = KerasTensor((2, 3), "float32" if name == "ldexp" else dtype)
    with pytest.raises(ValueError, match=rf"{name}.*\(2, 3\).*\(1, 4\)"):
        getattr(ops, name)(x1, KerasTensor((4,), dtype))


def test_symbolic_results():
    x = KerasTensor((None, 3), "float32")
    assert ops.allclose(x, 1.0).shape == ()
    assert ops.isclose(x, KerasTensor((2, 1))).shape == (2, 3)
    assert ops.angle(KerasTensor((2,), "complex64")).dtype == "float32"
    assert ops.real(KerasTensor((2,), "complex128")).dtype == "float64"
    assert ops.imag(KerasTensor((2,), "int8")).dtype == "int8"
    assert ops.gcd(KerasTensor((2,), "bool"), True).dtype == "int32"
    assert ops.bitwise_and(KerasTensor((2,), "bool"), True).dtype == "bool"
    assert ops.left_shift(KerasTensor((2,), "uint8"), 1).dtype == "uint8"
    assert ops.ldexp(KerasTensor((2,), "float16"), KerasTensor((2,), "int32")).dtype == "float16"
    assert ops.trunc(KerasTensor((2,), "int16")).dtype == "int16"


def test_keyword_arguments_symbolic_and_eager():
    x = KerasTensor((None, 3), "float32")
    assert ops.arctan2(x1=x, x2=1.0).shape == (None, 3)
    assert ops.isclose(x1=x, x2=x, rtol=0.1, atol=0.0, equal_nan=True).dtype == "bool"
    assert ops.bitwise_and(x=KerasTensor((2,), "int8"), y=3).dtype == "int8"
    got = ops.convert_to_numpy(ops.fmod(x1=np.array([7.5], "float32"), x2=2.0))
    np.testing.assert_allclose(got, [1.5])


def test_short_names_record_the_full_op():
    from kiln.ops.operation import OPERATION_REGISTRY

    x = KerasTensor((None, 2), "complex64")
    assert ops.conj(x)._keras_history[0].__class__.__name__ == "Conjugate"
    y = KerasTensor((None, 2), "int32")
    assert ops.bitwise_not(y)._keras_history[0].__class__.__name__ == "BitwiseInvert"
    for name in ("LeftShift", "BitwiseLeftShift", "Angle", "Allclose", "DivideNoNan", "Nextafter"):
        assert ("keras.src.ops.numpy", name) in OPERATION_REGISTRY, name
    assert ops.numpy.logaddexp2 is ops.logaddexp2


def test_complex_parts_keep_complex64():
    z = np.array([[1 + 2j, -3 - 0.5j]], "complex64")
    assert ops.dtype(ops.conjugate(z)) == "complex64"
    np.testing.assert_allclose(ops.convert_to_numpy(ops.conj(z)), np.conj(z))
    parts = [ops.convert_to_numpy(ops.real(z)), ops.convert_to_numpy(ops.imag(z))]
    np.testing.assert_allclose(parts[0] + 1j * parts[1], z)


def test_divide_no_nan_has_finite_gradient_at_zero_divisor():
    if BACKEND == "jax":
        import jax

        grad = jax.grad(lambda b: ops.sum(ops.divide_no_nan(2.0, b)))(np.array([0.0, 2.0], "float32"))
    elif BACKEND == "torch":
        import torch

        b = torch.tensor([0.0, 2.0], requires_grad=True)
        ops.sum(ops.divide_no_nan(2.0, b)).backward()
        grad = b.grad
    elif BACKEND == "tensorflow":
        import tensorflow as tf

        b = tf.Variable([0.0, 2.0])
        with tf.GradientTape() as tape:
            y = ops.sum(ops.divide_no_nan(2.0, b))
        grad = tape.gradient(y, b)
    else:
        pytest.skip("the numpy backend has no autodiff")
    np.testing.assert_allclose(ops.convert_to_numpy(grad), [0.0, -0.5])


def _mixed(x, n):
    """Many ops of the family in one function (values in x: floats; n: int32)."""
    half = ops.cast(x, "float16")
    return [
        ops.gcd(n, 6), ops.lcm(n, 4), ops.hypot(x, 1.0), ops.logaddexp(x, -x), ops.logaddexp2(x, x),
        ops.nextafter(half, ops.zeros_like(half)), ops.signbit(x), ops.isclose(x, x + 1e-7),
        ops.allclose(x, x), ops.heaviside(x, 0.5), ops.divide_no_nan(x, x - 1.0), ops.ldexp(x, n),
        ops.fmod(x, 0.7), ops.fmax(x, np.array([np.nan, 1.0, -2.0], "float32")), ops.bitwise_xor(n, 5), ops.right_shift(n, 1),
        ops.trunc(x * 3), ops.sinc(x), ops.i0(x), ops.cbrt(-x),
    ]


def test_compiled_matches_eager():
    x = np.array([[-1.5, 0.0, 0.75], [2.0, 1.0, -0.25]], "float32")
    n = np.array([[12, -8, 0], [5, 9, 30]], "int32")
    eager = [ops.convert_to_numpy(v) for v in _mixed(x, n)]
    if BACKEND == "jax":
        import jax

        compiled = jax.jit(_mixed)(x, n)
    elif BACKEND == "tensorflow":
        import tensorflow as tf

        fn = tf.function(_mixed, input_signature=[tf.TensorSpec((None, 3), tf.float32),
                                                   tf.TensorSpec((None, 3), tf.int32)])
        compiled = fn(tf.constant(x), tf.constant(n))
    else:
        pytest.skip(f"no graph compiler exercised for {BACKEND}")
    for i, (e, c) in enumerate(zip(eager, compiled)):
        np.testing.assert_allclose(ops.convert_to_numpy(c), e, rtol=1e-6, atol=1e-6, err_msg=str(i))
