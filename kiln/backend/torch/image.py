"""Torch backend image ops: resizing, colour spaces, patches, filters and geometric warps.

Resampling applies one (input, output) weight matrix per axis, built from the
definition ``jax.image`` uses (half-pixel centres, kernel widened when
antialiasing a downsample), so values match the other backends at the edges
too (``F.interpolate`` differs there). Filters are grouped ``F.conv2d``
calls; sampling gathers the neighbouring pixels of every point and masks or
folds those outside the input.

Example:
    >>> import torch
    >>> resize(torch.ones(1, 4, 4, 3), (2, 2)).shape
    torch.Size([1, 2, 2, 3])
"""

import functools

import torch
import torch.nn.functional as F

from kiln import config
from kiln.backend.common import image_kernels as kernels
from kiln.backend.common import image_rules as rules
from kiln.backend.torch.array_ops import _t


def _take(a, index, axis=0):
    return a[(slice(None),) * axis + (index,)]


def _pad(x, pad_width):
    """``np.pad`` (constant zeros) of ``x`` by per-axis (before, after) widths."""
    flat = []
    for before, after in reversed(pad_width):
        flat += [before, after]
    return F.pad(x, flat)


# NumPy names the shared kernels use, spelled the torch way
_XP = kernels.Namespace(torch, clip=torch.clamp, mod=torch.remainder, take=_take, pad=_pad,
                        transpose=torch.permute, astype=lambda x, dtype: x.to(dtype),
                        expand_dims=torch.unsqueeze,
                        isdtype=lambda dtype, kind: dtype.is_floating_point)


def _images(images, name, ranks=(3, 4)):
    images = _t(images)
    rules.check_rank(images.ndim, images.shape, name, ranks)
    return images


_to_nhwc = functools.partial(kernels.to_nhwc, transpose=torch.permute)
_from_nhwc = functools.partial(kernels.from_nhwc, transpose=torch.permute)
_compute_dtype = functools.partial(kernels.compute_dtype, torch)


def _restore(x, dtype):
    """Cast a float result back to the input dtype, rounding and clipping integers."""
    if x.dtype == dtype:
        return x
    if not dtype.is_floating_point:
        info = torch.iinfo(dtype)
        x = torch.clamp(kernels.round_half_away(torch, x), info.min, info.max)
    return x.to(dtype)


def _depthwise(x, kernel, padding, pad_mode="constant"):
    """Correlate every channel of NHWC ``x`` with the 2-D NumPy ``kernel``.

    ``padding="same"`` pads (with ``pad_mode``) so the output keeps the size.
    """
    kh, kw = kernel.shape
    channels = x.shape[-1]
    x = x.permute(0, 3, 1, 2)
    if padding == "same":
        x = F.pad(x, rules.centered_padding(kw) + rules.centered_padding(kh), mode=pad_mode)
    weights = torch.as_tensor(kernel, dtype=x.dtype, device=x.device).expand(channels, 1, kh, kw)
    return F.conv2d(x, weights, groups=channels).permute(0, 2, 3, 1)


def _resample_weights(in_size, out_size, scale, translation, kernel, antialias, device):
    """(in, out) weights of ``rules.resample_weights`` as float64 tensors on ``device``.

    ``scale`` and ``translation`` are Python floats or 0-d float64 tensors.
    """
    scale = torch.as_tensor(scale, dtype=torch.float64, device=device)
    translation = torch.as_tensor(translation, dtype=torch.float64, device=device)
    xp = kernels.Namespace(_XP, arange=functools.partial(torch.arange, device=device))
    return rules.resample_weights(in_size, out_size, scale, translation, kernel, antialias, xp)


def _sobel(x):
    """[dy, dx] Sobel planes of float NHWC ``x``, borders reflected."""
    return [_depthwise(x, rules.SOBEL_Y, "same", "reflect"),
            _depthwise(x, rules.SOBEL_Y.T, "same", "reflect")]


