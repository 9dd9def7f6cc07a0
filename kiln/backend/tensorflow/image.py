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

import itertools

import numpy as np
import tensorflow as tf

from kiln import config
from kiln.backend.tensorflow.core import convert_to_tensor

_RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")
_SCALE_METHODS = {
    "linear": "linear", "bilinear": "linear", "trilinear": "linear", "triangle": "linear",
    "cubic": "cubic", "bicubic": "cubic", "tricubic": "cubic", "keyscubic": "cubic",
    "lanczos3": "lanczos3", "lanczos5": "lanczos5",
}
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
_GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)


# ---------------------------------------------------------------- layout helpers

def _images(images, name, ranks=(3, 4)):
    images = convert_to_tensor(images)
    if images.shape.rank not in ranks:
        raise ValueError(f"{name}: images must have rank {' or '.join(map(str, ranks))}, "
                         f"received shape {tuple(images.shape)}")
    return images


def _to_nhwc(x, data_format):
    """(batched channels-last view, was the input unbatched)."""
    unbatched = x.shape.rank == 3
    if unbatched:
        x = x[None]
    if data_format == "channels_first":
        x = tf.transpose(x, (0, 2, 3, 1))
    return x, unbatched


def _from_nhwc(x, unbatched, data_format):
    if data_format == "channels_first":
        x = tf.transpose(x, (0, 3, 1, 2))
    return x[0] if unbatched else x


def _moveaxis(x, source, destination):
    rank = x.shape.rank
    perm = [i for i in range(rank) if i != source % rank]
    perm.insert(destination % rank, source % rank)
    return tf.transpose(x, perm)


def _compute_dtype(dtype):
    """Float dtype arithmetic runs in: half types widen to float32, ints become float32."""
    return dtype if dtype in (tf.float32, tf.float64) else tf.float32


def _round_half_away(x):
    return tf.sign(x) * tf.floor(tf.abs(x) + 0.5)


def _restore(x, dtype):
    """Cast a float result back to the input dtype, rounding and clipping integers."""
    if x.dtype == dtype:
        return x
    if dtype.is_integer:
        x = tf.clip_by_value(_round_half_away(x), tf.cast(dtype.min, x.dtype),
                             tf.cast(dtype.max, x.dtype))
    return tf.cast(x, dtype)


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


