"""The backend-neutral image rules: crop/pad and patch arithmetic, weight tables, checks."""

import numpy as np
import pytest

from kiln.backend.common import image_kernels as kernels
from kiln.backend.common import image_rules as rules


def test_crop_box_derives_the_missing_number_per_axis():
    # height: top and bottom given; width: left omitted, derived from right and target
    assert rules.crop_box(10, 8, 2, None, 3, 1, None, 4, shape=(10, 8, 3)) == (2, 3, 5, 4)


@pytest.mark.parametrize("kwargs,match", [
    (dict(top_cropping=1, bottom_cropping=1, target_height=3), "crop_images.*exactly two"),
    (dict(top_cropping=4, target_height=4), "crop_images.*does not fit"),
    (dict(bottom_cropping=4, target_height=-1), "crop_images.*does not fit"),
])
def test_crop_box_errors_name_the_op(kwargs, match):
    args = dict(top_cropping=None, bottom_cropping=None, target_height=None)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        rules.crop_box(6, 6, args["top_cropping"], 0, args["bottom_cropping"], 0,
                       args["target_height"], None, shape=(6, 6, 1))


def test_crop_box_with_unknown_size_names_the_argument():
    with pytest.raises(ValueError, match="crop_images: target_height cannot be derived"):
        rules.crop_box(None, 6, 1, 0, 1, 0, None, None, shape=(None, 6, 1))


def test_pad_amounts_derive_the_missing_side():
    assert rules.pad_amounts(4, 5, None, 1, 2, None, 9, 8, shape=(4, 5, 1)) == (3, 2, 1, 2)
    assert rules.pad_amounts(4, 5, 1, 0, 2, 0, None, None, shape=(4, 5, 1)) == (1, 2, 0, 0)


