"""Statistics, nan-reduction, sorting/searching and set ops beyond the value table.

Options, argument errors, symbolic shapes of the data-dependent ops, and use
under the backend's graph compiler (jax.jit / tf.function).
"""

import numpy as np
import pytest

import kiln
from kiln import ops
from kiln.backend import KerasTensor
from op_cases import compiled

BACKEND = kiln.config.backend()



def _np(x):
    return ops.convert_to_numpy(x)


# -- options ---------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 0])
def test_argpartition_puts_the_kth_value_in_place(axis):
    x = np.random.RandomState(1).permutation(21).reshape(3, 7).astype("float32")
    kth = 2
    idx = _np(ops.argpartition(x, kth, axis=axis))
    assert idx.dtype == np.int32
    assert (np.sort(idx, axis=axis) == np.sort(np.argsort(x, axis=axis), axis=axis)).all()
    parted = np.take_along_axis(x, idx.astype("int64"), axis=axis)
    pivot = np.take(np.sort(x, axis=axis), [kth], axis=axis)
    np.testing.assert_array_equal(np.take(parted, [kth], axis=axis), pivot)
    assert (np.take(parted, range(kth), axis=axis) <= pivot).all()
    assert (np.take(parted, range(kth + 1, x.shape[axis]), axis=axis) >= pivot).all()


def test_nan_cumulative_dtype_argument():
    x = np.array([[1, 2], [3, 4]], "int32")
    out = ops.nancumsum(x, axis=1, dtype="float32")
    assert ops.dtype(out) == "float32"
    np.testing.assert_allclose(_np(out), [[1, 3], [3, 7]])
    assert ops.nancumprod(KerasTensor((None, 2), "int8"), dtype="int16").dtype == "int16"
    assert ops.dtype(ops.nancumprod(x, dtype="int16")) == "int16"


def test_unique_inverse_rebuilds_x():
    x = np.array([[4, 1, 4], [2, 1, 7]], "int32")
    values, inverse = ops.unique(x, return_inverse=True)
    np.testing.assert_array_equal(_np(values)[_np(inverse)], x)
    values, inverse = ops.unique(x, sorted=False, return_inverse=True)
    np.testing.assert_array_equal(_np(values), [4, 1, 2, 7])
    np.testing.assert_array_equal(_np(values)[_np(inverse)], x)


def test_histogram_constant_input_and_range_exclusion():
    counts, edges = ops.histogram(np.array([2.0, 2.0, 2.0], "float32"), bins=2)
    np.testing.assert_array_equal(_np(counts), [0, 3])
    np.testing.assert_allclose(_np(edges), [1.5, 2.0, 2.5])
    counts, _ = ops.histogram(np.array([-5.0, 0.5, 1.0, 9.0], "float32"), bins=2, range=(0.0, 1.0))
    np.testing.assert_array_equal(_np(counts), [0, 2])


# -- errors ----------------------------------------------------------------------------
@pytest.mark.parametrize("call,words", [
    (lambda: ops.quantile(np.ones(3, "float32"), 0.5, method="cubic"), ("quantile", "method")),
    (lambda: ops.nanpercentile(np.ones(3, "float32"), 50, method="x"), ("nanpercentile", "method")),
    (lambda: ops.quantile(np.ones(3, "float32"), [0.5, 1.5]), ("quantile", "q")),
    (lambda: ops.percentile(np.ones(3, "float32"), -1), ("percentile", "q")),
    (lambda: ops.bincount(np.array([1, 2], "int32"), sparse=True), ("bincount", "sparse")),
    (lambda: ops.bincount(np.array([1, 2], "int32"), minlength=-1), ("bincount", "minlength")),
    (lambda: ops.bincount(np.array([1, 2], "int32"), weights=np.ones(3, "float32")), ("bincount", "weights")),
    (lambda: ops.histogram(np.ones(3, "float32"), bins=0), ("histogram", "bins")),
    (lambda: ops.histogram(np.ones((2, 2), "float32")), ("histogram", "1-D")),
    (lambda: ops.histogram(np.ones(3, "float32"), range=(2.0, 1.0)), ("histogram", "range")),
    (lambda: ops.correlate(np.ones(3, "float32"), np.ones(2, "float32"), mode="wide"), ("correlate", "mode")),
    (lambda: ops.correlate(np.ones((3, 1), "float32"), np.ones(2, "float32")), ("correlate", "1-D")),
    (lambda: ops.trace(np.ones(3, "float32")), ("trace", "2 dimensions")),
    (lambda: ops.trace(np.ones((2, 2), "float32"), axis1=1, axis2=1), ("trace", "axis1")),
    (lambda: ops.searchsorted(np.ones(3, "float32"), 1.0, side="middle"), ("searchsorted", "side")),
    (lambda: ops.searchsorted(np.ones((2, 2), "float32"), 1.0), ("searchsorted", "sorted_sequence")),
    (lambda: ops.digitize(np.ones(3, "float32"), np.ones((2, 2), "float32")), ("digitize", "bins")),
    (lambda: ops.unique(np.ones(3, "int32"), size=-1), ("unique", "size")),
    (lambda: ops.unique(np.ones(3, "int32"), axis=2), ("unique", "axis")),
    (lambda: ops.argpartition(np.ones(3, "float32"), 3), ("argpartition", "kth")),
    (lambda: ops.average(np.ones((2, 3), "float32"), axis=(0, 1)), ("average", "axis")),
    (lambda: ops.average(KerasTensor((2, 3)), axis=1, weights=KerasTensor((2,))), ("average", "weights")),
    (lambda: ops.median(np.ones((2, 3), "float32"), axis=2), ("median", "axis")),
])
def test_bad_arguments_name_the_op_and_argument(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value), str(info.value)


