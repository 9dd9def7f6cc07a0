"""TFSMLayer: a SavedModel endpoint as a layer (tensorflow backend); a clear error on the others.

Each test writes a tiny SavedModel with tf.Module + tf.saved_model.save. On
jax/torch/numpy each test checks that the layer is refused with an error naming
the tensorflow backend (SavedModels run TensorFlow code, as in Keras 3).
"""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import KerasTensor, backend, layers

ON_TF = backend.backend() == "tensorflow"


class _Affine(tf.Module):
    def __init__(self):
        super().__init__()
        self.kernel = tf.Variable(tf.reshape(tf.range(8, dtype=tf.float32), (4, 2)) / 10.0, name="kernel")
        self.bias = tf.Variable(tf.constant([0.5, -0.5]), name="bias")
        self.scale = tf.Variable(2.0, trainable=False, name="scale")
        self.unused = tf.Variable(0, trainable=False, name="unused")

    @tf.function(input_signature=[tf.TensorSpec((None, 4), tf.float32)])
    def serve(self, x):
        return tf.matmul(x, self.kernel) + self.bias

    @tf.function(input_signature=[tf.TensorSpec((None, 4), tf.float32)])
    def train_step_fn(self, x):
        return (tf.matmul(x, self.kernel) + self.bias) * self.scale


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("tfsm") / "affine"
    module = _Affine()
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.serve})
    return str(path)


def _tf_or_refused(path):
    if ON_TF:
        return True
    with pytest.raises(ValueError, match="TFSMLayer.*'tensorflow' backend"):
        layers.TFSMLayer(path)
    return False


def _reference(x, training=False):
    kernel = np.arange(8, dtype="float32").reshape(4, 2) / 10.0
    out = x @ kernel + np.array([0.5, -0.5], dtype="float32")
    return out * 2.0 if training else out


def test_conformance(saved_model):
    if not _tf_or_refused(saved_model):
        return
    x = make_input((3, 4))
    config = {"filepath": saved_model, "call_training_endpoint": "train_step_fn"}
    # A TFSMLayer config names a SavedModel to read, which safe-mode deserialization refuses
    # (the config round trip below therefore runs with safe mode off, as for a trusted file).
    with pytest.raises(ValueError, match="filepath"):
        kiln.saving.deserialize_keras_object(kiln.saving.serialize_keras_object(layers.TFSMLayer(**config)))
    with kiln.saving.serialization_lib.SafeModeScope(False):
        # Mixed precision opt-out: the SavedModel's endpoints have fixed float32 input signatures.
        run_layer_test(layers.TFSMLayer, config,
                       input_shape=(3, 4), input_data=x, expected_output=_reference(x),
                       expected_output_shape=(3, 2), expected_num_trainable_weights=2,
                       expected_num_non_trainable_weights=1, training_changes_output=True,
                       run_mixed_precision_check=False)


def test_endpoints_and_signatures(saved_model):
    if not _tf_or_refused(saved_model):
        return
    x = make_input((2, 4))
    layer = layers.TFSMLayer(saved_model, call_training_endpoint="train_step_fn", name="sm")
    np.testing.assert_allclose(to_numpy(layer(x)), _reference(x), rtol=1e-6)
    np.testing.assert_allclose(to_numpy(layer(x, training=True)), _reference(x, True), rtol=1e-6)
    assert [v.path for v in layer.weights] == ["sm/bias", "sm/kernel", "sm/scale"]
    by_signature = layers.TFSMLayer(saved_model, call_endpoint="serving_default")
    out = by_signature(x)
    out = next(iter(out.values())) if isinstance(out, dict) else out
    np.testing.assert_allclose(to_numpy(out), _reference(x), rtol=1e-6)
    assert layer(KerasTensor((None, 4))).shape == (None, 2)


def test_fit_fine_tunes_the_saved_variables(saved_model):
    if not _tf_or_refused(saved_model):
        return
    layer = layers.TFSMLayer(saved_model)
    model = kiln.Sequential([kiln.Input((4,)), layer, layers.Dense(1)])
    model.compile(optimizer=kiln.optimizers.Adam(0.02), loss="mse")
    x = make_input((32, 4))
    before = [w.copy() for w in layer.get_weights()]
    history = model.fit(x, x.sum(axis=1, keepdims=True), epochs=6, batch_size=16, verbose=0).history
    assert history["loss"][-1] < history["loss"][0]
    assert not np.allclose(before[1], layer.get_weights()[1])
    frozen = layers.TFSMLayer(saved_model, trainable=False)
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 2


def test_config_and_bad_arguments(saved_model, tmp_path):
    if not _tf_or_refused(saved_model):
        return
    config = layers.TFSMLayer(saved_model).get_config()
    assert list(config) == ["name", "trainable", "dtype", "filepath", "call_endpoint",
                            "call_training_endpoint"]
    with pytest.raises(ValueError, match="TFSMLayer.*call_endpoint.*predict.*serve"):
        layers.TFSMLayer(saved_model, call_endpoint="predict")
    with pytest.raises(ValueError, match="TFSMLayer.*filepath"):
        layers.TFSMLayer(str(tmp_path / "missing"))
