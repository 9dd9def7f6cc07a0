"""Op cases for kiln.ops.image, with NumPy/SciPy references.

The resampling reference (``ref_scale_and_translate``) is written from the
definition ``jax.image`` documents: output sample ``y`` along an axis reads
the input at ``(y + 0.5 - translation) / scale - 0.5`` through a kernel
(triangle, Keys cubic with a = -0.5, Lanczos), widened by ``1 / scale`` when
antialiasing a downsample, normalised per output sample and zeroed where the
sample falls outside the input.
"""

import colorsys

import ml_dtypes

import numpy as np  # noqa: F401
import scipy.ndimage

from op_cases import B, Case, F, F2, FN, GradCase, I, I2, M, RNG, SPD, SQ, _f32, _i32, narrow  # noqa: F401

# ---------------------------------------------------------------- references


def _kernel(name, x):
    x = np.abs(x)
    if name == "linear":
        return np.maximum(0.0, 1.0 - x)
    if name == "cubic":
        out = ((1.5 * x - 2.5) * x) * x + 1.0
        out = np.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
        return np.where(x >= 2.0, 0.0, out)
    radius = 3.0 if name == "lanczos3" else 5.0
    with np.errstate(divide="ignore", invalid="ignore"):
        out = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius) / (np.pi ** 2 * x ** 2)
    out = np.where(x > 1e-3, out, 1.0)
    return np.where(x > radius, 0.0, out)


def resample_weights(in_size, out_size, scale, translation, kernel, antialias):
    """(in, out) weights of one resampled axis (jax.image.scale_and_translate's definition)."""
    inv = 1.0 / scale
    widen = max(inv, 1.0) if antialias else 1.0
    sample = (np.arange(out_size) + 0.5) * inv - translation * inv - 0.5
    w = _kernel(kernel, (sample[None, :] - np.arange(in_size)[:, None]) / widen)
    total = w.sum(axis=0, keepdims=True)
    w = np.where(np.abs(total) > 1000.0 * np.finfo(np.float32).eps, w / np.where(total != 0, total, 1), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[None, :], w, 0.0)


def area_weights(in_size, out_size):
    scale = in_size / out_size
    start = np.arange(out_size) * scale
    lo = np.maximum(np.arange(in_size)[:, None], start[None, :])
    hi = np.minimum(np.arange(in_size)[:, None] + 1.0, start[None, :] + scale)
    return np.maximum(hi - lo, 0.0) / scale


def _apply_axis(x, axis, w):
    return np.moveaxis(np.tensordot(np.moveaxis(x, axis, -1), w, axes=(-1, 0)), -1, axis)


def ref_scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                            antialias=True):
    kernel = {"bilinear": "linear", "bicubic": "cubic"}.get(method, method)
    x = np.asarray(images, "float64")
    for d, s, t in zip(spatial_dims, scale, translation):
        x = _apply_axis(x, d, resample_weights(x.shape[d], output_shape[d], s, t, kernel, antialias))
    dtype = images.dtype if images.dtype.kind == "f" else np.dtype("float32")
    return x.astype(dtype)


def _nhwc(x, data_format):
    x = np.asarray(x)
    unbatched = x.ndim == 3
    x = x[None] if unbatched else x
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    return x, unbatched


def _back(x, unbatched, data_format):
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1)
    return x[0] if unbatched else x


def _restore(x, dtype):
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        x = np.clip(np.round(x), info.min, info.max)
    return x.astype(dtype)


def ref_resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
               pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format="channels_last"):
    x, unbatched = _nhwc(images, data_format)
    dtype = x.dtype
    h, w = x.shape[1:3]
    th, tw = size
    if crop_to_aspect_ratio:
        ch, cw = min(h, int(w * th / tw)), min(w, int(h * tw / th))
        top, left = int((h - ch) / 2), int((w - cw) / 2)
        x = x[:, top:top + ch, left:left + cw]
    elif pad_to_aspect_ratio:
        ph, pw = max(h, int(w * th / tw)), max(w, int(h * tw / th))
        top, left = int((ph - h) / 2), int((pw - w) / 2)
        x = np.pad(x, ((0, 0), (top, ph - h - top), (left, pw - w - left), (0, 0)),
                   constant_values=fill_value)
    if interpolation == "nearest":
        for axis, n in ((1, th), (2, tw)):
            idx = np.floor((np.arange(n) + 0.5) * x.shape[axis] / n).astype(int)
            x = np.take(x, idx, axis=axis)
        return _back(x, unbatched, data_format)
    x = x.astype("float64")
    for axis, n in ((1, th), (2, tw)):
        if interpolation == "area":
            weights = area_weights(x.shape[axis], n)
        else:
            kernel = {"bilinear": "linear", "bicubic": "cubic"}.get(interpolation, interpolation)
            weights = resample_weights(x.shape[axis], n, n / x.shape[axis], 0.0, kernel, antialias)
        x = _apply_axis(x, axis, weights)
    return _back(_restore(x, dtype), unbatched, data_format)