# -- symbolic shapes -------------------------------------------------------------------
def test_data_dependent_ops_have_unknown_lengths():
    x = KerasTensor((None, 3), "float32")
    rows, cols = ops.nonzero(x)
    assert rows.shape == cols.shape == (None,) and rows.dtype == "int32"
    assert ops.bincount(KerasTensor((5,), "int32")).shape == (None,)
    weighted = ops.bincount(KerasTensor((4, 5), "int32"), weights=KerasTensor((4, 5), "float16"))
    assert weighted.shape == (4, None) and weighted.dtype == "float16"
    assert ops.unique(KerasTensor((6,), "int32")).shape == (None,)
    values, index, inverse, counts = ops.unique(KerasTensor((2, 6), "int8"), return_index=True,
                                                return_inverse=True, return_counts=True, size=4)
    assert (values.shape, index.shape, inverse.shape, counts.shape) == ((4,), (4,), (2, 6), (4,))
    assert values.dtype == "int8" and counts.dtype == "int32"
    values, inverse = ops.unique(KerasTensor((5, 3), "float32"), axis=0, return_inverse=True)
    assert values.shape == (None, 3) and inverse.shape == (5,)


def test_quantile_and_histogram_shapes():
    x = KerasTensor((None, 4, 5), "int32")
    out = ops.quantile(x, KerasTensor((3,)), axis=(1, 2), keepdims=True)
    assert out.shape == (3, None, 1, 1) and out.dtype == "float32"
    assert ops.nanpercentile(KerasTensor((None, 4), "float16"), 50.0, axis=0).shape == (4,)
    counts, edges = ops.histogram(KerasTensor((None,), "float16"), bins=6)
    assert counts.shape == (6,) and edges.shape == (7,) and edges.dtype == "float16"
    assert ops.correlate(KerasTensor((7,)), KerasTensor((3,)), mode="same").shape == (7,)
    assert ops.trace(KerasTensor((None, 3, 3), "bool"), axis1=1, axis2=2).dtype == "int32"


# -- compiled use ------------------------------------------------------------------------
def test_reductions_and_searches_compile():
    x = np.array([[1.5, np.nan, -3.0, 0.5], [2.0, 4.0, np.nan, -1.0]], "float32")

    def fn(x):
        return (ops.nanquantile(x, 0.5, axis=1), ops.quantile(ops.nan_to_num(x), 0.5, method="nearest"),
                ops.nanargmax(x, axis=1), ops.nanstd(x), ops.median(ops.nan_to_num(x), axis=0),
                ops.histogram(ops.nan_to_num(x)[0], bins=3)[0], ops.searchsorted([0.0, 1.0], x),
                ops.correlate(ops.nan_to_num(x)[0], ops.nan_to_num(x)[1], mode="full"),
                ops.unique(ops.nan_to_num(x), size=9, sorted=False))

    for got, want in zip(compiled(fn)(x), fn(x)):
        np.testing.assert_allclose(_np(got), _np(want), rtol=1e-6)


@pytest.mark.skipif(BACKEND != "jax", reason="jax.jit needs static output shapes")
def test_value_dependent_lengths_fail_clearly_under_jit():
    import jax

    for fn in (ops.nonzero, ops.bincount, ops.unique):
        with pytest.raises(ValueError, match="jax.jit"):
            jax.jit(fn)(np.array([1, 0, 2], "int32"))


@pytest.mark.skipif(BACKEND != "tensorflow", reason="tf.function keeps dynamic lengths")
def test_value_dependent_lengths_trace_in_tf_function():
    x = np.array([3, 0, 3, 1], "int32")

    def fn(x):
        return ops.nonzero(x), ops.bincount(x, minlength=2), ops.unique(x, return_counts=True)

    for got, want in zip(kiln.tree.flatten(compiled(fn)(x)), kiln.tree.flatten(fn(x))):
        np.testing.assert_array_equal(_np(got), _np(want))


@pytest.mark.parametrize("dtype", ["uint16", "uint32"])
def test_wide_unsigned_inputs_work_on_every_backend(dtype):
    # torch keeps these dtypes but has few CPU kernels for them; results must still match NumPy.
    x = np.array([[3, 1, 2], [4, 0, 5]], dtype)
    for name in ("nanargmax", "nanargmin", "nanmax", "nanmin", "ptp"):
        got = ops.convert_to_numpy(getattr(ops, name)(x, axis=1))
        np.testing.assert_array_equal(got, getattr(np, name)(x, axis=1), err_msg=name)
    assert ops.dtype(ops.nanmax(x)) == dtype and ops.dtype(ops.ptp(x)) == dtype
    rows, cols = ops.nonzero(x)
    np.testing.assert_array_equal(ops.convert_to_numpy(rows), np.nonzero(x)[0])
    np.testing.assert_array_equal(ops.convert_to_numpy(cols), np.nonzero(x)[1])
    seq = np.array([1, 2, 3], dtype)
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.searchsorted(seq, np.array([2], dtype))), [1])
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.digitize(seq, np.array([2], dtype))), [0, 1, 1])
