"""load_img / img_to_array / array_to_img / save_img: Keras 3's signatures and semantics."""

import io
import pathlib
import warnings

import numpy as np
import pytest
from api_reference import lacking_examples, reference_rows, wrong_signatures
from PIL import Image

from kiln import config
from kiln.utils import image_utils

NAMES = ("load_img", "img_to_array", "array_to_img", "save_img")


def _png(path, array):
    Image.fromarray(np.asarray(array, dtype="uint8")).save(path)
    return path


def _pattern(height, width, channels=3):
    grid = np.arange(height * width * channels).reshape(height, width, channels)
    return (grid * 7 % 256).astype("uint8")


def test_signatures_and_examples_are_keras():
    import kiln.utils

    rows = [r for r in reference_rows(("keras.utils",)) if r["name"] in NAMES]
    assert len(rows) == len(NAMES)
    for name in NAMES:
        assert getattr(kiln.utils, name) is getattr(image_utils, name)
    assert wrong_signatures(rows) == [] and lacking_examples(rows) == []


@pytest.mark.parametrize("kind", ["str", "pathlib", "bytesio"])
def test_load_img_paths_and_color_modes(tmp_path, kind):
    pixels = _pattern(5, 7)
    path = _png(tmp_path / "a.png", pixels)
    source = {"str": str(path), "pathlib": pathlib.Path(path), "bytesio": io.BytesIO(path.read_bytes())}[kind]
    img = image_utils.load_img(source)
    assert img.mode == "RGB" and img.size == (7, 5)
    np.testing.assert_array_equal(np.asarray(img), pixels)
    gray = image_utils.load_img(str(path), color_mode="grayscale")
    assert gray.mode == "L"
    expected = np.asarray(Image.fromarray(pixels).convert("L"))
    np.testing.assert_array_equal(np.asarray(gray), expected)
    rgba = image_utils.load_img(str(path), color_mode="rgba")
    assert rgba.mode == "RGBA"
    np.testing.assert_array_equal(np.asarray(rgba)[..., 3], 255)


def test_load_img_keeps_16_bit_grayscale(tmp_path):
    path = tmp_path / "deep.png"
    Image.fromarray(np.full((3, 4), 1000, dtype="uint16")).save(path)
    img = image_utils.load_img(path, color_mode="grayscale")
    assert img.mode in ("I;16", "I")
    assert image_utils.img_to_array(img).max() == 1000.0


def test_load_img_target_size_and_interpolation(tmp_path):
    pixels = _pattern(6, 10)
    path = _png(tmp_path / "a.png", pixels)
    img = image_utils.load_img(path, target_size=(3, 5))
    assert img.size == (5, 3)
    expected = Image.fromarray(pixels).resize((5, 3), Image.Resampling.NEAREST)
    np.testing.assert_array_equal(np.asarray(img), np.asarray(expected))
    img = image_utils.load_img(path, target_size=(3, 5), interpolation="bicubic")
    expected = Image.fromarray(pixels).resize((5, 3), Image.Resampling.BICUBIC)
    np.testing.assert_array_equal(np.asarray(img), np.asarray(expected))
    # Same size: nothing to resize, pixels untouched.
    np.testing.assert_array_equal(np.asarray(image_utils.load_img(path, target_size=(6, 10))), pixels)


def test_load_img_keep_aspect_ratio_crops_the_centre(tmp_path):
    pixels = _pattern(4, 8)
    path = _png(tmp_path / "wide.png", pixels)
    img = image_utils.load_img(path, target_size=(4, 4), keep_aspect_ratio=True)
    # A 4x8 image cropped to the 4x4 centre: columns 2..5, no resampling needed.
    np.testing.assert_array_equal(np.asarray(img), pixels[:, 2:6])
    tall = _png(tmp_path / "tall.png", _pattern(9, 3))
    img = image_utils.load_img(tall, target_size=(3, 3), keep_aspect_ratio=True)
    np.testing.assert_array_equal(np.asarray(img), _pattern(9, 3)[3:6])
    stretched = image_utils.load_img(path, target_size=(4, 4))
    assert not np.array_equal(np.asarray(stretched), pixels[:, 2:6])


def test_load_img_errors(tmp_path):
    path = _png(tmp_path / "a.png", _pattern(4, 4))
    with pytest.raises(ValueError, match="load_img.*color_mode.*'grayscale'.*'rgb'.*'rgba'.*'cmyk'"):
        image_utils.load_img(path, color_mode="cmyk")
    with pytest.raises(ValueError, match=r"load_img.*interpolation.*'cubic'.*nearest, bilinear, bicubic, "
                                         r"hamming, box, lanczos"):
        image_utils.load_img(path, target_size=(2, 2), interpolation="cubic")
    with pytest.raises(ValueError, match="load_img.*target_size"):
        image_utils.load_img(path, target_size=(2, 2, 2))
    with pytest.raises(TypeError, match="load_img.*path.*int"):
        image_utils.load_img(3)
    with pytest.raises(FileNotFoundError):
        image_utils.load_img(tmp_path / "missing.png")


