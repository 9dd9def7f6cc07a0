"""kiln.layers.serialize / deserialize: envelopes, legacy envelopes, custom objects, errors."""

import json

import numpy as np
import pytest

import kiln
from kiln import layers


def test_round_trip_keeps_config_and_build():
    layer = layers.Dense(3, activation="relu", name="fc")
    layer(np.ones((2, 4), dtype="float32"))
    envelope = layers.serialize(layer)
    assert envelope["module"] == "keras.layers" and envelope["class_name"] == "Dense"
    assert envelope["build_config"] == {"input_shape": [2, 4]}
    rebuilt = layers.deserialize(json.loads(json.dumps(envelope)))
    assert type(rebuilt) is layers.Dense and rebuilt.get_config() == layer.get_config()
    assert rebuilt.built and [v.shape for v in rebuilt.weights] == [(4, 3), (3,)]


def test_every_family_of_this_part_round_trips():
    for layer in (layers.Permute((2, 1)), layers.Cropping2D(1), layers.ZeroPadding3D(2),
                  layers.UpSampling2D(3, interpolation="bilinear"), layers.Masking(-1.0),
                  layers.Dot(axes=(1, 2), normalize=True), layers.Identity()):
        rebuilt = layers.deserialize(json.loads(json.dumps(layers.serialize(layer))))
        assert type(rebuilt) is type(layer) and rebuilt.get_config() == layer.get_config()


def test_legacy_envelope_without_module():
    layer = layers.deserialize({"class_name": "RepeatVector", "config": {"n": 4, "name": "rep"}})
    assert isinstance(layer, layers.RepeatVector) and layer.n == 4 and layer.name == "rep"


def test_models_deserialize_too():
    model = kiln.Sequential([kiln.Input((3,)), layers.Dense(2)])
    clone = layers.deserialize(layers.serialize(model))
    assert isinstance(clone, kiln.Sequential)
    clone.set_weights(model.get_weights())
    x = np.ones((1, 3), dtype="float32")
    np.testing.assert_allclose(kiln.ops.convert_to_numpy(clone(x)), kiln.ops.convert_to_numpy(model(x)))


def test_custom_objects():
    class Twice(layers.Layer):
        def call(self, x):
            return x * 2

    envelope = layers.serialize(Twice(name="twice"))
    with pytest.raises(ValueError, match="Twice"):
        layers.deserialize(envelope)
    assert isinstance(layers.deserialize(envelope, custom_objects={"Twice": Twice}), Twice)


def test_not_a_layer_or_not_an_envelope():
    with pytest.raises(ValueError, match="deserialize.*not describe a layer"):
        layers.deserialize({"module": "keras.initializers", "class_name": "Ones", "config": {}})
    with pytest.raises(ValueError, match="deserialize.*class_name"):
        layers.deserialize("Dense")
