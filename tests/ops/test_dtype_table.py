"""The full dtype promotion table: every binary op, every pair of dtypes and Python scalars.

The expected table below is written out by hand from JAX's documented type
promotion lattice with x64 disabled (the table Keras 3 follows): 64-bit types
are canonicalized to 32 bits, so ``uint32`` meeting a signed integer gives
``int32`` and ``int64``/``float64`` behave like ``int32``/``float32``. Python
``int``/``float`` are *weak* (they take the tensor's type when it can hold
them); a Python ``bool`` is plain ``bool``.

Backends that can hold 64-bit tensors (all but JAX without x64) keep the
64-bit width when an input already has it (``float64 + float32 -> float64``,
``int64 + uint32 -> int64``): that is the same lattice with 64-bit types
enabled, restricted to inputs that are already 64-bit. A promotion never makes
a 64-bit type out of narrower inputs. On JAX a 64-bit input is a 32-bit tensor
already, and the table applies unchanged.

Each op is called once per pair on 1-element tensors (eagerly) and once on
KerasTensors of the same dtypes (symbolically); both must give the table's
dtype. Unary ops are checked against a table of Keras' unary rules.
"""

import numpy as np
import pytest

from kiln import ops
from kiln import config
from kiln.backend import KerasTensor
from kiln.backend.common import dtypes

# Short names used in the written-out tables.
NAMES = {
    "b": "bool", "u8": "uint8", "u16": "uint16", "u32": "uint32", "i8": "int8", "i16": "int16",
    "i32": "int32", "i64": "int64", "bf": "bfloat16", "f16": "float16", "f32": "float32",
    "f64": "float64",
}
# Python scalars: B = bool, I = int (weak), F = float (weak).
PY = {"B": True, "I": 1, "F": 1.0}

# JAX's promotion table, x64 disabled. Row and column order as in the header.
_TABLE = """
      b    u8   u16  u32  i8   i16  i32  i64  bf   f16  f32  f64  B    I    F
b     b    u8   u16  u32  i8   i16  i32  i32  bf   f16  f32  f32  b    i32  f32
u8    u8   u8   u16  u32  i16  i16  i32  i32  bf   f16  f32  f32  u8   u8   f32
u16   u16  u16  u16  u32  i32  i32  i32  i32  bf   f16  f32  f32  u16  u16  f32
u32   u32  u32  u32  u32  i32  i32  i32  i32  bf   f16  f32  f32  u32  u32  f32
i8    i8   i16  i32  i32  i8   i16  i32  i32  bf   f16  f32  f32  i8   i8   f32
i16   i16  i16  i32  i32  i16  i16  i32  i32  bf   f16  f32  f32  i16  i16  f32
i32   i32  i32  i32  i32  i32  i32  i32  i32  bf   f16  f32  f32  i32  i32  f32
i64   i32  i32  i32  i32  i32  i32  i32  i32  bf   f16  f32  f32  i32  i32  f32
bf    bf   bf   bf   bf   bf   bf   bf   bf   bf   f32  f32  f32  bf   bf   bf
f16   f16  f16  f16  f16  f16  f16  f16  f16  f32  f16  f32  f32  f16  f16  f16
f32   f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f32
f64   f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f32  f32
B     b    u8   u16  u32  i8   i16  i32  i32  bf   f16  f32  f32  b    i32  f32
I     i32  u8   u16  u32  i8   i16  i32  i32  bf   f16  f32  f32  i32  i32  f32
F     f32  f32  f32  f32  f32  f32  f32  f32  bf   f16  f32  f32  f32  f32  f32
"""


def _parse(text):
    lines = [line.split() for line in text.strip().splitlines()]
    header = lines[0]
    table = {}
    for row in lines[1:]:
        assert len(row) == len(header) + 1, row
        for col, entry in zip(header, row[1:]):
            table[row[0], col] = NAMES[entry]
    return header, table


