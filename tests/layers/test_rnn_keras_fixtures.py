"""Keras 3 files with LSTM / GRU layers: configs rebuild identically, and with the Keras
weights file the models predict what Keras predicted (gate order, weight layout, masking)."""

import json
import zipfile

import numpy as np
import pytest

from kiln.saving import serialization_lib
from keras3_fixtures import FIXTURES

# embedding_lstm: Embedding(mask_zero=True) -> LSTM; tf_recurrent_sequential: GRU -> LSTM -> Dense.
NAMES = ["embedding_lstm", "tf_recurrent_sequential"]
pytestmark = pytest.mark.skipif(not all((FIXTURES / f"{n}.keras").is_file() for n in NAMES),
                                reason="Keras 3 fixtures not available")


def _config(name):
    return json.loads(zipfile.ZipFile(FIXTURES / f"{name}.keras").read("config.json"))


def _strip_ids(value):
    if isinstance(value, dict):
        return {k: _strip_ids(v) for k, v in value.items() if k != "shared_object_id"}
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    return value


@pytest.mark.parametrize("name", NAMES)
def test_recurrent_layer_configs_round_trip(name):
    for entry in _config(name)["config"]["layers"]:
        if entry["class_name"] not in ("LSTM", "GRU"):
            continue
        layer = serialization_lib.deserialize_kiln_object(
            {"module": "keras.layers", "class_name": entry["class_name"], "config": entry["config"]})
        assert _strip_ids(layer.get_config()) == _strip_ids(entry["config"])


@pytest.mark.parametrize("name", NAMES)
def test_fixture_predictions(name):
    from kiln.saving import weights_h5

    config = _config(name)
    config.pop("compile_config", None)
    model = serialization_lib.deserialize_kiln_object(config)
    weights_h5.load_weights_h5(model, str(FIXTURES / f"{name}.weights.h5"))
    data = np.load(FIXTURES / f"{name}.npz", allow_pickle=False)
    xs = [data[k] for k in sorted(data.files) if k.startswith("x")]
    ys = [data[k] for k in sorted(data.files) if k.startswith("y")]
    preds = model.predict(xs[0], verbose=0)
    np.testing.assert_allclose(np.asarray(preds), ys[0], rtol=1e-5, atol=1e-5)
