"""kiln.ops.image beyond the value table: options, errors, randomness and compiled use.

Values against NumPy/SciPy references live in ``cases_image.py``.
"""

import numpy as np
import pytest

import kiln
from kiln import ops
from kiln.backend import KerasTensor
from op_cases import compiled

BACKEND = kiln.backend.backend()
RNG = np.random.RandomState(7)
IMG = RNG.uniform(0.0, 1.0, size=(2, 6, 7, 3)).astype("float32")


def _np(x):
    return ops.convert_to_numpy(x)


def test_image_ops_are_exported():
    for name in ops.image.__all__:
        assert getattr(ops, name) is getattr(ops.image, name)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_resize_nearest_repeats_pixels_and_keeps_constants(data_format):
    image = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
    inputs = image if data_format == "channels_last" else np.moveaxis(image, -1, 1)
    got = _np(ops.image.resize(inputs, (4, 4), interpolation="nearest", data_format=data_format))
    if data_format == "channels_first":
        got = np.moveaxis(got, 1, -1)
    np.testing.assert_array_equal(got[0, :, :, 0], np.repeat(np.repeat(image[0, :, :, 0], 2, 0), 2, 1))
    constant = np.full((2, 5, 6, 3), 3.0, "float32")
    if data_format == "channels_first":
        constant = np.moveaxis(constant, -1, 1)
    for method in ("bilinear", "bicubic", "area", "lanczos3", "lanczos5"):
        out = ops.image.resize(constant, (3, 4), interpolation=method, antialias=True,
                               data_format=data_format)
        np.testing.assert_allclose(_np(out), 3.0, rtol=1e-5)


def test_resize_half_pixel_downscale_averages_blocks():
    image = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    expected = image[0, :, :, 0].reshape(2, 2, 2, 2).mean(axis=(1, 3))
    for method in ("bilinear", "area"):
        out = _np(ops.image.resize(image, (2, 2), interpolation=method, data_format="channels_last"))
        np.testing.assert_allclose(out[0, :, :, 0], expected, rtol=1e-5)


def test_resize_default_data_format_follows_config():
    previous = kiln.config.image_data_format()
    try:
        kiln.config.set_image_data_format("channels_first")
        assert tuple(ops.shape(ops.image.resize(np.ones((1, 3, 4, 4), "float32"), (2, 2)))) == (1, 3, 2, 2)
    finally:
        kiln.config.set_image_data_format(previous)
    assert tuple(ops.shape(ops.image.resize(np.ones((1, 4, 4, 3), "float32"), (2, 2)))) == (1, 2, 2, 3)


def test_symbolic_shapes():
    x = KerasTensor((None, 8, 8, 3))
    cl = {"data_format": "channels_last"}
    assert ops.image.resize(x, (4, 5), **cl).shape == (None, 4, 5, 3)
    cf = KerasTensor((None, 3, 8, 8))
    assert ops.image.resize(cf, (4, 5), data_format="channels_first").shape == (None, 3, 4, 5)
    assert ops.image.rgb_to_grayscale(x, **cl).shape == (None, 8, 8, 1)
    assert ops.image.crop_images(x, 1, 2, bottom_cropping=3, right_cropping=1, **cl).shape == (None, 4, 5, 3)
    assert ops.image.pad_images(x, 1, 2, target_height=10, target_width=11, **cl).shape == (None, 10, 11, 3)
    assert ops.image.extract_patches(x, 3, strides=2, padding="same", **cl).shape == (None, 4, 4, 27)
    assert ops.image.extract_patches(KerasTensor((None, 3, 8, 8)), 2, data_format="channels_first").shape \
        == (None, 12, 4, 4)
    assert ops.image.extract_patches_3d(KerasTensor((None, 4, 6, 6, 2)), (2, 3, 3), **cl).shape \
        == (None, 2, 2, 2, 36)
    assert ops.image.sobel_edges(x, **cl).shape == (None, 8, 8, 3, 2)
    assert ops.image.ssim(x, x, **cl).shape == (None,)
    assert ops.image.ssim(KerasTensor((8, 8, 1)), KerasTensor((8, 8, 1)), filter_size=3, **cl).shape == ()
    assert ops.image.map_coordinates(KerasTensor((5, 6)), KerasTensor((2, 3, 4)), 1).shape == (3, 4)
    assert ops.image.scale_and_translate(x, (None, 16, 4, 3), [2.0, 0.5], [0.0, 0.0], (1, 2),
                                         "linear").shape == (None, 16, 4, 3)
    assert ops.image.sobel_edges(KerasTensor((2, 4, 4, 1), "uint8"), **cl).dtype == "float32"


