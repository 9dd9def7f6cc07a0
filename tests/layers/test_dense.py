"""Dense: conformance, x @ W + b against NumPy, activations, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, initializers, layers, ops, regularizers


def test_conformance_2d():
    run_layer_test(layers.Dense, {"units": 4}, input_shape=(3, 5), expected_output_shape=(3, 4),
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=0)


def test_conformance_3d_no_bias():
    run_layer_test(layers.Dense, {"units": 2, "use_bias": False, "activation": "tanh"},
                   input_shape=(2, 3, 6), expected_output_shape=(2, 3, 2),
                   expected_num_trainable_weights=1)


def test_matches_numpy():
    x = make_input((4, 3))
    layer = layers.Dense(2, activation="relu")
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    w, b = (v.numpy() for v in layer.weights)
    np.testing.assert_allclose(y, np.maximum(x @ w + b, 0), rtol=1e-5, atol=1e-6)


def test_weight_names_shapes_and_order():
    layer = layers.Dense(3, name="fc")
    layer.build((None, 7))
    assert [v.path for v in layer.weights] == ["fc/kernel", "fc/bias"]
    assert layer.kernel.shape == (7, 3) and layer.bias.shape == (3,)


def test_initializers_and_regularizer():
    layer = layers.Dense(2, kernel_initializer="ones", bias_initializer=initializers.Constant(0.5),
                         kernel_regularizer=regularizers.L2(0.1))
    y = to_numpy(layer(ops.ones((1, 3))))
    np.testing.assert_allclose(y, [[3.5, 3.5]])
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(to_numpy(layer.losses[0])), 0.1 * 6, rtol=1e-6)


def test_config_keys_match_keras():
    config = layers.Dense(5, activation="softmax", name="probs").get_config()
    assert list(config) == ["name", "trainable", "dtype", "units", "activation", "use_bias",
                            "kernel_initializer", "bias_initializer", "kernel_regularizer",
                            "bias_regularizer", "kernel_constraint", "bias_constraint",
                            "quantization_config"]
    assert config["activation"] == "softmax"
    assert config["kernel_initializer"] == {
        "module": "keras.initializers", "class_name": "GlorotUniform",
        "config": {"seed": None, "input_axes": None, "output_axes": None}, "registered_name": None}


def test_symbolic_call():
    out = layers.Dense(8)(KerasTensor((None, 4)))
    assert out.shape == (None, 8)


def test_wrong_last_dimension_after_build():
    layer = layers.Dense(2, name="my_dense")
    layer(ops.ones((1, 3)))
    with pytest.raises(ValueError) as info:
        layer(ops.ones((1, 4)))
    message = str(info.value)
    assert "my_dense" in message and "3" in message and "(1, 4)" in message


def test_rank_1_input_rejected():
    with pytest.raises(ValueError, match="min_ndim"):
        layers.Dense(2)(ops.ones((3,)))


@pytest.mark.parametrize("units", [0, -1, 2.5, None])
def test_invalid_units(units):
    with pytest.raises(ValueError, match="units"):
        layers.Dense(units)


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="relu"):
        layers.Dense(2, activation="not_an_activation")


def test_lora_not_supported():
    with pytest.raises(NotImplementedError):
        layers.Dense(2, lora_rank=4)


def test_mixed_precision_computes_in_float16_keeps_float32_weights():
    layer = layers.Dense(3, dtype="mixed_float16")
    y = layer(ops.ones((2, 4)))
    assert ops.dtype(y) == "float16"
    assert layer.kernel.dtype == "float32" and layer.bias.dtype == "float32"
