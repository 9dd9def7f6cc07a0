"""TensorFlow backend image ops: resizing, colour spaces, patches, filters and geometric warps.

Resampling applies one (input, output) weight matrix per axis, built from the
definition ``jax.image`` uses (half-pixel centres, kernel widened when
antialiasing a downsample), so values match the other backends at the edges
too (``tf.image.resize`` differs there). Filters are depthwise convolutions;
sampling gathers the neighbouring pixels of every point and masks or folds
those outside the input. Everything traces under ``tf.function``; only the
spatial sizes must be static.

Example:
    >>> import tensorflow as tf
    >>> resize(tf.ones((1, 4, 4, 3)), (2, 2)).shape.as_list()
    [1, 2, 2, 3]
"""

import functools

import numpy as np
import tensorflow as tf

from kiln import config
from kiln.backend.common import image_kernels as kernels
from kiln.backend.common import image_rules as rules
from kiln.backend.tensorflow.core import convert_to_tensor


# ---------------------------------------------------------------- layout helpers

def _images(images, name, ranks=(3, 4)):
    images = convert_to_tensor(images)
    rules.check_rank(images.shape.rank, images.shape, name, ranks)
    return images


_to_nhwc = functools.partial(kernels.to_nhwc, transpose=tf.transpose)
_from_nhwc = functools.partial(kernels.from_nhwc, transpose=tf.transpose)


def _moveaxis(x, source, destination):
    rank = x.shape.rank
    perm = [i for i in range(rank) if i != source % rank]
    perm.insert(destination % rank, source % rank)
    return tf.transpose(x, perm)


def _where(condition, x, y):
    """``tf.where`` that also takes a Python scalar for one branch (cast to the other's dtype)."""
    dtype = x.dtype if tf.is_tensor(x) else y.dtype
    return tf.where(condition, tf.cast(x, dtype), tf.cast(y, dtype))


# NumPy names the shared kernels use, spelled the TensorFlow way
_XP = kernels.Namespace(
    tf, where=_where, clip=tf.clip_by_value, mod=tf.math.floormod, moveaxis=_moveaxis,
    take=lambda a, index, axis=0: tf.gather(a, index, axis=axis), astype=tf.cast,
    concatenate=lambda values, axis: tf.concat(values, axis),
    sum=lambda x, axis, keepdims: tf.reduce_sum(x, axis=axis, keepdims=keepdims),
    arange=lambda n, dtype: tf.range(n, dtype=dtype),
    mean=lambda x, axis: tf.reduce_mean(x, axis=list(axis)),
    isdtype=lambda dtype, kind: dtype.is_floating, asarray=lambda x, dtype: tf.cast(x, dtype))


_compute_dtype = functools.partial(kernels.compute_dtype, tf)


def _restore(x, dtype):
    """Cast a float result back to the input dtype, rounding and clipping integers."""
    if x.dtype == dtype:
        return x
    if dtype.is_integer:
        x = tf.clip_by_value(kernels.round_half_away(tf, x), tf.cast(dtype.min, x.dtype),
                             tf.cast(dtype.max, x.dtype))
    return tf.cast(x, dtype)


def _depthwise(x, kernel, padding, pad_mode="CONSTANT"):
    """Correlate every channel of NHWC ``x`` with the 2-D NumPy ``kernel``.

    ``padding="same"`` pads (with ``pad_mode``) so the output keeps the size.
    """
    kh, kw = kernel.shape
    if padding == "same":
        x = tf.pad(x, [(0, 0), rules.centered_padding(kh), rules.centered_padding(kw), (0, 0)],
                   mode=pad_mode)
    channels = x.shape[-1]
    weights = tf.constant(np.tile(kernel[:, :, None, None], (1, 1, channels, 1)), dtype=x.dtype)
    return tf.nn.depthwise_conv2d(x, weights, strides=[1, 1, 1, 1], padding="VALID")


def _resample_weights(in_size, out_size, scale, translation, kernel, antialias):
    """(in, out) float64 weights of ``rules.resample_weights`` as tensors."""
    return rules.resample_weights(in_size, out_size, tf.cast(scale, tf.float64),
                                  tf.cast(translation, tf.float64), kernel, antialias, _XP)


