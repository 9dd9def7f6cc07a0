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
from kiln.backend.jax.core import convert_to_tensor

_RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")
_SCALE_METHODS = {
    "linear": "linear", "bilinear": "linear", "trilinear": "linear", "triangle": "linear",
    "cubic": "cubic", "bicubic": "cubic", "tricubic": "cubic", "keyscubic": "cubic",
    "lanczos3": "lanczos3", "lanczos5": "lanczos5",
}
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
_GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)


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
    if images.ndim not in ranks:
        raise ValueError(f"{name}: images must have rank {' or '.join(map(str, ranks))}, "
                         f"received shape {images.shape}")
    return images


def _to_nhwc(x, data_format):
    """(batched channels-last view, was the input unbatched)."""
    unbatched = x.ndim == 3
    if unbatched:
        x = x[None]
    if data_format == "channels_first":
        x = jnp.transpose(x, (0, 2, 3, 1))
    return x, unbatched


def _from_nhwc(x, unbatched, data_format):
    if data_format == "channels_first":
        x = jnp.transpose(x, (0, 3, 1, 2))
    return x[0] if unbatched else x


def _is_float(x):
    return jnp.issubdtype(x.dtype, jnp.floating)


def _compute_dtype(dtype):
    """Float dtype arithmetic runs in: half types widen to float32, ints become float32."""
    if dtype in (jnp.float32, jnp.float64):
        return dtype
    return jnp.float32


def _restore(x, dtype):
    """Cast a float result back to the input dtype, rounding and clipping integers."""
    if x.dtype == dtype:
        return x
    if jnp.issubdtype(dtype, jnp.integer):
        info = jnp.iinfo(dtype)
        x = jnp.clip(_round_half_away(x), info.min, info.max)
    return x.astype(dtype)


def _pair(value, name, arg):
    if isinstance(value, int):
        return (value, value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"{name}: {arg} must be an int or a tuple of 2 ints, received {value}")
    return value


def _gaussian_taps(size, sigma):
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    taps = np.exp(-0.5 * (offsets / float(sigma)) ** 2)
    return taps / taps.sum()


