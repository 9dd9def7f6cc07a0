"""Models made only of these layers, rebuilt from a Keras 3 config.json with the Keras
weights file, predict what Keras predicted (weight order, names and maths all agree)."""

import json
import zipfile

import numpy as np
import pytest
from keras3_fixtures import FIXTURES

NAMES = ["cnn_functional", "conv1d_gap", "mlp_sequential", "torch_cnn_batchnorm", "two_in_two_out"]


@pytest.mark.parametrize("name", NAMES)
def test_fixture_predictions(name):
    if not (FIXTURES / f"{name}.keras").exists():
        pytest.skip("Keras 3 fixtures not available")
    weights_h5 = pytest.importorskip("kiln.saving.weights_h5")
    from kiln.saving import serialization_lib

    config = json.loads(zipfile.ZipFile(FIXTURES / f"{name}.keras").read("config.json"))
    config.pop("compile_config", None)
    model = serialization_lib.deserialize_kiln_object(config)
    weights_h5.load_weights_h5(model, str(FIXTURES / f"{name}.weights.h5"))
    data = np.load(FIXTURES / f"{name}.npz", allow_pickle=False)
    xs = [data[k] for k in sorted(data.files) if k.startswith("x")]
    ys = [data[k] for k in sorted(data.files) if k.startswith("y")]
    preds = model.predict(xs[0] if len(xs) == 1 else xs, verbose=0)
    preds = preds if isinstance(preds, (list, tuple)) else [preds]
    for pred, expected in zip(preds, ys):
        np.testing.assert_allclose(np.asarray(pred), expected, rtol=1e-5, atol=1e-5)
