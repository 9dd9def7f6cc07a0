"""JAX backend image ops: resizing, colour spaces, patches, filters and geometric warps.

``resize`` and ``scale_and_translate`` run on ``jax.image`` (the reference
definition the other backends reproduce), ``map_coordinates`` on
``jax.scipy.ndimage``; warps gather the four neighbouring pixels of every
sampling point. Every function traces under ``jax.jit`` (shapes are static).

Example:
    >>> import jax.numpy as jnp
    >>> from kiln.backend.jax import image
    >>> image.resize(jnp.ones((2, 8, 8, 3)), (4, 4)).shape
    (2, 4, 4, 3)
"""

import functools
import inspect

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from kiln import config
from kiln.backend.common import image_kernels as kernels
from kiln.backend.common import image_rules as rules
from kiln.backend.jax.core import convert_to_tensor


# ---------------------------------------------------------------- compilation

def _hashable(value):
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (np.ndarray, jax.Array)) and np.shape(value) == () \
            and not isinstance(value, jax.core.Tracer):
        return value.item()  # a concrete 0-d array used as a static option
    return value


def _compiled(*static):
    """Run the op as one compiled program per static configuration.

    ``static`` names the arguments that select the computation (sizes, modes,
    data_format); they are made hashable and ``data_format=None`` is resolved
    first, so a later ``set_image_data_format`` is honoured. Array-like
    arguments are converted to tensors and traced.
    """
    def wrap(fn):
        signature = inspect.signature(fn)
        jitted = jax.jit(fn, static_argnames=static)

        @functools.wraps(fn)
        def call(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = bound.arguments
            for name, value in arguments.items():
                if name in static:
                    arguments[name] = _hashable(value)
                elif value is not None and not isinstance(value, (jax.Array, bool, int, float)):
                    arguments[name] = convert_to_tensor(value)  # arrays, lists, Variables
            if "data_format" in arguments:
                arguments["data_format"] = config.standardize_data_format(arguments["data_format"])
            return jitted(**arguments)

        return call
    return wrap


# ---------------------------------------------------------------- layout helpers

def _images(images, name, ranks=(3, 4)):
    images = convert_to_tensor(images)
    rules.check_rank(images.ndim, images.shape, name, ranks)
    return images


_to_nhwc = functools.partial(kernels.to_nhwc, transpose=jnp.transpose)
_from_nhwc = functools.partial(kernels.from_nhwc, transpose=jnp.transpose)
_compute_dtype = functools.partial(kernels.compute_dtype, jnp)
_restore = functools.partial(kernels.restore, jnp)


def _depthwise(x, kernel, padding):
    """Correlate every channel of NHWC ``x`` with the 2-D NumPy ``kernel`` ("same" is zero-padded)."""
    kh, kw = kernel.shape
    if padding == "same":
        pads = rules.centered_padding(kh), rules.centered_padding(kw)
    else:
        pads = ((0, 0), (0, 0))
    channels = x.shape[-1]
    weights = jnp.asarray(np.tile(kernel[:, :, None, None], (1, 1, 1, channels)), x.dtype)
    return lax.conv_general_dilated(x, weights, (1, 1), pads,
                                    dimension_numbers=("NHWC", "HWIO", "NHWC"),
                                    feature_group_count=channels,
                                    precision=lax.Precision.HIGHEST)


def _sobel(x):
    """[dy, dx] Sobel planes of float NHWC ``x``, borders reflected."""
    x = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect")
    return [_depthwise(x, rules.SOBEL_Y, "valid"), _depthwise(x, rules.SOBEL_Y.T, "valid")]


def _warp(images, transform, order, fill_mode, fill_value, data_format):
    return kernels.warp(jnp, images, transform, order, fill_mode, fill_value, data_format,
                        jnp.int32)


def _noise(x, seed):
    from kiln.backend.jax import random

    return random.uniform(x.shape[:3] + (2,), -1.0, 1.0, dtype=str(x.dtype), seed=seed)


_IMAGE = kernels.Backend(
    noise=_noise, grid=lambda x: kernels.pixel_grid(jnp, x.shape[1], x.shape[2], x.dtype),
    sample=functools.partial(kernels.sample, jnp, index_dtype=jnp.int32),
    float_images=lambda x, name: _float_images(x, name),
    split=lambda x, axis: [jnp.take(x, i, axis=axis) for i in range(3)],
    xp=jnp, images=_images, convert=convert_to_tensor, restore=_restore,
    depthwise=_depthwise, sobel=_sobel, warp=_warp)


# ---------------------------------------------------------------- colour

@_compiled("data_format")
def rgb_to_grayscale(images, data_format=None):
    """Luma (0.2989 R + 0.5870 G + 0.1140 B) with the channel axis kept (size 1)."""
    images = _images(images, "rgb_to_grayscale")
    data_format = config.standardize_data_format(data_format)
    axis = rules.channel_axis(images.ndim, data_format)
    rules.check_rgb_channels(images.shape, axis, "rgb_to_grayscale")
    dtype = images.dtype
    compute = _compute_dtype(dtype)
    weights = jnp.asarray(rules.GRAY_WEIGHTS, compute)
    gray = jnp.tensordot(images.astype(compute), weights, axes=((axis,), (0,)),
                         precision=lax.Precision.HIGHEST)
    return _restore(jnp.expand_dims(gray, axis), dtype)


def _float_images(images, name):
    images = _images(images, name)
    if not jnp.isdtype(images.dtype, "real floating"):
        raise ValueError(f"{name}: images must have a float dtype, received {images.dtype}")
    return images


@_compiled("data_format")
def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] to HSV with hue, saturation and value in [0, 1]."""
    return kernels.convert_colours(_IMAGE, images, data_format, "rgb_to_hsv", kernels.rgb_to_hsv)


@_compiled("data_format")
def hsv_to_rgb(images, data_format=None):
    """HSV (all channels in [0, 1]) back to RGB."""
    return kernels.convert_colours(_IMAGE, images, data_format, "hsv_to_rgb", kernels.hsv_to_rgb)


# ---------------------------------------------------------------- crop and pad

@_compiled("top_cropping", "left_cropping", "bottom_cropping", "right_cropping",
           "target_height", "target_width", "data_format")
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crop to (target_height, target_width), two of the three numbers per axis given."""
    return kernels.crop_images(_IMAGE, images, top_cropping, left_cropping, bottom_cropping,
                               right_cropping, target_height, target_width, data_format)


