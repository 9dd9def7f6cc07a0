"""NumPy-style ops against NumPy: values, shapes and dtypes (the promotion table included)."""

import numpy as np
import pytest

from kiln import ops
from op_cases import eager_result, narrow, numpy_cases


def check_result(result, expected, case):
    """Compare an op result (tensor or list/tuple of tensors) with the NumPy reference."""
    if isinstance(expected, (list, tuple)):
        assert isinstance(result, (list, tuple)), f"{case.id}: expected a sequence, got {type(result)}"
        assert len(result) == len(expected)
        for r, e in zip(result, expected):
            check_result(r, e, case)
        return
    expected = np.asarray(expected)
    got = ops.convert_to_numpy(result)
    assert tuple(ops.shape(result)) == expected.shape, f"{case.id}: shape"
    assert got.shape == expected.shape, f"{case.id}: shape"
    want_dtype = case.dtype or narrow(expected.dtype)
    assert ops.dtype(result) == want_dtype, f"{case.id}: dtype {ops.dtype(result)} != {want_dtype}"
    if expected.dtype == bool:
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got.astype("float64"), expected.astype("float64"),
                                   rtol=case.rtol, atol=case.atol, equal_nan=True)


def run(case):
    return eager_result(case)


@pytest.mark.parametrize("case", numpy_cases(), ids=repr)
def test_numpy_op_matches_numpy(case):
    check_result(run(case), case.ref(*case.args, **case.kwargs), case)


def test_submodule_and_top_level_are_the_same_op():
    assert ops.numpy.add is ops.add
    assert ops.absolute is ops.abs and ops.amax is ops.max and ops.amin is ops.min


def test_ndim_and_size():
    x = ops.ones((2, 3, 4))
    assert int(ops.ndim(x)) == 3
    assert int(ops.size(x)) == 24


def test_operation_class_names_and_modules():
    from kiln.ops.operation import OPERATION_REGISTRY

    assert ops.not_equal.operation_class.__name__ == "NotEqual"
    assert OPERATION_REGISTRY[("keras.src.ops.numpy", "NotEqual")] is ops.not_equal.operation_class
    assert ("keras.src.ops.nn", "Softmax") in OPERATION_REGISTRY


@pytest.mark.parametrize("name,args", [
    ("matmul", ((2, 3), (4, 5))),
    ("add", ((2, 3), (4,))),
    ("concatenate", None),
    ("reshape", None),
])
def test_symbolic_shape_errors_name_the_op(name, args):
    from kiln.backend import KerasTensor

    with pytest.raises(ValueError, match=name):
        if name == "concatenate":
            ops.concatenate([KerasTensor((2, 3)), KerasTensor((2, 4))], axis=0)
        elif name == "reshape":
            ops.reshape(KerasTensor((2, 3)), (4, 2))
        else:
            getattr(ops, name)(KerasTensor(args[0]), KerasTensor(args[1]))
