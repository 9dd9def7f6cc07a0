"""NumPy backend image ops: resizing, colour spaces, patches, filters and geometric warps.

Resampling applies one (input, output) weight matrix per axis, built from the
definition ``jax.image`` uses (half-pixel centres, kernel widened when
antialiasing a downsample); sampling gathers the neighbouring elements of
every point and masks or folds those outside the input.

Example:
    >>> import numpy as np
    >>> resize(np.ones((2, 8, 8, 3)), (4, 4)).shape
    (2, 4, 4, 3)
"""

import functools

import numpy as np

from kiln import config
from kiln.backend.common import image_kernels as kernels
from kiln.backend.common import image_rules as rules
from kiln.backend.numpy.core import convert_to_tensor


# ---------------------------------------------------------------- layout helpers

def _images(images, name, ranks=(3, 4)):
    images = convert_to_tensor(images)
    rules.check_rank(images.ndim, images.shape, name, ranks)
    return images


_to_nhwc = functools.partial(kernels.to_nhwc, transpose=np.transpose)
_from_nhwc = functools.partial(kernels.from_nhwc, transpose=np.transpose)
_compute_dtype = functools.partial(kernels.compute_dtype, np)
_restore = functools.partial(kernels.restore, np)


def _depthwise(x, kernel, padding):
    """Correlate every channel of NHWC ``x`` with the 2-D NumPy ``kernel`` ("same" is zero-padded)."""
    kh, kw = kernel.shape
    if padding == "same":
        x = np.pad(x, ((0, 0), rules.centered_padding(kh), rules.centered_padding(kw), (0, 0)))
    out_h, out_w = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    out = np.zeros(x.shape[:1] + (out_h, out_w) + x.shape[3:], x.dtype)
    for i, j in zip(*np.nonzero(kernel)):
        out += x.dtype.type(kernel[i, j]) * x[:, i:i + out_h, j:j + out_w]
    return out


def _sobel(x):
    """[dy, dx] Sobel planes of float NHWC ``x``, borders reflected."""
    x = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect")
    return [_depthwise(x, rules.SOBEL_Y, "valid"), _depthwise(x, rules.SOBEL_Y.T, "valid")]


def _warp(images, transform, order, fill_mode, fill_value, data_format):
    return kernels.warp(np, images, transform, order, fill_mode, fill_value, data_format, np.int64)


def _noise(x, seed):
    from kiln.backend.numpy import random

    return random.uniform(x.shape[:3] + (2,), -1.0, 1.0, dtype=str(x.dtype), seed=seed)


_IMAGE = kernels.Backend(
    noise=_noise, grid=lambda x: kernels.pixel_grid(np, x.shape[1], x.shape[2], x.dtype),
    sample=functools.partial(kernels.sample, np, index_dtype=np.int64),
    float_images=lambda x, name: _float_images(x, name),
    split=lambda x, axis: [np.take(x, i, axis=axis) for i in range(3)],
    xp=np, images=_images, convert=convert_to_tensor,
    restore=_restore, depthwise=_depthwise, sobel=_sobel, warp=_warp)


def _apply_weights(x, axis, weights):
    """Contract ``x``'s ``axis`` with an (in, out) matrix, keeping the axis in place."""
    out = np.tensordot(x, weights.astype(x.dtype), axes=((axis,), (0,)))
    return np.moveaxis(out, -1, axis)


# ---------------------------------------------------------------- colour

def rgb_to_grayscale(images, data_format=None):
    """Luma (0.2989 R + 0.5870 G + 0.1140 B) with the channel axis kept (size 1)."""
    images = _images(images, "rgb_to_grayscale")
    data_format = config.standardize_data_format(data_format)
    axis = rules.channel_axis(images.ndim, data_format)
    rules.check_rgb_channels(images.shape, axis, "rgb_to_grayscale")
    dtype = images.dtype
    compute = _compute_dtype(dtype)
    weights = np.asarray(rules.GRAY_WEIGHTS, compute)
    gray = np.tensordot(images.astype(compute), weights, axes=((axis,), (0,)))
    return _restore(np.expand_dims(gray, axis), dtype)


def _float_images(images, name):
    images = _images(images, name)
    if not np.isdtype(images.dtype, "real floating"):
        raise ValueError(f"{name}: images must have a float dtype, received {images.dtype}")
    return images


