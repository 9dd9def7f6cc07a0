"""JaxLayer: JAX functions as layers (jax backend); a clear error on the other backends.

On torch/tensorflow/numpy each test checks that construction is refused with an
error naming the jax backend (JaxLayer runs JAX code, as in Keras 3).
"""

import numpy as np
import pytest

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, backend, layers
from kiln.saving import register_keras_serializable

ON_JAX = backend.backend() == "jax"


def _jax_or_refused():
    if ON_JAX:
        return True
    with pytest.raises(ValueError, match="JaxLayer.*'jax' backend"):
        layers.JaxLayer(linear_call, linear_init)
    return False


@register_keras_serializable(package="test_jax_layer")
def linear_init(rng, inputs):
    import jax
    import jax.numpy as jnp

    return {"w": jax.random.normal(rng, (inputs.shape[-1], 3)) * 0.5, "b": jnp.zeros((3,))}


@register_keras_serializable(package="test_jax_layer")
def linear_call(params, inputs):
    return inputs @ params["w"] + params["b"]


@register_keras_serializable(package="test_jax_layer")
def counting_init(rng, inputs, training):
    import jax.numpy as jnp

    return {"w": jnp.ones((inputs.shape[-1], 2))}, {"calls": jnp.zeros(())}


@register_keras_serializable(package="test_jax_layer")
def counting_call(params, state, rng, inputs, training):
    import jax

    noise = jax.random.normal(rng, inputs.shape) * 0.1 if training else 0.0
    return (inputs + noise) @ params["w"], {"calls": state["calls"] + 1}


def test_conformance_with_init_fn():
    if not _jax_or_refused():
        return
    run_layer_test(layers.JaxLayer, {"call_fn": linear_call, "init_fn": linear_init, "seed": 3},
                   input_shape=(2, 4), expected_output_shape=(2, 3), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0, expected_num_seed_generators=1)


def test_conformance_with_state_and_rng():
    if not _jax_or_refused():
        return
    run_layer_test(layers.JaxLayer, {"call_fn": counting_call, "init_fn": counting_init, "seed": 1},
                   input_shape=(2, 4), expected_output_shape=(2, 2), expected_num_trainable_weights=1,
                   expected_num_non_trainable_weights=1, training_changes_output=True)


def test_given_params_match_numpy_and_state_updates():
    if not _jax_or_refused():
        return
    w = np.arange(8, dtype="float32").reshape(4, 2)
    layer = layers.JaxLayer(counting_call, params={"w": w}, state={"calls": np.float32(0)}, seed=0)
    x = make_input((3, 4))
    np.testing.assert_allclose(to_numpy(layer(x, training=False)), x @ w, rtol=1e-5)
    layer(x, training=False)
    assert float(layer.non_trainable_weights[0].numpy()) == 2.0
    assert [v.path.split("/")[-1] for v in layer.weights] == ["w", "calls"]
    assert layer.params["w"] is layer.trainable_weights[0]


def test_fit_lowers_the_loss():
    if not _jax_or_refused():
        return
    model = kiln.Sequential([kiln.Input((4,)), layers.JaxLayer(linear_call, linear_init, seed=2),
                             layers.Dense(1)])
    model.compile(optimizer=kiln.optimizers.Adam(0.02), loss="mse")
    x = make_input((32, 4))
    before = model.layers[0].get_weights()[1].copy()
    history = model.fit(x, x.sum(axis=1, keepdims=True), epochs=8, batch_size=16, verbose=0).history
    assert history["loss"][-1] < history["loss"][0]
    assert not np.allclose(before, model.layers[0].get_weights()[1])


def test_symbolic_call_and_config_keys():
    if not _jax_or_refused():
        return
    layer = layers.JaxLayer(linear_call, linear_init)
    assert layer(KerasTensor((None, 5))).shape == (None, 3)
    config = layer.get_config()
    assert list(config) == ["name", "trainable", "dtype", "call_fn", "init_fn", "seed"]
    assert config["call_fn"]["registered_name"] == "test_jax_layer>linear_call"


def test_bad_arguments():
    if not _jax_or_refused():
        return
    with pytest.raises(ValueError, match="JaxLayer.*init_fn.*params"):
        layers.JaxLayer(linear_call)
    with pytest.raises(ValueError, match="JaxLayer.*call_fn.*params"):
        layers.JaxLayer(lambda weights, inputs: inputs, linear_init)
    with pytest.raises(ValueError, match="JaxLayer.*call_fn.*callable"):
        layers.JaxLayer("not a function", linear_init)
    with pytest.raises(ValueError, match="JaxLayer.*init_fn"):
        layers.JaxLayer(linear_call, lambda key, inputs: None)
