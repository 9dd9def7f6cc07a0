"""Op cases for kiln.ops.math and kiln.ops.linalg."""

import numpy as np

from cases_nn import _erf
from op_cases import B, Case, F, F2, FN, I, I2, M, RNG, SPD, SQ, _f32, _i32, narrow  # noqa: F401


def _top_k(x, k, sorted=True):
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, idx, -1), idx.astype("int32")


def _segment_sum(data, ids, num_segments=None, sorted=False):
    out = np.zeros((num_segments,) + data.shape[1:], data.dtype)
    np.add.at(out, ids, data)
    return out


def cases():
    x = _f32((3, 4), -2.0, 2.0)
    preds = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]], "float32")
    return [
        Case("logsumexp", x, ref=lambda v: np.log(np.exp(v).sum())),
        Case("logsumexp", x, axis=1, keepdims=True,
             ref=lambda v, axis, keepdims: np.log(np.exp(v).sum(axis=axis, keepdims=keepdims)),
             id="logsumexp-axis"),
        Case("erf", x, ref=_erf, rtol=1e-5, atol=1e-6),
        Case("rsqrt", F, ref=lambda v: 1 / np.sqrt(v), rtol=1e-5),
        Case("top_k", np.array([[1.0, 5.0, 3.0, 4.0], [9.0, 2.0, 7.0, 0.0]], "float32"), 2,
             ref=_top_k),
        Case("in_top_k", np.array([1, 2, 0], "int32"), preds, 1,
             ref=lambda t, p, k: np.array([1, 2, 0]) == p.argmax(-1)),
        Case("in_top_k", np.array([1, 2, 0], "int32"), preds, 2,
             ref=lambda t, p, k: np.array([True, False, False]), id="in_top_k-2"),
        Case("segment_sum", _f32((5, 2)), np.array([0, 0, 1, 2, 2], "int32"), num_segments=3,
             ref=_segment_sum, none_ok=False),
        Case("norm", x, ref=np.linalg.norm, rtol=1e-5),
        Case("norm", x, axis=1, ref=lambda v, axis: np.linalg.norm(v, axis=axis), id="norm-axis",
             rtol=1e-5),
        Case("norm", x, ord=1, axis=-1, keepdims=True,
             ref=lambda v, ord, axis, keepdims: np.linalg.norm(v, ord, axis, keepdims),
             id="norm-l1", rtol=1e-5),
        Case("norm", x, ord="fro", ref=lambda v, ord: np.linalg.norm(v, ord), id="norm-fro", rtol=1e-5,
             none_ok=False),
        Case("inv", SQ, ref=np.linalg.inv, rtol=1e-4, atol=1e-5, none_ok=False),
        Case("solve", SQ, _f32((3, 2)), ref=np.linalg.solve, rtol=1e-4, atol=1e-5, none_ok=False),
        Case("cholesky", SPD, ref=np.linalg.cholesky, rtol=1e-4, atol=1e-5, none_ok=False),
        Case("det", SQ, ref=np.linalg.det, rtol=1e-4, none_ok=False),
        Case("det", np.stack([SQ, SQ * 2]), ref=np.linalg.det, rtol=1e-4, id="det-batched"),
    ]


# -- core ----------------------------------------------------------------------------------