def ref_grayscale(images, data_format="channels_last"):
    x = np.asarray(images)
    axis = -1 if data_format == "channels_last" else x.ndim - 3
    gray = np.tensordot(x.astype("float64"), [0.2989, 0.5870, 0.1140], axes=([axis], [0]))
    return _restore(np.expand_dims(gray, axis), x.dtype)


def _colorsys(fn):
    def ref(images, data_format="channels_last"):
        x = np.asarray(images)
        axis = -1 if data_format == "channels_last" else x.ndim - 3
        moved = np.moveaxis(x, axis, -1).astype("float64")
        out = np.array([fn(*px) for px in moved.reshape(-1, 3)]).reshape(moved.shape)
        return np.moveaxis(out, -1, axis).astype(x.dtype)
    return ref


def _box(size, start, end, target):
    if start is None:
        start = size - end - target
    if target is None:
        target = size - start - end
    return start, target


def ref_crop(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
             target_height=None, target_width=None, data_format="channels_last"):
    x, unbatched = _nhwc(images, data_format)
    top, th = _box(x.shape[1], top_cropping, bottom_cropping, target_height)
    left, tw = _box(x.shape[2], left_cropping, right_cropping, target_width)
    return _back(x[:, top:top + th, left:left + tw], unbatched, data_format)


def ref_pad(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
            target_height=None, target_width=None, data_format="channels_last"):
    x, unbatched = _nhwc(images, data_format)
    h, w = x.shape[1:3]
    top = top_padding if top_padding is not None else target_height - h - bottom_padding
    left = left_padding if left_padding is not None else target_width - w - right_padding
    bottom = bottom_padding if bottom_padding is not None else target_height - h - top
    right = right_padding if right_padding is not None else target_width - w - left
    return _back(np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0))), unbatched, data_format)


_SCIPY_MODES = {"constant": "grid-constant", "wrap": "grid-wrap", "nearest": "nearest",
                "mirror": "mirror", "reflect": "reflect"}


def ref_map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    inputs = np.asarray(inputs)
    out = scipy.ndimage.map_coordinates(inputs.astype("float64"), np.asarray(coordinates, "float64"),
                                        order=order, mode=_SCIPY_MODES[fill_mode], cval=fill_value,
                                        prefilter=False)
    return _restore(out, inputs.dtype) if inputs.dtype.kind in "iu" else out.astype(inputs.dtype)


def _ref_warp(images, transform, order, fill_mode, fill_value, data_format):
    x, unbatched = _nhwc(images, data_format)
    transform = np.asarray(transform, "float64").reshape(-1, 8)
    h, w = x.shape[1:3]
    ys, xs = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    out = np.zeros(x.shape, "float64")
    for b in range(x.shape[0]):
        a0, a1, a2, b0, b1, b2, c0, c1 = transform[b % len(transform)]
        k = c0 * xs + c1 * ys + 1.0
        coords = [(b0 * xs + b1 * ys + b2) / k, (a0 * xs + a1 * ys + a2) / k]
        for c in range(x.shape[3]):
            out[b, :, :, c] = ref_map_coordinates(x[b, :, :, c].astype("float64"), coords, order,
                                                  fill_mode, fill_value)
    return _back(_restore(out, x.dtype), unbatched, data_format)


def ref_affine(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0,
               data_format="channels_last"):
    return _ref_warp(images, transform, {"nearest": 0, "bilinear": 1}[interpolation], fill_mode,
                     fill_value, data_format)


