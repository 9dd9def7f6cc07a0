"""Op cases for kiln.ops.core: casts, scatter/slice (updates), get_item and the control-flow ops.

The control-flow ops take functions; those below are written with kiln.ops so
they run on every backend, eagerly, traced and on KerasTensors. References are
plain NumPy loops.
"""

import numpy as np

from op_cases import B, Case, F, F2, FN, GradCase, I, I2, M, RNG, SPD, SQ, _f32, _i32, narrow  # noqa: F401


def _ops():
    from kiln import ops

    return ops


def _scatter(indices, values, shape):
    out = np.zeros(shape, values.dtype)
    np.add.at(out, tuple(indices.T), values)
    return out


def _saturate(x, dtype):
    info = np.iinfo(dtype)
    return np.clip(x.astype("float64"), info.min, info.max).astype(dtype)


def _scatter_update_ref(inputs, indices, updates, reduction=None):
    out = inputs.copy()
    key = tuple(indices.T)
    if reduction is None:
        out[key] = updates
    else:
        {"add": np.add, "mul": np.multiply, "max": np.maximum, "min": np.minimum}[reduction].at(
            out, key, updates)
    return out


def _slice_update_ref(inputs, start, updates):
    out = inputs.copy()
    start = [min(max(s, 0), d - n) for s, n, d in zip(start, updates.shape, inputs.shape)]
    out[tuple(slice(s, s + n) for s, n in zip(start, updates.shape))] = updates
    return out


# Functions handed to the control-flow ops (kiln.ops inside, so every backend runs them).
def _cumulative_step(carry, x):
    return carry + _ops().sum(x), carry * x


def _pair_step(carry, x):
    ops = _ops()
    total, count = carry
    return (total + x["a"] * x["b"], count + 1), ops.sin(x["a"])


def _running_product(carry, _):
    return carry * 1.5, carry


def _scan_ref(init, xs, reverse=False):
    carry, ys = init.copy(), []
    for x in (xs[::-1] if reverse else xs):
        ys.append(carry * x)
        carry = carry + x.sum()
    return carry, np.stack(ys[::-1] if reverse else ys)


def _add(a, b):
    return a + b


def _multiply(a, b):
    return a * b


def _affine(a, b):
    # Composition of affine maps x -> m * x + c: associative, not commutative.
    return a[0] * b[0], a[1] * b[0] + b[1]


def _assoc_ref(f, elems, axis=0, reverse=False):
    leaves = elems if isinstance(elems, tuple) else (elems,)
    leaves = [np.moveaxis(e, axis, 0) for e in leaves]
    n = leaves[0].shape[0]
    order = range(n - 1, -1, -1) if reverse else range(n)
    acc, out = None, [None] * n
    for i in order:
        cur = tuple(e[i] for e in leaves)
        acc = cur if acc is None else tuple(np.asarray(v) for v in f(acc, cur))
        out[i] = acc
    result = tuple(np.moveaxis(np.stack([o[j] for o in out]), 0, axis) for j in range(len(leaves)))
    return result if isinstance(elems, tuple) else result[0]


def _affine_np(a, b):
    return a[0] * b[0], a[1] * b[0] + b[1]


def _row_norm(row):
    ops = _ops()
    return ops.sqrt(ops.sum(row * row))


def _row_stats(row):
    ops = _ops()
    return ops.max(row), ops.mean(row)


def _double(x):
    return x * 2.0


def _negate(x):
    return -x


def _square_plus(x, y):
    return x * x + y


def _halve(x, _):
    return x * 0.5


def _while_cond(i, x):
    ops = _ops()
    return ops.logical_and(i < 4, ops.sum(x) < 100.0)


def _while_body(i, x):
    return i + 1, x * 2.0


def _while_ref(i, x):
    while i < 4 and x.sum() < 100.0:
        i, x = i + 1, x * 2.0
    return np.asarray(i, "int32"), x


def _fori_body(i, x):
    ops = _ops()
    return x * 1.5 + ops.cast(i, x.dtype)


