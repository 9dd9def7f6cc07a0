"""Dot and dot(): conformance, values against NumPy einsum, normalize, shape errors."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops


def test_conformance_2d():
    a, b = make_input([(3, 4), (3, 4)])
    run_layer_test(layers.Dot, {"axes": 1}, input_shape=[(3, 4), (3, 4)], input_data=[a, b],
                   expected_output_shape=(3, 1), expected_output=(a * b).sum(-1, keepdims=True),
                   expected_num_trainable_weights=0)


def test_conformance_3d_pair_of_axes():
    a, b = make_input([(2, 3, 4), (2, 5, 4)])
    run_layer_test(layers.Dot, {"axes": (2, 2)}, input_shape=[(2, 3, 4), (2, 5, 4)], input_data=[a, b],
                   expected_output=np.einsum("bik,bjk->bij", a, b))


def test_negative_and_mixed_axes():
    a, b = make_input([(2, 3, 4), (2, 3, 5)])
    y = layers.Dot(axes=(1, -2))([ops.convert_to_tensor(a), ops.convert_to_tensor(b)])
    np.testing.assert_allclose(to_numpy(y), np.einsum("bki,bkj->bij", a, b), rtol=1e-5, atol=1e-5)


def test_normalize_gives_cosine_similarity_like_torch():
    import torch

    a, b = make_input([(4, 6), (4, 6)])
    y = layers.Dot(axes=-1, normalize=True)([ops.convert_to_tensor(a), ops.convert_to_tensor(b)])
    ref = torch.nn.functional.cosine_similarity(torch.from_numpy(a), torch.from_numpy(b), dim=-1)
    np.testing.assert_allclose(to_numpy(y)[:, 0], ref.numpy(), atol=1e-5)


def test_functional_dot_and_symbolic_none_dims():
    out = layers.dot([KerasTensor((None, None, 4)), KerasTensor((None, 7, 4))], axes=2)
    assert out.shape == (None, None, 7)


def test_incompatible_axis_sizes():
    with pytest.raises(ValueError, match="my_dot.*axis 1.*size 4.*size 5"):
        layers.Dot(axes=1, name="my_dot")([ops.ones((2, 4)), ops.ones((2, 5))])


def test_batch_axis_refused_and_bad_axes_argument():
    with pytest.raises(ValueError, match="Dot.*axes"):
        layers.Dot(axes=0)([ops.ones((2, 4)), ops.ones((2, 4))])
    with pytest.raises(ValueError, match="Dot.*axes"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="Dot.*axes"):
        layers.Dot(axes="last")


def test_needs_exactly_two_inputs():
    with pytest.raises(ValueError, match="exactly 2"):
        layers.Dot(axes=1)([ops.ones((2, 4))] * 3)


def test_config_keys():
    config = layers.Dot(axes=(1, 2), normalize=True).get_config()
    assert list(config) == ["name", "trainable", "dtype", "axes", "normalize"]
