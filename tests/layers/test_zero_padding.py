"""ZeroPadding1D/2D/3D: conformance, values against NumPy's pad, argument forms, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def test_zero_padding1d():
    x = make_input((2, 3, 4))
    run_layer_test(layers.ZeroPadding1D, {"padding": (1, 2)}, input_shape=(2, 3, 4), input_data=x,
                   expected_output_shape=(2, 6, 4), expected_output=np.pad(x, ((0, 0), (1, 2), (0, 0))),
                   expected_num_trainable_weights=0)


def test_zero_padding1d_channels_first_and_2d_channels_last():
    x = make_input((2, 4, 3))
    y = layers.ZeroPadding1D(1, data_format="channels_first")(ops.convert_to_tensor(x))
    np.testing.assert_allclose(to_numpy(y), np.pad(x, ((0, 0), (0, 0), (1, 1))))
    x = make_input((2, 3, 3, 2))
    y = layers.ZeroPadding2D(((1, 0), (0, 2)))(ops.convert_to_tensor(x))
    np.testing.assert_allclose(to_numpy(y), np.pad(x, ((0, 0), (1, 0), (0, 2), (0, 0))))


def test_zero_padding2d_channels_first():
    x = make_input((1, 2, 3, 3))
    run_layer_test(layers.ZeroPadding2D, {"padding": (2, 1), "data_format": "channels_first"},
                   input_shape=(1, 2, 3, 3), input_data=x,
                   expected_output=np.pad(x, ((0, 0), (0, 0), (2, 2), (1, 1))))


def test_zero_padding3d():
    x = make_input((1, 2, 2, 2, 1))
    run_layer_test(layers.ZeroPadding3D, {"padding": (1, 0, 2)}, input_shape=(1, 2, 2, 2, 1),
                   input_data=x, expected_output=np.pad(x, ((0, 0), (1, 1), (0, 0), (2, 2), (0, 0))))


def test_matches_torch_pad():
    import torch

    x = make_input((1, 2, 3, 4))
    y = layers.ZeroPadding2D(((1, 2), (3, 0)), data_format="channels_first")(ops.convert_to_tensor(x))
    ref = torch.nn.functional.pad(torch.from_numpy(x), (3, 0, 1, 2)).numpy()
    np.testing.assert_allclose(ops.convert_to_numpy(y), ref, atol=1e-6)


def test_argument_forms_normalize():
    assert layers.ZeroPadding1D().padding == (1, 1)
    assert layers.ZeroPadding2D(2).padding == ((2, 2), (2, 2))
    assert layers.ZeroPadding3D(1).padding == ((1, 1), (1, 1), (1, 1))
    assert list(layers.ZeroPadding2D().get_config()) == ["name", "trainable", "dtype", "padding",
                                                         "data_format"]


def test_symbolic_none_dims():
    assert layers.ZeroPadding2D(1)(KerasTensor((None, None, 4, 3))).shape == (None, None, 6, 3)


@pytest.mark.parametrize("cls,value", [(layers.ZeroPadding1D, -2), (layers.ZeroPadding2D, (1, 2, 3)),
                                       (layers.ZeroPadding3D, ((1, 1), (1, -1), (0, 0))),
                                       (layers.ZeroPadding2D, "valid")])
def test_invalid_padding(cls, value):
    with pytest.raises(ValueError, match=f"{cls.__name__}.*padding"):
        cls(value)


def test_wrong_rank():
    with pytest.raises(ValueError, match="pad3d.*expected ndim=5"):
        layers.ZeroPadding3D(name="pad3d")(ops.ones((1, 2, 2, 2)))
