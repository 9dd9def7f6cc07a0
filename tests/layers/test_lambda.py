"""Lambda: conformance, arguments/mask/training forwarding, shape inference, serialization and safe_mode."""

import json

import numpy as np
import pytest

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, layers, ops
from kiln.saving import register_keras_serializable
from kiln.saving.serialization_lib import SafeModeScope, deserialize_kiln_object, serialize_kiln_object


@register_keras_serializable(package="test_lambda")
def scaled_tanh(x, scale=1.0):
    return ops.multiply(ops.tanh(x), scale)


@register_keras_serializable(package="test_lambda")
def first_half(x):
    return x[:, : x.shape[1] // 2]


def test_conformance_named_function_with_arguments():
    x = make_input((2, 3, 4))
    run_layer_test(layers.Lambda, {"function": scaled_tanh, "arguments": {"scale": 2.0}},
                   input_shape=(2, 3, 4), input_data=x, expected_output=np.tanh(x) * 2.0,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0)


def test_conformance_explicit_output_shape():
    x = make_input((2, 6))
    run_layer_test(layers.Lambda, {"function": first_half, "output_shape": (3,)}, input_shape=(2, 6),
                   input_data=x, expected_output=x[:, :3], expected_output_shape=(2, 3))


def test_output_shape_inferred_by_tracing_or_computed_by_function():
    assert layers.Lambda(lambda x: ops.sum(x, axis=1))(KerasTensor((None, 3, 4))).shape == (None, 4)
    layer = layers.Lambda(lambda x: ops.concatenate([x, x], axis=-1),
                          output_shape=lambda s: s[:-1] + (2 * s[-1],))
    assert layer(KerasTensor((None, 5))).shape == (None, 10)
    pair = layers.Lambda(lambda x: [x, x], output_shape=[(2,), (2,)])(KerasTensor((None, 2)))
    assert [t.shape for t in pair] == [(None, 2), (None, 2)]


def test_mask_and_training_are_forwarded():
    seen = {}

    def fn(x, mask=None, training=None):
        seen.update(mask=mask, training=training)
        return x

    mask = ops.convert_to_tensor(np.array([[True, False]]))
    layers.Lambda(fn)(ops.ones((1, 2, 3)), mask=mask, training=True)
    assert seen["training"] is True
    np.testing.assert_array_equal(to_numpy(seen["mask"]), [[True, False]])


def test_mask_argument_sets_output_mask():
    layer = layers.Lambda(lambda x: x * 2, mask=lambda inputs, mask: ops.any(inputs > 0, axis=-1))
    assert layer.supports_masking
    x = np.array([[[1.0], [-1.0]]], dtype="float32")
    np.testing.assert_array_equal(to_numpy(layer.compute_mask(ops.convert_to_tensor(x))), [[True, False]])
    out = layer(KerasTensor((None, 2, 1)))
    assert out._keras_mask is not None
    assert layers.Lambda(lambda x: x).compute_mask(x, "m") is None


def test_python_lambda_config_is_the_bytecode_envelope():
    offset = 3.0
    layer = layers.Lambda(lambda x, k=2.0: x * k + offset)
    config = layer.get_config()
    assert list(config) == ["name", "trainable", "dtype", "function", "arguments"]
    fn = config["function"]
    assert fn["class_name"] == "__lambda__"
    assert set(fn["config"]) == {"code", "defaults", "closure"}
    assert fn["config"]["defaults"] == (2.0,) and fn["config"]["closure"] == (3.0,)
    json.dumps(serialize_kiln_object(layer))


def test_python_lambda_refused_in_safe_mode():
    envelope = json.loads(json.dumps(serialize_kiln_object(layers.Lambda(lambda x: x + 1))))
    with pytest.raises(ValueError, match="safe_mode"):
        deserialize_kiln_object(envelope)
    with pytest.raises(ValueError, match="safe_mode"):
        layers.Lambda.from_config(envelope["config"])


def test_python_lambda_loads_with_safe_mode_off():
    offset = 3.0
    layer = layers.Lambda(lambda x, k=2.0: ops.square(x) * k + offset, name="poly")
    envelope = json.loads(json.dumps(serialize_kiln_object(layer)))
    with SafeModeScope(False):
        rebuilt = deserialize_kiln_object(envelope)
    x = make_input((2, 3))
    np.testing.assert_allclose(to_numpy(rebuilt(x)), x ** 2 * 2.0 + 3.0, rtol=1e-6)
    rebuilt = layers.Lambda.from_config(envelope["config"], safe_mode=False)
    np.testing.assert_allclose(to_numpy(rebuilt(x)), x ** 2 * 2.0 + 3.0, rtol=1e-6)


def test_functional_model_with_lambda_round_trips():
    inputs = kiln.Input((4,))
    outputs = layers.Lambda(scaled_tanh, arguments={"scale": 3.0})(layers.Dense(2)(inputs))
    model = kiln.Model(inputs, outputs)
    clone = kiln.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    x = make_input((3, 4))
    np.testing.assert_allclose(to_numpy(clone(x)), to_numpy(model(x)), rtol=1e-6)


def test_unregistered_named_function_needs_custom_objects():
    def local_double(x):
        return x * 2

    envelope = json.loads(json.dumps(serialize_kiln_object(layers.Lambda(local_double))))
    with pytest.raises(ValueError, match="local_double"):
        deserialize_kiln_object(envelope)
    rebuilt = deserialize_kiln_object(envelope, custom_objects={"local_double": local_double})
    assert rebuilt.function is local_double


def test_bad_arguments():
    with pytest.raises(ValueError, match="Lambda.*function"):
        layers.Lambda("not callable")
    with pytest.raises(ValueError, match="Lambda.*arguments"):
        layers.Lambda(scaled_tanh, arguments=[1, 2])


def test_shape_inference_failure_asks_for_output_shape():
    def needs_static(x):
        raise RuntimeError("cannot trace")

    with pytest.raises(NotImplementedError, match="output_shape"):
        layers.Lambda(needs_static).compute_output_shape((None, 3))
