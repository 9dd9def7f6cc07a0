"""kiln.Variable: value, assignment, stateless reads/writes, paths, operators."""

import numpy as np
import pytest

import kiln
from kiln import ops


def test_value_and_assign():
    v = kiln.Variable(np.array([1.0, 2.0], "float32"), name="w")
    assert v.shape == (2,) and v.dtype == "float32" and v.trainable
    v.assign([3.0, 4.0])
    np.testing.assert_allclose(v.numpy(), [3.0, 4.0])
    v.assign_add([1.0, 1.0])
    v.assign_sub(np.array([0.5, 0.5], "float32"))
    np.testing.assert_allclose(v.numpy(), [3.5, 4.5])
    np.testing.assert_allclose(np.asarray(v), [3.5, 4.5])


def test_assign_wrong_shape_is_an_error():
    v = kiln.Variable(np.zeros((2, 3), "float32"), name="k")
    with pytest.raises(ValueError, match=r"k.*\(4,\).*\(2, 3\)"):
        v.assign(np.zeros(4, "float32"))


def test_callable_initializer_needs_shape():
    with pytest.raises(ValueError, match="shape"):
        kiln.Variable(kiln.initializers.Zeros(), name="z")
    v = kiln.Variable(kiln.initializers.Ones(), shape=(2, 2), dtype="float32", trainable=False, name="o")
    assert not v.trainable
    np.testing.assert_allclose(v.numpy(), np.ones((2, 2)))


def test_path_follows_name_scopes():
    with kiln.name_scope("outer"):
        with kiln.name_scope("inner"):
            v = kiln.Variable(1.0, name="x")
    assert v.path == "outer/inner/x"
    assert v.name == "x"


def test_operators_promote_like_ops():
    v = kiln.Variable(np.array([1.0, 2.0], "float32"))
    np.testing.assert_allclose(ops.convert_to_numpy(v + 1), [2.0, 3.0])
    np.testing.assert_allclose(ops.convert_to_numpy(2 * v), [2.0, 4.0])
    np.testing.assert_allclose(ops.convert_to_numpy(v - v), [0.0, 0.0])
    np.testing.assert_allclose(ops.convert_to_numpy(v / 2), [0.5, 1.0])
    assert kiln.backend.standardize_dtype((v + 1).dtype) == "float32"
    np.testing.assert_array_equal(ops.convert_to_numpy(v > 1.5), [False, True])


def test_stateless_scope_reads_mapping_and_records_writes():
    v = kiln.Variable(np.array(1.0, "float32"), name="s")
    with kiln.StatelessScope(state_mapping=[(v, ops.convert_to_tensor(5.0))]) as scope:
        assert float(ops.convert_to_numpy(v.value)) == 5.0
        v.assign(7.0)
        assert float(ops.convert_to_numpy(v.value)) == 7.0
    assert float(v.numpy()) == 1.0
    assert float(ops.convert_to_numpy(scope.get_current_value(v))) == 7.0


def test_stateless_scope_rejects_non_variables():
    with pytest.raises(ValueError, match="kiln.Variable"):
        kiln.StatelessScope(state_mapping=[("not a variable", 1.0)])


def test_symbolic_scope_and_keras_tensor():
    from kiln.backend.common.scopes import in_symbolic_scope

    assert not in_symbolic_scope()
    with kiln.SymbolicScope():
        assert in_symbolic_scope()
    x = kiln.KerasTensor((None, 3), dtype="float32")
    y = x + 1
    assert y.shape == (None, 3) and y.dtype == "float32"
    with pytest.raises(TypeError):
        bool(x)


def test_scopes_are_per_thread():
    import threading

    seen = []
    v = kiln.Variable(np.array(1.0, "float32"))

    def worker():
        seen.append(kiln.backend.in_stateless_scope())

    with kiln.StatelessScope(state_mapping=[(v, ops.convert_to_tensor(2.0))]):
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen == [False]
