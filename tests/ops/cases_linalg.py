"""Op cases for kiln.ops.linalg (decompositions with sign/order freedom are checked by invariants
in test_linalg_ops.py; here only their unique parts)."""

import numpy as np
import scipy.linalg

from op_cases import B, Case, F, F2, FN, GradCase, I, I2, M, RNG, SPD, SQ, _f32, _i32, narrow  # noqa: F401

X = _f32((3, 4), -2.0, 2.0)
BATCH = _f32((2, 3, 4), -2.0, 2.0)
LOWER = np.linalg.cholesky(SPD.astype("float64")).astype("float32")
TALL = _f32((5, 3), -1.0, 1.0)
# Rank 2 (3x4): a product of 3x2 and 2x4 factors.
RANK2 = (_f32((3, 2), -1.0, 1.0) @ _f32((2, 4), -1.0, 1.0)).astype("float32")
INF = float("inf")


def _norm(x, ord=None, axis=None, keepdims=False):
    return np.linalg.norm(x.astype("float64"), ord=ord, axis=axis, keepdims=keepdims).astype("float32")


def _lu_factor(x):
    lu, piv = scipy.linalg.lu_factor(x.astype("float64"))
    return lu.astype("float32"), piv.astype("int32")


def _f32_of(fn):
    def ref(*args, **kwargs):
        args = [a.astype("float64") if isinstance(a, np.ndarray) else a for a in args]
        return np.asarray(fn(*args, **kwargs)).astype("float32")
    return ref


def _rank(x, tol=None):
    return np.asarray(np.linalg.matrix_rank(x, tol=tol)).astype("int32")  # float32 epsilon


def _slogdet(x):
    sign, logabsdet = np.linalg.slogdet(x.astype("float64"))
    return np.asarray(sign).astype("float32"), np.asarray(logabsdet).astype("float32")


