"""FlaxLayer: flax.linen modules as layers (jax backend); a clear error on the other backends.

flax is in the `test` extra. On torch/tensorflow/numpy each test checks that
construction is refused with an error naming the jax backend.
"""

import flax.linen as flax_linen
import numpy as np
import pytest

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, backend, layers
from kiln.saving import register_keras_serializable

ON_JAX = backend.backend() == "jax"


@register_keras_serializable(package="test_flax_layer")
class TinyMLP(flax_linen.Module):
    """Dense -> [BatchNorm -> Dropout ->] Dense: params, batch_stats state, a dropout stream."""

    features: int = 3
    norm: bool = True

    @flax_linen.compact
    def __call__(self, inputs, training=False):
        x = flax_linen.Dense(4)(inputs)
        if self.norm:
            x = flax_linen.BatchNorm(use_running_average=not training, momentum=0.5)(x)
            x = flax_linen.Dropout(0.5, deterministic=not training)(x)
        return flax_linen.Dense(self.features)(x)

    @flax_linen.compact
    def encode(self, inputs):
        return flax_linen.Dense(2, name="encoder")(inputs)

    def get_config(self):
        return {"features": self.features, "norm": self.norm}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _jax_or_refused():
    if ON_JAX:
        return True
    with pytest.raises(ValueError, match="FlaxLayer.*'jax' backend"):
        layers.FlaxLayer(TinyMLP())
    return False


def test_conformance():
    if not _jax_or_refused():
        return
    # Without BatchNorm/Dropout to keep XLA compiles few; the state and dropout paths are
    # checked by the tests below.
    run_layer_test(layers.FlaxLayer, {"module": TinyMLP(norm=False), "seed": 0}, input_shape=(4, 5),
                   expected_output_shape=(4, 3), expected_num_trainable_weights=4,
                   expected_num_non_trainable_weights=0)


def test_state_and_dropout_stream():
    if not _jax_or_refused():
        return
    layer = layers.FlaxLayer(TinyMLP(), seed=0)
    x = make_input((4, 5))
    assert len(layer(x).shape) == 2
    assert len(layer.trainable_weights) == 6 and len(layer.non_trainable_weights) == 2
    assert not np.allclose(to_numpy(layer(x, training=True)), to_numpy(layer(x, training=False)))


def test_matches_module_apply_and_updates_batch_stats():
    if not _jax_or_refused():
        return
    import jax

    module = TinyMLP()
    x = make_input((4, 5))
    variables = module.init(jax.random.PRNGKey(0), x)
    layer = layers.FlaxLayer(module, variables=variables)
    np.testing.assert_allclose(to_numpy(layer(x, training=False)), np.asarray(module.apply(variables, x)),
                               atol=1e-5)
    stats = [v for v in layer.non_trainable_weights if v.path.endswith("mean")][0]
    before = stats.numpy().copy()
    layer(x, training=True)
    assert not np.allclose(before, stats.numpy())


def test_method_by_name_and_symbolic_call():
    if not _jax_or_refused():
        return
    layer = layers.FlaxLayer(TinyMLP(), method="encode")
    assert layer(KerasTensor((None, 6))).shape == (None, 2)
    assert [v.path.split("/")[-1] for v in layer.weights] == ["encoder_bias", "encoder_kernel"]
    assert layer.get_config()["method"] == "encode"


def test_fit_lowers_the_loss():
    if not _jax_or_refused():
        return
    model = kiln.Sequential([kiln.Input((5,)), layers.FlaxLayer(TinyMLP(features=1), seed=1)])
    model.compile(optimizer=kiln.optimizers.Adam(0.02), loss="mse")
    x = make_input((32, 5))
    history = model.fit(x, x.sum(axis=1, keepdims=True), epochs=4, batch_size=32, verbose=0).history
    assert history["loss"][-1] < history["loss"][0]


def test_bad_arguments():
    if not _jax_or_refused():
        return
    with pytest.raises(ValueError, match="FlaxLayer.*flax.linen.Module"):
        layers.FlaxLayer(object())
    with pytest.raises(ValueError, match="FlaxLayer.*no method"):
        layers.FlaxLayer(TinyMLP(), method="decode")
