"""Checks every image augmentation layer shares: training=False is the identity, unbatched and
integer images, reproducible seeds, channels_first, use inside a model and inside tf.data."""

import numpy as np
import pytest

from conformance import to_numpy
from kiln import Input, Model, layers, ops

# (class name, constructor arguments) of an augmenting configuration of every layer.
AUGMENTING = [
    ("RandomBrightness", {"factor": 0.3}),
    ("RandomColorDegeneration", {"factor": 0.7}),
    ("RandomColorJitter", {"brightness_factor": 0.2, "contrast_factor": 0.3,
                           "saturation_factor": 0.6, "hue_factor": 0.3}),
    ("RandomContrast", {"factor": 0.5}),
    ("RandomCrop", {"height": 4, "width": 5}),
    ("RandomElasticTransform", {"scale": 0.5}),
    ("RandomErasing", {}),
    ("RandomFlip", {}),
    ("RandomGaussianBlur", {"sigma": (0.5, 2.0)}),
    ("RandomGrayscale", {}),
    ("RandomHue", {"factor": 0.5}),
    ("RandomInvert", {}),
    ("RandomPerspective", {"scale": 0.5}),
    ("RandomPosterization", {"factor": (2, 6)}),
    ("RandomRotation", {"factor": 0.2}),
    ("RandomSaturation", {"factor": 0.8}),
    ("RandomSharpness", {"factor": 0.9}),
    ("RandomShear", {"x_factor": 0.3, "y_factor": 0.2}),
    ("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.3}),
    ("RandomZoom", {"height_factor": 0.3}),
    ("RandAugment", {"num_ops": 2}),
    ("AugMix", {"num_chains": 2, "chain_depth": 2}),
]
# Layers whose inference output is not the input (RandomCrop resizes to its target size).
NOT_IDENTITY_AT_INFERENCE = {"RandomCrop"}
# Deterministic draws: training outputs must match between an eager call and tf.data.
DETERMINISTIC = [
    ("RandomBrightness", {"factor": (0.1, 0.1)}),
    ("RandomContrast", {"factor": 0.0}),
    ("RandomColorDegeneration", {"factor": (0.5, 0.5)}),
    ("RandomSaturation", {"factor": (0.3, 0.3)}),
    ("RandomPosterization", {"factor": 3}),
    ("RandomSharpness", {"factor": (0.8, 0.8)}),
    ("RandomInvert", {"factor": (1.0, 1.0)}),
    ("RandomRotation", {"factor": (0.1, 0.1)}),
    ("RandomTranslation", {"height_factor": (0.2, 0.2), "width_factor": (-0.1, -0.1)}),
    ("RandomZoom", {"height_factor": (0.2, 0.2)}),
    ("RandomGaussianBlur", {"factor": (1.0, 1.0), "sigma": 0.8}),
    ("RandomGrayscale", {"factor": 1.0}),
]

IDS = [name for name, _ in AUGMENTING]


def images(shape=(2, 6, 7, 3), seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype("float32")


def make(name, kwargs, **extra):
    if not hasattr(layers, name):
        pytest.fail(f"kiln.layers has no {name}")
    return getattr(layers, name)(**kwargs, **extra)


@pytest.mark.parametrize("name,kwargs", AUGMENTING, ids=IDS)
def test_inference_is_identity_and_training_is_seeded(name, kwargs):
    x = images()
    if name not in NOT_IDENTITY_AT_INFERENCE:
        np.testing.assert_allclose(to_numpy(make(name, kwargs)(x, training=False)), x)
    first, second = make(name, kwargs, seed=7), make(name, kwargs, seed=7)
    draws = [to_numpy(first(x)) for _ in range(3)]
    for a in draws:
        np.testing.assert_allclose(a, to_numpy(second(x, training=True)), atol=1e-3)
        assert a.dtype == np.float32 and np.all(np.isfinite(a))
        assert a.min() >= -1e-3 and a.max() <= 255 + 1e-3, "outputs leave value_range"
    if name != "RandomCrop":
        assert any(not np.allclose(a, x) for a in draws), f"{name} never changed the images"
        assert not np.allclose(draws[0], draws[1]) or not np.allclose(draws[1], draws[2]), \
            f"{name} drew the same transformation three times"


@pytest.mark.parametrize("name,kwargs", AUGMENTING, ids=IDS)
def test_unbatched_uint8_and_channels_first(name, kwargs):
    out = make(name, kwargs, seed=1)(images((6, 7, 3)).astype("uint8"))
    assert len(out.shape) == 3 and ops.dtype(out) == "float32"
    batch = images()
    last = to_numpy(make(name, kwargs, seed=3)(batch))
    first = to_numpy(make(name, kwargs, seed=3, data_format="channels_first")(
        np.transpose(batch, (0, 3, 1, 2))))
    np.testing.assert_allclose(np.transpose(first, (0, 2, 3, 1)), last, atol=1e-2)


def test_inside_a_model():
    """All layers chained in one model: predict runs them with training=False."""
    inputs = Input((6, 7, 3))
    out = inputs
    for name, kwargs in AUGMENTING:
        out = make(name, kwargs, seed=2)(out) if name != "RandomCrop" else out
    crop = layers.RandomCrop(4, 5)
    model = Model(inputs, crop(out))
    x = images()
    np.testing.assert_allclose(model.predict(x, verbose=0), to_numpy(crop(x, training=False)),
                               atol=1e-3)


def test_inside_tf_data():
    """Every layer in one tf.data map: training draws on tf, inference is unchanged, and
    deterministic draws give the eager values."""
    tf = pytest.importorskip("tensorflow")
    # The policy layers trace every candidate operation: the smallest configurations keep it short.
    light = {"RandAugment": {"num_ops": 1}, "AugMix": {"num_chains": 1, "chain_depth": 1}}
    augmenting = [make(name, light.get(name, kwargs), seed=5) for name, kwargs in AUGMENTING]
    fixed = [make(name, kwargs, seed=5) for name, kwargs in DETERMINISTIC]
    x = np.concatenate([images(), images(seed=1)])

    def train(batch):
        return ({layer.name: layer(batch) for layer in augmenting},
                {layer.name: layer(batch) for layer in fixed})

    def infer(image):
        return {layer.name: layer(image, training=False) for layer in augmenting}

    outs, fixed_outs = next(iter(tf.data.Dataset.from_tensor_slices(x).batch(2).map(train)))
    for layer in augmenting:
        out = outs[layer.name]
        assert isinstance(out, tf.Tensor), layer.name
        assert tuple(out.shape) == tuple(to_numpy(layer(x[:2])).shape), layer.name
        assert np.all(np.isfinite(out.numpy())), layer.name
    for layer in fixed:
        np.testing.assert_allclose(fixed_outs[layer.name].numpy(), to_numpy(layer(x[:2])), atol=1e-2,
                                   err_msg=layer.name)
    first = next(iter(tf.data.Dataset.from_tensor_slices(x).map(infer)))
    for layer in augmenting:
        np.testing.assert_allclose(first[layer.name].numpy(), to_numpy(layer(x[0], training=False)),
                                   atol=1e-3, err_msg=layer.name)


def numpy_warp(x, transform, fill_value=0.0):
    """NumPy reference of a bilinear projective warp, channels_last, constant fill.

    Output pixel (col, row) reads the input at ((a0 col + a1 row + a2) / k, (b0 col + b1 row + b2) / k).
    """
    x = np.asarray(x, "float64")
    batch, height, width, _ = x.shape
    out = np.empty_like(x)
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    for b in range(batch):
        a0, a1, a2, b0, b1, b2, c0, c1 = np.asarray(transform[b], "float64")
        k = c0 * cols + c1 * rows + 1.0
        src_c = (a0 * cols + a1 * rows + a2) / k
        src_r = (b0 * cols + b1 * rows + b2) / k
        r0, c0_ = np.floor(src_r).astype(int), np.floor(src_c).astype(int)
        fr, fc = src_r - r0, src_c - c0_
        acc = np.zeros(x.shape[1:])
        for dr, wr in ((0, 1 - fr), (1, fr)):
            for dc, wc in ((0, 1 - fc), (1, fc)):
                rr, cc = r0 + dr, c0_ + dc
                inside = (rr >= 0) & (rr < height) & (cc >= 0) & (cc < width)
                vals = np.where(inside[..., None], x[b, np.clip(rr, 0, height - 1),
                                                     np.clip(cc, 0, width - 1)], fill_value)
                acc += (wr * wc)[..., None] * vals
        out[b] = acc
    return out