def cases():
    return [
        Case("norm", X, ref=_norm, rtol=1e-5),
        Case("norm", X, axis=1, ref=_norm, id="norm-axis", rtol=1e-5),
        Case("norm", X, ord=1, axis=-1, keepdims=True, ref=_norm, id="norm-l1", rtol=1e-5),
        Case("norm", X, ord="fro", ref=_norm, id="norm-fro", rtol=1e-5, none_ok=False),
        Case("norm", X, ord=INF, axis=-1, ref=_norm, id="norm-vec-inf"),
        Case("norm", X, ord=-INF, axis=0, ref=_norm, id="norm-vec-neg-inf"),
        Case("norm", X, ord=0, axis=1, ref=_norm, id="norm-vec-0"),
        Case("norm", X, ord=3, axis=1, ref=_norm, rtol=1e-5, id="norm-vec-3"),
        Case("norm", X, ord=-1, axis=1, ref=_norm, rtol=1e-5, id="norm-vec-neg1"),
        Case("norm", X[0], ord=2, ref=_norm, rtol=1e-5, id="norm-vec-2-1d"),
        Case("norm", X, ord="nuc", ref=_norm, rtol=1e-4, none_ok=False, id="norm-nuc"),
        Case("norm", X, ord=2, ref=_norm, rtol=1e-4, none_ok=False, id="norm-mat-2"),
        Case("norm", X, ord=-2, ref=_norm, rtol=1e-4, none_ok=False, id="norm-mat-neg2"),
        Case("norm", X, ord=1, ref=_norm, rtol=1e-5, none_ok=False, id="norm-mat-1"),
        Case("norm", X, ord=-1, ref=_norm, rtol=1e-5, none_ok=False, id="norm-mat-neg1"),
        Case("norm", X, ord=INF, ref=_norm, rtol=1e-5, none_ok=False, id="norm-mat-inf"),
        Case("norm", X, ord=-INF, ref=_norm, rtol=1e-5, none_ok=False, id="norm-mat-neg-inf"),
        Case("norm", BATCH, ord="fro", axis=(1, 2), keepdims=True, ref=_norm, rtol=1e-5,
             id="norm-batched-fro-keepdims"),
        Case("norm", BATCH, ord=2, axis=(-1, -2), ref=_norm, rtol=1e-4, id="norm-batched-2"),
        Case("norm", BATCH, ord=INF, axis=(2, 0), ref=_norm, rtol=1e-5, none_ok=False,
             id="norm-axes-2-0-inf"),
        Case("norm", I, ref=_norm, rtol=1e-5, id="norm-int"),
        Case("norm", X.astype("float16"), axis=1, ref=_norm, dtype="float16", rtol=1e-2,
             id="norm-f16"),
        Case("inv", SQ, ref=np.linalg.inv, rtol=1e-4, atol=1e-5, none_ok=False),
        Case("inv", np.stack([SQ, SQ * 2]), ref=np.linalg.inv, rtol=1e-4, atol=1e-5, id="inv-batched"),
        Case("solve", SQ, _f32((3, 2)), ref=np.linalg.solve, rtol=1e-4, atol=1e-5, none_ok=False),
        Case("solve", SQ, _f32((3,)), ref=np.linalg.solve, rtol=1e-4, atol=1e-5, none_ok=False,
             id="solve-vector"),
        Case("cholesky", SPD, ref=np.linalg.cholesky, rtol=1e-4, atol=1e-5, none_ok=False),
        Case("cholesky", SPD, upper=True, ref=lambda x, upper: np.linalg.cholesky(x).T, rtol=1e-4,
             atol=1e-5, none_ok=False, id="cholesky-upper"),
        Case("det", SQ, ref=np.linalg.det, rtol=1e-4, none_ok=False),
        Case("det", np.stack([SQ, SQ * 2]), ref=np.linalg.det, rtol=1e-4, id="det-batched"),
        Case("slogdet", SQ, ref=_slogdet, rtol=1e-4, none_ok=False),
        Case("slogdet", np.stack([SQ, -SQ[::-1]]), ref=_slogdet, rtol=1e-4, id="slogdet-batched-negative"),
        Case("slogdet", I[:, :2].reshape(1, 2, 2) + np.eye(2, dtype="int32"), ref=_slogdet, rtol=1e-4,
             id="slogdet-int"),
        Case("cholesky_inverse", LOWER, ref=lambda x: np.linalg.inv(SPD.astype("float64")).astype("float32"),
             rtol=1e-3, atol=1e-5, none_ok=False),
        Case("cholesky_inverse", np.ascontiguousarray(LOWER.T), upper=True,
             ref=lambda x, upper: np.linalg.inv(SPD.astype("float64")).astype("float32"),
             rtol=1e-3, atol=1e-5, none_ok=False, id="cholesky_inverse-upper"),
        Case("lstsq", TALL, _f32((5,)), ref=_f32_of(lambda a, b: np.linalg.lstsq(a, b)[0]),
             rtol=1e-4, atol=1e-5, none_ok=False),
        Case("lstsq", TALL, _f32((5, 2)), ref=_f32_of(lambda a, b: np.linalg.lstsq(a, b)[0]),
             rtol=1e-4, atol=1e-5, none_ok=False, id="lstsq-matrix"),
        Case("lu_factor", SQ, ref=_lu_factor, rtol=1e-4, atol=1e-5, none_ok=False),
        Case("lu_factor", TALL, ref=_lu_factor, rtol=1e-4, atol=1e-5, none_ok=False, id="lu_factor-tall"),
        Case("lu_factor", X, ref=_lu_factor, rtol=1e-4, atol=1e-5, none_ok=False, id="lu_factor-wide"),
        Case("matrix_rank", RANK2, ref=_rank, none_ok=False),
        Case("matrix_rank", np.stack([SQ, np.diag([1.0, 1e-3, 0.0]).astype("float32")]), tol=1e-2,
             ref=_rank, id="matrix_rank-batched-tol"),
        Case("pinv", X, ref=_f32_of(np.linalg.pinv), rtol=1e-3, atol=1e-5, none_ok=False),
        Case("pinv", RANK2, ref=_f32_of(lambda x: np.linalg.pinv(x, rcond=1e-5)), rtol=1e-3,
             atol=1e-4, none_ok=False, id="pinv-rank-deficient"),
        Case("solve_triangular", np.triu(SQ), _f32((3, 2)), ref=_f32_of(scipy.linalg.solve_triangular),
             rtol=1e-4, atol=1e-5, none_ok=False),
        Case("solve_triangular", SQ, _f32((3,)), lower=True,
             ref=_f32_of(lambda a, b, lower: scipy.linalg.solve_triangular(a, b, lower=lower)),
             rtol=1e-4, atol=1e-5, none_ok=False, id="solve_triangular-lower-vector"),
        Case("svd", X, compute_uv=False,
             ref=_f32_of(lambda x, compute_uv: np.linalg.svd(x, compute_uv=False)),
             rtol=1e-4, atol=1e-5),
        Case("svd", BATCH, compute_uv=False,
             ref=_f32_of(lambda x, compute_uv: np.linalg.svd(x, compute_uv=False)), rtol=1e-4, atol=1e-5,
             id="svd-batched-values"),
    ]


def grad_cases():
    x = _f32((3, 4), -2.0, 2.0)
    sym = (SPD / 10.0).astype("float32")  # distinct eigenvalues
    return [
        GradCase("norm", x),
        GradCase("norm", x, ord=1, axis=1, id="grad-norm-l1"),
        GradCase("norm", x, ord="fro", id="grad-norm-fro"),
        GradCase("norm", x, ord=3, axis=0, id="grad-norm-3"),
        GradCase("inv", SQ),
        GradCase("solve", SQ, _f32((3, 2))),
        GradCase("cholesky", sym),
        GradCase("det", SQ),
        GradCase("cholesky_inverse", LOWER / 2.0),
        GradCase("lstsq", TALL, _f32((5,))),
        GradCase("pinv", TALL),
        GradCase("solve_triangular", np.triu(SQ), _f32((3, 2))),
        GradCase("solve_triangular", np.tril(SQ), _f32((3, 2)), lower=True, id="grad-solve_triangular-lower"),
        GradCase("svd", x, compute_uv=False, id="grad-svd-values"),
        # eigh/eig/qr/svd with vectors: the vectors' signs (phases) are a backend choice, so a
        # sum over every output has no unique gradient; their values are covered by the
        # identity tests in test_linalg_ops.py.
    ]
