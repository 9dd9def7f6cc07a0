"""Conv1D: conformance, causal padding, values vs NumPy."""

import numpy as np

from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def numpy_conv1d(x, w, b, dilation=1):
    k = w.shape[0]
    eff = (k - 1) * dilation + 1
    steps = x.shape[1] - eff + 1
    out = np.stack([np.tensordot(x[:, t:t + eff:dilation, :], w, axes=([1, 2], [0, 1]))
                    for t in range(steps)], axis=1)
    return out + b


def test_conformance():
    run_layer_test(layers.Conv1D, {"filters": 3, "kernel_size": 2}, input_shape=(2, 6, 4),
                   expected_output_shape=(2, 5, 3), expected_num_trainable_weights=2)


def test_matches_numpy():
    x = make_input((2, 9, 3))
    layer = layers.Conv1D(4, 3, dilation_rate=2)
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(y, numpy_conv1d(x, layer.kernel.numpy(), layer.bias.numpy(), 2),
                               rtol=1e-4, atol=1e-4)


def test_causal_padding():
    x = make_input((1, 6, 2))
    layer = layers.Conv1D(2, 3, padding="causal")
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    padded = np.pad(x, [(0, 0), (2, 0), (0, 0)])
    np.testing.assert_allclose(y, numpy_conv1d(padded, layer.kernel.numpy(), layer.bias.numpy()),
                               rtol=1e-4, atol=1e-4)
    run_layer_test(layers.Conv1D, {"filters": 2, "kernel_size": 3, "padding": "causal"},
                   input_shape=(2, 6, 2), expected_output_shape=(2, 6, 2))


def test_config():
    config = layers.Conv1D(8, 3).get_config()
    assert config["kernel_size"] == [3] and config["strides"] == [1] and config["dilation_rate"] == [1]
