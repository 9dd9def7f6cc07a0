"""linalg ops beyond the value table: decompositions by their defining identities, jvp,
symbolic shapes, argument errors and compiled use."""

import numpy as np
import pytest

import kiln
from kiln import ops
from kiln.backend import KerasTensor
from op_cases import SPD, SQ, _f32, compiled

BACKEND = kiln.backend.current.NAME
np_ = ops.convert_to_numpy



def _herm(a):
    return np.swapaxes(a, -1, -2).conj()


def test_eig_reconstructs_general_matrix():
    x = np.array([[0.0, -2.0, 1.0], [1.0, 0.5, 0.0], [0.3, 0.0, 2.0]], "float32")
    w, v = ops.eig(x)
    assert ops.dtype(w) == "complex64" and ops.dtype(v) == "complex64"
    w, v = np_(w), np_(v)
    np.testing.assert_allclose(x @ v, v * w[None, :], atol=1e-4)
    expected = np.linalg.eigvals(x.astype("float64"))
    np.testing.assert_allclose(np.sort_complex(w), np.sort_complex(expected), atol=1e-4)


def test_eig_of_real_spectrum_is_still_complex():
    w, v = ops.eig(np.diag([1.0, 2.0]).astype("float32"))
    assert ops.dtype(w) == "complex64"
    np.testing.assert_allclose(np.sort(np_(w).real), [1.0, 2.0], atol=1e-6)


def test_eigh_is_orthonormal_and_ascending():
    batch = np.stack([SPD, SPD / 2 + np.eye(3, dtype="float32")])
    w, v = ops.eigh(batch)
    w, v = np_(w), np_(v)
    assert w.dtype == np.float32 and v.shape == (2, 3, 3)
    assert np.all(np.diff(w, axis=-1) > 0)
    np.testing.assert_allclose(w, np.linalg.eigvalsh(batch.astype("float64")), rtol=1e-4)
    np.testing.assert_allclose(_herm(v) @ v, np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-5)
    np.testing.assert_allclose(v @ (w[..., None] * _herm(v)), batch, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_qr_reconstructs(shape, mode):
    x = _f32(shape, -1.0, 1.0)
    q, r = np_(ops.qr(x, mode=mode)[0]), np_(ops.qr(x, mode=mode)[1])
    m, n = shape[-2:]
    k = min(m, n) if mode == "reduced" else m
    assert q.shape == shape[:-2] + (m, k) and r.shape == shape[:-2] + (k, n)
    np.testing.assert_allclose(q @ r, x, atol=1e-5)
    np.testing.assert_allclose(_herm(q) @ q, np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k)), atol=1e-5)
    np.testing.assert_allclose(np.tril(r, -1), 0.0, atol=1e-6)


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
@pytest.mark.parametrize("full_matrices", [True, False])
def test_svd_reconstructs(shape, full_matrices):
    x = _f32(shape, -1.0, 1.0)
    u, s, vh = (np_(t) for t in ops.svd(x, full_matrices=full_matrices))
    m, n = shape[-2:]
    k = min(m, n)
    assert u.shape[-2:] == ((m, m) if full_matrices else (m, k))
    assert vh.shape[-2:] == ((n, n) if full_matrices else (k, n))
    assert np.all(np.diff(s, axis=-1) <= 0)
    np.testing.assert_allclose(s, np.linalg.svd(x.astype("float64"), compute_uv=False), rtol=1e-4)
    np.testing.assert_allclose(u[..., :, :k] @ (s[..., :, None] * vh[..., :k, :]), x, atol=1e-5)


def test_lu_factor_reconstructs_with_lapack_pivots():
    x = np.stack([SQ, _f32((3, 3), -1.0, 1.0)])
    lu, pivots = ops.lu_factor(x)
    assert ops.dtype(pivots) == "int32"
    lu, pivots = np_(lu), np_(pivots)
    for a, packed, piv in zip(x, lu, pivots):
        lower = np.tril(packed, -1) + np.eye(3)
        upper = np.triu(packed)
        permuted = a.astype("float64").copy()
        for i, p in enumerate(piv):
            permuted[[i, p]] = permuted[[p, i]]
        np.testing.assert_allclose(lower @ upper, permuted, rtol=1e-4, atol=1e-5)


def test_solve_triangular_reads_only_its_triangle():
    noisy = SQ + np.tril(np.full((3, 3), 100.0, "float32"), -1)
    b = _f32((3, 2))
    got = np_(ops.solve_triangular(noisy, b, lower=False))
    np.testing.assert_allclose(got, np.linalg.solve(np.triu(SQ), b), rtol=1e-4, atol=1e-5)


def test_pinv_default_rcond_drops_tiny_singular_values():
    x = np.diag([2.0, 1e-9]).astype("float32")
    np.testing.assert_allclose(np_(ops.pinv(x)), np.diag([0.5, 0.0]), atol=1e-6)
    np.testing.assert_allclose(np_(ops.matrix_rank(x)), 1)


def _skip_without_autodiff():
    if BACKEND == "numpy":
        with pytest.raises(NotImplementedError, match="linalg.jvp"):
            ops.jvp(ops.square, (np.float32(1.0),), (np.float32(1.0),))
        pytest.skip("the numpy backend has no autodiff (jvp raises, checked above)")