def _depthwise(x, kernel, padding):
    """Correlate every channel of NHWC ``x`` with the 2-D NumPy ``kernel`` ("same" is zero-padded)."""
    kh, kw = kernel.shape
    if padding == "same":
        pads = ((kh - 1) // 2, kh - 1 - (kh - 1) // 2), ((kw - 1) // 2, kw - 1 - (kw - 1) // 2)
    else:
        pads = ((0, 0), (0, 0))
    channels = x.shape[-1]
    weights = jnp.asarray(np.tile(kernel[:, :, None, None], (1, 1, 1, channels)), x.dtype)
    return lax.conv_general_dilated(x, weights, (1, 1), pads,
                                    dimension_numbers=("NHWC", "HWIO", "NHWC"),
                                    feature_group_count=channels,
                                    precision=lax.Precision.HIGHEST)


# ---------------------------------------------------------------- colour

@_compiled("data_format")
def rgb_to_grayscale(images, data_format=None):
    """Luma (0.2989 R + 0.5870 G + 0.1140 B) with the channel axis kept (size 1)."""
    images = _images(images, "rgb_to_grayscale")
    data_format = config.standardize_data_format(data_format)
    axis = -1 if data_format == "channels_last" else images.ndim - 3
    if images.shape[axis] != 3:
        raise ValueError("rgb_to_grayscale: images must have 3 channels, received shape "
                         f"{images.shape}")
    dtype = images.dtype
    compute = _compute_dtype(dtype)
    weights = jnp.asarray(_GRAY_WEIGHTS, compute)
    gray = jnp.tensordot(images.astype(compute), weights, axes=((axis % images.ndim,), (0,)),
                         precision=lax.Precision.HIGHEST)
    return _restore(jnp.expand_dims(gray, axis), dtype)


def _float_images(images, name):
    images = _images(images, name)
    if not _is_float(images):
        raise ValueError(f"{name}: images must have a float dtype, received {images.dtype}")
    return images


@_compiled("data_format")
def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] to HSV with hue, saturation and value in [0, 1]."""
    images = _float_images(images, "rgb_to_hsv")
    data_format = config.standardize_data_format(data_format)
    axis = -1 if data_format == "channels_last" else images.ndim - 3
    dtype = images.dtype
    x = images.astype(_compute_dtype(dtype))
    red, green, blue = (jnp.take(x, i, axis=axis) for i in range(3))
    value = jnp.maximum(jnp.maximum(red, green), blue)
    spread = value - jnp.minimum(jnp.minimum(red, green), blue)
    saturation = jnp.where(value > 0, spread / jnp.where(value > 0, value, 1.0), 0.0)
    safe = jnp.where(spread > 0, spread, 1.0)
    hue = jnp.where(value == red, (green - blue) / safe,
                    jnp.where(value == green, (blue - red) / safe + 2.0, (red - green) / safe + 4.0))
    hue = jnp.where(spread > 0, hue / 6.0, 0.0)
    hue = jnp.where(hue < 0, hue + 1.0, hue)
    return jnp.stack([hue, saturation, value], axis=axis).astype(dtype)


@_compiled("data_format")
def hsv_to_rgb(images, data_format=None):
    """HSV (all channels in [0, 1]) back to RGB."""
    images = _float_images(images, "hsv_to_rgb")
    data_format = config.standardize_data_format(data_format)
    axis = -1 if data_format == "channels_last" else images.ndim - 3
    dtype = images.dtype
    x = images.astype(_compute_dtype(dtype))
    hue, saturation, value = (jnp.take(x, i, axis=axis) for i in range(3))
    sector = jnp.mod(hue, 1.0) * 6.0
    red = jnp.clip(jnp.abs(sector - 3.0) - 1.0, 0.0, 1.0)
    green = jnp.clip(2.0 - jnp.abs(sector - 2.0), 0.0, 1.0)
    blue = jnp.clip(2.0 - jnp.abs(sector - 4.0), 0.0, 1.0)
    planes = [value * (1.0 - saturation + saturation * c) for c in (red, green, blue)]
    return jnp.stack(planes, axis=axis).astype(dtype)


# ---------------------------------------------------------------- crop and pad

def _resolve_box(size, start, end, target, name, what):
    """Two of (start, end, target) given, or start omitted (0): return (start, target)."""
    if [start, end, target].count(None) != 1:
        raise ValueError(f"{name}: give exactly two of {what[0]}, {what[1]} and {what[2]}, "
                         f"received {what[0]}={start}, {what[1]}={end}, {what[2]}={target}")
    if start is None:
        if size is None:
            raise ValueError(f"{name}: {what[0]} cannot be derived when the image size is unknown")
        start = size - end - target
    elif target is None:
        if size is None:
            raise ValueError(f"{name}: {what[2]} cannot be derived when the image size is unknown")
        target = size - start - end
    return int(start), int(target)


@_compiled("top_cropping", "left_cropping", "bottom_cropping", "right_cropping",
           "target_height", "target_width", "data_format")
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crop to (target_height, target_width), two of the three numbers per axis given."""
    images = _images(images, "crop_images")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(images, data_format)
    height, width = x.shape[1], x.shape[2]
    top, th = _resolve_box(height, top_cropping, bottom_cropping, target_height, "crop_images",
                           ("top_cropping", "bottom_cropping", "target_height"))
    left, tw = _resolve_box(width, left_cropping, right_cropping, target_width, "crop_images",
                            ("left_cropping", "right_cropping", "target_width"))
    if top < 0 or left < 0 or th <= 0 or tw <= 0 or top + th > height or left + tw > width:
        raise ValueError(f"crop_images: the crop box (top={top}, left={left}, height={th}, "
                         f"width={tw}) does not fit images of shape {images.shape}")
    return _from_nhwc(x[:, top:top + th, left:left + tw, :], unbatched, data_format)