def _apply_weights(x, axis, weights):
    """Contract ``x``'s ``axis`` with an (in, out) matrix, keeping the axis in place."""
    out = torch.tensordot(x, weights.to(x.dtype), dims=([axis], [0]))
    return torch.movedim(out, -1, axis)


# ---------------------------------------------------------------- colour

def rgb_to_grayscale(images, data_format=None):
    """Luma (0.2989 R + 0.5870 G + 0.1140 B) with the channel axis kept (size 1)."""
    images = _images(images, "rgb_to_grayscale")
    data_format = config.standardize_data_format(data_format)
    axis = rules.channel_axis(images.ndim, data_format)
    rules.check_rgb_channels(images.shape, axis, "rgb_to_grayscale")
    dtype = images.dtype
    compute = _compute_dtype(dtype)
    weights = torch.tensor(rules.GRAY_WEIGHTS, dtype=compute, device=images.device)
    gray = torch.tensordot(images.to(compute), weights, dims=([axis], [0]))
    return _restore(gray.unsqueeze(axis), dtype)


def _float_images(images, name):
    images = _images(images, name)
    if not images.dtype.is_floating_point:
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
    """Resize images of rank 3 (one image) or 4 (a batch) to ``size = (height, width)``."""
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
        x = F.pad(x, (0, 0, left, new_w - width - left, top, new_h - height - top),
                  value=float(fill_value))
    if interpolation == "nearest":
        for axis, n in ((1, target_h), (2, target_w)):
            if x.shape[axis] != n:
                index = rules.nearest_source_indices(x.shape[axis], n)
                x = torch.index_select(x, axis, torch.as_tensor(index, device=x.device))
        return _from_nhwc(x, unbatched, data_format)
    x = x.to(_compute_dtype(dtype))
    kernel = rules.resize_kernel(interpolation)
    for axis, n in ((1, target_h), (2, target_w)):
        if x.shape[axis] == n:
            continue
        if interpolation == "area":
            weights = torch.as_tensor(rules.area_weights(x.shape[axis], n), device=x.device)
        else:
            weights = _resample_weights(x.shape[axis], n, n / x.shape[axis], 0.0, kernel, antialias,
                                        x.device)
        x = _apply_weights(x, axis, weights)
    return _from_nhwc(_restore(x, dtype), unbatched, data_format)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resample ``spatial_dims`` of ``images`` to ``output_shape`` with a scale and an offset."""
    kernel = rules.scale_kernel(method)
    images = _t(images)
    dtype = images.dtype if images.dtype.is_floating_point else torch.float32
    x = images.to(_compute_dtype(dtype))
    scale = _t(scale).to(device=x.device, dtype=torch.float64).reshape(-1)
    translation = _t(translation).to(device=x.device, dtype=torch.float64).reshape(-1)
    output_shape = rules.scale_output_shape(output_shape, x.shape)
    for i, d in enumerate(spatial_dims):
        d = int(d) % x.ndim
        weights = _resample_weights(x.shape[d], output_shape[d], scale[i], translation[i],
                                    kernel, antialias, x.device)
        x = _apply_weights(x, d, weights)
    return x.to(dtype)


# ---------------------------------------------------------------- sampling

def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample ``inputs`` at ``coordinates`` (one array per input axis) by spline ``order`` 0 or 1."""
    rules.check_map_coordinates_options(order, fill_mode)
    inputs = _t(inputs)
    coordinates = _t(coordinates)
    rules.check_coordinates_shape(coordinates.shape, inputs.ndim)
    dtype = inputs.dtype
    compute = _compute_dtype(dtype)
    flat = inputs.to(compute).reshape(-1, 1)
    coords = [c.to(device=flat.device, dtype=compute) for c in torch.unbind(coordinates, 0)]
    fill = torch.as_tensor(fill_value, dtype=compute, device=flat.device)
    out = kernels.interpolate(_XP, flat, 0, coords, tuple(inputs.shape), order, fill_mode, fill,
                              torch.int64)[..., 0]
    return _restore(out, dtype)


