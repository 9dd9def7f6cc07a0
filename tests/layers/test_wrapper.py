"""Wrapper base class: building the wrapped layer, tracking, config nesting, bad input.

Wrapper is abstract (it has no ``call``), so the checks run on a small subclass;
TimeDistributed and Bidirectional run the full conformance helper on top of it.
"""

import json

import numpy as np
import pytest

from conformance import to_numpy
from kiln import layers, ops
from kiln.saving import serialization_lib


class _Twice(layers.Wrapper):
    def call(self, inputs):
        return self.layer(inputs) * 2

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)


def test_build_builds_the_wrapped_layer_under_the_wrapper_name():
    wrapper = _Twice(layers.Dense(2, name="inner"), name="outer")
    y = wrapper(ops.ones((3, 4)))
    assert wrapper.built and wrapper.layer.built
    assert [v.path for v in wrapper.weights] == ["outer/inner/kernel", "outer/inner/bias"]
    kernel, bias = wrapper.get_weights()
    np.testing.assert_allclose(to_numpy(y), 2 * (np.ones((3, 4)) @ kernel + bias), rtol=1e-6)
    assert wrapper.layer.get_build_config() == {"input_shape": (3, 4)}


def test_an_already_built_layer_is_kept():
    inner = layers.Dense(2)
    inner.build((None, 5))
    kernel = inner.kernel
    wrapper = _Twice(inner)
    wrapper(ops.ones((1, 5)))
    assert wrapper.layer.kernel is kernel and len(wrapper.weights) == 2


def test_trainable_flag_reaches_the_wrapped_layer():
    wrapper = _Twice(layers.Dense(2))
    wrapper(ops.ones((1, 3)))
    wrapper.trainable = False
    assert not wrapper.layer.trainable and wrapper.trainable_weights == []
    assert len(wrapper.non_trainable_weights) == 2


def test_supports_masking_follows_the_wrapped_layer():
    assert _Twice(layers.Dense(2)).supports_masking
    assert not _Twice(layers.Flatten()).supports_masking


def test_config_nests_the_wrapped_envelope_and_round_trips():
    wrapper = _Twice(layers.Dense(3, activation="relu", name="inner"), name="outer")
    wrapper(ops.ones((2, 4)))
    config = wrapper.get_config()
    assert list(config) == ["name", "trainable", "dtype", "layer"]
    assert config["layer"]["class_name"] == "Dense"
    assert config["layer"]["config"]["activation"] == "relu"
    json.dumps(serialization_lib.serialize_kiln_object(config))
    clone = _Twice.from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    assert [v.path for v in clone.weights] == ["outer/inner/kernel", "outer/inner/bias"]
    clone.set_weights(wrapper.get_weights())
    x = ops.convert_to_tensor(np.arange(8, dtype="float32").reshape(2, 4))
    np.testing.assert_allclose(to_numpy(clone(x)), to_numpy(wrapper(x)), rtol=1e-6)


def test_not_a_layer_rejected():
    with pytest.raises(ValueError, match="_Twice: `layer` must be a kiln.layers.Layer instance"):
        _Twice("dense")
    with pytest.raises(ValueError, match="Wrapper: `layer`"):
        layers.Wrapper(object())
