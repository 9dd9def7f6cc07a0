"""Array construction and manipulation ops and ``rearrange``: options, errors, graph records, compiled use.

Values, shapes and dtypes of the common calls are in ``cases_array_shape.py``
(checked by ``test_op_values`` and ``test_symbolic``).
"""

import numpy as np
import pytest

from kiln import config, ops
from kiln.backend import KerasTensor

BACKEND = config.backend()


def test_exports_and_operation_classes():
    from kiln.ops.operation import OPERATION_REGISTRY

    assert ops.numpy.hstack is ops.hstack and ops.numpy.unravel_index is ops.unravel_index
    assert ops.numpy.get_item is ops.core.get_item is ops.get_item
    assert ops.einops.rearrange is ops.rearrange
    assert OPERATION_REGISTRY[("keras.src.ops.numpy", "ArraySplit")] is ops.array_split.operation_class
    assert OPERATION_REGISTRY[("keras.src.ops.einops", "Rearrange")] is ops.rearrange.operation_class


def test_creation_dtype_arguments():
    assert ops.dtype(ops.tri(2, dtype="bool")) == "bool"
    assert ops.dtype(ops.empty((2,), dtype="int8")) == "int8"
    assert ops.dtype(ops.empty_like(np.ones(2, "int16"), dtype="float16")) == "float16"
    x = ops.logspace(0, 2, 3, dtype="float16")
    assert ops.dtype(x) == "float16"
    np.testing.assert_allclose(ops.convert_to_numpy(x), [1, 10, 100], rtol=1e-3)
    g = ops.geomspace(2, 32, 3, dtype="float64" if BACKEND != "jax" else "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(g), [2, 8, 32], rtol=1e-5)
    assert ops.dtype(ops.bartlett(4)) == config.floatx()


def test_symbolic_creation_and_windows():
    assert ops.tri(3, 4).shape == (3, 4)
    assert ops.kaiser(KerasTensor((), "int32"), 2.0).shape == (None,)
    assert ops.meshgrid(KerasTensor((None,)), KerasTensor((4,), "int32"))[1].dtype == "int32"


@pytest.mark.parametrize("call, message", [
    (lambda: ops.hsplit(KerasTensor((2, 5)), 2), "hsplit"),
    (lambda: ops.dsplit(KerasTensor((2, 5)), 1), "dsplit"),
    (lambda: ops.diag(KerasTensor((2, 2, 2))), "diag"),
    (lambda: ops.diagonal(KerasTensor((3,))), "diagonal"),
    (lambda: ops.cross(KerasTensor((2, 4)), KerasTensor((2, 3))), "cross"),
    (lambda: ops.cross(KerasTensor((5, 3)), KerasTensor((4, 3))), "cross"),
    (lambda: ops.inner(KerasTensor((2, 3)), KerasTensor((3, 2))), "inner"),
    (lambda: ops.vdot(KerasTensor((2, 3)), KerasTensor((5,))), "vdot"),
    (lambda: ops.select([KerasTensor((2,), "bool")], []), "select"),
    (lambda: ops.rot90(KerasTensor((2, 3)), axes=(1, 1)), "rot90"),
    (lambda: ops.fliplr(KerasTensor((3,))), "fliplr"),
    (lambda: ops.append(KerasTensor((2, 3)), KerasTensor((2, 4)), axis=0), "append"),
    (lambda: ops.vstack([KerasTensor((2, 3)), KerasTensor((2, 4))]), "vstack"),
    (lambda: ops.view(KerasTensor((3,), "int16"), "int32"), "view"),
    (lambda: ops.vander(KerasTensor((2, 2))), "vander"),
    (lambda: ops.kaiser(KerasTensor((3,), "int32"), 1.0), "window"),
])
def test_symbolic_errors_name_the_op(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_eager_errors_name_the_op():
    with pytest.raises(ValueError, match="hsplit"):
        ops.hsplit(np.ones((2, 5), "float32"), 2)
    with pytest.raises(ValueError, match="cross"):
        ops.cross(np.ones((4,), "float32"), np.ones((3,), "float32"))
    with pytest.raises(ValueError, match="select"):
        ops.select([np.array([True])], [np.ones(1), np.ones(1)])
    with pytest.raises(ValueError, match="meshgrid"):
        ops.meshgrid(np.ones(2), indexing="yx")


def test_view_round_trip():
    x = np.array([[1.5, -2.0], [0.0, 3.25]], "float32")
    bits = ops.view(x, "uint8")
    assert ops.shape(bits) == (2, 8) and ops.dtype(bits) == "uint8"
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.view(bits, "float32")), x)
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.view(np.array([0, 1], "uint8"), "bool")),
                                  [False, True])


# -- rearrange ---------------------------------------------------------------------------

X = np.arange(2 * 3 * 4 * 6, dtype="float32").reshape(2, 3, 4, 6)


@pytest.mark.parametrize("pattern, lengths, expected", [
    ("b c h w -> b h w c", {}, X.transpose(0, 2, 3, 1)),
    ("b c h w -> b (h w) c", {}, X.transpose(0, 2, 3, 1).reshape(2, 24, 3)),
    ("b c h (w1 w2) -> b c (w2 h) w1", {"w2": 2},
     X.reshape(2, 3, 4, 3, 2).transpose(0, 1, 4, 2, 3).reshape(2, 3, 8, 3)),
    ("b ... w -> w ... b", {}, X.transpose(3, 1, 2, 0)),
    ("b ... -> b (...)", {}, X.reshape(2, 72)),
    ("b c h w -> (b c) 1 h w ()", {}, X.reshape(6, 1, 4, 6, 1)),
    ("b c h w -> b c h w", {}, X),
    ("(b1 b2) c h w -> b2 b1 c h w", {"b1": 1, "b2": 2}, X.reshape(1, 2, 3, 4, 6).transpose(1, 0, 2, 3, 4)),
])
def test_rearrange_values(pattern, lengths, expected):
    out = ops.rearrange(X, pattern, **lengths)
    np.testing.assert_array_equal(ops.convert_to_numpy(out), expected)
    assert ops.dtype(out) == "float32"
    symbolic = ops.rearrange(KerasTensor((None,) + X.shape[1:]), pattern, **lengths)
    assert len(symbolic.shape) == expected.ndim
    for s, e in zip(symbolic.shape, expected.shape):
        assert s is None or s == e, (symbolic.shape, expected.shape)
    assert ops.rearrange(KerasTensor(X.shape), pattern, **lengths).shape == expected.shape


