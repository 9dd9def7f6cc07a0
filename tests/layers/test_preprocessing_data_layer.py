"""DataLayer: one small layer runs in a Kiln model and in tf.data.Dataset.map on every backend."""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import to_numpy
from kiln import layers, ops
from kiln.layers.preprocessing.data_layer import DataLayer, in_tf_data_graph, tensorflow_backend


class _ScaleAndNoise(DataLayer):
    """x * scale (a weight), averaged over a stack, plus tiny uniform noise when training."""

    def __init__(self, noise=1e-3, seed=3, **kwargs):
        super().__init__(**kwargs)
        self.noise = noise
        self.seed = seed
        self.seed_generator = kiln.random.SeedGenerator(seed)

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                     trainable=False, name="scale")

    def call(self, x, training=True):
        b = self.backend
        y = b.numpy.multiply(x, self.scale)
        y = b.numpy.mean(b.numpy.stack([y, b.numpy.square(b.numpy.sqrt(b.numpy.abs(y)))]), axis=0)
        if training:
            y = b.numpy.add(y, b.random.uniform(b.core.shape(y), 0.0, self.noise,
                                                dtype=y.dtype, seed=self.seed_generator))
        return y

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "noise": self.noise, "seed": self.seed}


def _data():
    return np.arange(12, dtype="float32").reshape(4, 3) / 4.0


def test_model_predict_and_eager():
    x = _data()
    layer = _ScaleAndNoise()
    y = to_numpy(layer(ops.convert_to_tensor(x), training=False))
    np.testing.assert_allclose(y, x, atol=1e-6)
    noisy = to_numpy(layer(ops.convert_to_tensor(x)))  # call's default training=True applies
    assert np.all(noisy >= x - 1e-6) and np.all(noisy < x + 1e-3 + 1e-6) and np.any(noisy != x)
    inputs = layers.Input((3,))
    model = kiln.Model(inputs, _ScaleAndNoise()(inputs))
    np.testing.assert_allclose(model.predict(x, verbose=0), x, atol=1e-6)


def test_tf_data_map():
    x = _data()
    layer = _ScaleAndNoise(noise=1e-2)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2).map(lambda t: layer(t, training=False))
    out = np.concatenate([b.numpy() for b in ds])
    assert all(isinstance(b, tf.Tensor) for b in ds)
    np.testing.assert_allclose(out, x, atol=1e-6)
    noisy = np.concatenate([b.numpy() for b in tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)])
    assert noisy.shape == x.shape and np.all(np.abs(noisy - x) < 1e-2 + 1e-6) and np.any(noisy != x)
    # Fresh randomness on each pass over the data, and within a pass per batch.
    again = np.concatenate([b.numpy() for b in tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)])
    assert np.any(again != noisy)


def test_tf_data_uses_the_layer_weights():
    layer = _ScaleAndNoise()
    layer(ops.convert_to_tensor(_data()), training=False)
    layer.scale.assign(np.array([1.0, 2.0, 3.0], "float32"))
    ds = tf.data.Dataset.from_tensor_slices(_data()).batch(4).map(lambda t: layer(t, training=False))
    np.testing.assert_allclose(next(iter(ds)).numpy(), _data() * [1.0, 2.0, 3.0], atol=1e-5)


def test_backend_namespace_is_kiln_in_a_model():
    layer = _ScaleAndNoise()
    assert layer.backend.numpy is kiln.ops.numpy and layer.backend.image is kiln.ops.image
    assert layer.backend.random is kiln.random and not layer.in_tf_data()
    assert not in_tf_data_graph(_data())


def test_tensorflow_namespace_mirrors_kiln_ops():
    ns = tensorflow_backend()
    for module in ("numpy", "nn", "image", "math", "linalg", "core"):
        for name in getattr(kiln.ops, module).__all__:
            assert callable(getattr(getattr(ns, module), name)), (module, name)
    x = np.random.default_rng(0).random((1, 6, 6, 2)).astype("float32")
    tx = tf.constant(x)
    checks = [
        (ns.image.resize(tx, (3, 3)), ops.image.resize(x, (3, 3))),
        (ns.numpy.quantile(tx, 0.3, axis=1), ops.quantile(x, 0.3, axis=1)),
        (ns.nn.softmax(tx), ops.softmax(x)),
        (ns.numpy.clip(tx, 0.2, 0.5), ops.clip(x, 0.2, 0.5)),
        (ns.math.logsumexp(tx, axis=-1), ops.logsumexp(x, axis=-1)),
    ]
    for got, want in checks:
        assert isinstance(got, tf.Tensor)
        np.testing.assert_allclose(got.numpy(), to_numpy(want), rtol=1e-5, atol=1e-5)
    seed = kiln.random.SeedGenerator(1)
    a = ns.random.normal((3,), seed=seed)
    b = ns.random.normal((3,), seed=seed)
    assert a.shape == (3,) and not np.array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(ns.random.uniform((2,), seed=5).numpy(),
                                  ns.random.uniform((2,), seed=5).numpy())


def test_convert_output():
    layer = _ScaleAndNoise()
    out = layer.convert_output(np.ones((2, 2), "int64"), dtype="int32")
    assert ops.dtype(out) == "int32" and ops.is_tensor(out)


def test_nested_layers_inherit_tf_mode():
    class Twice(DataLayer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = _ScaleAndNoise()

        def call(self, x):
            return self.inner(self.inner(x, training=False), training=False)

    layer = Twice()
    ds = tf.data.Dataset.from_tensor_slices(_data()).batch(4).map(layer)
    np.testing.assert_allclose(next(iter(ds)).numpy(), _data(), atol=1e-6)


def test_symbolic_call():
    out = _ScaleAndNoise()(kiln.KerasTensor((None, 3)))
    assert out.shape == (None, 3)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_policy_in_tf_data(policy):
    layer = _ScaleAndNoise(dtype=policy)
    ds = tf.data.Dataset.from_tensor_slices(_data()).batch(4).map(lambda t: layer(t, training=False))
    out = next(iter(ds))
    assert out.dtype.name == policy.split("_")[1]
