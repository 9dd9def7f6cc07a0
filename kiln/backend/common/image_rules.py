"""Backend-neutral rules of the image ops, shared by the four backends' ``image`` modules.

Argument checks (their errors name the op and the argument), crop/pad and
patch-window arithmetic, and static weight tables (area and resampling
weights, Gaussian taps) work on Python ints, shapes and NumPy arrays, so every
backend computes the same numbers once per call without tracing. A few
formula helpers (``projective_source_coordinates``, ``ssim_map``) use only
arithmetic operators and indexing, so they run unchanged on NumPy, JAX, torch
and TensorFlow tensors.

Example:
    >>> crop_box(6, 5, 1, None, 2, 1, None, 3, shape=(6, 5, 3))
    (1, 1, 3, 3)
    >>> area_weights(4, 2).T.tolist()
    [[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]]
"""

import numpy as np

RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")
# scale_and_translate method -> the resampling kernel it names
SCALE_KERNELS = {
    "linear": "linear", "bilinear": "linear", "trilinear": "linear", "triangle": "linear",
    "cubic": "cubic", "bicubic": "cubic", "tricubic": "cubic", "keyscubic": "cubic",
    "lanczos3": "lanczos3", "lanczos5": "lanczos5",
}
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)
# Sobel kernel of the vertical derivative (its transpose is the horizontal one)
SOBEL_Y = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])


# ---------------------------------------------------------------- argument checks

def check_rank(rank, shape, op_name, ranks=(3, 4), arg="images"):
    """Raise unless ``rank`` is one of ``ranks``; ``shape`` (any shape object) is only printed.

    Example:
        >>> check_rank(4, (2, 8, 8, 3), "resize")
        >>> check_rank(2, (8, 8), "resize")
        Traceback (most recent call last):
        ValueError: resize: images must have rank 3 or 4, received shape (8, 8)
    """
    if rank not in ranks:
        raise ValueError(f"{op_name}: {arg} must have rank {' or '.join(map(str, ranks))}, "
                         f"received shape {tuple(shape)}")


def channel_axis(rank, data_format):
    """The (non-negative) channel axis of images of ``rank`` in ``data_format``.

    Example:
        >>> channel_axis(4, "channels_last"), channel_axis(4, "channels_first")
        (3, 1)
    """
    return rank - 1 if data_format == "channels_last" else rank - 3


def check_rgb_channels(shape, axis, op_name):
    """Raise unless axis ``axis`` of ``shape`` holds 3 (RGB) channels.

    Example:
        >>> check_rgb_channels((4, 4, 3), 2, "rgb_to_grayscale")
    """
    if shape[axis] != 3:
        raise ValueError(f"{op_name}: images must have 3 channels, received shape {tuple(shape)}")


def int_tuple(value, length, op_name, arg):
    """An int (repeated ``length`` times) or a sequence of ``length`` ints, as a tuple of ints.

    Example:
        >>> int_tuple(3, 2, "gaussian_blur", "kernel_size")
        (3, 3)
        >>> int_tuple((2, 1, 1), 3, "extract_patches_3d", "strides")
        (2, 1, 1)
    """
    value = (value,) * length if isinstance(value, int) else tuple(int(v) for v in value)
    if len(value) != length:
        raise ValueError(f"{op_name}: {arg} must be an int or a tuple of {length} ints, "
                         f"received {value}")
    return value


def check_fill_mode(fill_mode, op_name):
    """Raise unless ``fill_mode`` is one of FILL_MODES.

    Example:
        >>> check_fill_mode("reflect", "affine_transform")
    """
    if fill_mode not in FILL_MODES:
        raise ValueError(f"{op_name}: fill_mode must be one of {', '.join(FILL_MODES)}, "
                         f"received {fill_mode!r}")


def interpolation_order(interpolation, op_name):
    """Spline order of a warp's ``interpolation``: 0 for "nearest", 1 for "bilinear".

    Example:
        >>> interpolation_order("bilinear", "affine_transform")
        1
    """
    orders = {"nearest": 0, "bilinear": 1}
    if interpolation not in orders:
        raise ValueError(f"{op_name}: interpolation must be 'nearest' or 'bilinear', "
                         f"received {interpolation!r}")
    return orders[interpolation]


def check_map_coordinates_options(order, fill_mode):
    """Raise unless map_coordinates' ``fill_mode`` is known and ``order`` is 0 or 1.

    Example:
        >>> check_map_coordinates_options(1, "wrap")
    """
    check_fill_mode(fill_mode, "map_coordinates")
    if order not in (0, 1):
        raise ValueError(f"map_coordinates: order must be 0 or 1, received {order!r}")