@_compiled("top_padding", "left_padding", "bottom_padding", "right_padding",
           "target_height", "target_width", "data_format")
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Zero-pad to (target_height, target_width), two of the three numbers per axis given."""
    return kernels.pad_images(_IMAGE, images, top_padding, left_padding, bottom_padding,
                              right_padding, target_height, target_width, data_format)


# ---------------------------------------------------------------- resize

@_compiled("size", "interpolation", "antialias", "crop_to_aspect_ratio", "pad_to_aspect_ratio",
           "fill_mode", "data_format")
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
        x = jnp.pad(x, ((0, 0), (top, new_h - height - top), (left, new_w - width - left), (0, 0)),
                    constant_values=jnp.asarray(fill_value, dtype))
    if interpolation == "nearest":
        out = jax.image.resize(x, (x.shape[0], target_h, target_w, x.shape[3]), method="nearest")
        return _from_nhwc(out, unbatched, data_format)
    x = x.astype(_compute_dtype(dtype))
    if interpolation == "area":
        wh = jnp.asarray(rules.area_weights(x.shape[1], target_h), x.dtype)
        ww = jnp.asarray(rules.area_weights(x.shape[2], target_w), x.dtype)
        out = jnp.einsum("bhwc,hy,wx->byxc", x, wh, ww, precision=lax.Precision.HIGHEST)
    else:
        out = jax.image.resize(x, (x.shape[0], target_h, target_w, x.shape[3]),
                               method=interpolation, antialias=bool(antialias),
                               precision=lax.Precision.HIGHEST)
    return _from_nhwc(_restore(out, dtype), unbatched, data_format)


@_compiled("output_shape", "spatial_dims", "method", "antialias")
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resample ``spatial_dims`` of ``images`` to ``output_shape`` with a scale and an offset."""
    kernel = rules.scale_kernel(method)
    images = convert_to_tensor(images)
    if not jnp.issubdtype(images.dtype, jnp.floating):
        images = images.astype(jnp.float32)
    scale = convert_to_tensor(scale)
    translation = convert_to_tensor(translation)
    out = jax.image.scale_and_translate(images, tuple(int(d) for d in output_shape),
                                        tuple(int(d) for d in spatial_dims),
                                        scale.astype(jnp.float32), translation.astype(jnp.float32),
                                        method=kernel, antialias=bool(antialias),
                                        precision=lax.Precision.HIGHEST)
    return out.astype(images.dtype)