def cases():
    X = _f32((3, 4))
    V = _f32((5, 3), -1.0, 1.0)
    ZERO = np.zeros((), "float32")
    BIG = np.array([-300.0, -1.5, 0.4, 200.0, 3e9], "float32")
    INPUTS = _f32((4, 3))
    IDX = np.array([[0, 1], [3, 2], [1, 0]], "int32")
    UPD = np.array([10.0, 20.0, 30.0], "float32")
    DUP = np.array([[1], [3], [1]], "int32")
    ROWS = _f32((3, 3), -1.0, 1.0)
    M1, C1 = _f32((6, 2), 0.5, 1.5), _f32((6, 2), -1.0, 1.0)
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
        # saturate_cast
        Case("saturate_cast", BIG, "uint8", ref=_saturate),
        Case("saturate_cast", BIG, "int32", ref=lambda x, d: np.array([-300, -1, 0, 200, 2147483520], d),
             id="saturate_cast-int32-edge"),
        Case("saturate_cast", np.array([-40000, 5, 70000], "int32"), "int16", ref=_saturate,
             id="saturate_cast-int"),
        Case("saturate_cast", np.array([-1e4, 3.0, 1e4], "float16"), "int8", ref=_saturate,
             id="saturate_cast-f16"),
        Case("saturate_cast", np.array(1e6, "float32"), "float16",
             ref=lambda x, d: np.asarray(np.finfo("float16").max, d), id="saturate_cast-0d-float"),
        # scatter_update / slice_update
        Case("scatter_update", INPUTS, IDX, UPD, ref=_scatter_update_ref, none_ok=False),
        Case("scatter_update", INPUTS, np.array([[2], [0]], "int32"), _f32((2, 3)),
             ref=_scatter_update_ref, none_ok=False, id="scatter_update-rows"),
        Case("scatter_update", INPUTS, DUP, _f32((3, 3)), reduction="add", ref=_scatter_update_ref,
             none_ok=False, id="scatter_update-add"),
        Case("scatter_update", INPUTS, DUP, _f32((3, 3)), reduction="mul", ref=_scatter_update_ref,
             none_ok=False, id="scatter_update-mul"),
        Case("scatter_update", INPUTS, DUP, _f32((3, 3), 0.0, 3.0), reduction="max",
             ref=_scatter_update_ref, none_ok=False, id="scatter_update-max"),
        Case("scatter_update", _i32((5,)), np.array([[4], [0]], "int32"), np.array([-1, -2], "int32"),
             reduction="min", ref=_scatter_update_ref, none_ok=False, id="scatter_update-min-int"),
        Case("slice_update", INPUTS, (1, 1), _f32((2, 2)), ref=_slice_update_ref, none_ok=False),
        Case("slice_update", INPUTS, (3, 2), _f32((2, 2)), ref=_slice_update_ref, none_ok=False,
             id="slice_update-clamped"),
        Case("slice_update", INPUTS.astype("float16"), (0, 1), np.ones((4, 1), "float16"),
             ref=_slice_update_ref, none_ok=False, id="slice_update-f16"),
        # switch / cond / loops
        Case("switch", np.array(1, "int32"), [_double, _negate], V, ref=lambda i, b, x: -x),
        Case("switch", np.array(7, "int32"), [_double, _negate], V, ref=lambda i, b, x: -x,
             id="switch-clamped-high"),
        Case("switch", -3, [_square_plus, _halve], V, V, ref=lambda i, b, x, y: x * x + y,
             id="switch-clamped-low-two-operands"),
        Case("cond", np.array(False), lambda: _ops().ones((2,)), lambda: _ops().zeros((2,)),
             ref=lambda p, t, f: np.zeros((2,), "float32")),
        Case("while_loop", _while_cond, _while_body, (0, ROWS + 2.0), ref=lambda c, b, v: _while_ref(*v)),
        Case("while_loop", _while_cond, _while_body, (0, ROWS + 2.0), maximum_iterations=2,
             ref=lambda c, b, v, maximum_iterations: (np.asarray(2, "int32"), (ROWS + 2.0) * 4.0),
             id="while_loop-maximum_iterations"),
        Case("while_loop", lambda x: _ops().sum(x) < 50.0, _double, ROWS + 2.0,
             ref=lambda c, b, x: x * 2.0 ** int(np.ceil(np.log2(50.0 / x.sum()))),
             id="while_loop-single-var"),
        Case("fori_loop", 0, 3, _fori_body, V,
             ref=lambda lo, hi, b, x: ((x * 1.5 + 0) * 1.5 + 1) * 1.5 + 2),
        Case("scan", _cumulative_step, ZERO, V, ref=lambda f, c, x: _scan_ref(c, x)),
        Case("scan", _cumulative_step, ZERO, V, reverse=True, unroll=2,
             ref=lambda f, c, x, reverse, unroll: _scan_ref(c, x, reverse), id="scan-reverse"),
        Case("scan", _running_product, np.ones((2,), "float32"), None, length=3,
             ref=lambda f, c, x, length: (c * 1.5 ** 3, np.stack([c, c * 1.5, c * 2.25])),
             id="scan-length-only"),
        Case("scan", _pair_step, (np.float32(0.0), np.int32(0)), {"a": V[:, 0].copy(), "b": V[::-1, 1].copy()},
             ref=lambda f, c, xs: ((np.sum(xs["a"] * xs["b"]), np.asarray(5, "int32")), np.sin(xs["a"])),
             atol=1e-5, id="scan-nested"),
        Case("scan", _cumulative_step, np.zeros((1,), "bfloat16"), V[:, 0].astype("bfloat16"),
             ref=lambda f, c, x: tuple(np.asarray(r, "bfloat16") for r in _scan_ref(
                 np.zeros((1,), "float32"), x.astype("float32"))), dtype="bfloat16", rtol=2e-2, atol=2e-2,
             id="scan-bf16"),
        Case("associative_scan", _add, V, ref=lambda f, e: np.cumsum(e, axis=0)),
        Case("associative_scan", _add, V, axis=-1, reverse=True,
             ref=lambda f, e, axis, reverse: np.flip(np.cumsum(np.flip(e, 1), 1), 1),
             id="associative_scan-reverse-axis"),
        Case("associative_scan", _affine, (M1, C1),
             ref=lambda f, e: _assoc_ref(_affine_np, e), rtol=1e-5, id="associative_scan-pairs"),
        Case("associative_scan", _affine, (M1[:5], C1[:5]), reverse=True,
             ref=lambda f, e, reverse: _assoc_ref(_affine_np, e, reverse=True), rtol=1e-5,
             id="associative_scan-odd-reverse"),
        Case("associative_scan", _add, np.ones((4, 1), "float16"), ref=lambda f, e: np.cumsum(e, 0),
             rtol=1e-3, id="associative_scan-f16"),
        Case("map", _row_norm, V, ref=lambda f, x: np.sqrt((x * x).sum(1))),
        Case("map", _row_stats, V, ref=lambda f, x: (x.max(1), x.mean(1)), id="map-pair-output"),
        Case("vectorized_map", _row_norm, V, ref=lambda f, x: np.sqrt((x * x).sum(1))),
        Case("vectorized_map", _row_stats, V, ref=lambda f, x: (x.max(1), x.mean(1)),
             id="vectorized_map-pair-output"),
    ]