def ref_perspective(images, start_points, end_points, interpolation="bilinear", fill_value=0,
                    data_format="channels_last"):
    start = np.asarray(start_points, "float64").reshape(-1, 4, 2)
    end = np.asarray(end_points, "float64").reshape(-1, 4, 2)
    transforms = []
    for s, e in zip(start, end):
        rows, rhs = [], []
        for (sx, sy), (ex, ey) in zip(s, e):
            rows.append([ex, ey, 1, 0, 0, 0, -ex * sx, -ey * sx])
            rhs.append(sx)
            rows.append([0, 0, 0, ex, ey, 1, -ex * sy, -ey * sy])
            rhs.append(sy)
        transforms.append(np.linalg.solve(np.array(rows), np.array(rhs)))
    return _ref_warp(images, np.array(transforms), {"nearest": 0, "bilinear": 1}[interpolation],
                     "constant", fill_value, data_format)


def _ref_patches(rank):
    def ref(images, size, strides=None, dilation_rate=1, padding="valid", data_format="channels_last"):
        x = np.asarray(images)
        unbatched = x.ndim == rank + 1
        x = x[None] if unbatched else x
        if data_format == "channels_first":
            x = np.moveaxis(x, 1, -1)
        sizes = (size,) * rank if isinstance(size, int) else tuple(size)
        if strides is None:
            strides = sizes
        steps = (strides,) * rank if isinstance(strides, int) else tuple(strides)
        dil = (dilation_rate,) * rank if isinstance(dilation_rate, int) else tuple(dilation_rate)
        pads, counts = [(0, 0)], []
        for n, k, s, d in zip(x.shape[1:-1], sizes, steps, dil):
            span = (k - 1) * d + 1
            if padding == "same":
                count = -(-n // s)
                total = max((count - 1) * s + span - n, 0)
                pads.append((total // 2, total - total // 2))
            else:
                count = (n - span) // s + 1
                pads.append((0, 0))
            counts.append(count)
        x = np.pad(x, pads + [(0, 0)])
        out = np.zeros((x.shape[0],) + tuple(counts) + (int(np.prod(sizes)) * x.shape[-1],), x.dtype)
        for pos in np.ndindex(*counts):
            index = tuple(slice(p * s, p * s + (k - 1) * d + 1, d)
                          for p, s, k, d in zip(pos, steps, sizes, dil))
            patch = x[(slice(None),) + index]
            out[(slice(None),) + pos] = patch.reshape(x.shape[0], -1)
        if data_format == "channels_first":
            out = np.moveaxis(out, -1, 1)
        return out[0] if unbatched else out
    return ref


def _gauss(size, sigma):
    t = np.exp(-0.5 * ((np.arange(size) - (size - 1) / 2) / sigma) ** 2)
    return t / t.sum()


def ref_gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format="channels_last"):
    x, unbatched = _nhwc(images, data_format)
    kernel = np.outer(_gauss(kernel_size[0], sigma[0]), _gauss(kernel_size[1], sigma[1]))
    # "same" zero padding puts the extra pad of an even kernel after the image.
    origin = [0, -((kernel_size[0] + 1) % 2), -((kernel_size[1] + 1) % 2), 0]
    out = scipy.ndimage.correlate(x.astype("float64"), kernel[None, :, :, None], mode="constant",
                                  origin=origin)
    return _back(_restore(out, x.dtype), unbatched, data_format)


def ref_sobel(images, data_format="channels_last"):
    x, unbatched = _nhwc(images, data_format)
    ky = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])
    out = np.stack([scipy.ndimage.correlate(x.astype("float64"), k[None, :, :, None], mode="mirror")
                    for k in (ky, ky.T)], axis=-1)
    out = out.astype(x.dtype if x.dtype.kind == "f" else "float32")
    if data_format == "channels_first":
        out = np.moveaxis(out, 3, 1)
    return out[0] if unbatched else out