def _sobel(x):
    """[dy, dx] Sobel planes of float NHWC ``x``, borders reflected."""
    return [_depthwise(x, rules.SOBEL_Y, "same", "REFLECT"),
            _depthwise(x, rules.SOBEL_Y.T, "same", "REFLECT")]


def _apply_weights(x, axis, weights):
    """Contract ``x``'s ``axis`` with an (in, out) matrix, keeping the axis in place."""
    out = tf.tensordot(x, tf.cast(weights, x.dtype), axes=[[axis], [0]])
    return _moveaxis(out, -1, axis)


# ---------------------------------------------------------------- colour

def rgb_to_grayscale(images, data_format=None):
    """Luma (0.2989 R + 0.5870 G + 0.1140 B) with the channel axis kept (size 1)."""
    images = _images(images, "rgb_to_grayscale")
    data_format = config.standardize_data_format(data_format)
    axis = rules.channel_axis(images.shape.rank, data_format)
    rules.check_rgb_channels(images.shape, axis, "rgb_to_grayscale")
    dtype = images.dtype
    compute = _compute_dtype(dtype)
    weights = tf.constant(rules.GRAY_WEIGHTS, dtype=compute)
    gray = tf.tensordot(tf.cast(images, compute), weights, axes=[[axis], [0]])
    return _restore(tf.expand_dims(gray, axis), dtype)


def _float_images(images, name):
    images = _images(images, name)
    if not images.dtype.is_floating:
        raise ValueError(f"{name}: images must have a float dtype, received {images.dtype.name}")
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
        x = tf.pad(x, [[0, 0], [top, new_h - height - top], [left, new_w - width - left], [0, 0]],
                   constant_values=tf.cast(fill_value, dtype))
    if interpolation == "nearest":
        for axis, n in ((1, target_h), (2, target_w)):
            length = x.shape[axis]
            if length is None:  # known only when the graph runs: the same indices, as tensors
                length = tf.cast(tf.shape(x)[axis], tf.float32)
                offsets = tf.floor((tf.range(n, dtype=tf.float32) + 0.5) * length / n)
                x = tf.gather(x, tf.cast(offsets, tf.int32), axis=axis)
            elif length != n:
                index = rules.nearest_source_indices(length, n).astype(np.int32)
                x = tf.gather(x, index, axis=axis)
        return _from_nhwc(x, unbatched, data_format)
    x = tf.cast(x, _compute_dtype(dtype))
    kernel = rules.resize_kernel(interpolation)
    for axis, n in ((1, target_h), (2, target_w)):
        length = x.shape[axis]
        if length == n:
            continue
        if length is None:
            if interpolation == "area":
                raise ValueError("resize: interpolation='area' needs static image sizes; received an "
                                 "image whose size along axis "
                                 f"{axis if data_format == 'channels_last' else axis + 1} is unknown")
            # Same weights, built from the size the graph sees at run time.
            length = tf.cast(tf.shape(x)[axis], tf.float64)
            weights = _resample_weights(length, n, n / length, 0.0, kernel, antialias)
        elif interpolation == "area":
            weights = tf.constant(rules.area_weights(length, n))
        else:
            weights = _resample_weights(length, n, n / length, 0.0, kernel, antialias)
        x = _apply_weights(x, axis, weights)
    return _from_nhwc(_restore(x, dtype), unbatched, data_format)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resample ``spatial_dims`` of ``images`` to ``output_shape`` with a scale and an offset."""
    kernel = rules.scale_kernel(method)
    images = convert_to_tensor(images)
    dtype = images.dtype if images.dtype.is_floating else tf.float32
    x = tf.cast(images, _compute_dtype(dtype))
    scale = tf.reshape(tf.cast(convert_to_tensor(scale), tf.float64), [-1])
    translation = tf.reshape(tf.cast(convert_to_tensor(translation), tf.float64), [-1])
    output_shape = rules.scale_output_shape(output_shape, x.shape)
    for i, d in enumerate(spatial_dims):
        d = int(d) % x.shape.rank
        weights = _resample_weights(x.shape[d], output_shape[d], scale[i], translation[i],
                                    kernel, antialias)
        x = _apply_weights(x, d, weights)
    return tf.cast(x, dtype)


# ---------------------------------------------------------------- sampling

def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample ``inputs`` at ``coordinates`` (one array per input axis) by spline ``order`` 0 or 1."""
    rules.check_map_coordinates_options(order, fill_mode)
    inputs = convert_to_tensor(inputs)
    coordinates = convert_to_tensor(coordinates)
    rules.check_coordinates_shape(coordinates.shape, inputs.shape.rank)
    dtype = inputs.dtype
    compute = _compute_dtype(dtype)
    flat = tf.reshape(tf.cast(inputs, compute), [-1, 1])
    coords = [tf.cast(c, compute) for c in tf.unstack(coordinates, axis=0)]
    out = kernels.interpolate(_XP, flat, 0, coords, tuple(inputs.shape), order, fill_mode,
                              tf.cast(fill_value, compute), tf.int32)[..., 0]
    return _restore(out, dtype)


