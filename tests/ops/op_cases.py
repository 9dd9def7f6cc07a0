"""Shared op test cases: each names an op, its arguments, and a NumPy reference.

The eager tests (test_numpy_ops, test_math_ops, ...) compare values, shapes and
dtypes against the reference; test_symbolic replays the same cases on
KerasTensors and checks the inferred shapes and dtypes against the eager ones.
"""

import numpy as np

RNG = np.random.RandomState(0)


def _f32(shape, low=0.5, high=2.0):
    return RNG.uniform(low, high, size=shape).astype("float32")


def _i32(shape, low=1, high=5):
    return RNG.randint(low, high, size=shape).astype("int32")


F = _f32((2, 3))
FN = _f32((2, 3), -2.0, 2.0)
F2 = _f32((2, 3))
I = _i32((2, 3))
I2 = _i32((2, 3))
B = np.array([[True, False, True], [False, False, True]])
M = _f32((3, 4))
SQ = (_f32((3, 3)) + 3 * np.eye(3)).astype("float32")
SPD = (SQ @ SQ.T).astype("float32")


class Case:
    """One op call: ``getattr(kiln.ops, name)(*args, **kwargs)`` vs ``ref(*args, **kwargs)``.

    ``dtype`` is the expected result dtype; by default the reference's dtype with
    64-bit types narrowed to 32 bits (the rule every Kiln backend follows).
    ``none_ok``: the op can take tensors whose first dimension is unknown.
    """

    def __init__(self, name, *args, ref=None, dtype=None, rtol=1e-5, atol=1e-6, none_ok=True,
                 id=None, **kwargs):
        self.name = name
        self.args = args
        self.kwargs = kwargs
        self.ref = ref
        self.dtype = dtype
        self.rtol = rtol
        self.atol = atol
        self.none_ok = none_ok
        self.id = id or name

    def __repr__(self):
        return self.id


_EAGER_RESULTS = {}


def eager_result(case):
    """Run a case eagerly once per test session (JAX compiles every new op call, so reuse it)."""
    if case.id not in _EAGER_RESULTS:
        from kiln import ops

        _EAGER_RESULTS[case.id] = getattr(ops, case.name)(*case.args, **case.kwargs)
    return _EAGER_RESULTS[case.id]


def narrow(dtype):
    dtype = np.dtype(dtype).name
    return {"float64": "float32", "int64": "int32", "uint64": "uint32"}.get(dtype, dtype)


def _np(name):
    return getattr(np, name)


UNARY_FLOAT = ["sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "tanh", "sinh", "cosh",
               "arctan", "reciprocal"]
UNARY_KEEP = ["negative", "abs", "square", "sign"]
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod", "power",
          "maximum", "minimum", "equal", "not_equal", "less", "less_equal", "greater",
          "greater_equal"]
_NP_NAME = {"mod": "mod", "true_divide": "true_divide"}


def _float_floor(name):
    return lambda x: _np(name)(x).astype("float32")