def ref_ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
             data_format="channels_last"):
    x, unbatched = _nhwc(image1, data_format)
    y, _ = _nhwc(image2, data_format)
    kernel = np.outer(_gauss(filter_size, filter_sigma), _gauss(filter_size, filter_sigma))
    r = filter_size // 2

    def blur(t):
        out = scipy.ndimage.correlate(t, kernel[None, :, :, None], mode="constant")
        return out[:, r:t.shape[1] - (filter_size - 1 - r), r:t.shape[2] - (filter_size - 1 - r)]

    x, y = x.astype("float64"), y.astype("float64")
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mx, my = blur(x), blur(y)
    lum = (2 * mx * my + c1) / (mx ** 2 + my ** 2 + c1)
    cs = (2 * (blur(x * y) - mx * my) + c2) / (blur(x * x) + blur(y * y) - mx ** 2 - my ** 2 + c2)
    dtype = np.asarray(image1).dtype
    out = (lum * cs).mean(axis=(1, 2, 3)).astype(dtype if dtype.kind == "f" else "float32")
    return out[0] if unbatched else out


# ---------------------------------------------------------------- data

IMG = RNG.uniform(0.0, 1.0, size=(2, 5, 6, 3)).astype("float32")
IMG1 = RNG.uniform(0.0, 1.0, size=(4, 7, 2)).astype("float32")
SMALL = RNG.uniform(0.0, 1.0, size=(1, 4, 4, 2)).astype("float32")
BIG = RNG.uniform(0.0, 1.0, size=(2, 12, 13, 2)).astype("float32")
U8 = RNG.randint(0, 256, size=(1, 4, 5, 3)).astype("uint8")
CF = np.ascontiguousarray(np.moveaxis(IMG, -1, 1))
ROT = [0.9, -0.3, 1.0, 0.3, 0.9, -0.5, 0.0, 0.0]
PROJ = [[1.1, 0.1, -0.4, -0.2, 0.95, 0.6, 0.01, -0.02], [0.8, 0.0, 0.5, 0.0, 1.2, -0.3, 0.0, 0.0]]
CORNERS = np.array([[0, 0], [5, 0], [0, 4], [5, 4]], "float32")
MOVED = np.array([[0.4, 0.3], [5.2, -0.2], [0.1, 4.3], [4.6, 3.8]], "float32")
COORDS = RNG.uniform(-1.7, 5.7, size=(2, 3, 4)).astype("float32")
MAPIN = RNG.uniform(-1.0, 1.0, size=(4, 5)).astype("float32")

CL = {"data_format": "channels_last"}
CFM = {"data_format": "channels_first"}


def _hsv_in(shape, seed):
    rng = np.random.RandomState(seed)
    return rng.uniform(0.0, 1.0, size=shape).astype("float32")