def test_img_to_array_layouts_and_dtypes():
    img = Image.fromarray(_pattern(2, 3))
    x = image_utils.img_to_array(img)
    assert x.shape == (2, 3, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(x, _pattern(2, 3).astype("float32"))
    first = image_utils.img_to_array(img, data_format="channels_first", dtype="uint8")
    assert first.shape == (3, 2, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, _pattern(2, 3).transpose(2, 0, 1))
    gray = Image.fromarray(_pattern(2, 3, 1)[..., 0])
    assert image_utils.img_to_array(gray).shape == (2, 3, 1)
    assert image_utils.img_to_array(gray, data_format="channels_first").shape == (1, 2, 3)
    with pytest.raises(ValueError, match="img_to_array.*rank.*\\(2, 3, 4, 5\\)"):
        image_utils.img_to_array(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match="img_to_array.*data_format.*'channels_middle'"):
        image_utils.img_to_array(img, data_format="channels_middle")


def test_img_to_array_follows_the_global_data_format():
    previous = config.image_data_format()
    try:
        config.set_image_data_format("channels_first")
        assert image_utils.img_to_array(np.zeros((4, 5, 3))).shape == (3, 4, 5)
    finally:
        config.set_image_data_format(previous)


def test_array_to_img_scaling_and_modes():
    x = np.linspace(-1.0, 3.0, 2 * 3 * 3).reshape(2, 3, 3)
    img = image_utils.array_to_img(x)
    assert img.mode == "RGB" and img.size == (3, 2)
    x32 = x.astype("float32")  # values are read as floatx, then stretched to 0..255
    expected = ((x32 - x32.min()) / (x32 - x32.min()).max() * np.float32(255)).astype("uint8")
    np.testing.assert_array_equal(np.asarray(img), expected)
    # scale=False: values cast as they are.
    raw = np.full((2, 2, 3), 17.9)
    np.testing.assert_array_equal(np.asarray(image_utils.array_to_img(raw, scale=False)), 17)
    # A constant image scales to zeros rather than dividing by zero.
    np.testing.assert_array_equal(np.asarray(image_utils.array_to_img(np.full((2, 2, 3), 5.0))), 0)
    assert image_utils.array_to_img(np.zeros((2, 2, 4))).mode == "RGBA"
    gray = image_utils.array_to_img(np.arange(4.0).reshape(2, 2, 1), scale=False)
    assert gray.mode == "L"
    np.testing.assert_array_equal(np.asarray(gray), [[0, 1], [2, 3]])
    deep = image_utils.array_to_img(np.full((2, 2, 1), 1000.0), scale=False)
    assert deep.mode == "I"
    np.testing.assert_array_equal(np.asarray(deep), 1000)
    chw = np.zeros((3, 2, 5))
    assert image_utils.array_to_img(chw, data_format="channels_first").size == (5, 2)


def test_array_to_img_errors():
    with pytest.raises(ValueError, match="array_to_img.*rank 3.*\\(4, 4\\)"):
        image_utils.array_to_img(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="array_to_img.*1, 3 or 4 channels.*received 2"):
        image_utils.array_to_img(np.zeros((4, 4, 2)))


def test_array_to_img_takes_backend_tensors():
    from kiln import ops

    x = ops.convert_to_tensor(np.arange(12.0, dtype="float32").reshape(2, 2, 3))
    img = image_utils.array_to_img(x, scale=False)
    np.testing.assert_array_equal(np.asarray(img), np.arange(12).reshape(2, 2, 3))


def test_save_img_round_trip_and_formats(tmp_path):
    pixels = _pattern(4, 6).astype("float32")
    image_utils.save_img(tmp_path / "a.png", pixels, scale=False)
    np.testing.assert_array_equal(image_utils.img_to_array(image_utils.load_img(tmp_path / "a.png")), pixels)
    # channels_first input, a str path, and a format override in upper case.
    image_utils.save_img(str(tmp_path / "b.img"), pixels.transpose(2, 0, 1), data_format="channels_first",
                         file_format="PNG", scale=False)
    assert Image.open(tmp_path / "b.img").format == "PNG"
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "b.img")), pixels)
    # A file object needs file_format.
    buffer = io.BytesIO()
    image_utils.save_img(buffer, pixels, file_format="bmp", scale=False)
    buffer.seek(0)
    assert Image.open(buffer).format == "BMP"
    with pytest.raises(ValueError, match="save_img.*file_format.*file object"):
        image_utils.save_img(io.BytesIO(), pixels)
    with pytest.raises(ValueError, match="save_img.*no extension.*file_format"):
        image_utils.save_img(tmp_path / "noext", pixels)


def test_save_img_jpeg_drops_alpha_with_a_warning(tmp_path):
    rgba = np.concatenate([_pattern(4, 4), np.full((4, 4, 1), 255, "uint8")], axis=-1)
    with pytest.warns(UserWarning, match="JPEG.*RGB"):
        image_utils.save_img(tmp_path / "a.jpg", rgba)
    with Image.open(tmp_path / "a.jpg") as img:
        assert img.format == "JPEG" and img.mode == "RGB"
    # kwargs reach PIL: a higher quality gives a bigger file.
    rgb = _pattern(16, 16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image_utils.save_img(tmp_path / "low.jpeg", rgb, quality=5)
        image_utils.save_img(tmp_path / "high.jpeg", rgb, quality=100)
    assert (tmp_path / "high.jpeg").stat().st_size > (tmp_path / "low.jpeg").stat().st_size