def test_pad_amounts_errors_show_the_given_values():
    with pytest.raises(ValueError, match="pad_images.*target_height=5"):
        rules.pad_amounts(4, 4, 1, 0, 1, 0, 5, None, shape=(4, 4, 1))
    with pytest.raises(ValueError, match="pad_images: paddings must be >= 0"):
        rules.pad_amounts(4, 4, 3, 0, None, 0, 5, None, shape=(4, 4, 1))


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_patch_layout_and_slices_cover_every_window(padding):
    n, k, s, d = 7, 3, 2, 2
    (count,), ((before, after),) = rules.patch_layout((n,), (k,), (s,), (d,), padding, "op")
    span = (k - 1) * d + 1
    assert count == (-(-n // s) if padding == "same" else (n - span) // s + 1)
    padded = np.arange(n + before + after)
    windows = [padded[index[1:]] for index in rules.patch_window_slices((k,), (s,), (d,), (count,))]
    starts = np.arange(count) * s
    for offset, values in enumerate(windows):
        np.testing.assert_array_equal(values, padded[starts + offset * d])
    assert starts[-1] + span <= len(padded)


def test_patch_checks_name_the_op_and_argument():
    with pytest.raises(ValueError, match="extract_patches: padding"):
        rules.patch_layout((4, 4), (2, 2), (1, 1), (1, 1), "full", "extract_patches")
    with pytest.raises(ValueError, match="extract_patches: the patch window"):
        rules.patch_layout((4, 4), (5, 2), (1, 1), (1, 1), "valid", "extract_patches")
    with pytest.raises(ValueError, match="extract_patches_3d: strides must be an int or a tuple"):
        rules.patch_arguments(2, (1, 1), 1, 3, "extract_patches_3d")


def test_weight_tables_are_normalised():
    area = rules.area_weights(7, 3)
    np.testing.assert_allclose(area.sum(axis=0), 1.0)
    for kernel in ("linear", "cubic", "lanczos3", "lanczos5"):
        for antialias in (False, True):
            weights = rules.resample_weights(9, 4, 4 / 9, 0.0, kernel, antialias)
            np.testing.assert_allclose(weights.sum(axis=0), 1.0, rtol=1e-12)
    # linear upsampling by 2 interpolates between neighbours (edges clamp)
    up = rules.resample_weights(3, 6, 2.0, 0.0, "linear", False)
    np.testing.assert_allclose(np.arange(3.0) @ up, [0.0, 0.25, 0.75, 1.25, 1.75, 2.0])


def test_gaussian_kernels():
    taps = rules.gaussian_taps(5, 1.5)
    np.testing.assert_allclose(taps, taps[::-1])
    assert taps.sum() == pytest.approx(1.0)
    assert rules.elastic_smoothing_kernel(2.0).shape == (13, 13)
    np.testing.assert_allclose(rules.gaussian_blur_kernel((3, 5), 1.0).sum(), 1.0)
    with pytest.raises(ValueError, match="gaussian_blur: kernel_size"):
        rules.gaussian_blur_kernel((3, 3, 3), 1.0)


def test_operator_formulas_run_on_plain_arrays():
    identity = np.array([[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]])
    ys, xs = np.meshgrid(np.arange(2.0), np.arange(3.0), indexing="ij")
    rows, cols = rules.projective_source_coordinates(identity, xs, ys)
    np.testing.assert_array_equal(rows[0], ys)
    np.testing.assert_array_equal(cols[0], xs)
    x = np.linspace(0.0, 1.0, 6)
    np.testing.assert_allclose(rules.ssim_map(x, x, lambda t: t, 1.0, 0.01, 0.03), 1.0)


# ---------------------------------------------------------------- array-generic kernels

@pytest.mark.parametrize("fill_mode,numpy_mode", [
    ("nearest", "edge"), ("wrap", "wrap"), ("mirror", "reflect"), ("reflect", "symmetric"),
])
def test_fix_index_folds_like_numpy_padding(fill_mode, numpy_mode):
    n, k = 4, 9
    index = np.arange(-k, n + k)
    expected = np.pad(np.arange(n), k, mode=numpy_mode)
    np.testing.assert_array_equal(kernels.fix_index(np, index, n, fill_mode), expected)
    assert kernels.fix_index(np, index, 1, fill_mode).tolist() == [0] * len(index)


def test_interpolate_matches_scipy_inside_and_fills_outside():
    from scipy import ndimage

    grid = np.arange(20.0).reshape(4, 5) ** 1.5
    rows, cols = np.array([0.0, 1.25, 2.5, 3.0, -1.0]), np.array([0.5, 3.75, 2.0, 4.0, 1.0])
    flat = grid.reshape(-1, 1)
    out = kernels.interpolate(np, flat, 0, [rows, cols], grid.shape, 1, "constant",
                              np.float64(-7.0), np.int64)[..., 0]
    np.testing.assert_allclose(out[:4],
                               ndimage.map_coordinates(grid, [rows[:4], cols[:4]], order=1))
    assert out[4] == -7.0
    nearest = kernels.interpolate(np, flat, 0, [rows, cols], grid.shape, 0, "nearest",
                                  np.float64(0.0), np.int64)[..., 0]
    np.testing.assert_array_equal(nearest, grid[[0, 1, 3, 3, 0], [1, 4, 2, 4, 1]])


def test_hsv_planes_round_trip():
    rgb = np.random.default_rng(0).uniform(size=(3, 10))
    hsv = kernels.rgb_to_hsv(np, *rgb)
    assert all(((p >= 0) & (p <= 1)).all() for p in hsv)
    np.testing.assert_allclose(kernels.hsv_to_rgb(np, *hsv), rgb, atol=1e-12)


def test_namespace_overrides_and_shared_op_bodies():
    xp = kernels.Namespace(np, clip=lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi))
    assert xp.clip(np.array([5]), 0, 3).tolist() == [3] and xp.abs(-2) == 2
    be = kernels.Backend(xp=np, images=lambda x, name: np.asarray(x))
    images = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)  # channels_first
    padded = kernels.pad_images(be, images, 1, 2, None, None, 6, 7, "channels_first")
    assert padded.shape == (2, 3, 6, 7)
    np.testing.assert_array_equal(padded[:, :, 1:5, 2:7], images)
    cropped = kernels.crop_images(be, padded, 1, 2, None, None, 4, 5, "channels_first")
    np.testing.assert_array_equal(cropped, images)
    with pytest.raises(ValueError, match="ssim: image1 and image2 must have the same shape"):
        kernels.ssim(be, images, images[:1], 1.0, 3, 1.5, 0.01, 0.03, "channels_last")