@_compiled("top_padding", "left_padding", "bottom_padding", "right_padding",
           "target_height", "target_width", "data_format")
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Zero-pad to (target_height, target_width), two of the three numbers per axis given."""
    images = _images(images, "pad_images")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(images, data_format)
    height, width = x.shape[1], x.shape[2]
    top, th = _resolve_box(-height, top_padding, bottom_padding,
                           None if target_height is None else -target_height, "pad_images",
                           ("top_padding", "bottom_padding", "target_height"))
    left, tw = _resolve_box(-width, left_padding, right_padding,
                            None if target_width is None else -target_width, "pad_images",
                            ("left_padding", "right_padding", "target_width"))
    th, tw = -th, -tw
    bottom, right = th - height - top, tw - width - left
    if min(top, left, bottom, right) < 0:
        raise ValueError(f"pad_images: paddings must be >= 0, received top={top}, left={left}, "
                         f"bottom={bottom}, right={right} for images of shape {images.shape}")
    x = jnp.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    return _from_nhwc(x, unbatched, data_format)


# ---------------------------------------------------------------- resize

def _area_weights(in_size, out_size):
    """(in, out) matrix: the share of each output pixel covered by each input pixel."""
    scale = in_size / out_size
    start = np.arange(out_size) * scale
    lo = np.maximum(np.arange(in_size)[:, None], start[None, :])
    hi = np.minimum(np.arange(in_size)[:, None] + 1.0, start[None, :] + scale)
    return np.maximum(hi - lo, 0.0) / scale


def _aspect_box(height, width, target_h, target_w, pad):
    if pad:
        new_h = max(height, int(width * target_h / target_w))
        new_w = max(width, int(height * target_w / target_h))
    else:
        new_h = min(height, int(width * target_h / target_w))
        new_w = min(width, int(height * target_w / target_h))
    return new_h, new_w, int(abs(new_h - height) / 2), int(abs(new_w - width) / 2)


def _check_resize(images, size, interpolation, fill_mode, crop_to_aspect_ratio,
                  pad_to_aspect_ratio):
    if interpolation not in _RESIZE_METHODS:
        raise ValueError(f"resize: interpolation must be one of {', '.join(_RESIZE_METHODS)}, "
                         f"received {interpolation!r}")
    if fill_mode != "constant":
        raise ValueError(f"resize: fill_mode must be 'constant', received {fill_mode!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) <= 0:
        raise ValueError(f"resize: size must be (height, width) of positive ints, received {size}")
    return size


@_compiled("size", "interpolation", "antialias", "crop_to_aspect_ratio", "pad_to_aspect_ratio",
           "fill_mode", "data_format")
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize ``images`` (rank 3 or 4) to ``size = (height, width)``."""
    size = _check_resize(images, size, interpolation, fill_mode, crop_to_aspect_ratio,
                         pad_to_aspect_ratio)
    images = _images(images, "resize")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(images, data_format)
    dtype = x.dtype
    height, width = x.shape[1], x.shape[2]
    target_h, target_w = size
    if crop_to_aspect_ratio:
        new_h, new_w, top, left = _aspect_box(height, width, target_h, target_w, pad=False)
        x = x[:, top:top + new_h, left:left + new_w, :]
    elif pad_to_aspect_ratio:
        new_h, new_w, top, left = _aspect_box(height, width, target_h, target_w, pad=True)
        x = jnp.pad(x, ((0, 0), (top, new_h - height - top), (left, new_w - width - left), (0, 0)),
                    constant_values=jnp.asarray(fill_value, dtype))
    if interpolation == "nearest":
        out = jax.image.resize(x, (x.shape[0], target_h, target_w, x.shape[3]), method="nearest")
        return _from_nhwc(out, unbatched, data_format)
    x = x.astype(_compute_dtype(dtype))
    if interpolation == "area":
        wh = jnp.asarray(_area_weights(x.shape[1], target_h), x.dtype)
        ww = jnp.asarray(_area_weights(x.shape[2], target_w), x.dtype)
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
    if method not in _SCALE_METHODS:
        raise ValueError(f"scale_and_translate: method must be one of {', '.join(_SCALE_METHODS)}, "
                         f"received {method!r}")
    images = convert_to_tensor(images)
    if not jnp.issubdtype(images.dtype, jnp.floating):
        images = images.astype(jnp.float32)
    scale = convert_to_tensor(scale)
    translation = convert_to_tensor(translation)
    out = jax.image.scale_and_translate(images, tuple(int(d) for d in output_shape),
                                        tuple(int(d) for d in spatial_dims),
                                        scale.astype(jnp.float32), translation.astype(jnp.float32),
                                        method=_SCALE_METHODS[method], antialias=bool(antialias),
                                        precision=lax.Precision.HIGHEST)
    return out.astype(images.dtype)


# ---------------------------------------------------------------- sampling

def _check_fill_mode(fill_mode, name):
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"{name}: fill_mode must be one of {', '.join(_FILL_MODES)}, "
                         f"received {fill_mode!r}")


def _order(interpolation, name):
    orders = {"nearest": 0, "bilinear": 1}
    if interpolation not in orders:
        raise ValueError(f"{name}: interpolation must be 'nearest' or 'bilinear', "
                         f"received {interpolation!r}")
    return orders[interpolation]