def cases():
    out = []
    # resize: every interpolation, up and down, antialias, aspect-ratio boxes, layouts, dtypes
    # Each case shrinks the height and enlarges the width, so both directions are covered.
    for method in ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5"):
        out.append(Case("resize", BIG, (5, 19), interpolation=method, ref=ref_resize, rtol=1e-4,
                        atol=1e-5, id=f"resize-{method}", **CL))
    for method in ("bilinear", "bicubic", "lanczos5"):
        out.append(Case("resize", BIG, (5, 17), interpolation=method, antialias=True, ref=ref_resize,
                        rtol=1e-4, atol=1e-5, id=f"resize-antialias-{method}", **CL))
    out += [
        Case("resize", IMG1, (3, 5), ref=ref_resize, rtol=1e-4, atol=1e-5, id="resize-unbatched", **CL),
        Case("resize", CF, (7, 4), interpolation="bicubic", ref=ref_resize, rtol=1e-4, atol=1e-5,
             id="resize-channels-first", **CFM),
        Case("resize", BIG, (4, 8), crop_to_aspect_ratio=True, ref=ref_resize, rtol=1e-4, atol=1e-5,
             id="resize-crop-aspect", **CL),
        Case("resize", BIG, (4, 8), pad_to_aspect_ratio=True, fill_value=0.5, ref=ref_resize,
             rtol=1e-4, atol=1e-5, id="resize-pad-aspect", **CL),
        Case("resize", U8, (6, 3), ref=ref_resize, atol=1.0, id="resize-uint8", **CL),
        Case("resize", IMG.astype("float16"), (3, 4), ref=ref_resize, rtol=1e-2, atol=1e-2,
             id="resize-float16", **CL),
        Case("resize", IMG.astype(ml_dtypes.bfloat16), (7, 4),
             ref=ref_resize, rtol=2e-2, atol=2e-2, id="resize-bfloat16-input", **CL),
    ]
    # scale_and_translate
    out += [
        Case("scale_and_translate", IMG, (2, 9, 4, 3), [1.7, 0.6], [0.5, -0.3], (1, 2), "bilinear",
             ref=ref_scale_and_translate, rtol=1e-4, atol=1e-5, id="scale_and_translate-linear"),
        Case("scale_and_translate", IMG, (2, 3, 8, 3), [0.6, 1.4], [0.2, 0.7], (1, 2), "cubic",
             antialias=False, ref=ref_scale_and_translate, rtol=1e-4, atol=1e-5,
             id="scale_and_translate-cubic"),
        Case("scale_and_translate", MAPIN, (4, 3), [0.5], [0.25], (-1,), "lanczos3",
             ref=lambda x, s, sc, t, d, m: ref_scale_and_translate(x, s, sc, t, (1,), m),
             rtol=1e-4, atol=1e-5, id="scale_and_translate-lanczos3-negative-axis"),
        Case("scale_and_translate", U8[0], (8, 5, 3), [2.0], [0.0], (0,), "lanczos5",
             ref=ref_scale_and_translate, rtol=1e-4, atol=1e-3, none_ok=False,
             id="scale_and_translate-uint8"),
    ]
    # colour
    out += [
        Case("rgb_to_grayscale", IMG, ref=ref_grayscale, rtol=1e-5, id="rgb_to_grayscale", **CL),
        Case("rgb_to_grayscale", CF, ref=ref_grayscale, rtol=1e-5, id="rgb_to_grayscale-cf", **CFM),
        Case("rgb_to_grayscale", U8[0], ref=ref_grayscale, atol=1.0, id="rgb_to_grayscale-uint8", **CL),
        Case("rgb_to_grayscale", IMG.astype("float16"), ref=ref_grayscale, rtol=1e-2, atol=1e-2,
             id="rgb_to_grayscale-float16", **CL),
        Case("rgb_to_hsv", _hsv_in((2, 3, 4, 3), 1), ref=_colorsys(colorsys.rgb_to_hsv), rtol=1e-4,
             atol=1e-5, id="rgb_to_hsv", **CL),
        Case("rgb_to_hsv", np.array([[[0.0, 0.0, 0.0], [0.5, 0.5, 0.5], [1.0, 0.0, 0.0],
                                      [0.2, 0.4, 0.4], [0.3, 0.1, 0.3]]], "float32"),
             ref=_colorsys(colorsys.rgb_to_hsv), atol=1e-6, id="rgb_to_hsv-grey-and-ties", **CL),
        Case("rgb_to_hsv", np.moveaxis(_hsv_in((3, 4, 3), 2), -1, 0).copy(),
             ref=_colorsys(colorsys.rgb_to_hsv), rtol=1e-4, atol=1e-5, id="rgb_to_hsv-cf", **CFM),
        Case("hsv_to_rgb", _hsv_in((2, 3, 4, 3), 3), ref=_colorsys(colorsys.hsv_to_rgb), rtol=1e-4,
             atol=1e-5, id="hsv_to_rgb", **CL),
        Case("hsv_to_rgb", _hsv_in((2, 3, 4, 3), 4).astype("float16"),
             ref=_colorsys(colorsys.hsv_to_rgb), rtol=1e-2, atol=1e-2, id="hsv_to_rgb-float16", **CL),
    ]
    # crop and pad
    out += [
        Case("crop_images", IMG, 1, 2, target_height=3, target_width=3, ref=ref_crop,
             id="crop_images-target", **CL),
        Case("crop_images", IMG, None, 1, bottom_cropping=2, right_cropping=1, target_height=2,
             ref=ref_crop, id="crop_images-from-bottom", **CL),
        Case("crop_images", CF, 0, 0, 1, 2, ref=ref_crop, id="crop_images-cf", **CFM),
        Case("crop_images", U8[0], 1, 1, 1, 1, ref=ref_crop, id="crop_images-unbatched-uint8", **CL),
        Case("pad_images", IMG, 1, 2, target_height=8, target_width=9, ref=ref_pad,
             id="pad_images-target", **CL),
        Case("pad_images", IMG1, None, 0, bottom_padding=1, right_padding=2, target_height=6,
             ref=ref_pad, id="pad_images-unbatched", **CL),
        Case("pad_images", CF, 2, 0, 0, 1, ref=ref_pad, id="pad_images-cf", **CFM),
    ]
    # sampling
    for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
        out.append(Case("map_coordinates", MAPIN, COORDS, 1, fill_mode=mode, fill_value=0.5,
                        ref=ref_map_coordinates, rtol=1e-5, atol=1e-5, none_ok=False,
                        id=f"map_coordinates-linear-{mode}"))
        out.append(Case("affine_transform", IMG, ROT, fill_mode=mode, fill_value=0.25, ref=ref_affine,
                        rtol=1e-4, atol=1e-5, id=f"affine_transform-{mode}", **CL))
    out += [
        Case("map_coordinates", MAPIN, COORDS, 0, fill_mode="reflect", ref=ref_map_coordinates,
             none_ok=False, id="map_coordinates-nearest"),
        Case("map_coordinates", np.arange(12, dtype="int32").reshape(3, 4), COORDS[:, :2] * 0.6, 1,
             ref=ref_map_coordinates, atol=1.0, none_ok=False, id="map_coordinates-int32"),
        Case("map_coordinates", MAPIN[0], COORDS[:1, 0] * 0.5, 1, fill_mode="mirror",
             ref=ref_map_coordinates, rtol=1e-5, atol=1e-5, none_ok=False, id="map_coordinates-1d"),
        Case("affine_transform", IMG, PROJ, interpolation="nearest", fill_mode="nearest",
             ref=ref_affine, rtol=1e-4, atol=1e-5, id="affine_transform-batch-projective-nearest", **CL),
        Case("affine_transform", CF, PROJ, ref=ref_affine, rtol=1e-4, atol=1e-5,
             id="affine_transform-cf", **CFM),
        Case("affine_transform", IMG1, ROT, fill_mode="reflect", ref=ref_affine, rtol=1e-4,
             atol=1e-5, id="affine_transform-unbatched", **CL),
        Case("perspective_transform", IMG, CORNERS, MOVED, ref=ref_perspective, rtol=1e-3, atol=1e-4,
             none_ok=False, id="perspective_transform", **CL),
        Case("perspective_transform", IMG, np.stack([CORNERS, MOVED]), np.stack([MOVED, CORNERS]),
             interpolation="nearest", fill_value=0.5, ref=ref_perspective, rtol=1e-3, atol=1e-4,
             none_ok=False, id="perspective_transform-batch-nearest", **CL),
    ]
    # patches
    vol = RNG.uniform(0.0, 1.0, size=(2, 4, 5, 6, 2)).astype("float32")
    out += [
        Case("extract_patches", IMG, 2, ref=_ref_patches(2), id="extract_patches", **CL),
        Case("extract_patches", IMG, (3, 2), strides=(1, 2), dilation_rate=1, padding="same",
             ref=_ref_patches(2), id="extract_patches-same", **CL),
        Case("extract_patches", BIG, 2, strides=1, dilation_rate=(2, 3), ref=_ref_patches(2),
             id="extract_patches-dilated", **CL),
        Case("extract_patches", CF, (2, 3), strides=(2, 1), ref=_ref_patches(2),
             id="extract_patches-cf", **CFM),
        Case("extract_patches", U8[0], 2, strides=1, ref=_ref_patches(2),
             id="extract_patches-unbatched-uint8", **CL),
        Case("extract_patches_3d", vol, 2, ref=_ref_patches(3), id="extract_patches_3d", **CL),
        Case("extract_patches_3d", vol, (2, 3, 2), strides=(1, 2, 3), padding="same",
             ref=_ref_patches(3), id="extract_patches_3d-same", **CL),
        Case("extract_patches_3d", np.moveaxis(vol[0], -1, 0).copy(), (2, 2, 3), strides=1,
             dilation_rate=(1, 2, 1), ref=_ref_patches(3), id="extract_patches_3d-cf-unbatched", **CFM),
    ]
    # filters
    out += [
        Case("gaussian_blur", IMG, ref=ref_gaussian_blur, rtol=1e-5, atol=1e-6, id="gaussian_blur", **CL),
        Case("gaussian_blur", BIG, kernel_size=(5, 4), sigma=(1.5, 0.7), ref=ref_gaussian_blur,
             rtol=1e-5, atol=1e-6, id="gaussian_blur-even-anisotropic", **CL),
        Case("gaussian_blur", CF, kernel_size=(3, 5), sigma=(0.8, 2.0), ref=ref_gaussian_blur,
             rtol=1e-5, atol=1e-6, id="gaussian_blur-cf", **CFM),
        Case("gaussian_blur", U8[0], ref=ref_gaussian_blur, atol=1.0, id="gaussian_blur-uint8", **CL),
        Case("sobel_edges", IMG, ref=ref_sobel, rtol=1e-5, atol=1e-5, id="sobel_edges", **CL),
        Case("sobel_edges", CF, ref=ref_sobel, rtol=1e-5, atol=1e-5, id="sobel_edges-cf", **CFM),
        Case("sobel_edges", U8[0], ref=ref_sobel, rtol=1e-5, atol=1e-4, id="sobel_edges-uint8", **CL),
        Case("ssim", BIG, np.clip(BIG + RNG.normal(0, 0.1, BIG.shape), 0, 1).astype("float32"),
             filter_size=7, ref=ref_ssim, rtol=1e-4, atol=1e-5, id="ssim", **CL),
        Case("ssim", BIG[0] * 255.0, np.clip(BIG[1] * 255.0, 0, 255).astype("float32"),
             max_val=255.0, filter_size=5, filter_sigma=1.0, ref=ref_ssim, rtol=1e-4, atol=1e-5,
             id="ssim-unbatched-255", **CL),
        Case("ssim", np.moveaxis(BIG, -1, 1).copy(), np.moveaxis(BIG[::-1], -1, 1).copy(),
             filter_size=11, ref=ref_ssim, rtol=1e-4, atol=1e-5, id="ssim-cf", **CFM),
    ]
    return out