KEYS, TABLE = _parse(_TABLE)
TENSOR_KEYS = [k for k in KEYS if k in NAMES]
PAIRS = [(a, b) for a in KEYS for b in KEYS]
_WIDE = {"int32": "int64", "float32": "float64"}


def test_written_table_is_symmetric():
    for a, b in PAIRS:
        assert TABLE[a, b] == TABLE[b, a], (a, b)


def expected(a, b):
    """Table entry for the actual input dtypes (names or scalar keys), 64-bit inputs kept."""
    out = TABLE[a if a in PY else _key(a), b if b in PY else _key(b)]
    if out in _WIDE and _WIDE[out] in (a, b):
        return _WIDE[out]
    return out


def _key(dtype):
    return {v: k for k, v in NAMES.items()}[dtype]


def _lattice_arg(key):
    return PY[key] if key in PY else NAMES[key]


@pytest.mark.parametrize("a", KEYS)
def test_result_type_matches_table(a):
    wrong = []
    for b in KEYS:
        want = expected(_lattice_arg(a) if a in NAMES else a, _lattice_arg(b) if b in NAMES else b)
        got = dtypes.result_type(_lattice_arg(a), _lattice_arg(b))
        if got != want:
            wrong.append(f"{a},{b}: {got} != {want}")
    assert not wrong, wrong


# -- binary ops ---------------------------------------------------------------------------
# Rule per op: "promote" (the table), "int_arith" (the table, bool results become int32 as
# JAX computes these on integers), "float" (the table, bool/integer results become floatx),
# "bool" (always bool). Ops of other families are checked once they exist in kiln.ops.
BINARY_RULES = {
    "add": "promote", "multiply": "promote", "maximum": "promote", "minimum": "promote",
    "subtract": "promote",
    "floor_divide": "int_arith", "mod": "int_arith", "power": "int_arith",
    "divide": "float", "true_divide": "float",
    "arctan2": "float", "hypot": "float", "logaddexp": "float", "copysign": "float",
    "equal": "bool", "not_equal": "bool", "less": "bool", "less_equal": "bool",
    "greater": "bool", "greater_equal": "bool",
    "logical_and": "bool", "logical_or": "bool", "logical_xor": "bool",
}
BINARY_OPS = [name for name in BINARY_RULES if hasattr(ops, name)]
# Every op gets the whole table symbolically. Eagerly, JAX compiles each new dtype signature
# (~0.1 s each, ~50 per op), so on JAX one op per rule runs the whole table and the others a
# few pairs that exercise the unusual corners; the other backends run the whole table for all.
REPRESENTATIVE = {"add", "floor_divide", "divide", "less"}
SAMPLE_PAIRS = {("u32", "i8"), ("bf", "F"), ("b", "B"), ("i64", "u8")}
# NumPy and JAX refuse boolean subtraction; Kiln raises on every backend.
BOOL_ERRORS = {"subtract"}


def rule_dtype(rule, a, b):
    out = expected(a, b)
    if rule == "bool":
        return "bool"
    if rule == "int_arith" and out == "bool":
        return "int32"
    if rule == "float" and not dtypes.is_float(out):
        return "float32"
    return out


_TENSORS = {}


def make(key):
    """A 1-element tensor of the dtype named by ``key``, or the Python scalar."""
    if key in PY:
        return PY[key]
    if key not in _TENSORS:
        _TENSORS[key] = ops.ones((1,), NAMES[key])
    return _TENSORS[key]


def _actual(key):
    return key if key in PY else ops.dtype(make(key))


def _symbolic(key):
    return key if key in PY else KerasTensor((1,), ops.dtype(make(key)))


def _call(fn, a, b):
    return fn(PY[a] if a in PY else make(a), PY[b] if b in PY else make(b))


