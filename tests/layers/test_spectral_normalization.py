"""SpectralNormalization: conformance, power iteration vs NumPy, vector_u weight, config, bad input."""

import numpy as np
import pytest

from conformance import make_input, run_layer_test, to_numpy
import kiln
from kiln import layers, ops


def _l2n(v):
    return v / max(np.sqrt((v ** 2).sum()), 1e-6)


def test_conformance_dense():
    # The generic training probe (Adam pushing the output mean of 2 samples to a target) fights
    # the kernel re-normalization each training call writes back (Keras semantics) and can rise;
    # test_fit_lowers_the_loss below trains a real regression instead.
    run_layer_test(layers.SpectralNormalization, {"layer": layers.Dense(3)}, input_shape=(2, 4),
                   expected_output_shape=(2, 3), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=1, run_training_check=False)


def test_fit_lowers_the_loss():
    if kiln.backend.backend() == "numpy":
        pytest.skip("numpy backend has no autodiff")
    x = np.random.default_rng(0).standard_normal((16, 4)).astype("float32")
    y = x @ np.array([[0.5], [-0.3], [0.2], [0.1]], "float32") + 1.0
    model = kiln.Sequential([kiln.Input((4,)), layers.SpectralNormalization(layers.Dense(1))])
    model.compile(optimizer=kiln.optimizers.SGD(0.1), loss="mse")
    losses = model.fit(x, y, epochs=8, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.7 * losses[0], losses


def test_conformance_conv():
    run_layer_test(layers.SpectralNormalization,
                   {"layer": layers.Conv2D(2, 3), "power_iterations": 2},
                   input_shape=(1, 5, 5, 2), expected_output_shape=(1, 3, 3, 2),
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=1,
                   run_training_check=False)  # see test_conformance_dense


def test_power_iteration_matches_numpy():
    x = make_input((2, 4))
    layer = layers.SpectralNormalization(layers.Dense(3), power_iterations=2)
    layer.build(x.shape)
    kernel = layer.layer.kernel.numpy().copy()
    u = layer.vector_u.numpy().copy()
    for _ in range(2):
        v = _l2n(u @ kernel.T)
        u = _l2n(v @ kernel)
    sigma = (v @ kernel @ u.T).item()
    y = to_numpy(layer(ops.convert_to_tensor(x), training=True))
    np.testing.assert_allclose(layer.layer.kernel.numpy(), kernel / sigma, atol=1e-5)
    np.testing.assert_allclose(layer.vector_u.numpy(), u, atol=1e-5)
    np.testing.assert_allclose(y, x @ (kernel / sigma) + layer.layer.bias.numpy(), atol=1e-5)
    # Inference does not touch the (already normalized) kernel.
    layer(ops.convert_to_tensor(x), training=False)
    np.testing.assert_allclose(layer.layer.kernel.numpy(), kernel / sigma, atol=1e-5)


def test_converges_to_unit_spectral_norm_on_embedding():
    layer = layers.SpectralNormalization(layers.Embedding(6, 4), power_iterations=30)
    layer(ops.convert_to_tensor(np.array([[0, 1, 2]])), training=True)
    s = np.linalg.svd(layer.layer.embeddings.numpy(), compute_uv=False)
    assert abs(s[0] - 1.0) < 1e-3


def test_weights_and_config():
    layer = layers.SpectralNormalization(layers.Dense(2, name="d"), name="sn")
    layer.build((None, 3))
    assert [v.path for v in layer.weights] == ["sn/vector_u", "sn/d/kernel", "sn/d/bias"]  # Keras order: own weights first
    assert tuple(layer.vector_u.shape) == (1, 2) and not layer.vector_u.trainable
    config = layer.get_config()
    assert config["layer"]["class_name"] == "Dense" and config["power_iterations"] == 1
    clone = layers.SpectralNormalization.from_config(config)
    assert isinstance(clone.layer, layers.Dense) and clone.layer.units == 2


def test_layer_without_kernel_rejected():
    with pytest.raises(ValueError, match="sn.*kernel"):
        layers.SpectralNormalization(layers.ReLU(), name="sn")(ops.ones((1, 3)))


@pytest.mark.parametrize("power_iterations", [0, -1, 1.5])
def test_bad_power_iterations(power_iterations):
    with pytest.raises(ValueError, match="SpectralNormalization.*power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=power_iterations)


def test_not_a_layer_rejected():
    with pytest.raises(ValueError, match="SpectralNormalization.*layer"):
        layers.SpectralNormalization("dense")


def test_all_zero_kernel_is_left_unchanged():
    layer = layers.SpectralNormalization(layers.Dense(2, kernel_initializer="zeros"))
    layer.build((None, 3))
    u = layer.vector_u.numpy().copy()
    y = to_numpy(layer(ops.ones((1, 3)), training=True))
    np.testing.assert_array_equal(layer.layer.kernel.numpy(), np.zeros((3, 2)))
    np.testing.assert_array_equal(layer.vector_u.numpy(), u)
    np.testing.assert_array_equal(y, np.zeros((1, 2)))