def _scan_total(carry, x):
    ops = _ops()
    return carry * ops.cos(x) + x, ops.sin(carry * x)


def grad_cases():
    V = _f32((4, 3), -1.0, 1.0)
    W = _f32((4, 3), 0.5, 1.5)
    ROW = _f32((3,), 0.5, 1.5)
    return [
        GradCase("scan", _scan_total, ROW, V, wrt=(1, 2)),
        GradCase("scan", _scan_total, ROW, V, reverse=True, wrt=(1, 2), id="grad-scan-reverse"),
        GradCase("associative_scan", _multiply, W, wrt=(1,)),
        GradCase("associative_scan", _add, V, reverse=True, axis=1, wrt=(1,), id="grad-associative_scan-reverse"),
        GradCase("map", _row_norm, W, wrt=(1,)),
        GradCase("vectorized_map", _row_norm, W, wrt=(1,)),
        GradCase("fori_loop", 0, 3, _fori_body, V, wrt=(3,)),
        GradCase("while_loop", lambda x: _ops().sum(x) < 50.0, _double, W, maximum_iterations=8,
                 wrt=(2,)),
        GradCase("switch", np.array(1, "int32"), [_halve, _square_plus], W, V, wrt=(2, 3)),
        GradCase("slice_update", W, (1, 0), V[:2, :2], wrt=(0, 2)),
        GradCase("scatter_update", W, np.array([[0, 1], [3, 2]], "int32"), ROW[:2], wrt=(0, 2)),
        # A cast to float64 keeps finite differences exact (a narrower target would round them).
        GradCase("saturate_cast", W, "float64", wrt=(0,)),
    ]