def test_errors_name_the_op_and_argument():
    cl = {"data_format": "channels_last"}
    with pytest.raises(ValueError, match="resize.*interpolation"):
        ops.image.resize(IMG, (3, 3), interpolation="cubic-ish", **cl)
    with pytest.raises(ValueError, match="resize.*crop_to_aspect_ratio"):
        ops.image.resize(IMG, (3, 3), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True, **cl)
    with pytest.raises(ValueError, match="resize.*fill_mode"):
        ops.image.resize(IMG, (3, 3), fill_mode="reflect", **cl)
    with pytest.raises(ValueError, match="resize.*rank"):
        ops.image.resize(IMG[0, 0], (3, 3), **cl)
    with pytest.raises(ValueError, match="rgb_to_hsv.*float"):
        ops.image.rgb_to_hsv(np.ones((2, 2, 3), "int32"), **cl)
    with pytest.raises(ValueError, match="rgb_to_grayscale.*3 channels"):
        ops.image.rgb_to_grayscale(np.ones((2, 2, 4), "float32"), **cl)
    with pytest.raises(ValueError, match="crop_images.*exactly two"):
        ops.image.crop_images(IMG, 1, 1, 1, 1, target_height=2, **cl)
    with pytest.raises(ValueError, match="pad_images.*exactly two"):
        ops.image.pad_images(IMG, None, 0, None, 0, target_height=8, **cl)
    with pytest.raises(ValueError, match="map_coordinates.*order"):
        ops.image.map_coordinates(IMG[0, :, :, 0], np.zeros((2, 3), "float32"), 3)
    with pytest.raises(ValueError, match="map_coordinates.*fill_mode"):
        ops.image.map_coordinates(IMG[0, :, :, 0], np.zeros((2, 3), "float32"), 1, fill_mode="edge")
    with pytest.raises(ValueError, match="affine_transform.*transform"):
        ops.image.affine_transform(IMG, np.zeros((2, 6), "float32"), **cl)
    with pytest.raises(ValueError, match="affine_transform.*interpolation"):
        ops.image.affine_transform(IMG, np.zeros((8,), "float32"), interpolation="bicubic", **cl)
    with pytest.raises(ValueError, match="perspective_transform.*start_points"):
        ops.image.perspective_transform(IMG, np.zeros((3, 2), "float32"), np.zeros((4, 2), "float32"), **cl)
    with pytest.raises(ValueError, match="ssim.*same shape"):
        ops.image.ssim(IMG, IMG[:, :5], filter_size=3, **cl)
    with pytest.raises(ValueError, match="extract_patches.*padding"):
        ops.image.extract_patches(IMG, 2, padding="full", **cl)
    with pytest.raises(ValueError, match="scale_and_translate.*method"):
        ops.image.scale_and_translate(IMG, (2, 3, 3, 3), [0.5, 0.5], [0.0, 0.0], (1, 2), "nearest")


def test_crop_and_pad_invert_each_other():
    cl = {"data_format": "channels_last"}
    padded = ops.image.pad_images(IMG, 2, 1, bottom_padding=3, right_padding=4, **cl)
    assert tuple(ops.shape(padded)) == (2, 11, 12, 3)
    back = ops.image.crop_images(padded, 2, 1, bottom_cropping=3, right_cropping=4, **cl)
    np.testing.assert_array_equal(_np(back), IMG)


def test_hsv_round_trip():
    rgb = RNG.uniform(0.0, 1.0, size=(3, 5, 3)).astype("float32")
    hsv = ops.image.rgb_to_hsv(rgb, data_format="channels_last")
    np.testing.assert_allclose(_np(ops.image.hsv_to_rgb(hsv, data_format="channels_last")), rgb,
                               rtol=1e-5, atol=1e-5)


def test_affine_identity_and_integer_shift():
    cl = {"data_format": "channels_last"}
    identity = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    for method in ("nearest", "bilinear"):
        np.testing.assert_allclose(_np(ops.image.affine_transform(IMG, identity, interpolation=method,
                                                                  **cl)), IMG, rtol=1e-6)
    down = ops.image.affine_transform(IMG, [1.0, 0.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0], fill_value=-1.0, **cl)
    np.testing.assert_allclose(_np(down)[:, 1:], IMG[:, :-1], rtol=1e-6)
    np.testing.assert_allclose(_np(down)[:, 0], -1.0)


def test_perspective_transform_moves_start_points_to_end_points():
    image = np.zeros((1, 9, 9, 1), "float32")
    image[0, 2, 3, 0] = 1.0  # row 2, column 3
    start = np.array([[0, 0], [8, 0], [0, 8], [8, 8]], "float32")
    end = start + np.array([2.0, 1.0], "float32")  # everything moves 2 right, 1 down
    out = _np(ops.image.perspective_transform(image, start, end, interpolation="nearest",
                                              data_format="channels_last"))
    assert out[0, 3, 5, 0] == 1.0 and out.sum() == 1.0


