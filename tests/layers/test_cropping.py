"""Cropping1D/2D/3D: conformance, values against NumPy slicing, argument forms, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def test_cropping1d():
    x = make_input((2, 6, 3))
    run_layer_test(layers.Cropping1D, {"cropping": (1, 2)}, input_shape=(2, 6, 3), input_data=x,
                   expected_output_shape=(2, 3, 3), expected_output=x[:, 1:4],
                   expected_num_trainable_weights=0)


def test_cropping2d_channels_last():
    x = make_input((2, 5, 6, 3))
    y = layers.Cropping2D(((1, 0), (2, 1)))(ops.convert_to_tensor(x))
    np.testing.assert_allclose(to_numpy(y), x[:, 1:, 2:5])


def test_cropping2d_channels_first():
    x = make_input((2, 3, 5, 6))
    run_layer_test(layers.Cropping2D, {"cropping": (1, 2), "data_format": "channels_first"},
                   input_shape=(2, 3, 5, 6), input_data=x, expected_output=x[:, :, 1:4, 2:4])


def test_cropping3d():
    x = make_input((1, 4, 5, 6, 2))
    run_layer_test(layers.Cropping3D, {"cropping": ((1, 1), (0, 2), (3, 0))},
                   input_shape=(1, 4, 5, 6, 2), input_data=x, expected_output=x[:, 1:3, 0:3, 3:])


def test_argument_forms_normalize():
    assert layers.Cropping1D(2).cropping == (2, 2)
    assert layers.Cropping2D(1).cropping == ((1, 1), (1, 1))
    assert layers.Cropping2D((1, 2)).cropping == ((1, 1), (2, 2))
    assert layers.Cropping3D((1, 2, 3)).cropping == ((1, 1), (2, 2), (3, 3))
    assert list(layers.Cropping2D().get_config()) == ["name", "trainable", "dtype", "cropping",
                                                      "data_format"]


def test_symbolic_none_dims():
    out = layers.Cropping2D(((1, 1), (2, 0)))(KerasTensor((None, None, 8, 3)))
    assert out.shape == (None, None, 6, 3)


@pytest.mark.parametrize("cls,value", [(layers.Cropping1D, -1), (layers.Cropping1D, (1, 2, 3)),
                                       (layers.Cropping2D, ((1, 2), (1,))), (layers.Cropping3D, (1, 2)),
                                       (layers.Cropping2D, "same")])
def test_invalid_cropping(cls, value):
    with pytest.raises(ValueError, match=f"{cls.__name__}.*cropping"):
        cls(value)


def test_invalid_data_format():
    with pytest.raises(ValueError, match="data_format"):
        layers.Cropping2D(data_format="nhwc")


def test_cropping_larger_than_input():
    with pytest.raises(ValueError, match="crop.*cropping.*\\(3, 3\\)"):
        layers.Cropping1D((3, 3), name="crop")(ops.ones((1, 5, 2)))


def test_wrong_rank():
    with pytest.raises(ValueError, match="crop2d.*expected ndim=4"):
        layers.Cropping2D(1, name="crop2d")(ops.ones((1, 5, 2)))
