"""Array-generic image kernels shared by the backends' ``image`` modules.

Every function here takes the array namespace ``xp`` it computes with and uses
only NumPy's names on it, so ``numpy`` and ``jax.numpy`` are passed as they
are, and the torch and TensorFlow backends pass a :class:`Namespace` that maps
the few names their frameworks spell differently (``clip``, ``mod``, ``take``,
``astype``, ...). Nothing here imports a framework; shapes stay static, and no
Python branch looks at tensor values, so the JAX callers still trace under
``jax.jit``. Each backend keeps its own fast kernels (resampling,
convolutions) and calls these for the logic that is the same everywhere.

Example:
    >>> import numpy as np
    >>> fix_index(np, np.array([-2, -1, 0, 3, 4]), 3, "reflect").tolist()
    [1, 0, 0, 2, 1]
    >>> hue, saturation, value = rgb_to_hsv(np, np.array([1.0]), np.array([0.0]), np.array([0.0]))
    >>> hue.tolist(), saturation.tolist(), value.tolist()
    ([0.0], [1.0], [1.0])
"""

import itertools

from kiln import config
from kiln.backend.common import image_rules as rules


class Namespace:
    """An array namespace: ``module``'s functions, with ``overrides`` taking precedence.

    Example:
        >>> import numpy as np
        >>> Namespace(np, mod=np.fmod).mod(-3, 2), Namespace(np).abs(-2)
        (np.int64(-1), np.int64(2))
    """

    def __init__(self, module, **overrides):
        self._module = module
        self.__dict__.update(overrides)

    def __getattr__(self, name):
        return getattr(self._module, name)


class Backend:
    """What the shared op bodies below need from a backend's ``image`` module.

    ``xp``: its array namespace; ``images(x, name)``: convert and check rank 3
    or 4; ``convert(x)``: convert to a tensor; ``restore(x, dtype)``: cast a
    float result back to the input dtype; ``depthwise(x, kernel, padding)``:
    per-channel correlation of NHWC ``x`` with a 2-D NumPy kernel;
    ``float_images(x, name)``: ``images`` that also rejects non-float dtypes;
    ``split(x, axis)``: the three colour planes along ``axis``;
    ``sobel(x)``: the [dy, dx] planes of float NHWC ``x`` with reflected
    borders; ``warp(images, transform, order, fill_mode, fill_value,
    data_format)``: the projective warp.
    """

    def __init__(self, **parts):
        self.__dict__.update(parts)


# ---------------------------------------------------------------- layout and dtypes

def to_nhwc(x, data_format, transpose):
    """(batched channels-last view of a rank 3 or 4 ``x``, was the input unbatched)."""
    unbatched = len(x.shape) == 3
    if unbatched:
        x = x[None]
    if data_format == "channels_first":
        x = transpose(x, (0, 2, 3, 1))
    return x, unbatched


def from_nhwc(x, unbatched, data_format, transpose):
    """Undo :func:`to_nhwc` on a batched channels-last result."""
    if data_format == "channels_first":
        x = transpose(x, (0, 3, 1, 2))
    return x[0] if unbatched else x


def compute_dtype(xp, dtype):
    """Float dtype arithmetic runs in: half types widen to float32, ints become float32."""
    return dtype if dtype in (xp.float32, xp.float64) else xp.float32


def round_half_away(xp, x):
    """Round to the nearest integer, halves away from zero (as integer image casts do)."""
    return xp.sign(x) * xp.floor(xp.abs(x) + 0.5)


def restore(xp, x, dtype):
    """Cast a float result back to ``dtype``, rounding and clipping integers (NumPy dtypes)."""
    if x.dtype == dtype:
        return x
    if xp.issubdtype(dtype, xp.integer):
        info = xp.iinfo(dtype)
        x = xp.clip(round_half_away(xp, x), info.min, info.max)
    return x.astype(dtype)


# ---------------------------------------------------------------- colour

def rgb_to_hsv(xp, red, green, blue):
    """(hue, saturation, value) planes, all in [0, 1], of float RGB planes in [0, 1]."""
    value = xp.maximum(xp.maximum(red, green), blue)
    spread = value - xp.minimum(xp.minimum(red, green), blue)
    saturation = xp.where(value > 0, spread / xp.where(value > 0, value, 1.0), 0.0)
    safe = xp.where(spread > 0, spread, 1.0)
    hue = xp.where(value == red, (green - blue) / safe,
                   xp.where(value == green, (blue - red) / safe + 2.0, (red - green) / safe + 4.0))
    hue = xp.where(spread > 0, hue / 6.0, 0.0)
    hue = xp.where(hue < 0, hue + 1.0, hue)
    return hue, saturation, value


