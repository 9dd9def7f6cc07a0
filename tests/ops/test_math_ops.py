"""math, linalg and image ops against NumPy."""

import numpy as np
import pytest

from kiln import ops




def test_submodules_expose_their_ops():
    assert ops.linalg.det is ops.det and ops.math.logsumexp is ops.logsumexp
    assert ops.image.resize is ops.resize


def test_logsumexp_is_stable_for_large_values():
    x = np.array([1000.0, 1000.0], "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(ops.logsumexp(x)), 1000.0 + np.log(2.0), rtol=1e-6)


def test_cholesky_upper():
    from op_cases import SPD

    upper = ops.convert_to_numpy(ops.cholesky(SPD, upper=True))
    np.testing.assert_allclose(upper, np.linalg.cholesky(SPD).T, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_resize_nearest_and_bilinear(data_format):
    image = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
    inputs = image if data_format == "channels_last" else np.moveaxis(image, -1, 1)
    nearest = ops.image.resize(inputs, (4, 4), interpolation="nearest", data_format=data_format)
    got = ops.convert_to_numpy(nearest)
    if data_format == "channels_first":
        got = np.moveaxis(got, 1, -1)
    np.testing.assert_allclose(got[0, :, :, 0], np.repeat(np.repeat(image[0, :, :, 0], 2, 0), 2, 1))
    constant = np.full((2, 5, 6, 3), 3.0, "float32")
    if data_format == "channels_first":
        constant = np.moveaxis(constant, -1, 1)
    out = ops.image.resize(constant, (3, 4), data_format=data_format)
    expected_shape = (2, 3, 4, 3) if data_format == "channels_last" else (2, 3, 3, 4)
    assert tuple(ops.shape(out)) == expected_shape
    np.testing.assert_allclose(ops.convert_to_numpy(out), 3.0, rtol=1e-6)


def test_resize_bilinear_half_pixel_values():
    # Downscaling by 2 with half-pixel centers averages each 2x2 block.
    image = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    out = ops.convert_to_numpy(ops.image.resize(image, (2, 2), data_format="channels_last"))
    expected = image[0, :, :, 0].reshape(2, 2, 2, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(out[0, :, :, 0], expected, rtol=1e-5)


def test_resize_symbolic():
    from kiln.backend import KerasTensor

    y = ops.image.resize(KerasTensor((None, 8, 8, 3)), (4, 5), data_format="channels_last")
    assert y.shape == (None, 4, 5, 3)
    y = ops.image.resize(KerasTensor((None, 3, 8, 8)), (4, 5), data_format="channels_first")
    assert y.shape == (None, 3, 4, 5)
