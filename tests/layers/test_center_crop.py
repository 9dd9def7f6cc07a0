"""CenterCrop: conformance, crop windows vs NumPy slicing, small images resized, channels_first,
model and tf.data, bad input."""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops


def test_conformance():
    run_layer_test(layers.CenterCrop, {"height": 3, "width": 2}, input_shape=(2, 5, 6, 3),
                   expected_output_shape=(2, 3, 2, 3), expected_num_trainable_weights=0)


@pytest.mark.parametrize("size", [(3, 2), (4, 4), (1, 5)])
def test_matches_numpy_slices(size):
    x = make_input((2, 5, 6, 3))
    h, w = size
    top, left = (5 - h) // 2, (6 - w) // 2
    y = layers.CenterCrop(h, w)(ops.convert_to_tensor(x))
    np.testing.assert_allclose(to_numpy(y), x[:, top:top + h, left:left + w], atol=0)


def test_single_image_and_channels_first():
    x = make_input((3, 6, 5))
    y = layers.CenterCrop(2, 3, data_format="channels_first")(ops.convert_to_tensor(x))
    np.testing.assert_allclose(to_numpy(y), x[:, 2:4, 1:4])


def test_smaller_input_is_resized():
    x = make_input((1, 2, 2, 1))
    y = layers.CenterCrop(4, 4)(ops.convert_to_tensor(x))
    assert ops.shape(y) == (1, 4, 4, 1)
    want = ops.image.resize(ops.convert_to_tensor(x), (4, 4), crop_to_aspect_ratio=True)
    np.testing.assert_allclose(to_numpy(y), to_numpy(want), atol=1e-6)


def test_model_and_tf_data():
    x = make_input((4, 6, 6, 2))
    layer = layers.CenterCrop(2, 2)
    inputs = layers.Input((6, 6, 2))
    model = kiln.Model(inputs, layer(inputs))
    np.testing.assert_allclose(model.predict(x, verbose=0), x[:, 2:4, 2:4], atol=0)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)
    np.testing.assert_allclose(np.concatenate([b.numpy() for b in ds]), x[:, 2:4, 2:4])
    # Unknown image sizes in the graph (per-image map, ragged sizes).
    ds = tf.data.Dataset.from_generator(lambda: iter([x[0], x[1, :1, :1]]),
                                        output_signature=tf.TensorSpec((None, None, 2))).map(layer)
    assert [tuple(b.shape) for b in ds] == [(2, 2, 2), (2, 2, 2)]


@pytest.mark.parametrize("kwargs, match", [({"height": 0, "width": 2}, "height"),
                                           ({"height": 2, "width": -1}, "width"),
                                           ({"height": 2, "width": 2, "data_format": "nhwc"},
                                            "data_format")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.CenterCrop(**kwargs)


def test_bad_rank():
    with pytest.raises(ValueError, match="CenterCrop.*rank"):
        layers.CenterCrop(2, 2)(ops.ones((4, 4)))
