"""The backend-neutral control-flow pieces: saturate_cast bounds, scan lengths,
the halving associative scan and numpy.vectorize on top of a batch map (run on NumPy)."""

import math

import ml_dtypes
import numpy as np
import pytest

from kiln.backend.common import control_flow as rules

NUMPY_OPS = rules.ScanPrimitives(lambda x, order, axis: np.take(x, order, axis=axis),
                                 lambda xs, axis: np.concatenate(xs, axis=axis), np.flip, np.asarray)


def _batch_map(fn, xs):
    return np.stack([fn([x[i] for x in xs]) for i in range(len(xs[0]))])


@pytest.mark.parametrize("src,dst", [("float32", "int32"), ("float32", "uint8"), ("float16", "int8"),
                                     ("bfloat16", "int16"), ("int32", "int8"), ("int8", "uint32"),
                                     ("float64", "float16"), ("int64", "float32"), ("uint8", "int8"),
                                     ("float32", "int64"), ("float64", "uint64"), ("int64", "uint64"),
                                     ("uint64", "int64"), ("uint64", "float32"), ("int64", "float16")])
def test_saturate_cast_bounds_are_the_widest_src_values_inside_the_dst_range(src, dst):
    lo, hi = rules.saturate_cast_bounds(src, dst)
    native = np.dtype(ml_dtypes.bfloat16) if src == "bfloat16" else np.dtype(src)
    src_info = np.iinfo(src) if "int" in src else ml_dtypes.finfo(native)
    dst_info = np.iinfo(dst) if "int" in dst else ml_dtypes.finfo(dst)
    as_exact = int if "int" in dst else float  # Python ints and floats compare exactly
    dst_min, dst_max = as_exact(dst_info.min), as_exact(dst_info.max)
    assert dst_min <= lo <= hi <= dst_max
    if "int" in src:
        assert (lo, hi) == (max(int(src_info.min), math.ceil(dst_min)),
                            min(int(src_info.max), math.floor(dst_max)))
        return
    for bound, outward in ((lo, -np.inf), (hi, np.inf)):
        value = np.asarray(bound).astype(native)
        assert float(value) == bound  # a value of src, so the clip is exact
        further = float(np.nextafter(value, np.asarray(outward, native)))
        assert not dst_min <= further <= dst_max or float(value) in (float(src_info.min),
                                                                     float(src_info.max))


def test_saturate_cast_bounds_skip_bool_complex_and_same_dtype():
    for src, dst in [("bool", "int8"), ("int8", "bool"), ("complex64", "float32"),
                     ("float32", "complex64"), ("int8", "int8")]:
        assert rules.saturate_cast_bounds(src, dst) is None


def test_scan_length_checks_the_leading_sizes():
    assert rules.scan_length([np.zeros((3, 2)), np.zeros(3)], None) == 3
    assert rules.scan_length(None, 5) == 5
    assert rules.scan_length([np.zeros(0)], None) == 0
    with pytest.raises(ValueError, match="scan: give `xs`, `length`, or both"):
        rules.scan_length(None, None)
    with pytest.raises(ValueError, match=r"scan: every leaf of xs needs leading length 3.*\(2,\)"):
        rules.scan_length([np.zeros(3), np.zeros(2)], None)


@pytest.mark.parametrize("n", [1, 2, 5, 8, 13])
@pytest.mark.parametrize("reverse", [False, True])
def test_associative_scan_by_halving_matches_a_sequential_scan(n, reverse):
    x = np.arange(1.0, 1.0 + 2 * n).reshape(2, n)
    got = rules.associative_scan_by_halving(lambda a, b: a + b, x, reverse, 1, NUMPY_OPS)
    want = np.flip(np.cumsum(np.flip(x, 1), 1), 1) if reverse else np.cumsum(x, 1)
    np.testing.assert_array_equal(got, want)


def test_associative_scan_by_halving_keeps_the_order_of_a_non_commutative_f():
    # affine maps composed left to right: (a1, b1) then (a2, b2) is (a1 * a2, b1 * a2 + b2)
    a, b = np.array([2.0, 3.0, 0.5, 4.0, 1.0]), np.array([1.0, -1.0, 2.0, 0.0, 3.0])
    out_a, out_b = rules.associative_scan_by_halving(
        lambda p, q: (p[0] * q[0], p[1] * q[0] + q[1]), (a, b), False, 0, NUMPY_OPS)
    np.testing.assert_allclose(out_a, np.cumprod(a))
    want_b, acc = [], 0.0
    for ai, bi in zip(a, b):
        acc = acc * ai + bi
        want_b.append(acc)
    np.testing.assert_allclose(out_b, want_b)


def test_associative_scan_by_halving_errors_name_the_op():
    with pytest.raises(ValueError, match="associative_scan: axis 2 is out of range for rank 1"):
        rules.associative_scan_by_halving(np.add, np.ones(3), False, 2, NUMPY_OPS)
    with pytest.raises(ValueError, match="associative_scan: every input needs the same size"):
        rules.associative_scan_by_halving(lambda p, q: p, [np.ones(3), np.ones(2)], False, 0, NUMPY_OPS)


def test_parse_gufunc_signature():
    assert rules.parse_gufunc_signature("(m,n),(n)->(m)") == ([("m", "n"), ("n",)], [("m",)])
    assert rules.parse_gufunc_signature(" ( a , b ) -> () ,(b)") == ([("a", "b")], [(), ("b",)])
    with pytest.raises(ValueError, match="vectorize: signature 'x' has no '->'"):
        rules.parse_gufunc_signature("x")
    with pytest.raises(ValueError, match="vectorize: cannot parse signature 'm->n'"):
        rules.parse_gufunc_signature("m->n")


def test_bind_vectorized_arguments_leaves_excluded_arguments_alone():
    values, ranks, call = rules.bind_vectorized_arguments(
        lambda a, s, b=0: (a, s, b), (1, "keep"), {"b": 2}, frozenset({1}), None, None, np.asarray)
    assert [v.tolist() for v in values] == [1, 2] and ranks == [0, 0]
    assert call(["x", "y"]) == ("x", "keep", "y")
    with pytest.raises(ValueError, match=r"vectorize: signature '\(n\)->\(\)' describes 1"):
        rules.bind_vectorized_arguments(lambda a, b: a, (1, 2), {}, frozenset(), [("n",)], "(n)->()",
                                        np.asarray)


def test_vectorize_with_batch_map_matches_numpy_vectorize():
    def f(v, m):
        return m @ v

    x, mats = np.arange(6.0).reshape(2, 1, 3), np.arange(27.0).reshape(3, 3, 3)
    ours = rules.vectorize_with_batch_map(_batch_map, f, None, "(n),(k,n)->(k)", np.asarray,
                                          np.broadcast_to, np.reshape)
    theirs = np.vectorize(f, signature="(n),(k,n)->(k)")
    np.testing.assert_allclose(ours(x, mats), theirs(x, mats))
    scalar = rules.vectorize_with_batch_map(_batch_map, lambda a, b: a - b, None, None, np.asarray,
                                            np.broadcast_to, np.reshape)
    assert scalar(np.float64(3.0), 1.0) == 2.0  # no loop dimensions: one direct call
    with pytest.raises(ValueError, match="vectorize: an input of shape \\(3,\\) has fewer than its 2"):
        ours(np.ones(3), np.ones(3))