def test_elastic_transform_seeding_and_identity():
    cl = {"data_format": "channels_last"}
    x = RNG.uniform(0.0, 1.0, size=(2, 8, 9, 2)).astype("float32")
    a = _np(ops.image.elastic_transform(x, alpha=3.0, sigma=1.0, seed=3, **cl))
    b = _np(ops.image.elastic_transform(x, alpha=3.0, sigma=1.0, seed=3, **cl))
    c = _np(ops.image.elastic_transform(x, alpha=3.0, sigma=1.0, seed=4, **cl))
    assert a.shape == x.shape and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # Bilinear interpolation with reflected borders stays inside the input's range.
    assert a.min() >= x.min() - 1e-6 and a.max() <= x.max() + 1e-6
    still = ops.image.elastic_transform(x, alpha=0.0, sigma=1.0, seed=kiln.random.SeedGenerator(1), **cl)
    np.testing.assert_allclose(_np(still), x, rtol=1e-6)
    unbatched = ops.image.elastic_transform(x[0], alpha=2.0, sigma=0.5, seed=1, **cl)
    assert tuple(ops.shape(unbatched)) == (8, 9, 2)
    cf = ops.image.elastic_transform(np.moveaxis(x, -1, 1), interpolation="nearest", fill_mode="constant",
                                     seed=2, data_format="channels_first")
    assert tuple(ops.shape(cf)) == (2, 2, 8, 9)


def test_ssim_of_identical_images_is_one_and_drops_with_noise():
    x = RNG.uniform(0.0, 1.0, size=(2, 16, 16, 1)).astype("float32")
    np.testing.assert_allclose(_np(ops.image.ssim(x, x, data_format="channels_last")), 1.0, rtol=1e-5)
    noisy = np.clip(x + RNG.normal(0, 0.3, x.shape), 0, 1).astype("float32")
    assert (_np(ops.image.ssim(x, noisy, data_format="channels_last")) < 0.9).all()



@pytest.mark.skipif(BACKEND not in ("jax", "tensorflow"), reason="traces under jax.jit / tf.function")
def test_image_ops_trace_under_compilation():
    cl = {"data_format": "channels_last"}
    transform = np.array([0.9, -0.2, 1.0, 0.2, 0.9, -0.5, 0.0, 0.0], "float32")
    scale = np.array([1.5, 0.8], "float32")

    def run(x, transform, scale):
        return (ops.image.resize(x, (9, 4), interpolation="bicubic", antialias=True, **cl),
                ops.image.scale_and_translate(x, (2, 9, 5, 3), scale, scale * 0.5, (1, 2), "linear"),
                ops.image.affine_transform(x, transform, fill_mode="reflect", **cl),
                ops.image.rgb_to_hsv(x, **cl),
                ops.image.extract_patches(x, 2, strides=1, padding="same", **cl),
                ops.image.gaussian_blur(x, **cl),
                ops.image.sobel_edges(x, **cl),
                ops.image.ssim(x, x * 0.5, filter_size=5, **cl),
                ops.image.map_coordinates(x[0, :, :, 0], [x[0, :2, 0, 0] * 5, x[0, :2, 1, 0] * 6], 1))

    eager = run(IMG, transform, scale)
    traced = compiled(run)(IMG, transform, scale)
    for e, c in zip(eager, traced):
        np.testing.assert_allclose(_np(c), _np(e), rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(BACKEND != "tensorflow", reason="tf.function with an unknown batch dimension")
def test_tensorflow_traces_with_unknown_batch():
    import tensorflow as tf

    cl = {"data_format": "channels_last"}

    @tf.function(input_signature=[tf.TensorSpec((None, 6, 7, 3), tf.float32)])
    def run(x):
        return (ops.image.resize(x, (3, 4), **cl),
                ops.image.affine_transform(x, [1.0, 0.1, 0.0, 0.0, 1.0, 0.5, 0.0, 0.0], **cl),
                ops.image.elastic_transform(x, sigma=1.0, seed=1, **cl),
                ops.image.extract_patches(x, 2, **cl),
                ops.image.ssim(x, x, filter_size=3, **cl))

    out = run(tf.constant(IMG))
    assert [tuple(o.shape) for o in out] == [(2, 3, 4, 3), (2, 6, 7, 3), (2, 6, 7, 3), (2, 3, 3, 12), (2,)]


@pytest.mark.skipif(BACKEND != "tensorflow", reason="tf.function with unknown image sizes")
@pytest.mark.parametrize("interpolation,antialias", [
    ("bilinear", False), ("nearest", False), ("bicubic", False), ("lanczos3", True), ("bilinear", True)])
def test_tensorflow_resize_with_unknown_image_sizes(interpolation, antialias):
    import tensorflow as tf

    images = np.random.default_rng(1).normal(size=(2, 9, 7, 3)).astype("float32")

    def run(x):
        return ops.image.resize(x, (4, 10), interpolation=interpolation, antialias=antialias)

    graph = tf.function(run, input_signature=[tf.TensorSpec((None, None, None, 3))])
    np.testing.assert_allclose(_np(graph(images)), _np(run(images)), rtol=1e-5, atol=1e-5)
