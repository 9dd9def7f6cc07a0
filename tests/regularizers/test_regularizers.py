"""Regularizers: penalties vs NumPy, config, get/serialize, validation."""

import numpy as np
import pytest

from kiln import ops, regularizers

W = np.array([[1.0, -2.0], [0.5, 3.0]], dtype="float32")


def _val(reg):
    return float(np.asarray(ops.convert_to_numpy(reg(ops.convert_to_tensor(W)))))


def test_penalties():
    assert _val(regularizers.L1(0.1)) == pytest.approx(0.1 * np.abs(W).sum())
    assert _val(regularizers.L2(0.1)) == pytest.approx(0.1 * (W ** 2).sum())
    assert _val(regularizers.L1L2(l1=0.1, l2=0.2)) == pytest.approx(0.1 * np.abs(W).sum() + 0.2 * (W ** 2).sum())
    assert _val(regularizers.OrthogonalRegularizer(1.0)) >= 0.0


def test_defaults_and_config():
    assert regularizers.L2().get_config() == {"l2": 0.01}
    assert regularizers.L1().get_config() == {"l1": 0.01}
    assert regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}


def test_get_and_round_trip():
    assert regularizers.get(None) is None
    assert type(regularizers.get("l2")) is regularizers.L2
    assert type(regularizers.get("l1_l2")) is regularizers.L1L2
    env = regularizers.serialize(regularizers.L2(0.0001))
    assert env == {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.0001},
                   "registered_name": None}
    assert regularizers.get(env).l2 == pytest.approx(0.0001)
    with pytest.raises(ValueError, match="l2"):
        regularizers.get("l3")


@pytest.mark.parametrize("value", [-1.0, float("nan"), "a"])
def test_invalid_values(value):
    with pytest.raises(ValueError):
        regularizers.L2(value)
