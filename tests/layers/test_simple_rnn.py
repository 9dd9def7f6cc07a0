"""SimpleRNN / SimpleRNNCell: conformance, values vs NumPy, config, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance_relu_sequences_unrolled():
    run_layer_test(layers.SimpleRNN, {"units": 4, "activation": "relu", "return_sequences": True,
                                      "unroll": True},
                   input_shape=(2, 3, 4), expected_output_shape=(2, 3, 4),
                   expected_num_trainable_weights=3)


def test_matches_numpy():
    x = make_input((2, 4, 3))
    layer = layers.SimpleRNN(5, activation="relu", return_sequences=True)
    out = to_numpy(layer(ops.convert_to_tensor(x)))
    kernel, recurrent, bias = layer.get_weights()
    h = np.zeros((2, 5))
    for t in range(4):
        h = np.maximum(x[:, t] @ kernel + h @ recurrent + bias, 0)
        np.testing.assert_allclose(out[:, t], h, atol=1e-5)


def test_weights_and_config():
    layer = layers.SimpleRNN(3, name="s")
    layer.build((None, 2, 4))
    assert [v.path for v in layer.weights] == ["s/simple_rnn_cell/kernel",
                                               "s/simple_rnn_cell/recurrent_kernel",
                                               "s/simple_rnn_cell/bias"]
    config = layer.get_config()
    assert "recurrent_activation" not in config and config["activation"] == "tanh"
    assert config["recurrent_initializer"]["class_name"] == "Orthogonal"


def test_dropout_applies_only_in_training():
    x = ops.convert_to_tensor(make_input((4, 3, 6)))
    layer = layers.SimpleRNN(8, dropout=0.5, seed=0)
    inference = to_numpy(layer(x, training=False))
    np.testing.assert_allclose(inference, to_numpy(layer(x)), atol=1e-6)
    assert not np.allclose(to_numpy(layer(x, training=True)), inference)


def test_bad_input():
    with pytest.raises(ValueError, match="units"):
        layers.SimpleRNN(-3)
    with pytest.raises(ValueError, match="activation"):
        layers.SimpleRNNCell(2, activation="nope")
    with pytest.raises(ValueError, match="simple_rnn"):
        layers.SimpleRNN(2)(ops.ones((3,)))