# ---------------------------------------------------------------- sampling

@_compiled("order", "fill_mode", "fill_value")
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample ``inputs`` at ``coordinates`` (one array per input axis) by spline ``order`` 0 or 1."""
    rules.check_map_coordinates_options(order, fill_mode)
    inputs = convert_to_tensor(inputs)
    coordinates = convert_to_tensor(coordinates)
    rules.check_coordinates_shape(coordinates.shape, inputs.ndim)
    if not jnp.issubdtype(coordinates.dtype, jnp.floating):
        coordinates = coordinates.astype(jnp.float32)
    return jax.scipy.ndimage.map_coordinates(inputs, list(coordinates), order, mode=fill_mode,
                                             cval=fill_value)


@_compiled("interpolation", "fill_mode", "data_format")
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Warp images by 8-parameter projective transforms (shape (8,) or (batch, 8))."""
    return kernels.affine_transform(_IMAGE, images, transform, interpolation, fill_mode,
                                    fill_value, data_format)


@_compiled("interpolation", "data_format")
def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warp so that each ``start_points`` location of the input lands on its ``end_points``."""
    return kernels.perspective_transform(_IMAGE, images, start_points, end_points, interpolation,
                                         fill_value, data_format)


@_compiled("sigma", "interpolation", "fill_mode", "data_format")
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect",
                      fill_value=0.0, seed=None, data_format=None):
    """Displace every pixel by smoothed uniform noise (Gaussian ``sigma``) scaled by ``alpha``."""
    return kernels.elastic_transform(_IMAGE, images, alpha, sigma, interpolation, fill_mode,
                                     fill_value, seed, data_format)


# ---------------------------------------------------------------- patches

def _extract(images, size, strides, dilation_rate, padding, data_format, rank, name):
    return kernels.extract_patches(jnp, convert_to_tensor(images), size, strides, dilation_rate,
                                   padding, config.standardize_data_format(data_format), rank,
                                   name)


@_compiled("size", "strides", "dilation_rate", "padding", "data_format")
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of ``size`` (an int or (h, w)) flattened into the channel axis (order h, w, c)."""
    return _extract(images, size, strides, dilation_rate, padding, data_format, 2,
                    "extract_patches")


@_compiled("size", "strides", "dilation_rate", "padding", "data_format")
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """3-D patches of ``size`` (an int or (d, h, w)) flattened into the channel axis."""
    return _extract(volumes, size, strides, dilation_rate, padding, data_format, 3,
                    "extract_patches_3d")


# ---------------------------------------------------------------- filters

@_compiled("kernel_size", "sigma", "data_format")
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur each channel with a (height, width) Gaussian kernel, zero-padded to keep the size."""
    return kernels.gaussian_blur(_IMAGE, images, kernel_size, sigma, data_format)


@_compiled("data_format")
def sobel_edges(images, data_format=None):
    """Sobel gradients [dy, dx] of every channel on a new last axis (reflect-padded borders)."""
    return kernels.sobel_edges(_IMAGE, images, data_format)


@_compiled("filter_size", "filter_sigma", "data_format")
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Mean structural similarity of each image pair (Gaussian-weighted local statistics)."""
    return kernels.ssim(_IMAGE, image1, image2, max_val, filter_size, filter_sigma, k1, k2,
                        data_format)

