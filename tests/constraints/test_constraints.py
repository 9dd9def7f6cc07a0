"""Constraints: projections vs NumPy, config, get."""

import numpy as np
import pytest

from kiln import constraints, ops

W = np.array([[3.0, 0.1], [4.0, -0.2]], dtype="float32")


def _apply(c):
    return np.asarray(ops.convert_to_numpy(c(ops.convert_to_tensor(W))))


def test_projections():
    norms = np.sqrt((W ** 2).sum(axis=0, keepdims=True))
    np.testing.assert_allclose(_apply(constraints.MaxNorm(2.0)), W * np.clip(norms, 0, 2) / norms, rtol=1e-5)
    np.testing.assert_allclose(_apply(constraints.UnitNorm()), W / norms, rtol=1e-5)
    np.testing.assert_allclose(_apply(constraints.NonNeg()), np.maximum(W, 0))
    mm = _apply(constraints.MinMaxNorm(min_value=1.0, max_value=2.0))
    np.testing.assert_allclose(np.sqrt((mm ** 2).sum(axis=0)), [2.0, 1.0], rtol=1e-5)
    np.testing.assert_array_equal(_apply(constraints.Constraint()), W)


def test_get_and_config():
    assert constraints.get(None) is None
    assert type(constraints.get("max_norm")) is constraints.MaxNorm
    assert type(constraints.get("NonNeg")) is constraints.NonNeg
    env = constraints.serialize(constraints.UnitNorm(axis=1))
    assert env["class_name"] == "UnitNorm" and env["module"] == "keras.constraints"
    assert constraints.get(env).axis == 1
    with pytest.raises(ValueError, match="max_norm"):
        constraints.get("maxnormm")
