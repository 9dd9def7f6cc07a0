"""Activations: values vs NumPy, get/serialize/deserialize, unknown names."""

import math

import numpy as np
import pytest

from kiln import activations, ops

X = np.array([[-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 7.0]], dtype="float32")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(x))


_ERF = np.vectorize(math.erf)

CASES = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "linear": lambda x: x,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
    "log_softmax": lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)),
    "gelu": lambda x: 0.5 * x * (1 + _ERF(x / np.sqrt(2))),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "softplus": _softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "relu6": lambda x: np.clip(x, 0, 6),
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "exponential": np.exp,
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "log_sigmoid": lambda x: -_softplus(-x),
    "celu": lambda x: np.maximum(x, 0) + np.minimum(0, np.expm1(x)),
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0),
    "soft_shrink": lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
    "squareplus": lambda x: (x + np.sqrt(x * x + 4)) / 2,
    "sparse_plus": lambda x: np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
    "sparse_sigmoid": lambda x: np.clip((x + 1) / 2, 0, 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values(name):
    fn = activations.get(name)
    y = _np(fn(ops.convert_to_tensor(X)))
    np.testing.assert_allclose(y, CASES[name](X.astype("float64")), rtol=1e-5, atol=1e-5)


def test_relu_arguments():
    x = ops.convert_to_tensor(X)
    np.testing.assert_allclose(_np(activations.relu(x, max_value=1.0)), np.clip(X, 0, 1))
    np.testing.assert_allclose(_np(activations.relu(x, negative_slope=0.1)), np.where(X > 0, X, 0.1 * X), rtol=1e-6)
    np.testing.assert_allclose(_np(activations.relu(x, threshold=1.0)), np.where(X >= 1, X, 0))
    got = _np(activations.relu(x, negative_slope=0.5, max_value=5.0, threshold=1.0))
    np.testing.assert_allclose(got, np.where(X >= 1, np.minimum(X, 5), 0.5 * (X - 1)), rtol=1e-6)


def test_gelu_default_is_exact_and_approximate_differs():
    x = ops.convert_to_tensor(X)
    exact = _np(activations.gelu(x))
    approx = _np(activations.gelu(x, approximate=True))
    np.testing.assert_allclose(exact, CASES["gelu"](X), rtol=1e-5, atol=1e-6)
    tanh_form = 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))
    np.testing.assert_allclose(approx, tanh_form, rtol=1e-5, atol=1e-6)


def test_softmax_axis_and_glu_sparsemax():
    x = np.random.rand(2, 3, 4).astype("float32")
    y = _np(activations.softmax(ops.convert_to_tensor(x), axis=1))
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-5)
    g = _np(activations.glu(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(g, x[..., :2] * _sigmoid(x[..., 2:]), rtol=1e-5)
    s = _np(activations.sparsemax(ops.convert_to_tensor(np.array([[0.1, 1.5, 0.2], [0.0, 0.0, 0.0]], "float32"))))
    np.testing.assert_allclose(s, [[0.0, 1.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-6)
    np.testing.assert_allclose(
        _np(activations.threshold(ops.convert_to_tensor(X), 0.0, -1.0)), np.where(X > 0, X, -1))


def test_get():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    fn = lambda x: x  # noqa: E731
    assert activations.get(fn) is fn
    with pytest.raises(ValueError) as info:
        activations.get("rellu")
    assert "relu" in str(info.value) and "softmax" in str(info.value)
    with pytest.raises(ValueError):
        activations.get(3)


def test_serialize_deserialize():
    for name in ("relu", "gelu", "softmax", "linear", "sigmoid"):
        fn = activations.get(name)
        assert activations.serialize(fn) == name
        assert activations.deserialize(name) is fn
    assert activations.serialize(activations.swish) == "silu"
    env = {"module": "keras.activations", "class_name": "function", "config": "tanh",
           "registered_name": "function"}
    assert activations.deserialize(env) is activations.tanh
    assert activations.get(env) is activations.tanh
