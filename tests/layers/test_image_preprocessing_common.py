"""Checks every image augmentation layer shares: training=False is the identity, unbatched
images, reproducible seeds, channels_first, use inside a model and inside tf.data."""

import numpy as np
import pytest

from conformance import to_numpy
from kiln import Input, Model, backend, layers, ops

# (class name, constructor arguments) of an augmenting configuration of every layer.
AUGMENTING = [
    ("RandomBrightness", {"factor": 0.3}),
    ("RandomContrast", {"factor": 0.5}),
    ("RandomCrop", {"height": 4, "width": 5}),
    ("RandomFlip", {}),
    ("RandomRotation", {"factor": 0.2}),
    ("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.3}),
    ("RandomZoom", {"height_factor": 0.3}),
]
# Layers whose inference output is not the input.
NOT_IDENTITY_AT_INFERENCE = {"RandomCrop"}


def images(shape=(3, 6, 7, 3), seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype("float32")


def present(entries):
    return [e for e in entries if hasattr(layers, e[0])]


@pytest.mark.parametrize("name,kwargs", present(AUGMENTING), ids=lambda v: v if isinstance(v, str) else "")
def test_inference_is_identity_and_training_is_seeded(name, kwargs):
    cls = getattr(layers, name)
    x = images()
    if name not in NOT_IDENTITY_AT_INFERENCE:
        np.testing.assert_allclose(to_numpy(cls(**kwargs)(x, training=False)), x)
    a = to_numpy(cls(**kwargs, seed=7)(x))
    b = to_numpy(cls(**kwargs, seed=7)(x, training=True))
    np.testing.assert_allclose(a, b, atol=1e-4)
    assert a.dtype == np.float32


@pytest.mark.parametrize("name,kwargs", present(AUGMENTING), ids=lambda v: v if isinstance(v, str) else "")
def test_unbatched_uint8_and_channels_first(name, kwargs):
    cls = getattr(layers, name)
    x = images((6, 7, 3)).astype("uint8")
    out = cls(**kwargs, seed=1)(x)
    assert out.ndim == 3 and ops.dtype(out) == "float32"
    batch = images((2, 6, 7, 3))
    last = to_numpy(cls(**kwargs, seed=3)(batch))
    first = to_numpy(cls(**kwargs, seed=3, data_format="channels_first")(np.transpose(batch, (0, 3, 1, 2))))
    np.testing.assert_allclose(np.transpose(first, (0, 2, 3, 1)), last, atol=1e-3)


@pytest.mark.parametrize("name,kwargs", present(AUGMENTING), ids=lambda v: v if isinstance(v, str) else "")
def test_inside_a_model(name, kwargs):
    cls = getattr(layers, name)
    inputs = Input((6, 7, 3))
    model = Model(inputs, cls(**kwargs, seed=2)(inputs))
    x = images((2, 6, 7, 3))
    out = model.predict(x, verbose=0)
    if name not in NOT_IDENTITY_AT_INFERENCE:
        np.testing.assert_allclose(out, x, atol=1e-5)  # predict runs with training=False
    else:
        assert out.shape[1:] == tuple(model.outputs[0].shape[1:])


@pytest.mark.parametrize("name,kwargs", present(AUGMENTING), ids=lambda v: v if isinstance(v, str) else "")
def test_inside_tf_data(name, kwargs):
    tf = pytest.importorskip("tensorflow")
    cls = getattr(layers, name)
    layer = cls(**kwargs, seed=5)
    x = images((4, 6, 7, 3))
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)
    outs = [o for o in ds]
    assert all(isinstance(o, tf.Tensor) for o in outs)
    expected = tuple(to_numpy(layer(x[:2])).shape)
    assert tuple(outs[0].shape) == expected
    out = np.concatenate([o.numpy() for o in outs])
    assert np.all(np.isfinite(out))
    # Unbatched elements, inference mode: the identity (crop: the resize).
    ds = tf.data.Dataset.from_tensor_slices(x).map(lambda im: layer(im, training=False))
    first = next(iter(ds)).numpy()
    np.testing.assert_allclose(first, to_numpy(layer(x[0], training=False)), atol=1e-3)
