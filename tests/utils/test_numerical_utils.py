"""``to_categorical`` and ``normalize``: NumPy in -> NumPy out (against NumPy computed here),
backend tensors -> backend tensors through kiln.ops, and errors."""

import numpy as np
import pytest

import kiln
from kiln import ops
from kiln.utils import normalize, to_categorical

BACKEND = kiln.backend.backend()


def test_to_categorical_matches_eye():
    labels = np.array([0, 3, 1, 3, 2])
    out = to_categorical(labels, num_classes=5)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(5, dtype="float32")[labels])


def test_to_categorical_infers_classes_and_squeezes_trailing_one():
    out = to_categorical([[2], [0], [1]])
    assert out.shape == (3, 3)
    np.testing.assert_array_equal(out, np.eye(3)[[2, 0, 1]])


def test_to_categorical_keeps_leading_dimensions():
    labels = np.array([[0, 1], [2, 1]])
    out = to_categorical(labels, 3)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.argmax(-1), labels)


def test_to_categorical_of_a_backend_tensor_is_a_backend_tensor():
    labels = ops.convert_to_tensor(np.array([[1], [0], [2]], dtype="int32"))
    out = to_categorical(labels, num_classes=4)
    assert ops.is_tensor(out)
    assert tuple(ops.shape(out)) == (3, 4)
    np.testing.assert_array_equal(ops.convert_to_numpy(out), np.eye(4)[[1, 0, 2]])


@pytest.mark.parametrize("labels,num_classes,match", [
    ([0, 3], 3, r"\[0, 3\)"),
    ([-1, 0], 2, r"\[0, 2\)"),
    ([0.5, 1.0], None, "integer"),
    ([0, 1], 0, "num_classes"),
])
def test_to_categorical_errors(labels, num_classes, match):
    with pytest.raises(ValueError, match=match):
        to_categorical(labels, num_classes)


@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("order", [1, 2, 3])
def test_normalize_numpy_matches_numpy(axis, order):
    x = np.random.RandomState(0).randn(4, 5)
    out = normalize(x, axis=axis, order=order)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    norms = np.sum(np.abs(x) ** order, axis=axis, keepdims=True) ** (1.0 / order)
    np.testing.assert_allclose(out, x / norms, rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(out, order, axis), 1.0, rtol=1e-12)


def test_normalize_square_matrix_along_axis_zero():
    x = np.array([[3.0, 1.0], [4.0, 0.0]])
    np.testing.assert_allclose(normalize(x, axis=0), [[0.6, 1.0], [0.8, 0.0]])


def test_normalize_leaves_zero_vectors_and_keeps_float32():
    x = np.array([[0.0, 0.0], [3.0, 4.0]], dtype="float32")
    out = normalize(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.0, 0.0], [0.6, 0.8]], rtol=1e-6)


def test_normalize_axis_none_uses_all_entries():
    x = np.array([[1.0, 2.0], [2.0, 4.0]])
    np.testing.assert_allclose(normalize(x, axis=None), x / 5.0)


def test_normalize_backend_tensor_goes_through_ops():
    x = np.array([[3.0, 4.0], [1.0, 0.0]], dtype="float32")
    out = normalize(ops.convert_to_tensor(x), axis=-1, order=2)
    assert ops.is_tensor(out)
    np.testing.assert_allclose(ops.convert_to_numpy(out), [[0.6, 0.8], [1.0, 0.0]], rtol=1e-6)
    out = normalize([[1.0, 3.0]], order=1)
    np.testing.assert_allclose(ops.convert_to_numpy(out), [[0.25, 0.75]], rtol=1e-6)


@pytest.mark.parametrize("kwargs,match", [(dict(order=0), "order"), (dict(axis=2), "axis")])
def test_normalize_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        normalize(np.ones((2, 2)), **kwargs)
