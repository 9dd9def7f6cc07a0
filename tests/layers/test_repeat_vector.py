"""RepeatVector: conformance, values, bad n and rank."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test
from kiln import KerasTensor, layers, ops


def test_conformance():
    x = make_input((2, 5))
    run_layer_test(layers.RepeatVector, {"n": 3}, input_shape=(2, 5), input_data=x,
                   expected_output_shape=(2, 3, 5),
                   expected_output=np.repeat(x[:, None, :], 3, axis=1),
                   expected_num_trainable_weights=0)


def test_symbolic():
    assert layers.RepeatVector(4)(KerasTensor((None, 6))).shape == (None, 4, 6)


@pytest.mark.parametrize("n", [-1, 2.0, None, True])
def test_invalid_n(n):
    with pytest.raises(ValueError, match="RepeatVector.*`n`"):
        layers.RepeatVector(n)


def test_wrong_rank():
    with pytest.raises(ValueError, match="repeat.*expected ndim=2.*\\(2, 3, 4\\)"):
        layers.RepeatVector(2, name="repeat")(ops.ones((2, 3, 4)))


def test_config_keys():
    assert list(layers.RepeatVector(2).get_config()) == ["name", "trainable", "dtype", "n"]
