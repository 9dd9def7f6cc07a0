"""Resizing: conformance, values vs torch.nn.functional.interpolate, integer images, model and tf.data, bad input."""

import numpy as np
import pytest
import tensorflow as tf
import torch

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.Resizing, {"height": 3, "width": 5}, input_shape=(2, 6, 4, 3),
                   expected_output_shape=(2, 3, 5, 3), expected_num_trainable_weights=0)


def test_crop_to_aspect_ratio():
    x = make_input((1, 4, 6, 1))
    y = layers.Resizing(2, 2, interpolation="nearest", crop_to_aspect_ratio=True)(ops.convert_to_tensor(x))
    np.testing.assert_allclose(to_numpy(y), x[:, 1:4:2, 2:5:2], atol=0)


@pytest.mark.parametrize("interpolation, mode", [("bilinear", "bilinear"), ("nearest", "nearest-exact")])
def test_matches_torch_downsample_by_two(interpolation, mode):
    x = make_input((1, 8, 8, 2))
    y = to_numpy(layers.Resizing(4, 4, interpolation=interpolation)(ops.convert_to_tensor(x)))
    t = torch.from_numpy(x).permute(0, 3, 1, 2)
    kwargs = {"align_corners": False} if mode == "bilinear" else {}
    want = torch.nn.functional.interpolate(t, size=(4, 4), mode=mode, **kwargs).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(y, want, atol=1e-5)


def test_integer_images_keep_their_dtype():
    x = make_input((1, 4, 4, 1), "uint8", high=255)
    y = layers.Resizing(2, 2, interpolation="nearest")(ops.convert_to_tensor(x))
    assert ops.dtype(y) == "uint8"


def test_model_and_tf_data():
    x = make_input((4, 6, 6, 2))
    layer = layers.Resizing(3, 3)
    inputs = layers.Input((6, 6, 2))
    model = kiln.Model(inputs, layer(inputs))
    want = to_numpy(layer(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, atol=1e-6)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)
    np.testing.assert_allclose(np.concatenate([b.numpy() for b in ds]), want, atol=1e-5)


@pytest.mark.parametrize("kwargs, match", [
    ({"interpolation": "cubic"}, "interpolation"),
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "aspect_ratio"),
    ({"fill_mode": "wrap"}, "fill_mode"),
    ({"height": 0}, "height"),
])
def test_bad_arguments(kwargs, match):
    args = {"height": 2, "width": 2, **kwargs}
    with pytest.raises(ValueError, match=f"Resizing.*{match}"):
        layers.Resizing(**args)


def test_bad_rank():
    with pytest.raises(ValueError, match="Resizing.*rank"):
        layers.Resizing(2, 2)(ops.ones((2, 4, 4, 4, 1)))
