"""Every op case replayed on KerasTensors: inferred shapes/dtypes agree with eager results."""

import numpy as np
import pytest

from kiln import ops
from kiln.backend import KerasTensor
from op_cases import all_cases, eager_result


def _symbolic(value, unknown_first):
    if isinstance(value, np.ndarray):
        shape = value.shape
        if unknown_first and shape:
            shape = (None,) + shape[1:]
        return KerasTensor(shape, dtype=str(value.dtype))
    if isinstance(value, list):
        return [_symbolic(v, unknown_first) for v in value]
    return value


def _has_array(values):
    return any(isinstance(v, np.ndarray) or (isinstance(v, list) and any(isinstance(i, np.ndarray) for i in v))
               for v in values)


def _leaves(x):
    if isinstance(x, (list, tuple)):
        out = []
        for item in x:
            out.extend(_leaves(item))
        return out
    return [x]


ALL_CASES = [c for c in all_cases()
             if _has_array(list(c.args) + list(c.kwargs.values()))]


@pytest.mark.parametrize("unknown_first", [False, True], ids=["static", "none-dim"])
@pytest.mark.parametrize("case", ALL_CASES, ids=repr)
def test_symbolic_matches_eager(case, unknown_first):
    if unknown_first and not case.none_ok:
        pytest.skip("op needs a known first dimension")
    fn = getattr(ops, case.name)
    eager = eager_result(case)
    args = [_symbolic(a, unknown_first) for a in case.args]
    kwargs = {k: _symbolic(v, unknown_first) for k, v in case.kwargs.items()}
    symbolic = fn(*args, **kwargs)
    eager_leaves, sym_leaves = _leaves(eager), _leaves(symbolic)
    assert len(eager_leaves) == len(sym_leaves)
    for e, s in zip(eager_leaves, sym_leaves):
        assert isinstance(s, KerasTensor), f"{case.id}: symbolic call returned {type(s).__name__}"
        eager_shape = tuple(ops.shape(e))
        assert s.dtype == ops.dtype(e), f"{case.id}: dtype {s.dtype} vs eager {ops.dtype(e)}"
        if unknown_first:
            assert len(s.shape) == len(eager_shape), f"{case.id}: {s.shape} vs {eager_shape}"
            for sd, ed in zip(s.shape, eager_shape):
                assert sd is None or sd == ed, f"{case.id}: {s.shape} vs {eager_shape}"
        else:
            assert s.shape == eager_shape, f"{case.id}: {s.shape} vs {eager_shape}"


@pytest.mark.parametrize("key,expected", [
    (0, (3, 4)),
    ((slice(None), 1), (None, 4)),
    ((Ellipsis, 2), (None, 3)),
    ((None, slice(0, 2)), (1, 2, 3, 4)),
    ((slice(None), slice(None, None, 2), None), (None, 2, 1, 4)),
    ((slice(None), -1, slice(1, 3)), (None, 2)),
])
def test_get_item_symbolic(key, expected):
    x = KerasTensor((None, 3, 4))
    y = ops.get_item(x, key)
    assert y.shape == expected
    assert x[key].shape == expected


def test_get_item_symbolic_index_tensor():
    x = KerasTensor((None, 3))
    idx = KerasTensor((5,), dtype="int32")
    assert ops.get_item(x, idx).shape == (5, 3)


def test_symbolic_call_records_a_node():
    x = KerasTensor((None, 3))
    y = ops.add(x, 1.0)
    assert y.shape == (None, 3) and y.dtype == "float32"


def test_shape_of_keras_tensor_is_static():
    assert ops.shape(KerasTensor((None, 7))) == (None, 7)
    assert ops.ndim(KerasTensor((None, 7))) == 2
    assert ops.dtype(KerasTensor((2,), "int8")) == "int8"