def check_coordinates_shape(coordinates_shape, input_rank):
    """Raise unless map_coordinates has one coordinate array per input axis.

    Example:
        >>> check_coordinates_shape((2, 5), 2)
    """
    if coordinates_shape[0] != input_rank:
        raise ValueError(f"map_coordinates: coordinates must have a first dimension equal to the "
                         f"rank of inputs ({input_rank}), received shape "
                         f"{tuple(coordinates_shape)}")


def check_transform_shape(shape):
    """Raise unless an affine_transform ``transform`` has shape (8,) or (batch, 8).

    Example:
        >>> check_transform_shape((2, 8))
    """
    if len(shape) not in (1, 2) or shape[-1] != 8:
        raise ValueError(f"affine_transform: transform must have shape (8,) or (batch, 8), "
                         f"received {tuple(shape)}")


def check_corner_points(arg, shape):
    """Raise unless perspective_transform's ``arg`` points have shape (4, 2) or (batch, 4, 2).

    Example:
        >>> check_corner_points("start_points", (4, 2))
    """
    if len(shape) not in (2, 3) or tuple(shape[-2:]) != (4, 2):
        raise ValueError(f"perspective_transform: {arg} must have shape (4, 2) or "
                         f"(batch, 4, 2), received {tuple(shape)}")


# ---------------------------------------------------------------- crop and pad

def _require_two_of_three(names, values, op_name):
    if list(values).count(None) != 1:
        received = ", ".join(f"{n}={v}" for n, v in zip(names, values))
        raise ValueError(f"{op_name}: give exactly two of {names[0]}, {names[1]} and {names[2]}, "
                         f"received {received}")


def _derived(size, name, op_name):
    if size is None:
        raise ValueError(f"{op_name}: {name} cannot be derived when the image size is unknown")
    return size


def _crop_axis(size, start, end, target, names):
    """(start, target) of one axis from two of (start, end, target): size = start + target + end."""
    _require_two_of_three(names, (start, end, target), "crop_images")
    if start is None:
        start = _derived(size, names[0], "crop_images") - end - target
    elif target is None:
        target = _derived(size, names[2], "crop_images") - start - end
    return int(start), int(target)


def crop_box(height, width, top_cropping, left_cropping, bottom_cropping, right_cropping,
             target_height, target_width, shape):
    """(top, left, height, width) of crop_images' box; per axis exactly two numbers are given.

    ``height``/``width`` are the image's (None when unknown); ``shape`` is only printed.

    Example:
        >>> crop_box(6, 5, None, 0, 1, None, 4, 2, shape=(6, 5, 3))
        (1, 0, 4, 2)
    """
    top, th = _crop_axis(height, top_cropping, bottom_cropping, target_height,
                         ("top_cropping", "bottom_cropping", "target_height"))
    left, tw = _crop_axis(width, left_cropping, right_cropping, target_width,
                          ("left_cropping", "right_cropping", "target_width"))
    if top < 0 or left < 0 or th <= 0 or tw <= 0 or \
            (height is not None and top + th > height) or (width is not None and left + tw > width):
        raise ValueError(f"crop_images: the crop box (top={top}, left={left}, height={th}, "
                         f"width={tw}) does not fit images of shape {tuple(shape)}")
    return top, left, th, tw


def _pad_axis(size, start, end, target, names):
    """(start, end) of one axis from two of (start, end, target): target = start + size + end."""
    _require_two_of_three(names, (start, end, target), "pad_images")
    if start is None:
        start = target - _derived(size, names[0], "pad_images") - end
    elif end is None:
        end = target - _derived(size, names[1], "pad_images") - start
    return int(start), int(end)


def pad_amounts(height, width, top_padding, left_padding, bottom_padding, right_padding,
                target_height, target_width, shape):
    """(top, bottom, left, right) zero padding of pad_images; per axis two numbers are given.

    Example:
        >>> pad_amounts(4, 4, 1, None, None, 2, 8, 6, shape=(4, 4, 3))
        (1, 3, 0, 2)
    """
    top, bottom = _pad_axis(height, top_padding, bottom_padding, target_height,
                            ("top_padding", "bottom_padding", "target_height"))
    left, right = _pad_axis(width, left_padding, right_padding, target_width,
                            ("left_padding", "right_padding", "target_width"))
    if min(top, left, bottom, right) < 0:
        raise ValueError(f"pad_images: paddings must be >= 0, received top={top}, left={left}, "
                         f"bottom={bottom}, right={right} for images of shape {tuple(shape)}")
    return top, bottom, left, right


# ---------------------------------------------------------------- resize

