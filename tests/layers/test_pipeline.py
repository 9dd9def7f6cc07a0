"""Pipeline: conformance, layers applied in order, nested config round trip, model and tf.data, bad input."""

import json

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops
from kiln.saving import serialization_lib


def _pipeline_kwargs():
    return {"layers": [layers.CenterCrop(2, 2), layers.Rescaling(2.0, offset=1.0)]}


def test_conformance():
    # Pipeline takes no `dtype` (Keras' signature is (layers, name=None)): each of its layers
    # has its own policy, so the mixed-precision check (which passes dtype=) does not apply.
    run_layer_test(layers.Pipeline, _pipeline_kwargs(), input_shape=(2, 4, 4, 3),
                   expected_output_shape=(2, 2, 2, 3), expected_num_trainable_weights=0,
                   run_mixed_precision_check=False)


def test_mixed_precision_layers_inside():
    pipe = layers.Pipeline([layers.Rescaling(2.0, dtype="mixed_float16")])
    assert ops.dtype(pipe(ops.ones((1, 2)))) == "float16"


def test_applies_layers_in_order():
    x = make_input((2, 4, 4, 3))
    y = to_numpy(layers.Pipeline(**_pipeline_kwargs())(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(y, x[:, 1:3, 1:3] * 2 + 1, atol=1e-6)


def test_config_round_trip():
    pipe = layers.Pipeline(**_pipeline_kwargs(), name="prep")
    config = pipe.get_config()
    assert list(config) == ["layers", "name"]
    rebuilt = serialization_lib.deserialize_kiln_object(
        json.loads(json.dumps(serialization_lib.serialize_kiln_object(pipe))))
    assert [type(layer).__name__ for layer in rebuilt.layers] == ["CenterCrop", "Rescaling"]
    assert rebuilt.name == "prep"


def test_model_and_tf_data():
    x = make_input((4, 4, 4, 3))
    pipe = layers.Pipeline(**_pipeline_kwargs())
    want = x[:, 1:3, 1:3] * 2 + 1
    inputs = layers.Input((4, 4, 3))
    model = kiln.Model(inputs, pipe(inputs))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, atol=1e-6)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2).map(pipe)
    np.testing.assert_allclose(np.concatenate([b.numpy() for b in ds]), want, atol=1e-6)


def test_bad_layers():
    with pytest.raises(ValueError, match="Pipeline.*layers"):
        layers.Pipeline([layers.Rescaling(1.0), "not a layer"])
