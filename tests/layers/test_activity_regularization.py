"""ActivityRegularization: conformance, the L1/L2 penalty it adds, config, bad factors."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.ActivityRegularization, {"l1": 0.01, "l2": 0.02}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 3, 4), expected_num_trainable_weights=0,
                   input_mask=np.ones((2, 3), bool), expected_output_mask=np.ones((2, 3), bool))


def test_identity_and_penalty():
    # A batch of one: the penalty is the same whether or not it is averaged over the batch.
    x = np.array([[1.0, -2.0, 3.0]], np.float32)
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    y = layer(ops.convert_to_tensor(x))
    np.testing.assert_array_equal(to_numpy(y), x)
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(to_numpy(layer.losses[0])), 0.1 * 6 + 0.01 * 14, rtol=1e-6)


def test_config_keys():
    config = layers.ActivityRegularization(l1=0.5).get_config()
    assert "activity_regularizer" not in config
    assert list(config)[-2:] == ["l1", "l2"] and config["l1"] == 0.5


@pytest.mark.parametrize("kwargs, arg", [({"l1": -1.0}, "l1"), ({"l2": "x"}, "l2")])
def test_bad_factors(kwargs, arg):
    with pytest.raises(ValueError, match=f"ActivityRegularization.*{arg}"):
        layers.ActivityRegularization(**kwargs)
