"""The promotion lattice: results as Keras 3 gives them (JAX rules, x64 off, weak scalars)."""

import numpy as np
import pytest

from kiln.backend.common import dtypes

CASES = [
    (("int32", "float16"), "float16"),
    (("int32", "float32"), "float32"),
    (("int64", "float32"), "float32"),
    (("uint8", "int8"), "int16"),
    (("uint32", "int32"), "int32"),
    (("bool", "int8"), "int8"),
    (("bfloat16", "float16"), "float32"),
    (("float16", "float32"), "float32"),
    (("int8", int), "int8"),
    (("int32", float), "float32"),
    (("float16", float), "float16"),
    (("bool", int), "int32"),
    ((int, int), "int32"),
    ((int, float), "float32"),
    (("uint8", "uint16"), "uint16"),
    (("float32", "complex64"), "complex64"),
]


@pytest.mark.parametrize("inputs,expected", CASES)
def test_result_type(inputs, expected):
    assert dtypes.result_type(*inputs) == expected
    assert dtypes.result_type(*reversed(inputs)) == expected


def test_python_values_are_weak():
    assert dtypes.result_type(np.zeros(2, "int8"), 3) == "int8"
    assert dtypes.result_type(np.zeros(2, "int8"), 3.0) == "float32"


def test_standardize_spellings():
    assert dtypes.standardize_dtype(np.float32) == "float32"
    assert dtypes.standardize_dtype(np.dtype("int64")) == "int64"
    assert dtypes.standardize_dtype("float") == "float32"
    assert dtypes.standardize_dtype(bool) == "bool"
    with pytest.raises(ValueError, match="Invalid dtype"):
        dtypes.standardize_dtype("float13")


def test_float_result_type():
    assert dtypes.float_result_type("int32") == "float32"
    assert dtypes.float_result_type("bfloat16") == "bfloat16"


def test_floatx_changes_are_seen():
    import kiln

    try:
        kiln.config.set_floatx("float16")
        assert dtypes.standardize_dtype(None) == "float16"
        assert dtypes.result_type("int32", float) == "float16"
    finally:
        kiln.config.set_floatx("float32")
    assert dtypes.standardize_dtype(None) == "float32"
