"""Op cases for the NumPy-style ops of kiln.ops.numpy (arithmetic, shapes, reductions)."""

import numpy as np

from op_cases import B, Case, F, F2, FN, I, I2, M, RNG, SPD, SQ, _f32, _i32, narrow  # noqa: F401


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


def cases():
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


def grad_cases():
    """Differentiable NumPy-style ops, at points away from kinks and ties."""
    from op_cases import GradCase

    X = _f32((2, 3, 4), -1.0, 1.0)
    V = _f32((3,), 0.5, 1.5)
    DISTINCT = np.array([[0.3, -1.2, 0.8], [1.5, 0.1, -0.6]], "float32")  # no ties for max/sort
    cases = [GradCase(name, F, F2) for name in ("add", "subtract", "multiply", "divide",
                                                 "true_divide", "power")]
    cases += [
        GradCase("maximum", DISTINCT, FN * 0.1),
        GradCase("minimum", DISTINCT, FN * 0.1),
        GradCase("add", F, F2[0], id="grad-add-broadcast"),
        GradCase("multiply", F, 2.5, id="grad-multiply-scalar"),
        GradCase("power", F, 3, id="grad-power-int-exponent"),
        GradCase("mod", F * 3, 1.7),
    ]
    for name in ("sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "tanh", "sinh",
                 "cosh", "arctan", "reciprocal", "square"):
        cases.append(GradCase(name, F * 0.5 if name == "tan" else F))
    cases += [GradCase(name, DISTINCT) for name in ("negative", "abs", "absolute")]
    cases += [
        GradCase("matmul", F, M),
        GradCase("matmul", _f32((2, 2, 3)), M, id="grad-matmul-batched"),
        GradCase("dot", F, M),
        GradCase("tensordot", F, M, axes=1),
        GradCase("outer", F[0], M[0]),
        GradCase("einsum", "ij,jk->ik", F, M),
        GradCase("einsum", "...ij,j", _f32((2, 2, 3)), V, id="grad-einsum-ellipsis"),
        GradCase("sum", F, axis=1),
        GradCase("mean", F),
        GradCase("var", F, axis=0),
        GradCase("std", F, axis=1, keepdims=True),
        GradCase("max", DISTINCT, axis=1),
        GradCase("min", DISTINCT),
        GradCase("amax", DISTINCT, axis=0),
        GradCase("prod", F, axis=1),
        GradCase("cumsum", F, axis=1),
        GradCase("cumprod", F, axis=0),
        GradCase("reshape", X, (6, 4)),
        GradCase("transpose", X, axes=(2, 0, 1)),
        GradCase("concatenate", [F, F2], axis=1),
        GradCase("stack", [F, F2], axis=-1),
        GradCase("split", _f32((4, 3)), 2),
        GradCase("expand_dims", F, 1),
        GradCase("squeeze", _f32((2, 1, 3))),
        GradCase("broadcast_to", F[0], (4, 3)),
        GradCase("take", F, np.array([2, 0, 2], "int32"), axis=1),
        GradCase("take_along_axis", DISTINCT, np.array([[2, 0], [1, 1]], "int32"), axis=1),
        GradCase("where", B, F, F2),
        GradCase("clip", FN, -1.0, 1.0),
        GradCase("pad", F, ((1, 1), (0, 2))),
        GradCase("pad", F, ((1, 1), (2, 2)), mode="reflect", id="grad-pad-reflect"),
        GradCase("tile", F, (2, 1)),
        GradCase("repeat", F, 2, axis=1),
        GradCase("flip", F, axis=1),
        GradCase("sort", DISTINCT, axis=1),
        GradCase("moveaxis", X, 0, -1),
        GradCase("swapaxes", X, 0, 2),
        GradCase("ravel", F),
        GradCase("tril", SQ),
        GradCase("triu", SQ, k=1),
        GradCase("unstack", X, axis=1),
    ]
    return cases
