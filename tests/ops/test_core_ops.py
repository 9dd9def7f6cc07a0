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

    for name in ("Cast", "Slice", "Scatter", "StopGradient"):
        assert ("keras.src.ops.core", name) in OPERATION_REGISTRY
    # Keras keeps GetItem with the NumPy ops.
    assert ("keras.src.ops.numpy", "GetItem") in OPERATION_REGISTRY


def test_control_flow_operation_classes_live_in_core():
    from kiln.ops.operation import OPERATION_REGISTRY

    for name in ("Scan", "AssociativeScan", "Map", "VectorizedMap", "WhileLoop", "ForiLoop", "Switch",
                 "Cond", "ScatterUpdate", "SliceUpdate", "SaturateCast"):
        assert ("keras.src.ops.core", name) in OPERATION_REGISTRY


def test_scan_without_y_and_errors():
    carry, ys = ops.scan(lambda c, x: (c + x, None), 0.0, np.arange(4, dtype="float32"))
    assert float(ops.convert_to_numpy(carry)) == 6.0 and ys is None
    with pytest.raises(ValueError, match="scan"):
        ops.scan(lambda c, x: (c, x), 0.0)
    with pytest.raises(ValueError, match="scatter_update.*reduction"):
        ops.scatter_update(np.zeros(3, "float32"), [[0]], [1.0], reduction="mean")
    with pytest.raises(ValueError, match="slice_update"):
        from kiln.backend import KerasTensor

        ops.slice_update(KerasTensor((2, 2)), (0, 0), KerasTensor((3, 1)))


def test_vectorize_signature_and_excluded():
    dot = ops.vectorize(lambda a, b: ops.sum(a * b), signature="(n),(n)->()")
    out = dot(np.ones((2, 3, 4), "float32"), np.arange(4, dtype="float32"))
    np.testing.assert_allclose(ops.convert_to_numpy(out), np.full((2, 3), 6.0))
    scale = ops.vectorize(lambda x, k: x * k, excluded={1})
    np.testing.assert_allclose(ops.convert_to_numpy(scale(np.ones((2, 2), "float32"), 3.0)),
                               np.full((2, 2), 3.0))
    from kiln.backend import KerasTensor

    assert dot(KerasTensor((None, 5, 4)), KerasTensor((4,))).shape == (None, 5)


def test_switch_and_while_loop_symbolic():
    from kiln.backend import KerasTensor

    x = KerasTensor((None, 3))
    assert ops.switch(KerasTensor((), "int32"), [lambda v: v, lambda v: v * 2.0], x).shape == (None, 3)
    i, v = ops.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v), (0, x))
    assert i.dtype == "int32" and v.shape == (None, 3)
    with pytest.raises(ValueError, match="switch"):
        ops.switch(0, [lambda v: v, lambda v: v[:, :1]], x)