def check_resize_options(size, interpolation, fill_mode, crop_to_aspect_ratio,
                         pad_to_aspect_ratio):
    """Validate resize's options and return ``size`` as a (height, width) tuple of ints.

    Example:
        >>> check_resize_options([4, 6], "bicubic", "constant", False, True)
        (4, 6)
    """
    if interpolation not in RESIZE_METHODS:
        raise ValueError(f"resize: interpolation must be one of {', '.join(RESIZE_METHODS)}, "
                         f"received {interpolation!r}")
    if fill_mode != "constant":
        raise ValueError(f"resize: fill_mode must be 'constant', received {fill_mode!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize: only one of crop_to_aspect_ratio and pad_to_aspect_ratio "
                         "can be True")
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) <= 0:
        raise ValueError(f"resize: size must be (height, width) of positive ints, received {size}")
    return size


def aspect_ratio_box(height, width, target_height, target_width, pad):
    """(new_height, new_width, top, left): the centred box with the target's aspect ratio.

    With ``pad`` the box encloses the image (pad_to_aspect_ratio), otherwise it
    lies inside it (crop_to_aspect_ratio); ``top``/``left`` are the offsets
    between image and box.

    Example:
        >>> aspect_ratio_box(4, 8, 2, 2, pad=False)
        (4, 4, 0, 2)
        >>> aspect_ratio_box(4, 8, 2, 2, pad=True)
        (8, 8, 2, 0)
    """
    if pad:
        new_h = max(height, int(width * target_height / target_width))
        new_w = max(width, int(height * target_width / target_height))
    else:
        new_h = min(height, int(width * target_height / target_width))
        new_w = min(width, int(height * target_width / target_height))
    return new_h, new_w, int(abs(new_h - height) / 2), int(abs(new_w - width) / 2)


def nearest_source_indices(in_size, out_size):
    """Input index (int64) each output pixel copies under "nearest" resizing (half-pixel centres).

    Example:
        >>> nearest_source_indices(4, 2).tolist()
        [1, 3]
    """
    offsets = np.floor((np.arange(out_size, dtype=np.float32) + 0.5) * in_size / out_size)
    return offsets.astype(np.int64)


def area_weights(in_size, out_size):
    """(in, out) matrix: the share of each output pixel covered by each input pixel.

    Example:
        >>> area_weights(2, 1).tolist()
        [[0.5], [0.5]]
    """
    scale = in_size / out_size
    start = np.arange(out_size) * scale
    lo = np.maximum(np.arange(in_size)[:, None], start[None, :])
    hi = np.minimum(np.arange(in_size)[:, None] + 1.0, start[None, :] + scale)
    return np.maximum(hi - lo, 0.0) / scale


def resize_kernel(interpolation):
    """The resampling kernel behind a resize ``interpolation`` other than "nearest"/"area".

    Example:
        >>> resize_kernel("bilinear"), resize_kernel("lanczos3")
        ('linear', 'lanczos3')
    """
    return SCALE_KERNELS.get(interpolation, interpolation)


def scale_kernel(method):
    """The resampling kernel of a scale_and_translate ``method`` (raising for unknown ones).

    Example:
        >>> scale_kernel("keyscubic")
        'cubic'
    """
    if method not in SCALE_KERNELS:
        raise ValueError(f"scale_and_translate: method must be one of {', '.join(SCALE_KERNELS)}, "
                         f"received {method!r}")
    return SCALE_KERNELS[method]


def scale_output_shape(output_shape, images_shape):
    """scale_and_translate's ``output_shape`` as ints, checked against the images' rank.

    Example:
        >>> scale_output_shape([1, 4.0, 4, 3], (1, 8, 8, 3))
        (1, 4, 4, 3)
    """
    output_shape = tuple(int(d) for d in output_shape)
    if len(output_shape) != len(images_shape):
        raise ValueError(f"scale_and_translate: output_shape {output_shape} must have the rank of "
                         f"images {tuple(images_shape)}")
    return output_shape


def resampling_kernel(kernel, distance, xp=np):
    """Kernel weights at ``distance >= 0``: "linear" (triangle), "cubic" (Keys), "lanczos3/5".

    ``xp`` is the array namespace of ``distance`` (NumPy names; only ``where``,
    ``sin`` and operators are used), so the torch and TensorFlow backends pass
    their adapters and get tensors back.

    Example:
        >>> resampling_kernel("linear", np.array([0.0, 0.25, 1.5])).tolist()
        [1.0, 0.75, 0.0]
    """
    x = distance
    if kernel == "linear":
        return xp.where(x < 1.0, 1.0 - x, 0.0)
    if kernel == "cubic":
        near = ((1.5 * x - 2.5) * x) * x + 1.0
        far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
        return xp.where(x >= 2.0, 0.0, xp.where(x >= 1.0, far, near))
    radius = 3.0 if kernel == "lanczos3" else 5.0
    safe = xp.where(x > 1e-3, x, 1.0)
    lanczos = radius * xp.sin(np.pi * safe) * xp.sin(np.pi * safe / radius) / (np.pi * safe) ** 2
    return xp.where(x > radius, 0.0, xp.where(x > 1e-3, lanczos, 1.0))