def hsv_to_rgb(xp, hue, saturation, value):
    """[red, green, blue] planes of float HSV planes in [0, 1]."""
    sector = xp.mod(hue, 1.0) * 6.0
    red = xp.clip(xp.abs(sector - 3.0) - 1.0, 0.0, 1.0)
    green = xp.clip(2.0 - xp.abs(sector - 2.0), 0.0, 1.0)
    blue = xp.clip(2.0 - xp.abs(sector - 4.0), 0.0, 1.0)
    return [value * (1.0 - saturation + saturation * c) for c in (red, green, blue)]


def convert_colours(be, images, data_format, name, planes):
    """Apply ``planes(xp, c0, c1, c2)`` (:func:`rgb_to_hsv` or :func:`hsv_to_rgb`) along the
    channel axis of float ``images``; the result keeps their dtype."""
    xp = be.xp
    images = be.float_images(images, name)
    data_format = config.standardize_data_format(data_format)
    axis = rules.channel_axis(len(images.shape), data_format)
    dtype = images.dtype
    channels = be.split(xp.astype(images, compute_dtype(xp, dtype)), axis)
    return xp.astype(xp.stack(planes(xp, *channels), axis=axis), dtype)


# ---------------------------------------------------------------- sampling

def fix_index(xp, index, size, fill_mode):
    """Fold integer ``index`` into [0, size) the way ``fill_mode`` extends the input."""
    if fill_mode == "wrap":
        return xp.mod(index, size)
    if fill_mode == "mirror":
        if size == 1:
            return xp.zeros_like(index)
        period = 2 * (size - 1)
        return (size - 1) - xp.abs(xp.mod(index, period) - (size - 1))
    if fill_mode == "reflect":
        folded = xp.mod(index, 2 * size)
        return xp.where(folded >= size, 2 * size - 1 - folded, folded)
    # nearest clamps; constant clamps too, its out-of-range taps are masked by the caller
    return xp.clip(index, 0, size - 1)


def interpolate(xp, flat, base, coords, sizes, order, fill_mode, fill, index_dtype):
    """Sample the grid ``sizes`` stored row-major in ``flat`` (N, C) at float ``coords``.

    ``order`` 0 takes the nearest element, 1 blends the neighbours linearly;
    ``base`` (broadcastable to the coordinates' shape) offsets every flat index,
    ``fill`` (a 0-d tensor of ``flat``'s dtype) replaces taps outside the grid
    when ``fill_mode`` is "constant". The result has the broadcast
    coordinates' shape plus the channel axis.

    Example:
        >>> import numpy as np
        >>> flat = np.array([[0.0], [10.0], [20.0]])
        >>> interpolate(np, flat, 0, [np.array([0.5, 2.5])], (3,), 1, "constant",
        ...             np.float64(-1.0), np.int64)[..., 0].tolist()
        [5.0, 9.5]
    """
    taps = []
    for c in coords:
        if order == 0:
            taps.append([(xp.astype(round_half_away(xp, c), index_dtype), None)])
        else:
            low = xp.floor(c)
            frac = c - low
            low = xp.astype(low, index_dtype)
            taps.append([(low, 1.0 - frac), (low + 1, frac)])
    strides = rules.row_major_strides(sizes)
    out = 0.0
    for combo in itertools.product(*taps):
        index, inside, weight = base, True, None
        for (i, w), size, stride in zip(combo, sizes, strides):
            index = index + fix_index(xp, i, size, fill_mode) * stride
            if fill_mode == "constant":
                inside = inside & (i >= 0) & (i < size)
            if w is not None:
                weight = w if weight is None else weight * w
        values = xp.take(flat, index, axis=0)
        if fill_mode == "constant":
            values = xp.where(xp.expand_dims(inside, -1), values, fill)
        if weight is None:
            return values
        out = out + xp.expand_dims(weight, -1) * values
    return out


def sample(xp, x, rows, cols, order, fill_mode, fill_value, index_dtype):
    """Interpolate NHWC ``x`` at float (B, H', W') ``rows``/``cols`` -> (B, H', W', C)."""
    batch, height, width, channels = x.shape
    base = (xp.arange(batch) * (height * width))[:, None, None]
    return interpolate(xp, x.reshape(batch * height * width, channels), base, [rows, cols],
                       (height, width), order, fill_mode, xp.asarray(fill_value, dtype=x.dtype),
                       index_dtype)


def pixel_grid(xp, height, width, dtype):
    """(row, column) coordinate planes of a height x width image."""
    return xp.meshgrid(xp.arange(height, dtype=dtype), xp.arange(width, dtype=dtype),
                       indexing="ij")


