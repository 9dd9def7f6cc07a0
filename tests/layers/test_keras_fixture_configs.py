"""Every layer config in the Keras 3 fixtures rebuilds here and serializes back identically."""

import json
import zipfile

import pytest

from kiln.saving import serialization_lib
from keras3_fixtures import FIXTURES

OWNED = {"Dense", "Conv1D", "Conv2D", "MaxPooling2D", "AveragePooling2D", "Flatten", "Dropout",
         "BatchNormalization", "LayerNormalization", "Embedding", "Activation", "Add",
         "Concatenate", "GlobalAveragePooling1D", "GlobalMaxPooling1D"}


def _strip_ids(value):
    if isinstance(value, dict):
        return {k: _strip_ids(v) for k, v in value.items() if k != "shared_object_id"}
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    return value


def _layer_entries():
    if not FIXTURES.is_dir():
        return []
    entries = []
    for path in sorted(FIXTURES.glob("*.keras")):
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
        for layer in config["config"]["layers"]:
            if layer["class_name"] in OWNED:
                entries.append(pytest.param(layer, id=f"{path.stem}-{layer['config']['name']}"))
    return entries


ENTRIES = _layer_entries()


@pytest.mark.skipif(not ENTRIES, reason="Keras 3 fixtures not available")
@pytest.mark.parametrize("entry", ENTRIES)
def test_fixture_layer_config_round_trip(entry):
    envelope = _strip_ids({k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")})
    layer = serialization_lib.deserialize_kiln_object(envelope)
    assert type(layer).__name__ == envelope["class_name"]
    again = serialization_lib.serialize_kiln_object(layer)
    assert again["config"] == envelope["config"]
    assert again.get("build_config") == envelope.get("build_config")
    if "build_config" in envelope:
        assert layer.built
