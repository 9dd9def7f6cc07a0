"""Op cases for kiln.ops.core: scatter, slice, get_item, cast."""

import numpy as np

from op_cases import B, Case, F, F2, FN, I, I2, M, RNG, SPD, SQ, _f32, _i32, narrow  # noqa: F401


def _scatter(indices, values, shape):
    out = np.zeros(shape, values.dtype)
    np.add.at(out, tuple(indices.T), values)
    return out


def cases():
    X = _f32((3, 4))
    return [
        Case("cast", F, "int32", ref=lambda x, d: x.astype(d)),
        Case("cast", I, "float16", ref=lambda x, d: x.astype(d), id="cast-f16"),
        Case("cast", FN, "bool", ref=lambda x, d: x.astype(d), id="cast-bool"),
        Case("stop_gradient", F, ref=lambda x: x),
        Case("scatter", np.array([[0, 1], [2, 3]], "int32"), np.array([1.0, 2.0], "float32"), (3, 4),
             ref=_scatter),
        Case("slice", X, (1, 0), (2, 3), ref=lambda x, s, z: x[1:3, 0:3], none_ok=False),
        Case("get_item", X, 1, ref=lambda x, k: x[k], none_ok=False),
        Case("get_item", X, (slice(None), 2), ref=lambda x, k: x[k], id="get_item-column"),
        Case("get_item", X, (slice(1, None), None, slice(None, None, 2)), ref=lambda x, k: x[k],
             id="get_item-newaxis"),
        Case("get_item", X, (Ellipsis, -1), ref=lambda x, k: x[k], id="get_item-ellipsis"),
    ]