def grad_cases():
    img = _f32((1, 5, 6, 3), 0.1, 0.9)
    hsv = np.array([[[[0.1, 0.5, 0.7], [0.45, 0.3, 0.6]], [[0.7, 0.8, 0.4], [0.9, 0.2, 0.5]]]], "float32")
    rgb = np.array([[[[0.9, 0.3, 0.2], [0.2, 0.8, 0.4]], [[0.3, 0.35, 0.9], [0.6, 0.5, 0.1]]]], "float32")
    return [
        GradCase("resize", img, (7, 4), interpolation="bicubic", data_format="channels_last"),
        GradCase("resize", img, (3, 3), interpolation="area", data_format="channels_last",
                 id="grad-resize-area"),
        GradCase("scale_and_translate", img, (1, 8, 4, 3), [1.5, 0.7], [0.3, 0.1], (1, 2), "linear"),
        GradCase("rgb_to_grayscale", img, data_format="channels_last"),
        GradCase("rgb_to_hsv", rgb, data_format="channels_last"),
        GradCase("hsv_to_rgb", hsv, data_format="channels_last"),
        GradCase("crop_images", img, 1, 1, target_height=3, target_width=4, data_format="channels_last"),
        GradCase("pad_images", img, 1, 2, target_height=8, target_width=9, data_format="channels_last"),
        GradCase("map_coordinates", img[0, :, :, 0], np.array([[0.3, 2.6, 4.2], [1.3, 0.4, 3.7]],
                                                              "float32"), 1, wrt=(0,)),
        GradCase("affine_transform", img, [0.9, -0.3, 1.05, 0.3, 0.9, -0.45, 0.0, 0.0],
                 data_format="channels_last", wrt=(0,)),
        GradCase("perspective_transform", img, CORNERS, MOVED, data_format="channels_last", wrt=(0,)),
        GradCase("extract_patches", img, 2, strides=1, data_format="channels_last"),
        GradCase("extract_patches_3d", _f32((1, 3, 4, 3, 2)), 2, data_format="channels_last"),
        GradCase("gaussian_blur", img, data_format="channels_last"),
        GradCase("sobel_edges", img, data_format="channels_last"),
        GradCase("ssim", _f32((1, 6, 6, 1), 0.1, 0.9), _f32((1, 6, 6, 1), 0.1, 0.9), filter_size=3),
    ]
