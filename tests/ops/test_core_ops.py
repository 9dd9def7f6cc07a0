"""Core ops: conversion, cast, cond, scatter, slice, get_item, dtype/shape helpers."""

import numpy as np
import pytest

from kiln import ops




@pytest.mark.parametrize("value,dtype", [
    (1.5, "float32"), (3, "int32"), (True, "bool"), ([1.0, 2.0], "float32"), ([1, 2], "int32"),
    (np.zeros((2,), "int8"), "int8"), (np.zeros((2,), "float16"), "float16"),
])
def test_convert_to_tensor_dtypes(value, dtype):
    t = ops.convert_to_tensor(value)
    assert ops.is_tensor(t)
    assert ops.dtype(t) == dtype
    np.testing.assert_array_equal(ops.convert_to_numpy(t), np.asarray(value))


def test_convert_to_tensor_with_dtype_and_shape():
    t = ops.convert_to_tensor([[1, 2, 3]], dtype="float16")
    assert ops.dtype(t) == "float16"
    assert tuple(ops.shape(t)) == (1, 3)
    assert not ops.is_tensor(np.zeros(2)) or ops.is_tensor(ops.convert_to_tensor(np.zeros(2)))


def test_cond_picks_a_branch():
    assert int(ops.convert_to_numpy(ops.cond(True, lambda: ops.ones(()), lambda: ops.zeros(())))) == 1
    pred = ops.greater(ops.convert_to_tensor(1.0), 2.0)
    assert int(ops.convert_to_numpy(ops.cond(pred, lambda: ops.ones(()), lambda: ops.zeros(())))) == 0


def test_get_item_index_tensor():
    x = np.arange(12, dtype="float32").reshape(4, 3)
    idx = ops.convert_to_tensor([3, 1])
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.get_item(x, idx)), x[[3, 1]])


def test_dtype_of_variable_and_numpy():
    import kiln

    v = kiln.backend.Variable(np.zeros((2,), "float32"))
    assert ops.dtype(v) == "float32"
    assert ops.dtype(np.zeros(1, "int16")) == "int16"


def test_core_operation_classes_live_in_core():
    from kiln.ops.operation import OPERATION_REGISTRY

    for name in ("Cast", "Slice", "Scatter", "GetItem", "StopGradient"):
        assert ("keras.src.ops.core", name) in OPERATION_REGISTRY