@pytest.mark.parametrize("pattern, lengths", [
    ("a b c -> a b c", {}),
    ("a b c d -> a b c", {}),
    ("a b c d -> a b c d e", {}),
    ("a b c (d e) -> a b c d e", {}),
    ("a b c (d e) -> a b c d e", {"d": 4}),
    ("a a c d -> a c d", {}),
    ("a b c d", {}),
    ("a b (c d -> a b c d", {}),
    ("a b c d -> a b c d", {"a": 5}),
])
def test_rearrange_errors(pattern, lengths):
    with pytest.raises(ValueError, match="rearrange"):
        ops.rearrange(X, pattern, **lengths)
    with pytest.raises(ValueError, match="rearrange"):
        ops.rearrange(KerasTensor(X.shape), pattern, **lengths)


def test_rearrange_records_a_node():
    x = KerasTensor((None, 4, 6))
    y = ops.rearrange(x, "b h w -> b (w h)")
    assert y.shape == (None, 24)
    node = y._keras_history[0]
    assert type(node).__name__ == "Rearrange"


# -- compiled use ------------------------------------------------------------------------

def _mixed(x, n):
    """Many ops of the family in one function (x: float32 (B, 4); n: int32 (B, 3))."""
    return [
        ops.append(x, x, axis=1), ops.array_split(x, 3, axis=1)[0], ops.hsplit(x, 2)[1],
        ops.hstack([x, x]), ops.vstack([x, x]), ops.dstack([x, x]), ops.diagonal(x),
        ops.diff(x, 2), ops.fliplr(x), ops.flipud(n), ops.roll(x, 1, axis=1), ops.rot90(x, 3),
        ops.kron(x, ops.ones((1, 2))), ops.inner(x, x), ops.vdot(x, x),
        ops.cross(n, n[::-1]), ops.select([x > 0.5, x < -0.5], [x, -x], 7.0),
        ops.unravel_index(n, (2, 5))[1], ops.view(x, "int32"), ops.empty_like(n),
        ops.vander(x[0]), ops.rearrange(x, "b (h w) -> w b h", w=2), ops.hamming(5),
        ops.logspace(x[0], 1.0, 3), ops.meshgrid(x[0], n[0])[0],
    ]


def test_compiled_matches_eager():
    x = np.array([[-1.5, 0.0, 0.75, 2.0], [2.0, 1.0, -0.25, 0.5]], "float32")
    n = np.array([[1, 8, 0], [5, 9, 3]], "int32")
    eager = [ops.convert_to_numpy(v) for v in _mixed(x, n)]
    if BACKEND == "jax":
        import jax

        compiled = jax.jit(_mixed)(x, n)
    elif BACKEND == "tensorflow":
        import tensorflow as tf

        fn = tf.function(_mixed, input_signature=[tf.TensorSpec((2, 4), tf.float32),
                                                   tf.TensorSpec((2, 3), tf.int32)])
        compiled = fn(tf.constant(x), tf.constant(n))
    else:
        pytest.skip(f"no graph compiler exercised for {BACKEND}")
    for i, (e, c) in enumerate(zip(eager, compiled)):
        np.testing.assert_allclose(ops.convert_to_numpy(c), e, rtol=1e-6, atol=1e-6, err_msg=str(i))


def test_tf_function_with_unknown_batch():
    if BACKEND != "tensorflow":
        pytest.skip("tensorflow only")
    import tensorflow as tf

    def fn(x):
        return [ops.rearrange(x, "b h w -> b (w h)"), ops.roll(x, 1), ops.diff(x, axis=0),
                ops.hstack([x, x]), ops.diagonal(x, axis1=1, axis2=2)]

    x = np.arange(2 * 3 * 4, dtype="float32").reshape(2, 3, 4)
    graph = tf.function(fn, input_signature=[tf.TensorSpec((None, 3, 4), tf.float32)])
    for e, c in zip(fn(x), graph(tf.constant(x))):
        np.testing.assert_array_equal(ops.convert_to_numpy(c), ops.convert_to_numpy(e))


@pytest.mark.parametrize("dtype", ["uint16", "uint32"])
def test_wide_unsigned_inputs_work_on_every_backend(dtype):
    # torch keeps these dtypes but has few CPU kernels for them; results must still match NumPy.
    x = np.array([[3, 1, 2], [4, 0, 5]], dtype)
    diff = ops.diff(x)
    assert ops.dtype(diff) == dtype
    np.testing.assert_array_equal(ops.convert_to_numpy(diff), np.diff(x))
    a, b = np.array([[1, 0, 0]], dtype), np.array([[0, 1, 0]], dtype)
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.cross(a, b)), [[0, 0, 1]])
    rows, cols = ops.unravel_index(np.array([3, 4], dtype), (2, 3))
    np.testing.assert_array_equal(ops.convert_to_numpy(rows), [1, 1])
    np.testing.assert_array_equal(ops.convert_to_numpy(cols), [0, 1])
