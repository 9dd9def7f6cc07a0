"""Op cases for array construction and manipulation ops (kiln.ops._array_shape)."""

import numpy as np

from op_cases import B, Case, F, F2, FN, GradCase, I, I2, M, RNG, SPD, SQ, _f32, _i32, narrow  # noqa: F401

V3 = _f32((4, 3), -2.0, 2.0)
W3 = _f32((4, 3), -2.0, 2.0)
T = _f32((2, 3, 4), -2.0, 2.0)
E = np.zeros((0, 3), "float32")
H = F.astype("float16")
BF = None
try:
    import ml_dtypes

    BF = F.astype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - ml_dtypes ships with jax and tensorflow
    pass


def _f32_ref(fn):
    return lambda *a, **k: np.asarray(fn(*a, **k)).astype("float32")


def _cross_ref(a, b):
    """np.cross for 2-vectors without NumPy's deprecation (z = 0 for a 2-vector)."""
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    pad = [(0, 0)] * (a.ndim - 1) + [(0, 1)]
    return np.cross(np.pad(a, pad) if a.shape[-1] == 2 else a, b)


def _list(fn):
    return lambda *a, **k: list(fn(*a, **k))


def cases():
    half = dict(rtol=1e-2, atol=1e-2)
    c = [
        # Joining and splitting.
        Case("append", F, F2, ref=np.append, id="append-flat"),
        Case("append", F, F2, axis=0, ref=np.append, id="append-axis0"),
        Case("append", I, F2, axis=-1, ref=np.append, id="append-i32-f32-negaxis"),
        Case("append", E, F, axis=0, ref=np.append, id="append-empty"),
        Case("append", H, F, ref=np.append, id="append-f16-f32", rtol=1e-3),
        Case("array_split", np.arange(7, dtype="int32"), 3, ref=_list(np.array_split), id="array_split-int"),
        Case("array_split", T, [1, 3], axis=-1, ref=_list(np.array_split), id="array_split-indices"),
        Case("array_split", M, 2, axis=1, ref=_list(np.array_split), id="array_split-even"),
        Case("hsplit", M, 2, ref=_list(np.hsplit), id="hsplit-2d"),
        Case("hsplit", np.arange(6, dtype="float32"), [2, 5], ref=_list(np.hsplit), id="hsplit-1d-indices"),
        Case("vsplit", np.ones((4, 2), "int32"), 2, ref=_list(np.vsplit), id="vsplit"),
        Case("vsplit", M, [1], ref=_list(np.vsplit), id="vsplit-indices"),
        Case("dsplit", T, 2, ref=_list(np.dsplit), id="dsplit"),
        Case("hstack", [F, F2], ref=np.hstack, id="hstack-2d"),
        Case("hstack", [F[0], I2[1]], ref=np.hstack, id="hstack-1d-mixed"),
        Case("vstack", [F, F2[0]], ref=np.vstack, id="vstack"),
        Case("vstack", [I.astype("int8"), I2.astype("uint8")], ref=np.vstack, id="vstack-int8-uint8"),
        Case("dstack", [F, F2], ref=np.dstack, id="dstack-2d"),
        Case("dstack", [F[0], F2[0]], ref=np.dstack, id="dstack-1d", none_ok=False),
        # Diagonals.
        Case("diag", F[0], ref=np.diag, id="diag-1d"),
        Case("diag", F[0], k=-2, ref=np.diag, id="diag-1d-k"),
        Case("diag", M, ref=np.diag, id="diag-2d"),
        Case("diag", M, k=2, ref=np.diag, id="diag-2d-k"),
        Case("diag", I, k=-1, ref=np.diag, id="diag-2d-negk"),
        Case("diag", M, k=5, ref=np.diag, id="diag-2d-outside"),
        Case("diagonal", T, offset=-3, ref=np.diagonal, id="diagonal-outside"),
        Case("diff", E, axis=0, ref=np.diff, id="diff-empty"),
        Case("diagflat", F, ref=np.diagflat, id="diagflat"),
        Case("diagflat", I, k=1, ref=np.diagflat, id="diagflat-k"),
        Case("diagonal", T, ref=np.diagonal, id="diagonal"),
        Case("diagonal", T, offset=1, axis1=-1, axis2=0, ref=np.diagonal, id="diagonal-axes"),
        Case("diagonal", I, offset=-1, ref=np.diagonal, id="diagonal-negoffset"),
        Case("diff", FN, ref=np.diff, id="diff"),
        Case("diff", I, n=2, axis=0, ref=np.diff, id="diff-n2-axis0"),
        Case("diff", T, n=2, axis=-1, ref=np.diff, id="diff-3d"),
        Case("diff", F, n=0, ref=np.diff, id="diff-n0"),
        Case("diff", H, ref=np.diff, id="diff-f16", **half),
        # Creation.
        Case("empty", (2, 3), ref=np.zeros, dtype="float32", id="empty"),
        Case("empty", (0, 2), "int32", ref=lambda s, d: np.zeros(s, d), id="empty-int-zero-size"),
        Case("empty_like", I, ref=np.zeros_like, id="empty_like"),
        Case("empty_like", F, "float16", ref=lambda x, d: np.zeros_like(x, d), id="empty_like-dtype"),
        Case("tri", 3, ref=np.tri, dtype="float32", id="tri"),
        Case("tri", 3, 5, 1, "int32", ref=np.tri, id="tri-int-k"),
        Case("tri", 4, 2, -1, ref=np.tri, dtype="float32", id="tri-negk"),
        Case("vander", F[0], ref=np.vander, id="vander"),
        Case("vander", I[0], N=4, increasing=True, ref=np.vander, id="vander-int-increasing"),
        Case("vander", H[0], ref=lambda x: np.vander(x.astype("float32")).astype("float16"), id="vander-f16",
             **half),
        Case("meshgrid", F[0], F2[1, :2], ref=_list(np.meshgrid), id="meshgrid-xy"),
        Case("meshgrid", I[0], F[1], F2[0, :2], indexing="ij", ref=_list(np.meshgrid), id="meshgrid-ij"),
        Case("logspace", 0.0, 2.0, 5, ref=np.logspace, dtype="float32", rtol=1e-5, id="logspace"),
        Case("logspace", 0, 3, 4, False, 2, ref=np.logspace, dtype="float32", rtol=1e-5,
             id="logspace-base-noendpoint"),
        Case("logspace", F[0], F2[0], 3, axis=-1, ref=np.logspace, rtol=1e-4, id="logspace-array"),
        Case("geomspace", 1, 1000, 4, ref=np.geomspace, dtype="float32", rtol=1e-5, id="geomspace"),
        Case("geomspace", -1.0, -16.0, 5, False, ref=np.geomspace, dtype="float32", rtol=1e-5,
             id="geomspace-negative-noendpoint"),
        Case("geomspace", F[0], F2[0], 3, axis=1, ref=np.geomspace, rtol=1e-4, id="geomspace-array"),
        # Flips and rotations.
        Case("fliplr", F, ref=np.fliplr, id="fliplr"),
        Case("fliplr", T, ref=np.fliplr, id="fliplr-3d"),
        Case("flipud", I, ref=np.flipud, id="flipud"),
        Case("flipud", F[0], ref=np.flipud, id="flipud-1d"),
        Case("roll", F, 2, ref=np.roll, id="roll-flat"),
        Case("roll", T, -1, axis=-1, ref=np.roll, id="roll-negaxis"),
        Case("roll", T, (1, 2), axis=(0, 2), ref=np.roll, id="roll-multi"),
        Case("roll", BF if BF is not None else H, 1, axis=1, ref=np.roll, id="roll-bf16", **half),
        Case("rot90", M, ref=np.rot90, id="rot90"),
        Case("rot90", M, k=2, ref=np.rot90, id="rot90-k2"),
        Case("rot90", T, k=-1, axes=(1, 2), ref=np.rot90, id="rot90-axes"),
        Case("rot90", I, k=3, ref=np.rot90, id="rot90-k3-int"),
        # Products.
        Case("kron", F, F2[:1, :2], ref=np.kron, id="kron"),
        Case("kron", I[0], I2, ref=np.kron, id="kron-ranks"),
        Case("kron", H, H[:1], ref=np.kron, id="kron-f16", **half),
        Case("inner", F, F2, ref=np.inner, id="inner"),
        Case("inner", I, I2[0], ref=np.inner, id="inner-int"),
        Case("inner", F, np.float32(2.0), ref=np.inner, id="inner-scalar"),
        Case("vdot", F, F2, ref=np.vdot, rtol=1e-5, id="vdot"),
        Case("vdot", I, I2, ref=np.vdot, id="vdot-int"),
        Case("cross", V3, W3, ref=np.cross, rtol=1e-5, atol=1e-5, id="cross"),
        Case("cross", V3[:, :2], W3, ref=_cross_ref, rtol=1e-5, atol=1e-5, id="cross-2-3"),
        Case("cross", V3[:, :2], W3[:, :2], ref=_cross_ref, rtol=1e-5, atol=1e-5, id="cross-2-2"),
        Case("cross", V3.T, W3[0], axisa=0, ref=np.cross, rtol=1e-5, atol=1e-5, id="cross-axisa",
             none_ok=False),
        Case("cross", V3.T, W3.T, axis=0, ref=np.cross, rtol=1e-5, atol=1e-5, id="cross-axis",
             none_ok=False),
        Case("cross", V3, W3, axisc=0, ref=np.cross, rtol=1e-5, atol=1e-5, id="cross-axisc"),
        Case("cross", I[:, :3], I2[:, :3], ref=np.cross, id="cross-int"),
        # Selection and indices.
        Case("select", [FN > 0.5, FN < -0.5], [F, F2], ref=np.select, id="select"),
        Case("select", [I > 2, I2 > 2], [I, I2], -1, ref=np.select, id="select-int-default"),
        Case("select", [B], [F[0]], 1.5, ref=np.select, id="select-broadcast"),
        Case("unravel_index", np.array([0, 5, 11], "int32"), (3, 4),
             ref=lambda i, s: [a.astype("int32") for a in np.unravel_index(i, s)], id="unravel_index"),
        Case("unravel_index", 5, (3, 3), ref=lambda i, s: [np.int32(a) for a in np.unravel_index(i, s)],
             id="unravel_index-scalar"),
        Case("unravel_index", np.array([[3, 7], [1, 0]], "int32"), (2, 2, 2),
             ref=lambda i, s: [a.astype("int32") for a in np.unravel_index(i, s)], id="unravel_index-2d"),
        Case("view", F, "int32", ref=lambda x, d: x.view(d), id="view-same-size"),
        Case("view", I, "int8", ref=lambda x, d: x.view(d), id="view-shrink"),
        Case("view", I[:, :2].astype("int16"), "float32", ref=lambda x, d: x.view(d), id="view-grow",
             atol=0, rtol=0),
        Case("view", H, "uint16", ref=lambda x, d: x.view(d), id="view-f16-uint16"),
        # Windows.
        Case("bartlett", 5, ref=np.bartlett, id="bartlett"),
        Case("blackman", 6, ref=np.blackman, atol=1e-6, id="blackman"),
        Case("hamming", 7, ref=np.hamming, id="hamming"),
        Case("hanning", 4, ref=np.hanning, id="hanning"),
        Case("hanning", 1, ref=np.hanning, id="hanning-1"),
        Case("kaiser", 6, 5.0, ref=np.kaiser, id="kaiser", rtol=1e-5, atol=1e-6),
        Case("kaiser", 0, 2.0, ref=np.kaiser, id="kaiser-0"),
        Case("bartlett", -2, ref=np.bartlett, id="bartlett-negative"),
        Case("get_item", T, (slice(None), 1, slice(None, None, 2)), ref=lambda x, k: x[k],
             id="numpy-get_item"),
    ]
    return c


def grad_cases():
    x = FN.astype("float64")
    t = T.astype("float64")
    return [
        GradCase("append", x, F2, axis=1),
        GradCase("diag", M),
        GradCase("diag", F[0], k=1, id="grad-diag-1d"),
        GradCase("diagflat", F),
        GradCase("diagonal", t, offset=1, axis1=2, axis2=0),
        GradCase("diff", t, n=2, axis=1),
        GradCase("fliplr", x),
        GradCase("flipud", x),
        GradCase("roll", t, (1, -1), axis=(0, 2)),
        GradCase("rot90", t, k=1, axes=(1, 2)),
        GradCase("vander", F[0], N=3),
        GradCase("kron", F, F2[:1, :2]),
        GradCase("inner", F, F2),
        GradCase("vdot", F, F2),
        GradCase("cross", V3, W3),
        GradCase("cross", V3[:, :2], W3[:, :2], id="grad-cross-2d"),
        GradCase("logspace", F[0], F2[0], 4, id="grad-logspace"),
        GradCase("geomspace", F[0], F2[0], 4, id="grad-geomspace"),
    ]
