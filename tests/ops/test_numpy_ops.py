"""NumPy-style ops against NumPy: values, shapes and dtypes (the promotion table included)."""

import numpy as np
import pytest

from kiln import ops
from kiln.backend import KerasTensor


def test_submodule_and_top_level_are_the_same_op():
    assert ops.numpy.add is ops.add
    assert ops.absolute is ops.abs and ops.numpy.amax is ops.amax


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


# -- bad input: errors name the op and describe the arguments ------------------------------
_A = np.ones((2, 3), "float32")
_B = np.ones((4, 5), "float32")

BAD_CALLS = [
    ("add", lambda: ops.add(_A, _B), "x2"),
    ("multiply", lambda: ops.multiply(_A, _B), "x2"),
    ("less", lambda: ops.less(_A, _B), "x2"),
    ("logical_and", lambda: ops.logical_and(_A, _B), "x2"),
    ("matmul", lambda: ops.matmul(_A, _B), "x2"),
    ("dot", lambda: ops.dot(_A, _B), "x2"),
    ("tensordot", lambda: ops.tensordot(_A, _B, axes=1), "x2"),
    ("einsum", lambda: ops.einsum("ij,jk->ik", _A, _B), "operands"),
    ("reshape", lambda: ops.reshape(_A, (4, 2)), "newshape"),
    ("concatenate", lambda: ops.concatenate([_A, _B], axis=0), "xs"),
    ("stack", lambda: ops.stack([_A, _B]), "x"),
    ("broadcast_to", lambda: ops.broadcast_to(_A, (4, 2)), "shape"),
    ("where", lambda: ops.where(np.ones((3,), bool), _A, _B), "x2"),
    ("sum", lambda: ops.sum(_A, axis=3), "axis"),
    ("transpose", lambda: ops.transpose(_A, (0, 2)), "axes"),
    ("take", lambda: ops.take(_A, np.array([0.5], "float32"), axis=1), "indices"),
    ("take_along_axis", lambda: ops.take_along_axis(_A, np.ones((2, 3), "float32"), axis=1), "indices"),
    ("tile", lambda: ops.tile(_A, (1.5,)), "repeats"),
    ("ones", lambda: ops.ones((2,), "float13"), "dtype"),
]


@pytest.mark.parametrize("name,call,argument", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_input_error_names_op_and_argument(name, call, argument):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    message = str(info.value)
    assert message.startswith(f"{name}:"), message
    assert argument in message, message


def test_backend_errors_keep_their_cause():
    with pytest.raises((ValueError, TypeError)) as info:
        ops.matmul(_A, _B)
    assert info.value.__cause__ is not None
    assert "(2, 3)" in str(info.value) and "(4, 5)" in str(info.value)


@pytest.mark.parametrize("name,args", [
    ("take", (KerasTensor((2, 3)), KerasTensor((2,), "float32"))),
    ("take_along_axis", (KerasTensor((2, 3)), KerasTensor((2, 3), "float32"))),
])
def test_symbolic_float_indices_are_refused(name, args):
    with pytest.raises(TypeError, match=f"{name}: indices must be integers"):
        getattr(ops, name)(*args)


def test_negative_and_subtract_refuse_bool():
    b = np.array([True, False])
    with pytest.raises(TypeError, match="negative"):
        ops.negative(b)
    with pytest.raises(TypeError, match="subtract"):
        ops.subtract(b, b)
    with pytest.raises(TypeError, match="subtract"):
        ops.subtract(KerasTensor((2,), "bool"), True)


def test_unsigned_values_wrap_like_jax():
    # uint32 arithmetic runs on every backend (torch computes it on int64 and casts back).
    x = ops.convert_to_tensor(np.array([4294967295, 7], "uint32"))
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.add(x, 1)), np.array([0, 8], "uint32"))
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.maximum(x, 8)), np.array([4294967295, 8], "uint32"))
    assert ops.dtype(ops.sum(ops.convert_to_tensor(np.array([200, 100], "uint8")))) == "uint32"
    assert int(ops.convert_to_numpy(ops.sum(ops.convert_to_tensor(np.array([200, 100], "uint8"))))) == 300


def test_missing_kernel_error_names_backend_op_and_dtype():
    from kiln import config
    from kiln.ops.errors import raise_for_op

    missing = NotImplementedError("\"add_stub\" not implemented for 'UInt32'")
    with pytest.raises(NotImplementedError, match=f"add: uint32 is not supported by the {config.backend()} backend"):
        raise_for_op("add", missing, {"x1": 1, "x2": 2})


@pytest.mark.parametrize("name,args", [
    ("logical_not", (np.array([0, 3], "uint32"),)),
    ("flip", (np.array([1, 3], "uint16"),)),
    ("tril", (np.ones((2, 2), "uint32"),)),
    ("matmul", (np.ones((2, 2), "uint16"), np.ones((2, 2), "uint16"))),
    ("tensordot", (np.ones((2, 2), "uint32"), np.ones((2, 2), "uint32"))),
    ("take_along_axis", (np.ones((2, 2), "uint16"), np.zeros((2, 1), "int32"))),
])
def test_wide_unsigned_ops_run(name, args):
    kwargs = {"axis": -1} if name == "take_along_axis" else {}
    result = getattr(ops, name)(*args, **kwargs)
    want = getattr(np, name)(*args, **kwargs)
    np.testing.assert_array_equal(ops.convert_to_numpy(result), want)
    assert ops.dtype(result) == str(want.dtype)
