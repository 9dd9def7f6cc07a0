"""UpSampling1D/2D/3D: conformance, repetition against NumPy, interpolation against torch and tf."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def test_up_sampling1d():
    x = make_input((2, 3, 4))
    run_layer_test(layers.UpSampling1D, {"size": 3}, input_shape=(2, 3, 4), input_data=x,
                   expected_output_shape=(2, 9, 4), expected_output=np.repeat(x, 3, axis=1),
                   expected_num_trainable_weights=0)


def test_up_sampling2d_nearest():
    x = make_input((2, 2, 3, 2))
    y = layers.UpSampling2D((2, 3))(ops.convert_to_tensor(x))
    np.testing.assert_allclose(to_numpy(y), np.repeat(np.repeat(x, 2, axis=1), 3, axis=2))


def test_up_sampling2d_bilinear_channels_first_matches_torch():
    import torch

    x = make_input((1, 2, 3, 4))
    expected = torch.nn.functional.interpolate(torch.from_numpy(x), scale_factor=(2, 2),
                                               mode="bilinear", align_corners=False).numpy()
    run_layer_test(layers.UpSampling2D, {"size": 2, "interpolation": "bilinear",
                                         "data_format": "channels_first"},
                   input_shape=(1, 2, 3, 4), input_data=x, expected_output=expected)


def test_up_sampling2d_bicubic_and_lanczos_match_tf():
    import tensorflow as tf

    x = make_input((1, 3, 4, 2))
    for method in ("bicubic", "lanczos3"):
        expected = tf.image.resize(x, (6, 8), method=method, antialias=False).numpy()
        y = layers.UpSampling2D(2, interpolation=method)(ops.convert_to_tensor(x))
        np.testing.assert_allclose(to_numpy(y), expected, atol=1e-5, err_msg=method)


def test_up_sampling3d():
    x = make_input((1, 2, 2, 1, 3))
    run_layer_test(layers.UpSampling3D, {"size": (1, 2, 3)}, input_shape=(1, 2, 2, 1, 3), input_data=x,
                   expected_output=np.repeat(np.repeat(x, 2, axis=2), 3, axis=3))


def test_up_sampling3d_channels_first():
    x = make_input((1, 2, 1, 2, 2))
    y = layers.UpSampling3D(2, data_format="channels_first")(ops.convert_to_tensor(x))
    ref = np.repeat(np.repeat(np.repeat(x, 2, axis=2), 2, axis=3), 2, axis=4)
    np.testing.assert_allclose(ops.convert_to_numpy(y), ref)


def test_symbolic_none_dims_and_config():
    assert layers.UpSampling2D(2)(KerasTensor((None, None, 3, 1))).shape == (None, None, 6, 1)
    assert layers.UpSampling1D(2)(KerasTensor((None, None, 3))).shape == (None, None, 3)
    assert list(layers.UpSampling2D().get_config()) == ["name", "trainable", "dtype", "size",
                                                        "data_format", "interpolation"]
    assert list(layers.UpSampling3D().get_config())[3:] == ["size", "data_format"]


def test_invalid_arguments():
    with pytest.raises(ValueError, match="UpSampling2D.*interpolation.*bilinear"):
        layers.UpSampling2D(interpolation="cubic-ish")
    with pytest.raises(ValueError, match="UpSampling1D.*size"):
        layers.UpSampling1D(0)
    with pytest.raises(ValueError, match="size"):
        layers.UpSampling3D((1, 2))


def test_wrong_rank():
    with pytest.raises(ValueError, match="up.*expected ndim=3"):
        layers.UpSampling1D(name="up")(ops.ones((2, 3)))
