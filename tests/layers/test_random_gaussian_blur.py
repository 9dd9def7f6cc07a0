"""RandomGaussianBlur: conformance, blur vs torch conv2d with the same kernel, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images


def test_conformance():
    run_layer_test(layers.RandomGaussianBlur, {"sigma": (0.5, 1.5), "seed": 1}, input_shape=(2, 6, 7, 3),
                   input_data=images(), expected_output_shape=(2, 6, 7, 3),
                   expected_num_trainable_weights=0, expected_num_seed_generators=1)


@pytest.mark.parametrize("kernel_size,sigma", [(3, 1.0), (5, 0.7)])
def test_matches_torch_conv(kernel_size, sigma):
    torch = pytest.importorskip("torch")
    x = images((2, 6, 7, 3))
    out = to_numpy(layers.RandomGaussianBlur((1.0, 1.0), kernel_size=kernel_size, sigma=sigma)(x))
    offsets = np.arange(kernel_size) - kernel_size // 2
    w = np.exp(-offsets ** 2 / (2 * sigma ** 2))
    w /= w.sum()
    kernel = torch.tensor(np.outer(w, w), dtype=torch.float64)[None, None].repeat(3, 1, 1, 1)
    ref = torch.nn.functional.conv2d(torch.tensor(x, dtype=torch.float64).permute(0, 3, 1, 2), kernel,
                                     padding=kernel_size // 2, groups=3).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(out, ref, atol=1e-3)


def test_factor_zero_keeps_images():
    x = images((2, 4, 4, 3))
    np.testing.assert_array_equal(to_numpy(layers.RandomGaussianBlur(0.0, seed=1)(x)), x)


def test_bad_arguments():
    with pytest.raises(ValueError, match="RandomGaussianBlur.*kernel_size.*odd"):
        layers.RandomGaussianBlur(kernel_size=4)
    with pytest.raises(ValueError, match="RandomGaussianBlur.*sigma"):
        layers.RandomGaussianBlur(sigma=-1.0)
    with pytest.raises(ValueError, match="RandomGaussianBlur.*factor"):
        layers.RandomGaussianBlur(factor=(0.5, 2.0))