def _depthwise(x, kernel, padding, pad_mode="CONSTANT"):
    """Correlate every channel of NHWC ``x`` with the 2-D NumPy ``kernel``.

    ``padding="same"`` pads (with ``pad_mode``) so the output keeps the size.
    """
    kh, kw = kernel.shape
    if padding == "same":
        x = tf.pad(x, [[0, 0], [(kh - 1) // 2, kh - 1 - (kh - 1) // 2],
                       [(kw - 1) // 2, kw - 1 - (kw - 1) // 2], [0, 0]], mode=pad_mode)
    channels = x.shape[-1]
    weights = tf.constant(np.tile(kernel[:, :, None, None], (1, 1, channels, 1)), dtype=x.dtype)
    return tf.nn.depthwise_conv2d(x, weights, strides=[1, 1, 1, 1], padding="VALID")


def _kernel(name, x):
    """Resampling kernels of the distance ``x >= 0`` (triangle, Keys cubic, Lanczos)."""
    zeros, ones = tf.zeros_like(x), tf.ones_like(x)
    if name == "linear":
        return tf.maximum(1.0 - x, zeros)
    if name == "cubic":
        near = ((1.5 * x - 2.5) * x) * x + 1.0
        far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
        return tf.where(x >= 2.0, zeros, tf.where(x >= 1.0, far, near))
    radius = 3.0 if name == "lanczos3" else 5.0
    safe = tf.where(x > 1e-3, x, ones)
    lanczos = radius * tf.sin(np.pi * safe) * tf.sin(np.pi * safe / radius) / (np.pi * safe) ** 2
    return tf.where(x > radius, zeros, tf.where(x > 1e-3, lanczos, ones))


def _resample_weights(in_size, out_size, scale, translation, kernel, antialias):
    """(in, out) float64 weights: output y reads the input at (y + 0.5 - translation) / scale - 0.5."""
    scale = tf.cast(scale, tf.float64)
    translation = tf.cast(translation, tf.float64)
    inv = 1.0 / scale
    widen = tf.maximum(inv, tf.constant(1.0, tf.float64)) if antialias else 1.0
    sample = (tf.range(out_size, dtype=tf.float64) + 0.5) * inv - translation * inv - 0.5
    source = tf.range(in_size, dtype=tf.float64)
    weights = _kernel(kernel, tf.abs(sample[None, :] - source[:, None]) / widen)
    total = tf.reduce_sum(weights, axis=0, keepdims=True)
    safe_total = tf.where(tf.equal(total, 0.0), tf.ones_like(total), total)
    weights = tf.where(tf.abs(total) > 1000.0 * float(np.finfo(np.float32).eps),
                       weights / safe_total, tf.zeros_like(weights))
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return tf.where(inside[None, :], weights, tf.zeros_like(weights))


def _apply_weights(x, axis, weights):
    """Contract ``x``'s ``axis`` with an (in, out) matrix, keeping the axis in place."""
    out = tf.tensordot(x, tf.cast(weights, x.dtype), axes=[[axis], [0]])
    return _moveaxis(out, -1, axis)


# ---------------------------------------------------------------- colour

def rgb_to_grayscale(images, data_format=None):
    """Luma (0.2989 R + 0.5870 G + 0.1140 B) with the channel axis kept (size 1)."""
    images = _images(images, "rgb_to_grayscale")
    data_format = config.standardize_data_format(data_format)
    rank = images.shape.rank
    axis = rank - 1 if data_format == "channels_last" else rank - 3
    if images.shape[axis] != 3:
        raise ValueError("rgb_to_grayscale: images must have 3 channels, received shape "
                         f"{tuple(images.shape)}")
    dtype = images.dtype
    compute = _compute_dtype(dtype)
    weights = tf.constant(_GRAY_WEIGHTS, dtype=compute)
    gray = tf.tensordot(tf.cast(images, compute), weights, axes=[[axis], [0]])
    return _restore(tf.expand_dims(gray, axis), dtype)


def _float_images(images, name):
    images = _images(images, name)
    if not images.dtype.is_floating:
        raise ValueError(f"{name}: images must have a float dtype, received {images.dtype.name}")
    return images


def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] to HSV with hue, saturation and value in [0, 1]."""
    images = _float_images(images, "rgb_to_hsv")
    data_format = config.standardize_data_format(data_format)
    rank = images.shape.rank
    axis = rank - 1 if data_format == "channels_last" else rank - 3
    dtype = images.dtype
    red, green, blue = tf.unstack(tf.cast(images, _compute_dtype(dtype)), axis=axis)
    zeros, ones = tf.zeros_like(red), tf.ones_like(red)
    value = tf.maximum(tf.maximum(red, green), blue)
    spread = value - tf.minimum(tf.minimum(red, green), blue)
    saturation = tf.where(value > 0, spread / tf.where(value > 0, value, ones), zeros)
    safe = tf.where(spread > 0, spread, ones)
    hue = tf.where(tf.equal(value, red), (green - blue) / safe,
                   tf.where(tf.equal(value, green), (blue - red) / safe + 2.0,
                            (red - green) / safe + 4.0))
    hue = tf.where(spread > 0, hue / 6.0, zeros)
    hue = tf.where(hue < 0, hue + 1.0, hue)
    return tf.cast(tf.stack([hue, saturation, value], axis=axis), dtype)


def hsv_to_rgb(images, data_format=None):
    """HSV (all channels in [0, 1]) back to RGB."""
    images = _float_images(images, "hsv_to_rgb")
    data_format = config.standardize_data_format(data_format)
    rank = images.shape.rank
    axis = rank - 1 if data_format == "channels_last" else rank - 3
    dtype = images.dtype
    hue, saturation, value = tf.unstack(tf.cast(images, _compute_dtype(dtype)), axis=axis)
    sector = tf.math.floormod(hue, 1.0) * 6.0
    red = tf.clip_by_value(tf.abs(sector - 3.0) - 1.0, 0.0, 1.0)
    green = tf.clip_by_value(2.0 - tf.abs(sector - 2.0), 0.0, 1.0)
    blue = tf.clip_by_value(2.0 - tf.abs(sector - 4.0), 0.0, 1.0)
    planes = [value * (1.0 - saturation + saturation * c) for c in (red, green, blue)]
    return tf.cast(tf.stack(planes, axis=axis), dtype)


# ---------------------------------------------------------------- crop and pad

def _resolve_box(size, start, end, target, name, what):
    """Two of (start, end, target) given: return (start, target)."""
    if [start, end, target].count(None) != 1:
        raise ValueError(f"{name}: give exactly two of {what[0]}, {what[1]} and {what[2]}, "
                         f"received {what[0]}={start}, {what[1]}={end}, {what[2]}={target}")
    if start is None:
        start = size - end - target
    elif target is None:
        target = size - start - end
    return int(start), int(target)


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
                         f"width={tw}) does not fit images of shape {tuple(images.shape)}")
    return _from_nhwc(x[:, top:top + th, left:left + tw, :], unbatched, data_format)


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
                         f"bottom={bottom}, right={right} for images of shape {tuple(images.shape)}")
    x = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]])
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


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images of rank 3 (one image) or 4 (a batch) to ``size = (height, width)``."""
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
        x = tf.pad(x, [[0, 0], [top, new_h - height - top], [left, new_w - width - left], [0, 0]],
                   constant_values=tf.cast(fill_value, dtype))
    if interpolation == "nearest":
        for axis, n in ((1, target_h), (2, target_w)):
            if x.shape[axis] != n:
                offsets = np.floor((np.arange(n, dtype=np.float32) + 0.5) * x.shape[axis] / n)
                x = tf.gather(x, offsets.astype(np.int32), axis=axis)
        return _from_nhwc(x, unbatched, data_format)
    x = tf.cast(x, _compute_dtype(dtype))
    kernel = {"bilinear": "linear", "bicubic": "cubic"}.get(interpolation, interpolation)
    for axis, n in ((1, target_h), (2, target_w)):
        if x.shape[axis] == n:
            continue
        if interpolation == "area":
            weights = tf.constant(_area_weights(x.shape[axis], n))
        else:
            weights = _resample_weights(x.shape[axis], n, n / x.shape[axis], 0.0, kernel, antialias)
        x = _apply_weights(x, axis, weights)
    return _from_nhwc(_restore(x, dtype), unbatched, data_format)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resample ``spatial_dims`` of ``images`` to ``output_shape`` with a scale and an offset."""
    if method not in _SCALE_METHODS:
        raise ValueError(f"scale_and_translate: method must be one of {', '.join(_SCALE_METHODS)}, "
                         f"received {method!r}")
    images = convert_to_tensor(images)
    dtype = images.dtype if images.dtype.is_floating else tf.float32
    x = tf.cast(images, _compute_dtype(dtype))
    scale = tf.reshape(tf.cast(convert_to_tensor(scale), tf.float64), [-1])
    translation = tf.reshape(tf.cast(convert_to_tensor(translation), tf.float64), [-1])
    output_shape = tuple(int(d) for d in output_shape)
    rank = x.shape.rank
    if len(output_shape) != rank:
        raise ValueError(f"scale_and_translate: output_shape {output_shape} must have the rank of "
                         f"images {tuple(x.shape)}")
    for i, d in enumerate(spatial_dims):
        d = int(d) % rank
        weights = _resample_weights(x.shape[d], output_shape[d], scale[i], translation[i],
                                    _SCALE_METHODS[method], antialias)
        x = _apply_weights(x, d, weights)
    return tf.cast(x, dtype)


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


def _fix_index(index, size, fill_mode):
    if fill_mode == "nearest":
        return tf.clip_by_value(index, 0, size - 1)
    if fill_mode == "wrap":
        return tf.math.floormod(index, size)
    if fill_mode == "mirror":
        if size == 1:
            return tf.zeros_like(index)
        period = 2 * (size - 1)
        return (size - 1) - tf.abs(tf.math.floormod(index, period) - (size - 1))
    if fill_mode == "reflect":
        folded = tf.math.floormod(index, 2 * size)
        return tf.where(folded >= size, 2 * size - 1 - folded, folded)
    return tf.clip_by_value(index, 0, size - 1)  # constant: out-of-range taps are masked


def _interpolate(flat, base, coords, sizes, order, fill_mode, fill_value):
    """Sample the grid ``sizes`` stored row-major in ``flat`` (N, C) at float ``coords``.

    ``base`` (broadcastable to the coordinates' shape) offsets every flat index;
    the result has the broadcast coordinates' shape plus the channel axis.
    """
    taps = []
    for c in coords:
        if order == 0:
            taps.append([(tf.cast(_round_half_away(c), tf.int32), None)])
        else:
            low = tf.floor(c)
            frac = c - low
            low = tf.cast(low, tf.int32)
            taps.append([(low, 1.0 - frac), (low + 1, frac)])
    strides = [int(np.prod(sizes[i + 1:])) for i in range(len(sizes))]
    fill = tf.cast(fill_value, flat.dtype)
    out = 0.0
    for combo in itertools.product(*taps):
        index, inside, weight = base, True, None
        for (i, w), size, stride in zip(combo, sizes, strides):
            index = index + _fix_index(i, size, fill_mode) * stride
            if fill_mode == "constant":
                inside = inside & (i >= 0) & (i < size)
            if w is not None:
                weight = w if weight is None else weight * w
        values = tf.gather(flat, index)
        if fill_mode == "constant":
            values = tf.where(tf.expand_dims(inside, -1), values, fill)
        if weight is None:
            return values
        out = out + tf.expand_dims(weight, -1) * values
    return out


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample ``inputs`` at ``coordinates`` (one array per input axis) by spline ``order`` 0 or 1."""
    _check_fill_mode(fill_mode, "map_coordinates")
    if order not in (0, 1):
        raise ValueError(f"map_coordinates: order must be 0 or 1, received {order!r}")
    inputs = convert_to_tensor(inputs)
    coordinates = convert_to_tensor(coordinates)
    if coordinates.shape[0] != inputs.shape.rank:
        raise ValueError(f"map_coordinates: coordinates must have a first dimension equal to the "
                         f"rank of inputs ({inputs.shape.rank}), received shape "
                         f"{tuple(coordinates.shape)}")
    dtype = inputs.dtype
    compute = _compute_dtype(dtype)
    flat = tf.reshape(tf.cast(inputs, compute), [-1, 1])
    coords = [tf.cast(c, compute) for c in tf.unstack(coordinates, axis=0)]
    out = _interpolate(flat, 0, coords, tuple(inputs.shape), order, fill_mode, fill_value)[..., 0]
    return _restore(out, dtype)


def _sample(x, rows, cols, order, fill_mode, fill_value):
    """Interpolate NHWC ``x`` at float ``rows``/``cols`` (broadcastable to (B, H', W'))."""
    height, width, channels = x.shape[1], x.shape[2], x.shape[3]
    base = (tf.range(tf.shape(x)[0]) * (height * width))[:, None, None]
    return _interpolate(tf.reshape(x, [-1, channels]), base, [rows, cols], (height, width), order,
                        fill_mode, fill_value)


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
    a0, a1, a2, b0, b1, b2, c0, c1 = (transform[:, i, None, None] for i in range(8))
    k = c0 * xs + c1 * ys + 1.0
    cols = (a0 * xs + a1 * ys + a2) / k
    rows = (b0 * xs + b1 * ys + b2) / k
    out = _sample(x, rows, cols, order, fill_mode, fill_value)
    out = tf.broadcast_to(out, tf.shape(x))
    return _from_nhwc(_restore(out, dtype), unbatched, data_format)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Warp images by 8-parameter projective transforms (shape (8,) or (batch, 8))."""
    order = _order(interpolation, "affine_transform")
    _check_fill_mode(fill_mode, "affine_transform")
    images = _images(images, "affine_transform")
    transform = convert_to_tensor(transform)
    if transform.shape.rank not in (1, 2) or transform.shape[-1] != 8:
        raise ValueError(f"affine_transform: transform must have shape (8,) or (batch, 8), "
                         f"received {tuple(transform.shape)}")
    data_format = config.standardize_data_format(data_format)
    return _warp(images, transform, order, fill_mode, fill_value, data_format)


def _homography(start_points, end_points):
    """The 8 coefficients mapping each end point (output) onto its start point (input)."""
    sx, sy = start_points[..., 0], start_points[..., 1]
    ex, ey = end_points[..., 0], end_points[..., 1]
    zeros, ones = tf.zeros_like(ex), tf.ones_like(ex)
    rows_x = tf.stack([ex, ey, ones, zeros, zeros, zeros, -ex * sx, -ey * sx], axis=-1)
    rows_y = tf.stack([zeros, zeros, zeros, ex, ey, ones, -ex * sy, -ey * sy], axis=-1)
    matrix = tf.concat([rows_x, rows_y], axis=-2)
    target = tf.concat([sx, sy], axis=-1)
    return tf.linalg.solve(matrix, target[..., None])[..., 0]


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warp so that each ``start_points`` location of the input lands on its ``end_points``."""
    order = _order(interpolation, "perspective_transform")
    images = _images(images, "perspective_transform")
    start_points = convert_to_tensor(start_points)
    end_points = convert_to_tensor(end_points)
    for name, points in (("start_points", start_points), ("end_points", end_points)):
        if points.shape.rank not in (2, 3) or tuple(points.shape[-2:]) != (4, 2):
            raise ValueError(f"perspective_transform: {name} must have shape (4, 2) or "
                             f"(batch, 4, 2), received {tuple(points.shape)}")
    data_format = config.standardize_data_format(data_format)
    transform = _homography(tf.cast(start_points, tf.float32), tf.cast(end_points, tf.float32))
    return _warp(images, transform, order, "constant", fill_value, data_format)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect",
                      fill_value=0.0, seed=None, data_format=None):
    """Displace every pixel by smoothed uniform noise (Gaussian ``sigma``) scaled by ``alpha``."""
    from kiln.backend.tensorflow import random

    order = _order(interpolation, "elastic_transform")
    _check_fill_mode(fill_mode, "elastic_transform")
    images = _images(images, "elastic_transform")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(images, data_format)
    dtype = x.dtype
    x = tf.cast(x, _compute_dtype(dtype))
    height, width = x.shape[1], x.shape[2]
    size = int(6 * float(sigma)) | 1
    taps = _gaussian_taps(size, sigma)
    noise = random.uniform(tf.concat([tf.shape(x)[:3], [2]], axis=0), -1.0, 1.0,
                           dtype=x.dtype.name, seed=seed)
    noise = tf.ensure_shape(noise, [x.shape[0], height, width, 2])
    shift = _depthwise(noise, np.outer(taps, taps), "same") * tf.cast(alpha, x.dtype)
    ys, xs = _grid(height, width, x.dtype)
    out = _sample(x, ys + shift[..., 0], xs + shift[..., 1], order, fill_mode, fill_value)
    return _from_nhwc(_restore(out, dtype), unbatched, data_format)


# ---------------------------------------------------------------- patches

def _patch_windows(x, sizes, strides, dilations, padding, name):
    """Stack the strided windows of the spatial axes 1..n of ``x``: (B, *out, prod(sizes) * C)."""
    if padding not in ("valid", "same"):
        raise ValueError(f"{name}: padding must be 'valid' or 'same', received {padding!r}")
    spatial = tuple(x.shape[1:-1])
    counts, pads = [], [[0, 0]]
    for n, k, s, d in zip(spatial, sizes, strides, dilations):
        span = (k - 1) * d + 1
        if padding == "same":
            count = -(-n // s)
            total = max((count - 1) * s + span - n, 0)
            pads.append([total // 2, total - total // 2])
        else:
            count = (n - span) // s + 1
            pads.append([0, 0])
        if count <= 0:
            raise ValueError(f"{name}: the patch window {tuple(sizes)} (dilation "
                             f"{tuple(dilations)}) is larger than the input {spatial}")
        counts.append(count)
    x = tf.pad(x, pads + [[0, 0]])
    windows = []
    for offsets in np.ndindex(*sizes):
        index = [slice(None)]
        for o, s, d, count in zip(offsets, strides, dilations, counts):
            index.append(slice(o * d, o * d + (count - 1) * s + 1, s))
        windows.append(x[tuple(index)])
    out = tf.stack(windows, axis=-2)
    new_shape = tf.concat([tf.shape(out)[:-2], [len(windows) * x.shape[-1]]], axis=0)
    out = tf.reshape(out, new_shape)
    return tf.ensure_shape(out, [x.shape[0]] + counts + [len(windows) * x.shape[-1]])


def _extract(images, size, strides, dilation_rate, padding, data_format, rank, name):
    images = convert_to_tensor(images)
    if images.shape.rank not in (rank + 1, rank + 2):
        raise ValueError(f"{name}: input must have rank {rank + 1} or {rank + 2}, "
                         f"received shape {tuple(images.shape)}")
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
    unbatched = images.shape.rank == rank + 1
    x = images[None] if unbatched else images
    if data_format == "channels_first":
        x = _moveaxis(x, 1, -1)
    out = _patch_windows(x, sizes, strides, dilations, padding, name)
    if data_format == "channels_first":
        out = _moveaxis(out, -1, 1)
    return out[0] if unbatched else out


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
    images = _images(images, "gaussian_blur")
    kh, kw = _pair(kernel_size, "gaussian_blur", "kernel_size")
    sh, sw = (float(sigma),) * 2 if isinstance(sigma, (int, float)) else tuple(float(s) for s in sigma)
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(images, data_format)
    dtype = x.dtype
    kernel = np.outer(_gaussian_taps(kh, sh), _gaussian_taps(kw, sw))
    out = _depthwise(tf.cast(x, _compute_dtype(dtype)), kernel, "same")
    return _from_nhwc(_restore(out, dtype), unbatched, data_format)


_SOBEL_Y = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])


def sobel_edges(images, data_format=None):
    """Sobel gradients [dy, dx] of every channel on a new last axis (reflect-padded borders)."""
    images = _images(images, "sobel_edges")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(images, data_format)
    dtype = x.dtype
    x = tf.cast(x, _compute_dtype(dtype))
    out = tf.stack([_depthwise(x, _SOBEL_Y, "same", "REFLECT"),
                    _depthwise(x, _SOBEL_Y.T, "same", "REFLECT")], axis=-1)
    out = tf.cast(out, dtype if dtype.is_floating else tf.float32)
    if data_format == "channels_first":
        out = tf.transpose(out, (0, 3, 1, 2, 4))
    return out[0] if unbatched else out


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Mean structural similarity of each image pair (Gaussian-weighted local statistics)."""
    image1 = _images(image1, "ssim")
    image2 = _images(image2, "ssim")
    if not image1.shape.is_compatible_with(image2.shape):
        raise ValueError(f"ssim: image1 and image2 must have the same shape, received "
                         f"{tuple(image1.shape)} and {tuple(image2.shape)}")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = _to_nhwc(image1, data_format)
    y, _ = _to_nhwc(image2, data_format)
    if min(x.shape[1], x.shape[2]) < filter_size:
        raise ValueError(f"ssim: images must be at least filter_size={filter_size} pixels high "
                         f"and wide, received shape {tuple(image1.shape)}")
    out_dtype = x.dtype if x.dtype.is_floating else tf.float32
    compute = _compute_dtype(out_dtype)
    x, y = tf.cast(x, compute), tf.cast(y, compute)
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
    out = tf.cast(tf.reduce_mean(luminance * contrast, axis=[1, 2, 3]), out_dtype)
    return out[0] if unbatched else out