def warp(xp, images, transform, order, fill_mode, fill_value, data_format, index_dtype):
    """Projective warp of ``images`` (NumPy-style dtypes) by (8,) or (batch, 8) ``transform``.

    Output pixel (x, y) reads the input at ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k).
    """
    x, unbatched = to_nhwc(images, data_format, xp.transpose)
    dtype = x.dtype
    x = x.astype(compute_dtype(xp, dtype))
    if transform.ndim == 1:
        transform = transform[None]
    batch, height, width = x.shape[:3]
    ys, xs = pixel_grid(xp, height, width, x.dtype)
    rows, cols = rules.projective_source_coordinates(transform.astype(x.dtype), xs, ys)
    rows = xp.broadcast_to(rows, (batch, height, width))
    cols = xp.broadcast_to(cols, (batch, height, width))
    out = sample(xp, x, rows, cols, order, fill_mode, fill_value, index_dtype)
    return from_nhwc(restore(xp, out, dtype), unbatched, data_format, xp.transpose)


def homography(xp, start_points, end_points):
    """The 8 coefficients mapping each end point (output) onto its start point (input)."""
    sx, sy = start_points[..., 0], start_points[..., 1]
    ex, ey = end_points[..., 0], end_points[..., 1]
    zeros, ones = xp.zeros_like(ex), xp.ones_like(ex)
    rows_x = xp.stack([ex, ey, ones, zeros, zeros, zeros, -ex * sx, -ey * sx], axis=-1)
    rows_y = xp.stack([zeros, zeros, zeros, ex, ey, ones, -ex * sy, -ey * sy], axis=-1)
    matrix = xp.concatenate([rows_x, rows_y], axis=-2)
    target = xp.concatenate([sx, sy], axis=-1)
    return xp.linalg.solve(matrix, target[..., None])[..., 0]


# ---------------------------------------------------------------- patches

def patch_windows(xp, x, sizes, strides, dilations, padding, name):
    """Stack the strided windows of the spatial axes 1..n of ``x``: (B, *out, prod(sizes) * C)."""
    counts, pads = rules.patch_layout(x.shape[1:-1], sizes, strides, dilations, padding, name)
    x = xp.pad(x, [(0, 0)] + pads + [(0, 0)])
    windows = [x[index] for index in rules.patch_window_slices(sizes, strides, dilations, counts)]
    out = xp.stack(windows, axis=-2)
    return out.reshape(out.shape[:-2] + (out.shape[-2] * out.shape[-1],))


def extract_patches(xp, images, size, strides, dilation_rate, padding, data_format, rank, name,
                    windows=patch_windows):
    """Patches of a rank ``rank + 1`` or ``rank + 2`` tensor, flattened into the channel axis.

    ``windows(xp, x, sizes, strides, dilations, padding, name)`` cuts the
    batched channels-last windows (:func:`patch_windows` by default).
    """
    rules.check_rank(len(images.shape), images.shape, name, (rank + 1, rank + 2), "input")
    sizes, strides, dilations = rules.patch_arguments(size, strides, dilation_rate, rank, name)
    unbatched = len(images.shape) == rank + 1
    x = images[None] if unbatched else images
    if data_format == "channels_first":
        x = xp.moveaxis(x, 1, -1)
    out = windows(xp, x, sizes, strides, dilations, padding, name)
    if data_format == "channels_first":
        out = xp.moveaxis(out, -1, 1)
    return out[0] if unbatched else out


# ---------------------------------------------------------------- op bodies

def crop_images(be, images, top_cropping, left_cropping, bottom_cropping, right_cropping,
                target_height, target_width, data_format):
    images = be.images(images, "crop_images")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = to_nhwc(images, data_format, be.xp.transpose)
    top, left, th, tw = rules.crop_box(x.shape[1], x.shape[2], top_cropping, left_cropping,
                                       bottom_cropping, right_cropping, target_height,
                                       target_width, images.shape)
    return from_nhwc(x[:, top:top + th, left:left + tw, :], unbatched, data_format,
                     be.xp.transpose)


def pad_images(be, images, top_padding, left_padding, bottom_padding, right_padding,
               target_height, target_width, data_format):
    images = be.images(images, "pad_images")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = to_nhwc(images, data_format, be.xp.transpose)
    top, bottom, left, right = rules.pad_amounts(x.shape[1], x.shape[2], top_padding, left_padding,
                                                 bottom_padding, right_padding, target_height,
                                                 target_width, images.shape)
    x = be.xp.pad(x, [(0, 0), (top, bottom), (left, right), (0, 0)])
    return from_nhwc(x, unbatched, data_format, be.xp.transpose)