@_compiled("order", "fill_mode", "fill_value")
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample ``inputs`` at ``coordinates`` (one array per input axis) by spline ``order`` 0 or 1."""
    _check_fill_mode(fill_mode, "map_coordinates")
    if order not in (0, 1):
        raise ValueError(f"map_coordinates: order must be 0 or 1, received {order!r}")
    inputs = convert_to_tensor(inputs)
    coordinates = convert_to_tensor(coordinates)
    if coordinates.shape[0] != inputs.ndim:
        raise ValueError(f"map_coordinates: coordinates must have a first dimension equal to the "
                         f"rank of inputs ({inputs.ndim}), received shape {coordinates.shape}")
    if not jnp.issubdtype(coordinates.dtype, jnp.floating):
        coordinates = coordinates.astype(jnp.float32)
    return jax.scipy.ndimage.map_coordinates(inputs, list(coordinates), order, mode=fill_mode,
                                             cval=fill_value)


def _round_half_away(x):
    return jnp.sign(x) * jnp.floor(jnp.abs(x) + 0.5)


def _fix_index(index, size, fill_mode):
    if fill_mode == "nearest":
        return jnp.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return jnp.mod(index, size)
    if fill_mode == "mirror":
        if size == 1:
            return jnp.zeros_like(index)
        period = 2 * (size - 1)
        return (size - 1) - jnp.abs(jnp.mod(index, period) - (size - 1))
    if fill_mode == "reflect":
        folded = jnp.mod(index, 2 * size)
        return jnp.where(folded >= size, 2 * size - 1 - folded, folded)
    return jnp.clip(index, 0, size - 1)  # constant: out-of-range taps are masked


def _sample(x, rows, cols, order, fill_mode, fill_value):
    """Interpolate NHWC ``x`` at float (B, H', W') ``rows``/``cols`` -> (B, H', W', C)."""
    batch, height, width, channels = x.shape
    flat = x.reshape(batch * height * width, channels)
    base = (jnp.arange(batch) * (height * width))[:, None, None]
    if order == 0:
        taps = [[(_round_half_away(c).astype(jnp.int32), None)] for c in (rows, cols)]
    else:
        taps = []
        for c in (rows, cols):
            low = jnp.floor(c)
            frac = c - low
            low = low.astype(jnp.int32)
            taps.append([(low, 1.0 - frac), (low + 1, frac)])
    out = 0.0
    fill = jnp.asarray(fill_value, x.dtype)
    for r, wr in taps[0]:
        for c, wc in taps[1]:
            values = jnp.take(flat, base + _fix_index(r, height, fill_mode) * width
                              + _fix_index(c, width, fill_mode), axis=0)
            if fill_mode == "constant":
                inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
                values = jnp.where(inside[..., None], values, fill)
            if wr is None:
                return values
            out = out + (wr * wc)[..., None] * values
    return out


def _warp(images, transform, order, fill_mode, fill_value, data_format):
    """Projective warp: output pixel (x, y) reads input ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)."""
    x, unbatched = _to_nhwc(images, data_format)
    dtype = x.dtype
    x = x.astype(_compute_dtype(dtype))
    if transform.ndim == 1:
        transform = transform[None]
    transform = transform.astype(x.dtype)
    height, width = x.shape[1], x.shape[2]
    ys, xs = jnp.meshgrid(jnp.arange(height, dtype=x.dtype), jnp.arange(width, dtype=x.dtype),
                          indexing="ij")
    a0, a1, a2, b0, b1, b2, c0, c1 = (transform[:, i, None, None] for i in range(8))
    k = c0 * xs + c1 * ys + 1.0
    cols = (a0 * xs + a1 * ys + a2) / k
    rows = (b0 * xs + b1 * ys + b2) / k
    rows = jnp.broadcast_to(rows, (x.shape[0], height, width))
    cols = jnp.broadcast_to(cols, (x.shape[0], height, width))
    out = _sample(x, rows, cols, order, fill_mode, fill_value)
    return _from_nhwc(_restore(out, dtype), unbatched, data_format)


@_compiled("interpolation", "fill_mode", "data_format")
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Warp images by 8-parameter projective transforms (shape (8,) or (batch, 8))."""
    order = _order(interpolation, "affine_transform")
    _check_fill_mode(fill_mode, "affine_transform")
    images = _images(images, "affine_transform")
    transform = convert_to_tensor(transform)
    if transform.ndim not in (1, 2) or transform.shape[-1] != 8:
        raise ValueError(f"affine_transform: transform must have shape (8,) or (batch, 8), "
                         f"received {transform.shape}")
    data_format = config.standardize_data_format(data_format)
    return _warp(images, transform, order, fill_mode, fill_value, data_format)