def test_jvp_matches_the_directional_derivative():
    _skip_without_autodiff()
    x = _f32((3,), -1.0, 1.0)
    t = _f32((3,), -1.0, 1.0)
    y = _f32((3,), 0.5, 1.0)

    def fun(a, b):
        return ops.sin(a) * b

    out, tangent = ops.jvp(fun, (ops.convert_to_tensor(x), ops.convert_to_tensor(y)),
                           (ops.convert_to_tensor(t), ops.zeros_like(ops.convert_to_tensor(y))))
    np.testing.assert_allclose(np_(out), np.sin(x) * y, rtol=1e-5)
    np.testing.assert_allclose(np_(tangent), np.cos(x) * y * t, rtol=1e-5, atol=1e-6)


def test_jvp_has_aux():
    _skip_without_autodiff()
    x = ops.convert_to_tensor(np.array([1.0, 2.0], "float32"))

    def fun(a):
        return ops.sum(a * a), ops.max(a)

    out, tangent, aux = ops.jvp(fun, (x,), (ops.ones_like(x),), has_aux=True)
    assert float(np_(out)) == pytest.approx(5.0)
    assert float(np_(tangent)) == pytest.approx(6.0)
    assert float(np_(aux)) == pytest.approx(2.0)


def test_jvp_symbolic():
    x = KerasTensor((None, 3))
    out, tangent = ops.jvp(ops.exp, (x,), (x,))
    assert out.shape == (None, 3) and tangent.shape == (None, 3)
    out, tangent, aux = ops.jvp(lambda a: (ops.sum(a, axis=1), a), (x,), (x,), has_aux=True)
    assert out.shape == (None,) and tangent.shape == (None,) and aux.shape == (None, 3)


def test_decomposition_symbolic_shapes():
    x = KerasTensor((None, 5, 3))
    u, s, vh = ops.svd(x)
    assert (u.shape, s.shape, vh.shape) == ((None, 5, 5), (None, 3), (None, 3, 3))
    u, s, vh = ops.svd(x, full_matrices=False)
    assert (u.shape, vh.shape) == ((None, 5, 3), (None, 3, 3))
    assert ops.svd(x, compute_uv=False).shape == (None, 3)
    q, r = ops.qr(x)
    assert (q.shape, r.shape) == ((None, 5, 3), (None, 3, 3))
    q, r = ops.qr(x, mode="complete")
    assert (q.shape, r.shape) == ((None, 5, 5), (None, 5, 3))
    sq = KerasTensor((None, 4, 4))
    w, v = ops.eig(sq)
    assert (w.shape, w.dtype, v.shape, v.dtype) == ((None, 4), "complex64", (None, 4, 4), "complex64")
    w, v = ops.eigh(sq)
    assert (w.shape, w.dtype, v.shape) == ((None, 4), "float32", (None, 4, 4))
    lu, piv = ops.lu_factor(sq)
    assert (lu.shape, piv.shape, piv.dtype) == ((None, 4, 4), (None, 4), "int32")
    assert ops.matrix_rank(x).shape == (None,) and ops.matrix_rank(x).dtype == "int32"
    assert ops.pinv(x).shape == (None, 3, 5)
    assert ops.lstsq(KerasTensor((5, 3)), KerasTensor((5, 2))).shape == (3, 2)
    assert ops.cholesky_inverse(sq).shape == (None, 4, 4)


@pytest.mark.parametrize("call", [
    lambda: ops.qr(KerasTensor((3, 3)), mode="r"),
    lambda: ops.eigh(KerasTensor((3, 4))),
    lambda: ops.svd(KerasTensor((3,))),
    lambda: ops.lstsq(KerasTensor((5, 3)), KerasTensor((4,))),
    lambda: ops.solve_triangular(KerasTensor((3, 3)), KerasTensor((4, 2))),
    lambda: ops.cholesky_inverse(KerasTensor((2, 3))),
], ids=["qr-mode", "eigh-square", "svd-rank", "lstsq-rows", "solve_triangular-rows", "cholesky_inverse"])
def test_bad_arguments_raise_naming_the_op(call):
    with pytest.raises(ValueError) as info:
        call()
    assert any(name in str(info.value) for name in ("qr", "eigh", "svd", "lstsq", "solve_triangular",
                                                     "cholesky_inverse"))


def test_qr_bad_mode_eagerly():
    with pytest.raises(ValueError, match="^qr: .*mode"):
        ops.qr(SQ, mode="raw")


def test_compiled_decompositions():
    def fn(x):
        lu, piv = ops.lu_factor(x)
        w, _ = ops.eigh(ops.matmul(x, ops.transpose(x)))
        return lu, piv, w, ops.matrix_rank(x), ops.pinv(x), ops.svd(x, compute_uv=False)

    lu, piv, w, rank, pinv, s = compiled(fn)(ops.convert_to_tensor(SQ))
    ref_lu, ref_piv = __import__("scipy.linalg").linalg.lu_factor(SQ.astype("float64"))
    np.testing.assert_allclose(np_(lu), ref_lu, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(np_(piv), ref_piv)
    np.testing.assert_allclose(np_(w), np.linalg.eigvalsh(SQ.astype("float64") @ SQ.T), rtol=1e-4)
    assert int(np_(rank)) == 3
    np.testing.assert_allclose(np_(pinv), np.linalg.inv(SQ), rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(np_(s), np.linalg.svd(SQ, compute_uv=False), rtol=1e-4)