def affine_transform(be, images, transform, interpolation, fill_mode, fill_value, data_format):
    order = rules.interpolation_order(interpolation, "affine_transform")
    rules.check_fill_mode(fill_mode, "affine_transform")
    images = be.images(images, "affine_transform")
    transform = be.convert(transform)
    rules.check_transform_shape(transform.shape)
    data_format = config.standardize_data_format(data_format)
    return be.warp(images, transform, order, fill_mode, fill_value, data_format)


def perspective_transform(be, images, start_points, end_points, interpolation, fill_value,
                          data_format):
    xp = be.xp
    order = rules.interpolation_order(interpolation, "perspective_transform")
    images = be.images(images, "perspective_transform")
    start_points = be.convert(start_points)
    end_points = be.convert(end_points)
    rules.check_corner_points("start_points", start_points.shape)
    rules.check_corner_points("end_points", end_points.shape)
    data_format = config.standardize_data_format(data_format)
    transform = homography(xp, xp.astype(start_points, xp.float32),
                           xp.astype(end_points, xp.float32))
    return be.warp(images, transform, order, "constant", fill_value, data_format)


def gaussian_blur(be, images, kernel_size, sigma, data_format):
    images = be.images(images, "gaussian_blur")
    kernel = rules.gaussian_blur_kernel(kernel_size, sigma)
    data_format = config.standardize_data_format(data_format)
    x, unbatched = to_nhwc(images, data_format, be.xp.transpose)
    dtype = x.dtype
    out = be.depthwise(be.xp.astype(x, compute_dtype(be.xp, dtype)), kernel, "same")
    return from_nhwc(be.restore(out, dtype), unbatched, data_format, be.xp.transpose)


def sobel_edges(be, images, data_format):
    xp = be.xp
    images = be.images(images, "sobel_edges")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = to_nhwc(images, data_format, xp.transpose)
    dtype = x.dtype
    out = xp.stack(be.sobel(xp.astype(x, compute_dtype(xp, dtype))), axis=-1)
    out = xp.astype(out, dtype if xp.isdtype(dtype, "real floating") else xp.float32)
    if data_format == "channels_first":
        out = xp.transpose(out, (0, 3, 1, 2, 4))
    return out[0] if unbatched else out


def _compatible(shape1, shape2):
    return len(shape1) == len(shape2) and all(
        a is None or b is None or a == b for a, b in zip(shape1, shape2))


def ssim(be, image1, image2, max_val, filter_size, filter_sigma, k1, k2, data_format):
    xp = be.xp
    image1 = be.images(image1, "ssim")
    image2 = be.images(image2, "ssim")
    if not _compatible(tuple(image1.shape), tuple(image2.shape)):
        raise ValueError(f"ssim: image1 and image2 must have the same shape, received "
                         f"{tuple(image1.shape)} and {tuple(image2.shape)}")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = to_nhwc(image1, data_format, xp.transpose)
    y, _ = to_nhwc(image2, data_format, xp.transpose)
    rules.check_ssim_window(x.shape[1], x.shape[2], filter_size, image1.shape)
    out_dtype = x.dtype if xp.isdtype(x.dtype, "real floating") else xp.float32
    compute = compute_dtype(xp, out_dtype)
    x, y = xp.astype(x, compute), xp.astype(y, compute)
    kernel = rules.gaussian_kernel((filter_size, filter_size), (filter_sigma, filter_sigma))

    def blur(t):
        return be.depthwise(t, kernel, "valid")

    out = xp.mean(rules.ssim_map(x, y, blur, max_val, k1, k2), axis=(1, 2, 3))
    out = xp.astype(out, out_dtype)
    return out[0] if unbatched else out


def elastic_transform(be, images, alpha, sigma, interpolation, fill_mode, fill_value, seed,
                      data_format):
    """Elastic warp; ``be`` also gives ``noise(x, seed)`` (uniform [-1, 1) of shape (B, H, W, 2)),
    ``grid(x)`` (the (rows, cols) pixel planes) and ``sample(x, rows, cols, order, fill_mode,
    fill_value)``."""
    xp = be.xp
    order = rules.interpolation_order(interpolation, "elastic_transform")
    rules.check_fill_mode(fill_mode, "elastic_transform")
    images = be.images(images, "elastic_transform")
    data_format = config.standardize_data_format(data_format)
    x, unbatched = to_nhwc(images, data_format, xp.transpose)
    dtype = x.dtype
    x = xp.astype(x, compute_dtype(xp, dtype))
    shift = be.depthwise(be.noise(x, seed), rules.elastic_smoothing_kernel(sigma), "same")
    shift = shift * xp.asarray(alpha, dtype=x.dtype)
    ys, xs = be.grid(x)
    out = be.sample(x, ys + shift[..., 0], xs + shift[..., 1], order, fill_mode, fill_value)
    return from_nhwc(be.restore(out, dtype), unbatched, data_format, xp.transpose)