def _homography(start_points, end_points):
    """The 8 coefficients mapping each end point (output) onto its start point (input)."""
    sx, sy = start_points[..., 0], start_points[..., 1]
    ex, ey = end_points[..., 0], end_points[..., 1]
    zeros, ones = jnp.zeros_like(ex), jnp.ones_like(ex)
    rows_x = jnp.stack([ex, ey, ones, zeros, zeros, zeros, -ex * sx, -ey * sx], axis=-1)
    rows_y = jnp.stack([zeros, zeros, zeros, ex, ey, ones, -ex * sy, -ey * sy], axis=-1)
    matrix = jnp.concatenate([rows_x, rows_y], axis=-2)
    target = jnp.concatenate([sx, sy], axis=-1)
    return jnp.linalg.solve(matrix, target[..., None])[..., 0]


@_compiled("interpolation", "data_format")
def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warp so that each ``start_points`` location of the input lands on its ``end_points``."""
    order = _order(interpolation, "perspective_transform")
    images = _images(images, "perspective_transform")
    start_points = convert_to_tensor(start_points)
    end_points = convert_to_tensor(end_points)
    for name, points in (("start_points", start_points), ("end_points", end_points)):
        if points.ndim not in (2, 3) or points.shape[-2:] != (4, 2):
            raise ValueError(f"perspective_transform: {name} must have shape (4, 2) or "
                             f"(batch, 4, 2), received {points.shape}")
    data_format = config.standardize_data_format(data_format)
    transform = _homography(start_points.astype(jnp.float32), end_points.astype(jnp.float32))
    return _warp(images, transform, order, "constant", fill_value, data_format)


@_compiled("sigma", "interpolation", "fill_mode", "data_format")
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect",
                      fill_value=0.0, seed=None, data_format=None):
    """Displace every pixel by smoothed uniform noise (Gaussian ``sigma``) scaled by ``alpha``."""
    from kiln.backend.jax import random

    order = _order(interpolation, "elastic_transform")
    _check_fill_mode(fill_mode, "elastic_transform")
    images = _images(images, "elastic_transform")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(images, data_format)
    dtype = x.dtype
    x = x.astype(_compute_dtype(dtype))
    batch, height, width = x.shape[:3]
    size = int(6 * float(sigma)) | 1
    taps = _gaussian_taps(size, sigma)
    noise = random.uniform((batch, height, width, 2), -1.0, 1.0, dtype=str(x.dtype), seed=seed)
    shift = _depthwise(noise, np.outer(taps, taps), "same") * jnp.asarray(alpha, x.dtype)
    ys, xs = jnp.meshgrid(jnp.arange(height, dtype=x.dtype), jnp.arange(width, dtype=x.dtype),
                          indexing="ij")
    out = _sample(x, ys + shift[..., 0], xs + shift[..., 1], order, fill_mode, fill_value)
    return _from_nhwc(_restore(out, dtype), unbatched, data_format)


# ---------------------------------------------------------------- patches

def _patch_windows(x, sizes, strides, dilations, padding, name):
    """Stack the strided windows of the spatial axes 1..n of ``x``: (B, *out, prod(sizes), C)."""
    if padding not in ("valid", "same"):
        raise ValueError(f"{name}: padding must be 'valid' or 'same', received {padding!r}")
    spatial = x.shape[1:-1]
    counts, pads = [], [(0, 0)]
    for n, k, s, d in zip(spatial, sizes, strides, dilations):
        span = (k - 1) * d + 1
        if padding == "same":
            count = -(-n // s)
            total = max((count - 1) * s + span - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            count = (n - span) // s + 1
            pads.append((0, 0))
        if count <= 0:
            raise ValueError(f"{name}: the patch window {tuple(sizes)} (dilation "
                             f"{tuple(dilations)}) is larger than the input {tuple(spatial)}")
        counts.append(count)
    x = jnp.pad(x, pads + [(0, 0)])
    windows = []
    for offsets in np.ndindex(*sizes):
        index = [slice(None)]
        for o, s, d, count in zip(offsets, strides, dilations, counts):
            index.append(slice(o * d, o * d + (count - 1) * s + 1, s))
        windows.append(x[tuple(index)])
    out = jnp.stack(windows, axis=-2)
    return out.reshape(out.shape[:-2] + (out.shape[-2] * out.shape[-1],))


def _extract(images, size, strides, dilation_rate, padding, data_format, rank, name):
    images = convert_to_tensor(images)
    if images.ndim not in (rank + 1, rank + 2):
        raise ValueError(f"{name}: input must have rank {rank + 1} or {rank + 2}, "
                         f"received shape {images.shape}")
    data_format = config.standardize_data_format(data_format)

    def tup(value, arg):
        value = (value,) * rank if isinstance(value, int) else tuple(int(v) for v in value)
        if len(value) != rank:
            raise ValueError(f"{name}: {arg} must be an int or a tuple of {rank} ints, "
                             f"received {value}")
        return value

    sizes = tup(size, "size")
    strides = sizes if strides is None else tup(strides, "strides")
    dilations = tup(dilation_rate, "dilation_rate")
    unbatched = images.ndim == rank + 1
    x = images[None] if unbatched else images
    if data_format == "channels_first":
        x = jnp.moveaxis(x, 1, -1)
    out = _patch_windows(x, sizes, strides, dilations, padding, name)
    if data_format == "channels_first":
        out = jnp.moveaxis(out, -1, 1)
    return out[0] if unbatched else out


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
    images = _images(images, "gaussian_blur")
    kh, kw = _pair(kernel_size, "gaussian_blur", "kernel_size")
    sh, sw = (float(sigma),) * 2 if isinstance(sigma, (int, float)) else tuple(float(s) for s in sigma)
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(images, data_format)
    dtype = x.dtype
    kernel = np.outer(_gaussian_taps(kh, sh), _gaussian_taps(kw, sw))
    out = _depthwise(x.astype(_compute_dtype(dtype)), kernel, "same")
    return _from_nhwc(_restore(out, dtype), unbatched, data_format)


_SOBEL_Y = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])


@_compiled("data_format")
def sobel_edges(images, data_format=None):
    """Sobel gradients [dy, dx] of every channel on a new last axis (reflect-padded borders)."""
    images = _images(images, "sobel_edges")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(images, data_format)
    dtype = x.dtype
    x = jnp.pad(x.astype(_compute_dtype(dtype)), ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect")
    out = jnp.stack([_depthwise(x, _SOBEL_Y, "valid"), _depthwise(x, _SOBEL_Y.T, "valid")], axis=-1)
    out = out.astype(dtype if jnp.issubdtype(dtype, jnp.floating) else jnp.float32)
    if data_format == "channels_first":
        out = jnp.transpose(out, (0, 3, 1, 2, 4))
    return out[0] if unbatched else out


@_compiled("filter_size", "filter_sigma", "data_format")
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Mean structural similarity of each image pair (Gaussian-weighted local statistics)."""
    image1 = _images(image1, "ssim")
    image2 = _images(image2, "ssim")
    if image1.shape != image2.shape:
        raise ValueError(f"ssim: image1 and image2 must have the same shape, received "
                         f"{image1.shape} and {image2.shape}")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(image1, data_format)
    y, _ = _to_nhwc(image2, data_format)
    if min(x.shape[1], x.shape[2]) < filter_size:
        raise ValueError(f"ssim: images must be at least filter_size={filter_size} pixels high "
                         f"and wide, received shape {image1.shape}")
    out_dtype = x.dtype if _is_float(x) else jnp.float32
    compute = _compute_dtype(out_dtype)
    x, y = x.astype(compute), y.astype(compute)
    taps = _gaussian_taps(filter_size, filter_sigma)
    kernel = np.outer(taps, taps)

    def blur(t):
        return _depthwise(t, kernel, "valid")

    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mu_x, mu_y = blur(x), blur(y)
    mu_xy = mu_x * mu_y
    mu_sq = mu_x * mu_x + mu_y * mu_y
    luminance = (2.0 * mu_xy + c1) / (mu_sq + c1)
    contrast = (2.0 * (blur(x * y) - mu_xy) + c2) / (blur(x * x + y * y) - mu_sq + c2)
    out = jnp.mean(luminance * contrast, axis=(1, 2, 3))
    out = out.astype(out_dtype)
    return out[0] if unbatched else out