def _sample(x, rows, cols, order, fill_mode, fill_value):
    """Interpolate NHWC ``x`` at float ``rows``/``cols`` (broadcastable to (B, H', W'))."""
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    base = (tf.range(tf.shape(x)[0]) * (height * width))[:, None, None]
    return kernels.interpolate(_XP, tf.reshape(x, [-1, channels]), base, [rows, cols],
                               (height, width), order, fill_mode, tf.cast(fill_value, x.dtype),
                               tf.int32)


def _grid(height, width, dtype):
    return tf.meshgrid(tf.range(height, dtype=dtype), tf.range(width, dtype=dtype), indexing="ij")


def _warp(images, transform, order, fill_mode, fill_value, data_format):
    """Projective warp: output pixel (x, y) reads input ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)."""
    x, unbatched = _to_nhwc(images, data_format)
    dtype = x.dtype
    x = tf.cast(x, _compute_dtype(dtype))
    if transform.shape.rank == 1:
        transform = transform[None]
    transform = tf.cast(transform, x.dtype)
    height, width = x.shape[1], x.shape[2]
    ys, xs = _grid(height, width, x.dtype)
    rows, cols = rules.projective_source_coordinates(transform, xs, ys)
    out = _sample(x, rows, cols, order, fill_mode, fill_value)
    out = tf.broadcast_to(out, tf.shape(x))
    return _from_nhwc(_restore(out, dtype), unbatched, data_format)


def _noise(x, seed):
    from kiln.backend.tensorflow import random

    noise = random.uniform(tf.concat([tf.shape(x)[:3], [2]], axis=0), -1.0, 1.0,
                           dtype=x.dtype.name, seed=seed)
    return tf.ensure_shape(noise, [x.shape[0], x.shape[1], x.shape[2], 2])


_IMAGE = kernels.Backend(
    noise=_noise, grid=lambda x: _grid(x.shape[1], x.shape[2], x.dtype), sample=_sample,
    float_images=lambda x, name: _float_images(x, name),
    split=lambda x, axis: tf.unstack(x, axis=axis),
    xp=_XP, images=_images, convert=convert_to_tensor, restore=_restore,
    depthwise=_depthwise, sobel=_sobel, warp=_warp)


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

def _patch_windows(xp, x, sizes, strides, dilations, padding, name):
    """Stack the strided windows of the spatial axes 1..n of ``x``: (B, *out, prod(sizes) * C)."""
    counts, pads = rules.patch_layout(x.shape[1:-1], sizes, strides, dilations, padding, name)
    x = tf.pad(x, [(0, 0)] + pads + [(0, 0)])
    windows = [x[index] for index in rules.patch_window_slices(sizes, strides, dilations, counts)]
    out = tf.stack(windows, axis=-2)
    new_shape = tf.concat([tf.shape(out)[:-2], [len(windows) * x.shape[-1]]], axis=0)
    out = tf.reshape(out, new_shape)
    return tf.ensure_shape(out, [x.shape[0]] + counts + [len(windows) * x.shape[-1]])


def _extract(images, size, strides, dilation_rate, padding, data_format, rank, name):
    return kernels.extract_patches(_XP, convert_to_tensor(images), size, strides, dilation_rate,
                                   padding, config.standardize_data_format(data_format), rank,
                                   name, _patch_windows)


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

