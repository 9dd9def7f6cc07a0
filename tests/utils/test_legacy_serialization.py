"""``kiln.utils.legacy``: the Keras 2 ``{"class_name", "config"}`` format, both ways."""

import numpy as np
import pytest

import kiln
from kiln.utils import legacy


def test_serialize_an_object_with_config():
    config = legacy.serialize_keras_object(kiln.regularizers.L1L2(l1=0.5, l2=0.25))
    assert config == {"class_name": "L1L2", "config": {"l1": 0.5, "l2": 0.25}}


def test_serialize_functions_none_and_errors():
    assert legacy.serialize_keras_object(kiln.activations.relu) == "relu"
    assert legacy.serialize_keras_object(None) is None
    with pytest.raises(ValueError, match="cannot serialize"):
        legacy.serialize_keras_object(object())


def test_registered_class_uses_its_registered_name_and_round_trips():
    @kiln.saving.register_keras_serializable(package="legacy_test")
    class Scale(kiln.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    config = legacy.serialize_keras_object(Scale(3.0, name="s"))
    assert config["class_name"] == "legacy_test>Scale"
    rebuilt = legacy.deserialize_keras_object(config)
    assert isinstance(rebuilt, Scale) and rebuilt.factor == 3.0 and rebuilt.name == "s"
    np.testing.assert_allclose(kiln.ops.convert_to_numpy(rebuilt(np.ones((1, 2), "float32"))), [[3.0, 3.0]])


def test_layer_round_trip_through_module_objects():
    layer = kiln.layers.Dense(3, activation="relu", name="d")
    config = legacy.serialize_keras_object(layer)
    assert config["class_name"] == "Dense" and config["config"]["units"] == 3
    rebuilt = legacy.deserialize_keras_object(config, module_objects={"Dense": kiln.layers.Dense})
    assert isinstance(rebuilt, kiln.layers.Dense)
    assert rebuilt.units == 3 and rebuilt.name == "d" and rebuilt.get_config()["activation"] == "relu"


def test_passive_nested_objects_are_rebuilt():
    outer = {"class_name": "Holder", "config": {
        "name": "h",
        "inner": {"class_name": "L2", "config": {"l2": 0.5}, "__passive_serialization__": True},
        "activation": "relu"}}

    class Holder:
        def __init__(self, name, inner, activation):
            self.name, self.inner, self.activation = name, inner, activation

    objects = {"Holder": Holder, "L2": kiln.regularizers.L2}
    holder = legacy.deserialize_keras_object(outer, module_objects=objects,
                                             custom_objects={"relu": kiln.activations.relu})
    assert isinstance(holder.inner, kiln.regularizers.L2) and holder.inner.l2 == 0.5
    assert holder.activation is kiln.activations.relu


def test_strings_name_functions_or_classes():
    assert legacy.deserialize_keras_object("relu", module_objects={"relu": kiln.activations.relu}) \
        is kiln.activations.relu
    zeros = legacy.deserialize_keras_object("Zeros", module_objects={"Zeros": kiln.initializers.Zeros})
    assert isinstance(zeros, kiln.initializers.Zeros)
    assert legacy.deserialize_keras_object(None) is None


def test_unknown_names_and_bad_configs_are_errors():
    with pytest.raises(ValueError, match="unknown layer: 'Nope'"):
        legacy.deserialize_keras_object({"class_name": "Nope", "config": {}}, printable_module_name="layer")
    with pytest.raises(ValueError, match="unknown object: 'nope'"):
        legacy.deserialize_keras_object("nope")
    with pytest.raises(ValueError, match="class_name"):
        legacy.deserialize_keras_object({"config": {}})
    with pytest.raises(ValueError, match="could not interpret"):
        legacy.deserialize_keras_object(3)


def test_nothing_is_imported_from_a_name_in_the_config():
    # A module path as class name resolves nowhere: no import is attempted.
    with pytest.raises(ValueError, match="unknown"):
        legacy.deserialize_keras_object({"class_name": "os.system", "config": {}})