def resample_weights(in_size, out_size, scale, translation, kernel, antialias, xp=np):
    """(in, out) float64 weights: output y reads the input at (y + 0.5 - translation) / scale - 0.5.

    The kernel is widened by 1 / scale when ``antialias`` downsamples; each
    column is normalised, and outputs whose sample point falls outside the
    input get zero weights (the definition ``jax.image`` uses). ``xp`` is the
    array namespace to build them with (NumPy names: ``where``, ``arange``,
    ``abs``, ``sin``, ``sum``); ``scale`` and ``translation`` are Python floats
    or 0-d float64 arrays of that namespace.

    Example:
        >>> resample_weights(2, 4, 2.0, 0.0, "linear", False).round(3).T.tolist()
        [[1.0, 0.0], [0.75, 0.25], [0.25, 0.75], [0.0, 1.0]]
    """
    inv = 1.0 / scale
    widen = xp.where(inv > 1.0, inv, 1.0) if antialias else 1.0
    sample = (xp.arange(out_size, dtype=xp.float64) + 0.5) * inv - translation * inv - 0.5
    source = xp.arange(in_size, dtype=xp.float64)
    weights = resampling_kernel(kernel, xp.abs(sample[None, :] - source[:, None]) / widen, xp)
    total = xp.sum(weights, axis=0, keepdims=True)
    weights = xp.where(xp.abs(total) > 1000.0 * float(np.finfo(np.float32).eps),
                       weights / xp.where(total != 0, total, 1.0), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return xp.where(inside[None, :], weights, 0.0)


# ---------------------------------------------------------------- warps and sampling

def row_major_strides(sizes):
    """Element strides of a row-major grid of ``sizes``.

    Example:
        >>> row_major_strides((2, 3, 4))
        [12, 4, 1]
    """
    return [int(np.prod(sizes[i + 1:])) for i in range(len(sizes))]


def projective_source_coordinates(transform, xs, ys):
    """(rows, cols) each output pixel (``xs``, ``ys``) reads under (batch, 8) ``transform``.

    Output (x, y) reads the input at ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)
    with k = c0 x + c1 y + 1; works on any array type (operators only).

    Example:
        >>> shift = np.array([[1.0, 0, 2, 0, 1, 0, 0, 0]])
        >>> rows, cols = projective_source_coordinates(shift, np.array([0.0, 1.0]), np.zeros(2))
        >>> rows.tolist(), cols.tolist()
        ([[[0.0, 0.0]]], [[[2.0, 3.0]]])
    """
    # Two-step indexing: TensorFlow's graph optimizer mis-rewrites the fused
    # `transform[:, i, None, None]` when `transform` comes from tf.stack(axis=1).
    a0, a1, a2, b0, b1, b2, c0, c1 = (transform[:, i][:, None, None] for i in range(8))
    k = c0 * xs + c1 * ys + 1.0
    cols = (a0 * xs + a1 * ys + a2) / k
    rows = (b0 * xs + b1 * ys + b2) / k
    return rows, cols


# ---------------------------------------------------------------- patches

def patch_arguments(size, strides, dilation_rate, rank, op_name):
    """(sizes, strides, dilations) of a ``rank``-D patch op; strides default to the sizes.

    Example:
        >>> patch_arguments(3, None, (1, 2), 2, "extract_patches")
        ((3, 3), (3, 3), (1, 2))
    """
    sizes = int_tuple(size, rank, op_name, "size")
    strides = sizes if strides is None else int_tuple(strides, rank, op_name, "strides")
    return sizes, strides, int_tuple(dilation_rate, rank, op_name, "dilation_rate")


def patch_layout(spatial, sizes, strides, dilations, padding, op_name):
    """(counts, pads): windows per spatial axis and the (before, after) padding "same" needs.

    Example:
        >>> patch_layout((5, 4), (2, 2), (2, 2), (1, 1), "same", "extract_patches")
        ([3, 2], [(0, 1), (0, 0)])
        >>> patch_layout((5, 4), (2, 2), (2, 2), (1, 1), "valid", "extract_patches")
        ([2, 2], [(0, 0), (0, 0)])
    """
    if padding not in ("valid", "same"):
        raise ValueError(f"{op_name}: padding must be 'valid' or 'same', received {padding!r}")
    spatial = tuple(spatial)
    counts, pads = [], []
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
            raise ValueError(f"{op_name}: the patch window {tuple(sizes)} (dilation "
                             f"{tuple(dilations)}) is larger than the input {spatial}")
        counts.append(count)
    return counts, pads


def patch_window_slices(sizes, strides, dilations, counts):
    """One index per window offset (row-major): ``(slice(None), *strided spatial slices)``.

    Indexing the (padded) batch with each gives that offset's value in every window.

    Example:
        >>> patch_window_slices((2,), (2,), (1,), (2,))
        [(slice(None, None, None), slice(0, 3, 2)), (slice(None, None, None), slice(1, 4, 2))]
    """
    slices = []
    for offsets in np.ndindex(*sizes):
        index = [slice(None)]
        for o, s, d, count in zip(offsets, strides, dilations, counts):
            index.append(slice(o * d, o * d + (count - 1) * s + 1, s))
        slices.append(tuple(index))
    return slices


# ---------------------------------------------------------------- filters

def centered_padding(kernel_length):
    """(before, after) padding that keeps a length under a kernel of ``kernel_length`` taps.

    Example:
        >>> centered_padding(3), centered_padding(4)
        ((1, 1), (1, 2))
    """
    before = (kernel_length - 1) // 2
    return before, kernel_length - 1 - before


def gaussian_taps(size, sigma):
    """``size`` normalised float64 Gaussian taps of standard deviation ``sigma``, centred.

    Example:
        >>> gaussian_taps(3, 1.0).round(4).tolist()
        [0.2741, 0.4519, 0.2741]
    """
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    taps = np.exp(-0.5 * (offsets / float(sigma)) ** 2)
    return taps / taps.sum()


def gaussian_kernel(size, sigma):
    """2-D (height, width) Gaussian kernel from per-axis ``size`` and ``sigma`` pairs.

    Example:
        >>> gaussian_kernel((3, 1), (1.0, 1.0)).shape
        (3, 1)
    """
    return np.outer(gaussian_taps(size[0], sigma[0]), gaussian_taps(size[1], sigma[1]))


def gaussian_blur_kernel(kernel_size, sigma):
    """gaussian_blur's 2-D kernel; ``kernel_size``/``sigma``: numbers or (height, width) pairs.

    Example:
        >>> gaussian_blur_kernel(3, (1.0, 2.0)).shape
        (3, 3)
    """
    size = int_tuple(kernel_size, 2, "gaussian_blur", "kernel_size")
    if isinstance(sigma, (int, float)):
        sigma = (float(sigma),) * 2
    sh, sw = (float(s) for s in sigma)
    return gaussian_kernel(size, (sh, sw))


def elastic_smoothing_kernel(sigma):
    """Square Gaussian kernel that smooths elastic_transform's noise: odd size about 6 ``sigma``.

    Example:
        >>> elastic_smoothing_kernel(1.0).shape
        (7, 7)
    """
    size = int(6 * float(sigma)) | 1
    return gaussian_kernel((size, size), (sigma, sigma))


def check_ssim_window(height, width, filter_size, shape):
    """Raise unless images of ``height`` x ``width`` hold one ssim filter window.

    Example:
        >>> check_ssim_window(16, 16, 11, (16, 16, 1))
    """
    if min(height, width) < filter_size:
        raise ValueError(f"ssim: images must be at least filter_size={filter_size} pixels high "
                         f"and wide, received shape {tuple(shape)}")


def ssim_map(x, y, blur, max_val, k1, k2):
    """Per-pixel SSIM (luminance times contrast-structure) of ``x`` and ``y``.

    ``blur`` computes Gaussian-weighted local means; works on any array type
    (operators only), so each backend passes its own tensors and ``blur``.

    Example:
        >>> x = np.full((4,), 0.5)
        >>> ssim_map(x, x, lambda t: t, 1.0, 0.01, 0.03).tolist()
        [1.0, 1.0, 1.0, 1.0]
    """
    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mu_x, mu_y = blur(x), blur(y)
    mu_xy = mu_x * mu_y
    mu_sq = mu_x * mu_x + mu_y * mu_y
    luminance = (2.0 * mu_xy + c1) / (mu_sq + c1)
    contrast = (2.0 * (blur(x * y) - mu_xy) + c2) / (blur(x * x + y * y) - mu_sq + c2)
    return luminance * contrast
