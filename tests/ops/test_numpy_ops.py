"""NumPy-style ops against NumPy: values, shapes and dtypes (the promotion table included)."""

import numpy as np
import pytest

from kiln import ops


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
