"""Masking layer: conformance, zeroed steps and mask values, mask flow to downstream layers."""

import numpy as np
import pytest

import kiln
from conformance import run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops

X = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]],
              [[0.0, 0.0], [4.0, 5.0], [0.0, 0.0]]], dtype="float32")
KEEP = np.array([[True, False, True], [False, True, False]])


def test_conformance():
    run_layer_test(layers.Masking, {"mask_value": 0.0}, input_shape=(2, 3, 2), input_data=X,
                   expected_output=X * KEEP[..., None], expected_output_shape=(2, 3, 2),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   input_mask=np.ones((2, 3), dtype=bool), expected_output_mask=KEEP)


def test_mask_values_and_custom_mask_value():
    x = np.where(X == 0.0, -1.0, X).astype("float32")
    layer = layers.Masking(mask_value=-1.0)
    out = layer(ops.convert_to_tensor(x))
    np.testing.assert_array_equal(to_numpy(layer.compute_mask(ops.convert_to_tensor(x))), KEEP)
    np.testing.assert_allclose(to_numpy(out), x * KEEP[..., None])


def test_symbolic_output_carries_mask():
    out = layers.Masking()(KerasTensor((None, 3, 2)))
    assert out.shape == (None, 3, 2)
    assert out._keras_mask is not None and tuple(out._keras_mask.shape) == (None, 3)


def _masked_mean(x):
    keep = KEEP[..., None]
    return (x * keep).sum(axis=1) / keep.sum(axis=1)


def test_mask_flows_in_sequential():
    model = kiln.Sequential([kiln.Input((3, 2)), layers.Masking(), layers.GlobalAveragePooling1D()])
    np.testing.assert_allclose(to_numpy(model(X)), _masked_mean(X), rtol=1e-6)


def test_mask_flows_in_functional_model_and_survives_config():
    inputs = kiln.Input((3, 2))
    hidden = layers.Dense(4, name="proj")(layers.Masking(name="mask")(inputs))
    outputs = layers.GlobalAveragePooling1D()(hidden)
    model = kiln.Model(inputs, outputs)
    w, b = model.get_layer("proj").get_weights()
    want = _masked_mean(X @ w + b)
    np.testing.assert_allclose(to_numpy(model(X)), want, rtol=1e-5, atol=1e-6)
    clone = kiln.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(to_numpy(clone(X)), want, rtol=1e-5, atol=1e-6)


def test_invalid_mask_value():
    with pytest.raises(ValueError, match="Masking.*mask_value"):
        layers.Masking(mask_value="pad")


def test_config_keys():
    config = layers.Masking(mask_value=-1.0).get_config()
    assert list(config) == ["name", "trainable", "dtype", "mask_value"] and config["mask_value"] == -1.0


def test_masked_steps_are_skipped_by_a_recurrent_layer():
    x = np.array([[[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]]], dtype="float32")
    masked = kiln.Sequential([kiln.Input((3, 2)), layers.Masking(), layers.LSTM(3)])
    short = kiln.Sequential([kiln.Input((2, 2)), layers.LSTM(3)])
    short.set_weights(masked.get_weights())
    np.testing.assert_allclose(to_numpy(masked(x)), to_numpy(short(x[:, :2])), rtol=1e-5, atol=1e-6)