def _sample(x, rows, cols, order, fill_mode, fill_value):
    """Interpolate NHWC ``x`` at float (B, H', W') ``rows``/``cols`` -> (B, H', W', C)."""
    batch, height, width, channels = x.shape
    base = (torch.arange(batch, device=x.device) * (height * width))[:, None, None]
    fill = torch.as_tensor(fill_value, dtype=x.dtype, device=x.device)
    return kernels.interpolate(_XP, x.reshape(batch * height * width, channels), base,
                               [rows, cols], (height, width), order, fill_mode, fill, torch.int64)


def _grid(height, width, dtype, device):
    return torch.meshgrid(torch.arange(height, dtype=dtype, device=device),
                          torch.arange(width, dtype=dtype, device=device), indexing="ij")


def _warp(images, transform, order, fill_mode, fill_value, data_format):
    """Projective warp: output pixel (x, y) reads input ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)."""
    x, unbatched = _to_nhwc(images, data_format)
    dtype = x.dtype
    x = x.to(_compute_dtype(dtype))
    if transform.ndim == 1:
        transform = transform.unsqueeze(0)
    transform = transform.to(device=x.device, dtype=x.dtype)
    height, width = x.shape[1], x.shape[2]
    ys, xs = _grid(height, width, x.dtype, x.device)
    rows, cols = rules.projective_source_coordinates(transform, xs, ys)
    rows = rows.expand(x.shape[0], height, width)
    cols = cols.expand(x.shape[0], height, width)
    out = _sample(x, rows, cols, order, fill_mode, fill_value)
    return _from_nhwc(_restore(out, dtype), unbatched, data_format)


def _noise(x, seed):
    from kiln.backend.torch import random
    from kiln.backend.torch.core import dtype_name

    return random.uniform(tuple(x.shape[:3]) + (2,), -1.0, 1.0, dtype=dtype_name(x.dtype),
                          seed=seed).to(x.device)


_IMAGE = kernels.Backend(
    noise=_noise, grid=lambda x: _grid(x.shape[1], x.shape[2], x.dtype, x.device), sample=_sample,
    float_images=lambda x, name: _float_images(x, name),
    split=lambda x, axis: torch.unbind(x, dim=axis),
    xp=_XP, images=_images, convert=_t, restore=_restore,
    depthwise=_depthwise, sobel=_sobel, warp=_warp)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Warp images by 8-parameter projective transforms (shape (8,) or (batch, 8))."""
    return kernels.affine_transform(_IMAGE, images, transform, interpolation, fill_mode,
                                    fill_value, data_format)


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warp so that each ``start_points`` location of the input lands on its ``end_points``."""
    images = _t(images)
    start_points = _t(start_points).to(images.device)
    end_points = _t(end_points).to(images.device)
    return kernels.perspective_transform(_IMAGE, images, start_points, end_points, interpolation,
                                         fill_value, data_format)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect",
                      fill_value=0.0, seed=None, data_format=None):
    """Displace every pixel by smoothed uniform noise (Gaussian ``sigma``) scaled by ``alpha``."""
    return kernels.elastic_transform(_IMAGE, images, alpha, sigma, interpolation, fill_mode,
                                     fill_value, seed, data_format)


# ---------------------------------------------------------------- patches

def _extract(images, size, strides, dilation_rate, padding, data_format, rank, name):
    return kernels.extract_patches(_XP, _t(images), size, strides, dilation_rate, padding,
                                   config.standardize_data_format(data_format), rank, name)


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
    image1 = _t(image1)
    image2 = _t(image2).to(image1.device)
    return kernels.ssim(_IMAGE, image1, image2, max_val, filter_size, filter_sigma, k1, k2,
                        data_format)

