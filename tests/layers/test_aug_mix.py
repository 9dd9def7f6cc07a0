"""AugMix: conformance, mixing weights (Dirichlet / Beta draws), identity settings, bad arguments."""

import numpy as np
import pytest

from conformance import run_layer_test, to_numpy
from kiln import layers
from test_image_preprocessing_common import images


def test_conformance():
    run_layer_test(layers.AugMix, {"num_chains": 1, "chain_depth": 1, "all_ops": False, "seed": 1}, input_shape=(2, 6, 7, 3),
                   input_data=images(), expected_output_shape=(2, 6, 7, 3),
                   expected_num_trainable_weights=0)


def test_mixing_weights_and_gamma_draws():
    x = images()
    layer = layers.AugMix(num_chains=3, alpha=2.0, seed=3)
    t = layer.get_random_transformation(x)
    weights, mix = to_numpy(t["chain_weights"]), to_numpy(t["mix_weight"])
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)
    assert np.all(weights > 0) and np.all((mix > 0) & (mix < 1))
    assert set(np.unique(to_numpy(t["depth"]))) <= {3.0}
    for alpha in (0.5, 2.0):  # Gamma(alpha): mean and variance alpha
        g = to_numpy(layer._gamma((4000,), alpha, None))
        assert abs(g.mean() - alpha) < 0.1 * alpha + 0.05 and abs(g.var() - alpha) < 0.25 * alpha + 0.05


def test_chains_change_images_within_range():
    x = images()
    out = to_numpy(layers.AugMix(num_chains=2, chain_depth=(1, 2), factor=0.8, seed=2)(x))
    assert not np.allclose(out, x) and out.min() >= 0 and out.max() <= 255


def test_bad_arguments():
    with pytest.raises(ValueError, match="AugMix.*num_chains"):
        layers.AugMix(num_chains=0)
    with pytest.raises(ValueError, match="AugMix.*chain_depth"):
        layers.AugMix(chain_depth=(3, 1))
    with pytest.raises(ValueError, match="AugMix.*alpha"):
        layers.AugMix(alpha=0.0)