def numpy_cases():
    cases = []
    for name in UNARY_FLOAT:
        ref = (lambda x: 1.0 / x.astype("float32")) if name == "reciprocal" else _np(name)
        cases.append(Case(name, F, ref=ref, id=f"{name}-f32", rtol=1e-5))
        cases.append(Case(name, I, ref=ref, id=f"{name}-i32", dtype="float32", rtol=1e-5))
    for name in UNARY_KEEP:
        cases.append(Case(name, FN, ref=_np(name), id=f"{name}-f32"))
        cases.append(Case(name, I - 3, ref=_np(name), id=f"{name}-i32"))
    cases.append(Case("absolute", FN, ref=np.abs))
    for name in ("floor", "ceil"):
        cases.append(Case(name, FN * 3, ref=_np(name), id=f"{name}-f32"))
        cases.append(Case(name, I, ref=_float_floor(name), id=f"{name}-i32", dtype="float32"))
    cases.append(Case("round", np.array([0.5, 1.5, 2.4, -0.6], "float32"), ref=np.round))
    cases.append(Case("round", np.array([0.123, 1.567], "float32"), decimals=1, ref=np.round,
                      id="round-decimals", rtol=1e-4))
    for name in BINARY:
        ref = _np(name)
        cases.append(Case(name, F, F2, ref=ref, id=f"{name}-f32"))
        cases.append(Case(name, I, I2, ref=ref, id=f"{name}-i32",
                          dtype="float32" if "divide" in name and "floor" not in name else None))
        cases.append(Case(name, I, F2, ref=ref, id=f"{name}-i32-f32"))
        cases.append(Case(name, F, F2[0], ref=ref, id=f"{name}-broadcast"))
    # The promotion table with weak Python scalars.
    i8 = I.astype("int8")
    cases += [
        Case("add", i8, 3, ref=np.add, dtype="int8", id="add-int8-pyint"),
        Case("multiply", i8, 2, ref=np.multiply, dtype="int8", id="multiply-int8-pyint"),
        Case("add", B, 1, ref=lambda a, b: a.astype("int32") + b, dtype="int32", id="add-bool-pyint"),
        Case("add", F.astype("float16"), 1.5, ref=np.add, dtype="float16", rtol=1e-3,
             id="add-f16-pyfloat"),
        Case("multiply", F.astype("float16"), 2.0, ref=np.multiply, dtype="float16", rtol=1e-3,
             id="multiply-f16-pyfloat"),
        Case("add", I, 1.5, ref=np.add, dtype="float32", id="add-i32-pyfloat"),
        Case("add", i8, I, ref=np.add, dtype="int32", id="add-int8-int32"),
        Case("add", I.astype("uint8"), i8, ref=np.add, dtype="int16", id="add-uint8-int8"),
        Case("add", F.astype("float16"), I, ref=np.add, dtype="float16", rtol=1e-3,
             id="add-f16-int32"),
        Case("divide", i8, 2, ref=np.divide, dtype="float32", id="divide-int8-pyint"),
        Case("maximum", B, B, ref=np.maximum, dtype="bool", id="maximum-bool"),
    ]
    for name in ("logical_and", "logical_or"):
        cases.append(Case(name, B, B[::-1], ref=_np(name)))
    cases.append(Case("logical_not", B, ref=np.logical_not))
    special = np.array([1.0, np.nan, np.inf, -np.inf], "float32")
    for name in ("isnan", "isfinite", "isinf"):
        cases.append(Case(name, special, ref=_np(name), none_ok=True))
    cases.append(Case("nan_to_num", special, ref=np.nan_to_num, rtol=1e-6))
    cases.append(Case("nan_to_num", special, nan=1.0, posinf=9.0, neginf=-9.0, ref=np.nan_to_num,
                      id="nan_to_num-values"))
    cases.append(Case("clip", FN, -1.0, 1.0, ref=np.clip))
    cases.append(Case("clip", I, 2, 3, ref=np.clip, id="clip-i32"))

    # Products.
    cases += [
        Case("matmul", F, M, ref=np.matmul, rtol=1e-5),
        Case("matmul", I, I2.T, ref=np.matmul, id="matmul-i32"),
        Case("matmul", _f32((4, 2, 3)), M, ref=np.matmul, id="matmul-batched"),
        Case("matmul", F, M[:, 0], ref=np.matmul, id="matmul-vector"),
        Case("dot", F, M, ref=np.dot),
        Case("dot", F[0], F2[0], ref=np.dot, id="dot-vectors", none_ok=False),
        Case("tensordot", F, M, axes=1, ref=np.tensordot),
        Case("tensordot", _f32((2, 3, 4)), _f32((4, 3)), axes=([1, 2], [1, 0]), ref=np.tensordot,
             id="tensordot-pairs"),
        Case("outer", F[0], M[0], ref=np.outer),
        Case("einsum", "ij,jk->ik", F, M, ref=np.einsum),
        Case("einsum", "bij->bji", _f32((2, 3, 4)), ref=np.einsum, id="einsum-transpose"),
        Case("einsum", "...ij,jk", _f32((2, 2, 3)), M, ref=np.einsum, id="einsum-ellipsis"),
        Case("einsum", "ii", SQ, ref=np.einsum, id="einsum-trace", none_ok=False),
    ]

    # Shapes.
    X = _f32((2, 3, 4))
    cases += [
        Case("reshape", X, (6, 4), ref=np.reshape, none_ok=False),
        Case("reshape", X, (-1, 4), ref=np.reshape, id="reshape-minus1"),
        Case("transpose", X, ref=np.transpose),
        Case("transpose", X, axes=(1, 0, 2), ref=np.transpose, id="transpose-axes"),
        Case("concatenate", [F, F2], ref=np.concatenate),
        Case("concatenate", [F, I], axis=1, ref=np.concatenate, id="concatenate-mixed"),
        Case("stack", [F, F2], ref=np.stack),
        Case("stack", [F, F2], axis=-1, ref=np.stack, id="stack-last"),
        Case("split", _f32((4, 3)), 2, ref=np.split, none_ok=False),
        Case("split", _f32((4, 3)), [1, 2], axis=1, ref=np.split, id="split-indices"),
        Case("unstack", X, axis=1, ref=lambda x, axis: [np.take(x, i, axis) for i in range(x.shape[axis])]),
        Case("expand_dims", F, 1, ref=np.expand_dims),
        Case("expand_dims", F, -1, ref=np.expand_dims, id="expand_dims-last"),
        Case("squeeze", _f32((2, 1, 3)), ref=np.squeeze, none_ok=False),
        Case("squeeze", _f32((2, 1, 3)), axis=1, ref=np.squeeze, id="squeeze-axis"),
        Case("broadcast_to", F[0], (4, 3), ref=np.broadcast_to),
        Case("tile", F, (2, 1), ref=np.tile),
        Case("repeat", F, 2, ref=np.repeat),
        Case("repeat", F, 2, axis=1, ref=np.repeat, id="repeat-axis"),
        Case("pad", F, ((1, 1), (0, 2)), ref=np.pad),
        Case("pad", F, ((1, 1), (2, 2)), mode="reflect", ref=np.pad, id="pad-reflect"),
        Case("flip", F, ref=np.flip),
        Case("flip", F, axis=1, ref=np.flip, id="flip-axis"),
        Case("cumsum", F, axis=1, ref=np.cumsum),
        Case("cumsum", I, ref=np.cumsum, id="cumsum-flat-i32"),
        Case("cumprod", F, axis=0, ref=np.cumprod),
        Case("sort", FN, ref=np.sort),
        Case("sort", FN, axis=0, ref=np.sort, id="sort-axis0"),
        Case("argsort", FN, ref=np.argsort),
        Case("moveaxis", X, 0, -1, ref=np.moveaxis),
        Case("swapaxes", X, 0, 2, ref=np.swapaxes),
        Case("ravel", F, ref=np.ravel),
        Case("tril", SQ, ref=np.tril),
        Case("triu", SQ, k=1, ref=np.triu),
        Case("copy", F, ref=np.copy),
        Case("take", F, np.array([2, 0], "int32"), axis=1, ref=np.take),
        Case("take", F, np.array([[1, 5]], "int32"), ref=np.take, id="take-flat"),
        Case("take_along_axis", FN, np.argsort(FN, axis=1).astype("int32"), axis=1,
             ref=np.take_along_axis),
        Case("where", B, F, F2, ref=np.where),
        Case("where", B, I, 0.5, ref=np.where, dtype="float32", id="where-mixed"),
    ]

    # Reductions.
    for name in ("sum", "mean", "max", "min", "prod", "var", "std"):
        cases.append(Case(name, F, ref=_np(name), id=f"{name}-all", rtol=1e-5))
        cases.append(Case(name, F, axis=1, ref=_np(name), id=f"{name}-axis1", rtol=1e-5))
        cases.append(Case(name, F, axis=0, keepdims=True, ref=_np(name), id=f"{name}-keepdims",
                          rtol=1e-5))
        cases.append(Case(name, I, axis=1, ref=_np(name), id=f"{name}-i32", rtol=1e-5))
    cases += [
        Case("amax", F, axis=1, ref=np.max),
        Case("amin", F, axis=1, ref=np.min),
        Case("sum", B, ref=np.sum, dtype="int32", id="sum-bool"),
        Case("sum", I.astype("int8"), axis=0, ref=np.sum, dtype="int32", id="sum-int8"),
        Case("all", B, axis=1, ref=np.all),
        Case("any", B, ref=np.any),
        Case("argmax", FN, ref=np.argmax),
        Case("argmax", FN, axis=1, ref=np.argmax, id="argmax-axis"),
        Case("argmin", FN, axis=0, ref=np.argmin),
        Case("count_nonzero", B, ref=np.count_nonzero),
        Case("count_nonzero", B, axis=1, ref=np.count_nonzero, id="count_nonzero-axis"),
    ]

    # Creation (no tensor inputs, except the *_like ops).
    cases += [
        Case("zeros", (2, 3), ref=lambda s: np.zeros(s, "float32")),
        Case("ones", (2,), "int32", ref=lambda s, d: np.ones(s, d)),
        Case("full", (2, 2), 7, ref=lambda s, v: np.full(s, v, "int32")),
        Case("full", (2,), 1.5, ref=lambda s, v: np.full(s, v, "float32"), id="full-float"),
        Case("zeros_like", I, ref=np.zeros_like),
        Case("ones_like", F, "int8", ref=lambda x, d: np.ones_like(x, d)),
        Case("full_like", F, 3.0, ref=np.full_like),
        Case("arange", 5, ref=lambda n: np.arange(n, dtype="int32")),
        Case("arange", 1, 7, 2, ref=lambda a, b, c: np.arange(a, b, c, dtype="int32"), id="arange-step"),
        Case("arange", 0.0, 1.0, 0.25, ref=lambda a, b, c: np.arange(a, b, c, dtype="float32"),
             id="arange-float"),
        Case("eye", 3, ref=lambda n: np.eye(n, dtype="float32")),
        Case("eye", 2, M=3, k=1, ref=lambda n, M, k: np.eye(n, M, k, dtype="float32"), id="eye-rect"),
        Case("identity", 2, ref=lambda n: np.eye(n, dtype="float32")),
        Case("linspace", 0.0, 1.0, num=5, ref=lambda a, b, num: np.linspace(a, b, num, dtype="float32")),
        Case("linspace", 0, 10, num=4, endpoint=False,
             ref=lambda a, b, num, endpoint: np.linspace(a, b, num, endpoint=endpoint, dtype="float32"),
             id="linspace-noendpoint"),
        Case("array", [[1, 2], [3, 4]], ref=lambda x: np.array(x, "int32")),
        Case("array", [1, 2], "float32", ref=lambda x, d: np.array(x, d), id="array-dtype"),
    ]
    return cases