def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] to HSV with hue, saturation and value in [0, 1]."""
    return kernels.convert_colours(_IMAGE, images, data_format, "rgb_to_hsv", kernels.rgb_to_hsv)


def hsv_to_rgb(images, data_format=None):
    """HSV (all channels in [0, 1]) back to RGB."""
    return kernels.convert_colours(_IMAGE, images, data_format, "hsv_to_rgb", kernels.hsv_to_rgb)


# ---------------------------------------------------------------- crop and pad

def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crop to (target_height, target_width), two of the three numbers per axis given."""
    return kernels.crop_images(_IMAGE, images, top_cropping, left_cropping, bottom_cropping,
                               right_cropping, target_height, target_width, data_format)


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Zero-pad to (target_height, target_width), two of the three numbers per axis given."""
    return kernels.pad_images(_IMAGE, images, top_padding, left_padding, bottom_padding,
                              right_padding, target_height, target_width, data_format)


# ---------------------------------------------------------------- resize

def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize ``images`` (rank 3 or 4) to ``size = (height, width)``."""
    size = rules.check_resize_options(size, interpolation, fill_mode, crop_to_aspect_ratio,
                                      pad_to_aspect_ratio)
    images = _images(images, "resize")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(images, data_format)
    dtype = x.dtype
    height, width = x.shape[1], x.shape[2]
    target_h, target_w = size
    if crop_to_aspect_ratio:
        new_h, new_w, top, left = rules.aspect_ratio_box(height, width, target_h, target_w, False)
        x = x[:, top:top + new_h, left:left + new_w, :]
    elif pad_to_aspect_ratio:
        new_h, new_w, top, left = rules.aspect_ratio_box(height, width, target_h, target_w, True)
        x = np.pad(x, ((0, 0), (top, new_h - height - top), (left, new_w - width - left), (0, 0)),
                    constant_values=np.asarray(fill_value, dtype))
    if interpolation == "nearest":
        for axis, n in ((1, target_h), (2, target_w)):
            if x.shape[axis] != n:
                x = np.take(x, rules.nearest_source_indices(x.shape[axis], n), axis=axis)
        return _from_nhwc(x if x is not images else x.copy(), unbatched, data_format)
    x = x.astype(_compute_dtype(dtype))
    kernel = rules.resize_kernel(interpolation)
    for axis, n in ((1, target_h), (2, target_w)):
        if x.shape[axis] == n:
            continue
        if interpolation == "area":
            weights = rules.area_weights(x.shape[axis], n)
        else:
            weights = rules.resample_weights(x.shape[axis], n, n / x.shape[axis], 0.0, kernel,
                                             antialias)
        x = _apply_weights(x, axis, weights)
    return _from_nhwc(_restore(x, dtype), unbatched, data_format)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resample ``spatial_dims`` of ``images`` to ``output_shape`` with a scale and an offset."""
    kernel = rules.scale_kernel(method)
    images = convert_to_tensor(images)
    dtype = images.dtype if np.issubdtype(images.dtype, np.floating) else np.dtype(np.float32)
    x = images.astype(_compute_dtype(dtype))
    scale = np.asarray(scale, np.float64).reshape(-1)
    translation = np.asarray(translation, np.float64).reshape(-1)
    output_shape = rules.scale_output_shape(output_shape, x.shape)
    for i, d in enumerate(spatial_dims):
        d = int(d) % x.ndim
        weights = rules.resample_weights(x.shape[d], output_shape[d], scale[i], translation[i],
                                         kernel, antialias)
        x = _apply_weights(x, d, weights)
    return x.astype(dtype)


# ---------------------------------------------------------------- sampling

def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample ``inputs`` at ``coordinates`` (one array per input axis) by spline ``order`` 0 or 1."""
    rules.check_map_coordinates_options(order, fill_mode)
    inputs = convert_to_tensor(inputs)
    coordinates = convert_to_tensor(coordinates)
    rules.check_coordinates_shape(coordinates.shape, inputs.ndim)
    dtype = inputs.dtype
    compute = _compute_dtype(dtype)
    flat = inputs.astype(compute).reshape(-1, 1)
    coords = [c.astype(compute) for c in coordinates]
    out = kernels.interpolate(np, flat, 0, coords, inputs.shape, order, fill_mode,
                              np.asarray(fill_value, compute), np.int64)[..., 0]
    return _restore(out, dtype)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Warp images by 8-parameter projective transforms (shape (8,) or (batch, 8))."""
    return kernels.affine_transform(_IMAGE, images, transform, interpolation, fill_mode,
                                    fill_value, data_format)


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warp so that each ``start_points`` location of the input lands on its ``end_points``."""
    return kernels.perspective_transform(_IMAGE, images, start_points, end_points, interpolation,
                                         fill_value, data_format)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect",
                      fill_value=0.0, seed=None, data_format=None):
    """Displace every pixel by smoothed uniform noise (Gaussian ``sigma``) scaled by ``alpha``."""
    return kernels.elastic_transform(_IMAGE, images, alpha, sigma, interpolation, fill_mode,
                                     fill_value, seed, data_format)


# ---------------------------------------------------------------- patches

def _extract(images, size, strides, dilation_rate, padding, data_format, rank, name):
    return kernels.extract_patches(np, convert_to_tensor(images), size, strides, dilation_rate,
                                   padding, config.standardize_data_format(data_format), rank,
                                   name)


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of ``size`` (an int or (h, w)) flattened into the channel axis (order h, w, c)."""
    return _extract(images, size, strides, dilation_rate, padding, data_format, 2,
                    "extract_patches")


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """3-D patches of ``size`` (an int or (d, h, w)) flattened into the channel axis."""
    return _extract(volumes, size, strides, dilation_rate, padding, data_format, 3,
                    "extract_patches_3d")


# ---------------------------------------------------------------- filters

def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur each channel with a (height, width) Gaussian kernel, zero-padded to keep the size."""
    return kernels.gaussian_blur(_IMAGE, images, kernel_size, sigma, data_format)


def sobel_edges(images, data_format=None):
    """Sobel gradients [dy, dx] of every channel on a new last axis (reflect-padded borders)."""
    return kernels.sobel_edges(_IMAGE, images, data_format)


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Mean structural similarity of each image pair (Gaussian-weighted local statistics)."""
    return kernels.ssim(_IMAGE, image1, image2, max_val, filter_size, filter_sigma, k1, k2,
                        data_format)