@pytest.mark.parametrize("name", BINARY_OPS)
def test_binary_op_dtype_table(name):
    fn = getattr(ops, name)
    rule = BINARY_RULES[name]
    full_eager = config.backend() != "jax" or name in REPRESENTATIVE
    wrong = []
    for a, b in PAIRS:
        da, db = _actual(a), _actual(b)
        eager = full_eager or (a, b) in SAMPLE_PAIRS
        if name in BOOL_ERRORS and {da, db} <= {"bool", "B"}:
            if eager:
                with pytest.raises((TypeError, ValueError), match=name):
                    _call(fn, a, b)
            if a not in PY or b not in PY:
                with pytest.raises((TypeError, ValueError), match=name):
                    fn(PY[a] if a in PY else _symbolic(a), PY[b] if b in PY else _symbolic(b))
            continue
        want = rule_dtype(rule, da if a not in PY else a, db if b not in PY else b)
        if eager:
            try:
                got = ops.dtype(_call(fn, a, b))
            except Exception as e:  # noqa: BLE001 - reported with the pair
                got = f"{type(e).__name__}: {str(e)[:80]}"
            if got != want:
                wrong.append(f"eager {a},{b}: {got} != {want}")
        if a in PY and b in PY:
            continue
        sym = fn(PY[a] if a in PY else _symbolic(a), PY[b] if b in PY else _symbolic(b))
        if sym.dtype != want:
            wrong.append(f"symbolic {a},{b}: {sym.dtype} != {want}")
    assert not wrong, f"{name} ({config.backend()}): {len(wrong)} wrong: {wrong}"


# -- unary ops ----------------------------------------------------------------------------
# Keras' unary rules, per input dtype ("*" = any dtype not listed; "keep" = the input dtype;
# "error" = refused with an error naming the op).
_FLOAT_RULE = {"bool": "float32", "uint8": "float32", "uint16": "float32", "uint32": "float32",
               "int8": "float32", "int16": "float32", "int32": "float32", "int64": "float32",
               "*": "keep"}
_SUM_RULE = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32",
             "uint16": "uint32", "*": "keep"}
UNARY_RULES = {
    "sqrt": _FLOAT_RULE,  # every float function of kiln.ops.numpy shares this rule
    "floor": _FLOAT_RULE,
    "mean": _FLOAT_RULE,
    "var": _FLOAT_RULE,
    "std": _FLOAT_RULE,
    "sum": _SUM_RULE,
    "prod": _SUM_RULE,
    "abs": {"*": "keep"},
    "negative": {"bool": "error", "*": "keep"},
    "square": {"bool": "int32", "*": "keep"},
    "max": {"*": "keep"},
    "argmax": {"*": "int32"},
    "all": {"*": "bool"},
    "isnan": {"*": "bool"},
    "count_nonzero": {"*": "int32"},
    "cumsum": {"bool": "int32", "*": "keep"},
    "cumprod": {"bool": "int32", "*": "keep"},
}
UNARY_DTYPES = [NAMES[k] for k in TENSOR_KEYS]


def unary_expected(name, dtype):
    rule = UNARY_RULES[name]
    out = rule.get(dtype, rule["*"])
    return dtype if out == "keep" else out


@pytest.mark.parametrize("name", list(UNARY_RULES))
def test_unary_op_dtype_rules(name):
    fn = getattr(ops, name)
    wrong = []
    for key in TENSOR_KEYS:
        x = ops.ones((2,), NAMES[key])
        dtype = ops.dtype(x)  # int64/float64 are 32-bit on JAX
        want = unary_expected(name, dtype)
        if want == "error":
            for arg in (x, KerasTensor((2,), dtype)):
                with pytest.raises((TypeError, ValueError), match=name):
                    fn(arg)
            continue
        try:
            got = ops.dtype(fn(x))
        except Exception as e:  # noqa: BLE001 - reported with the dtype
            got = f"{type(e).__name__}: {str(e)[:80]}"
        sym = fn(KerasTensor((2,), dtype)).dtype
        if got != want or sym != want:
            wrong.append(f"{dtype}: eager {got}, symbolic {sym}, expected {want}")
    assert not wrong, f"{name} ({config.backend()}): {wrong}"