# -- nn -----------------------------------------------------------------------------------
def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(x, axis=-1):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def _erf(x):
    import math

    return np.vectorize(math.erf)(x).astype(x.dtype)


def _gelu(x, approximate=True):
    if approximate:
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + _erf(x / np.sqrt(2)))


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805
EPS = 1e-7


def _bce(t, p, from_logits=False):
    if from_logits:
        return np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def _cce(t, p, from_logits=False, axis=-1):
    if from_logits:
        return -(t * _log_softmax(p, axis)).sum(axis=axis)
    p = p / p.sum(axis=axis, keepdims=True)
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p)).sum(axis=axis)


def _scce(t, p, from_logits=False, axis=-1):
    onehot = np.eye(p.shape[axis], dtype=p.dtype)[t]
    return _cce(onehot, p, from_logits, axis)


def _one_hot(x, num_classes, axis=-1):
    out = np.eye(num_classes, dtype="float32")[x]
    return np.moveaxis(out, -1, axis)


def _moments(x, axes, keepdims=False):
    x64 = x.astype("float64")
    return (x64.mean(axis=tuple(axes), keepdims=keepdims).astype(x.dtype),
            x64.var(axis=tuple(axes), keepdims=keepdims).astype(x.dtype))


def _batch_norm(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    shape = [1] * x.ndim
    shape[axis] = -1
    y = (x - mean.reshape(shape)) / np.sqrt(variance.reshape(shape) + epsilon)
    if scale is not None:
        y = y * scale.reshape(shape)
    if offset is not None:
        y = y + offset.reshape(shape)
    return y


def nn_cases():
    x = _f32((2, 5), -3.0, 3.0)
    probs = _softmax(_f32((4, 3), -1, 1)).astype("float32")
    labels = np.array([0, 2, 1, 2], "int32")
    target = np.eye(3, dtype="float32")[labels]
    bin_t = (RNG.uniform(size=(4, 3)) > 0.5).astype("float32")
    logits = _f32((4, 3), -2.0, 2.0)
    cases = [
        Case("relu", x, ref=lambda v: np.maximum(v, 0)),
        Case("relu6", x * 3, ref=lambda v: np.clip(v, 0, 6)),
        Case("sigmoid", x, ref=_sigmoid),
        Case("softplus", x, ref=_softplus),
        Case("softsign", x, ref=lambda v: v / (1 + np.abs(v))),
        Case("silu", x, ref=lambda v: v * _sigmoid(v)),
        Case("gelu", x, ref=_gelu, rtol=1e-4, atol=1e-5),
        Case("gelu", x, approximate=False, ref=_gelu, rtol=1e-4, atol=1e-5, id="gelu-exact"),
        Case("elu", x, ref=lambda v: np.where(v > 0, v, np.expm1(v))),
        Case("elu", x, alpha=0.5, ref=lambda v, alpha: np.where(v > 0, v, alpha * np.expm1(v)),
             id="elu-alpha"),
        Case("selu", x, ref=lambda v: _SELU_SCALE * np.where(v > 0, v, _SELU_ALPHA * np.expm1(v)),
             rtol=1e-5),
        Case("leaky_relu", x, ref=lambda v: np.where(v > 0, v, 0.2 * v)),
        Case("leaky_relu", x, negative_slope=0.01,
             ref=lambda v, negative_slope: np.where(v > 0, v, negative_slope * v), id="leaky_relu-slope"),
        Case("hard_sigmoid", x, ref=lambda v: np.clip(v + 3, 0, 6) / 6),
        Case("hard_silu", x, ref=lambda v: v * np.clip(v + 3, 0, 6) / 6),
        Case("log_sigmoid", x, ref=lambda v: -_softplus(-v), rtol=1e-5),
        Case("softmax", x, ref=_softmax),
        Case("softmax", x, axis=0, ref=_softmax, id="softmax-axis0"),
        Case("log_softmax", x, ref=_log_softmax, rtol=1e-5),
        Case("log_softmax", x, axis=0, ref=_log_softmax, id="log_softmax-axis0", rtol=1e-5),
        Case("sigmoid", x.astype("float16"), ref=_sigmoid, rtol=2e-3, atol=1e-3, id="sigmoid-f16"),
        Case("one_hot", labels, 3, ref=_one_hot),
        Case("one_hot", labels.reshape(2, 2), 4, axis=0, ref=_one_hot, id="one_hot-axis0", none_ok=False),
        Case("moments", _f32((4, 3)), [0], ref=_moments, rtol=1e-5),
        Case("moments", _f32((4, 3)), [0, 1], keepdims=True, ref=_moments, id="moments-keepdims",
             rtol=1e-5),
        Case("moments", _f32((4, 3)).astype("float16"), [0], ref=_moments, id="moments-f16",
             rtol=2e-3, atol=1e-3),
        Case("batch_normalization", _f32((4, 3)), _f32((3,)), _f32((3,)), -1, ref=_batch_norm,
             rtol=1e-5),
        Case("batch_normalization", _f32((4, 3)), _f32((3,)), _f32((3,)), 1, offset=_f32((3,)),
             scale=_f32((3,)), epsilon=1e-2, ref=_batch_norm, id="batch_normalization-affine",
             rtol=1e-5),
        Case("binary_crossentropy", bin_t, probs, ref=_bce, rtol=1e-4),
        Case("binary_crossentropy", bin_t, logits, from_logits=True, ref=_bce, rtol=1e-4,
             id="binary_crossentropy-logits"),
        Case("categorical_crossentropy", target, probs, ref=_cce, rtol=1e-4),
        Case("categorical_crossentropy", target, logits, from_logits=True, ref=_cce, rtol=1e-4,
             id="categorical_crossentropy-logits"),
        Case("categorical_crossentropy", target * 2.0, probs * 3.0, ref=_cce, rtol=1e-4,
             id="categorical_crossentropy-unnormalized"),
        Case("sparse_categorical_crossentropy", labels, probs, ref=_scce, rtol=1e-4),
        Case("sparse_categorical_crossentropy", labels, logits, from_logits=True, ref=_scce,
             rtol=1e-4, id="sparse_categorical_crossentropy-logits"),
        Case("sparse_categorical_crossentropy", labels.reshape(4, 1), logits, from_logits=True,
             ref=lambda t, p, from_logits: _scce(t[:, 0], p, from_logits), rtol=1e-4,
             id="sparse_categorical_crossentropy-trailing1"),
    ]
    return cases


# -- math, linalg, image -------------------------------------------------------------------
def _top_k(x, k, sorted=True):
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, idx, -1), idx.astype("int32")


def _segment_sum(data, ids, num_segments=None, sorted=False):
    out = np.zeros((num_segments,) + data.shape[1:], data.dtype)
    np.add.at(out, ids, data)
    return out


def math_cases():
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
def _scatter(indices, values, shape):
    out = np.zeros(shape, values.dtype)
    np.add.at(out, tuple(indices.T), values)
    return out


def core_cases():
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
