"""Image ops (``kiln.ops.image``): resizing, colour spaces, crops, patches, filters and warps.

Images are rank 4 ``(batch, height, width, channels)`` or rank 3 (one image);
``data_format="channels_first"`` puts the channel axis before height and width.
Every op gives the same values on every backend: resampling follows
``jax.image`` (half-pixel centres), sampling follows ``scipy.ndimage`` with
JAX's fill modes.

Example:
    >>> import kiln
    >>> kiln.ops.shape(kiln.ops.image.resize(kiln.ops.ones((4, 4, 3)), (2, 2), data_format="channels_last"))
    (2, 2, 3)
"""

import math

from kiln import config
from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.operation import op

__all__ = [
    "affine_transform",
    "crop_images",
    "elastic_transform",
    "extract_patches",
    "extract_patches_3d",
    "gaussian_blur",
    "hsv_to_rgb",
    "map_coordinates",
    "pad_images",
    "perspective_transform",
    "resize",
    "rgb_to_grayscale",
    "rgb_to_hsv",
    "scale_and_translate",
    "sobel_edges",
    "ssim",
]


_image = _backend.image

_RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")
_SCALE_METHODS = ("linear", "bilinear", "trilinear", "triangle", "cubic", "bicubic", "tricubic",
                  "keyscubic", "lanczos3", "lanczos5")
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


# ---------------------------------------------------------------- spec helpers

def _image_shape(images, name, ranks=(3, 4)):
    shape = rules.shape_of(images)
    if len(shape) not in ranks:
        raise ValueError(f"{name}: images must have rank {' or '.join(map(str, ranks))}, "
                         f"received shape {shape}")
    return shape


def _hw_axes(shape, data_format):
    """Indices of the height and width axes and of the channel axis."""
    n = len(shape)
    if data_format == "channels_last":
        return n - 3, n - 2, n - 1
    return n - 2, n - 1, n - 3


def _same_image_spec(images, name, data_format=None):
    _image_shape(images, name)
    return KerasTensor(rules.shape_of(images), rules.dtype_of(images))


def _float_dtype_of(x):
    dtype = dtypes.standardize_dtype(rules.dtype_of(x))
    return dtype if dtypes.is_float(dtype) else "float32"


def _check_choice(value, choices, name, arg):
    if value not in choices:
        raise ValueError(f"{name}: {arg} must be one of {', '.join(choices)}, received {value!r}")


def _resolve_box(size, start, end, target, name, what):
    """Exactly two of (start, end, target) given: return (start, target)."""
    if [start, end, target].count(None) != 1:
        raise ValueError(f"{name}: give exactly two of {what[0]}, {what[1]} and {what[2]}, "
                         f"received {what[0]}={start}, {what[1]}={end}, {what[2]}={target}")
    if start is None:
        start = None if size is None else size - end - target
    elif target is None:
        target = None if size is None else size - start - end
    return start, target


# ---------------------------------------------------------------- resize

def _resize_spec(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    data_format = config.standardize_data_format(data_format)
    shape = _image_shape(images, "resize")
    _check_choice(interpolation, _RESIZE_METHODS, "resize", "interpolation")
    if fill_mode != "constant":
        raise ValueError(f"resize: fill_mode must be 'constant', received {fill_mode!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
    if len(size) != 2:
        raise ValueError(f"resize: size must be (height, width), received {size}")
    size = tuple(int(s) for s in size)
    out = list(shape)
    h, w, _ = _hw_axes(shape, data_format)
    out[h], out[w] = size
    return KerasTensor(tuple(out), rules.dtype_of(images))


@op(_resize_spec, module="image")
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images (rank 3, or rank 4 with a batch axis) to ``size = (height, width)``.

    ``interpolation`` is "bilinear", "nearest", "bicubic" (Keys cubic), "area"
    (average of the covered input pixels), "lanczos3" or "lanczos5"; pixel
    centres sit at half-integers. ``antialias=True`` widens the kernel when
    shrinking so every input pixel contributes. ``crop_to_aspect_ratio`` first
    takes the largest centred box of the target aspect ratio;
    ``pad_to_aspect_ratio`` instead pads (with ``fill_value``) to that ratio.
    Integer images are rounded back to their dtype.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.image.resize(kiln.ops.ones((1, 4, 4, 3)), (8, 8),
        ...                                       data_format="channels_last"))
        (1, 8, 8, 3)
    """
    return _image.resize(images, size, interpolation=interpolation, antialias=antialias,
                         crop_to_aspect_ratio=crop_to_aspect_ratio,
                         pad_to_aspect_ratio=pad_to_aspect_ratio, fill_mode=fill_mode,
                         fill_value=fill_value, data_format=data_format)


def _scale_and_translate_spec(images, output_shape, scale, translation, spatial_dims, method,
                              antialias=True):
    _check_choice(method, _SCALE_METHODS, "scale_and_translate", "method")
    shape = rules.shape_of(images)
    output_shape = tuple(output_shape)
    if len(output_shape) != len(shape):
        raise ValueError(f"scale_and_translate: output_shape {output_shape} must have the rank of "
                         f"images {shape}")
    return KerasTensor(output_shape, _float_dtype_of(images))


@op(_scale_and_translate_spec, module="image")
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resample the ``spatial_dims`` of ``images`` to ``output_shape`` by a scale and a shift.

    Output coordinate ``y`` along a resampled axis reads the input at
    ``(y + 0.5 - translation) / scale - 0.5``, filtered by ``method`` ("linear",
    "cubic", "lanczos3", "lanczos5" or their aliases such as "bilinear").
    ``antialias`` widens the kernel when downsampling. Integer images give float32.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.arange(4.0, dtype="float32").reshape(4, 1)
        >>> y = kiln.ops.image.scale_and_translate(x, (8, 1), [2.0], [0.0], (0,), "linear")
        >>> kiln.ops.shape(y)
        (8, 1)
    """
    return _image.scale_and_translate(images, output_shape, scale, translation, spatial_dims,
                                      method, antialias=antialias)


# ---------------------------------------------------------------- colour

def _grayscale_spec(images, data_format=None):
    shape = list(_image_shape(images, "rgb_to_grayscale"))
    _, _, c = _hw_axes(shape, config.standardize_data_format(data_format))
    if shape[c] is not None and shape[c] != 3:
        raise ValueError(f"rgb_to_grayscale: images must have 3 channels, received shape {tuple(shape)}")
    shape[c] = 1
    return KerasTensor(tuple(shape), rules.dtype_of(images))


@op(_grayscale_spec, module="image")
def rgb_to_grayscale(images, data_format=None):
    """Convert RGB images to one luma channel: ``0.2989 R + 0.5870 G + 0.1140 B``.

    The channel axis stays (with size 1); integer images are rounded back to their dtype.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.image.rgb_to_grayscale(kiln.ops.ones((2, 4, 4, 3)),
        ...                                                 data_format="channels_last"))
        (2, 4, 4, 1)
    """
    return _image.rgb_to_grayscale(images, data_format=data_format)


def _hsv_spec(images, data_format, name):
    shape = _image_shape(images, name)
    _, _, c = _hw_axes(shape, config.standardize_data_format(data_format))
    if shape[c] is not None and shape[c] != 3:
        raise ValueError(f"{name}: images must have 3 channels, received shape {shape}")
    if not dtypes.is_float(rules.dtype_of(images)):
        raise ValueError(f"{name}: images must have a float dtype, received {rules.dtype_of(images)}")
    return KerasTensor(shape, rules.dtype_of(images))


def _rgb_to_hsv_spec(images, data_format=None):
    return _hsv_spec(images, data_format, "rgb_to_hsv")


def _hsv_to_rgb_spec(images, data_format=None):
    return _hsv_spec(images, data_format, "hsv_to_rgb")


@op(_rgb_to_hsv_spec, module="image")
def rgb_to_hsv(images, data_format=None):
    """Convert float RGB images (values in [0, 1]) to HSV; hue, saturation and value lie in [0, 1].

    Example:
        >>> import kiln, numpy as np
        >>> red = np.array([[[1.0, 0.0, 0.0]]], "float32")
        >>> kiln.ops.convert_to_numpy(kiln.ops.image.rgb_to_hsv(red, data_format="channels_last")).tolist()
        [[[0.0, 1.0, 1.0]]]
    """
    return _image.rgb_to_hsv(images, data_format=data_format)


@op(_hsv_to_rgb_spec, module="image")
def hsv_to_rgb(images, data_format=None):
    """Convert float HSV images (hue, saturation, value in [0, 1]) to RGB.

    Example:
        >>> import kiln, numpy as np
        >>> hsv = np.array([[[0.0, 1.0, 1.0]]], "float32")
        >>> kiln.ops.convert_to_numpy(kiln.ops.image.hsv_to_rgb(hsv, data_format="channels_last")).tolist()
        [[[1.0, 0.0, 0.0]]]
    """
    return _image.hsv_to_rgb(images, data_format=data_format)


# ---------------------------------------------------------------- crop and pad

def _box_spec(images, args_h, args_w, data_format, name, sign, what_h, what_w):
    """Output spec of crop_images (sign 1) and pad_images (sign -1)."""
    shape = list(_image_shape(images, name))
    h, w, _ = _hw_axes(shape, config.standardize_data_format(data_format))
    for axis, args, what in ((h, args_h, what_h), (w, args_w, what_w)):
        start, end, target = args
        size = shape[axis]
        if target is None and start is not None and end is not None:
            shape[axis] = None if size is None else size - sign * (start + end)
        else:
            _resolve_box(size, start, end, target, name, what)
            shape[axis] = target
        if shape[axis] is not None and shape[axis] <= 0:
            raise ValueError(f"{name}: the result would have no pixels along an axis "
                             f"(received {dict(zip(what, args))} for shape {tuple(rules.shape_of(images))})")
    return KerasTensor(tuple(shape), rules.dtype_of(images))


def _crop_spec(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
               right_cropping=None, target_height=None, target_width=None, data_format=None):
    return _box_spec(images, (top_cropping, bottom_cropping, target_height),
                     (left_cropping, right_cropping, target_width), data_format, "crop_images", 1,
                     ("top_cropping", "bottom_cropping", "target_height"),
                     ("left_cropping", "right_cropping", "target_width"))


def _pad_spec(images, top_padding=None, left_padding=None, bottom_padding=None,
              right_padding=None, target_height=None, target_width=None, data_format=None):
    return _box_spec(images, (top_padding, bottom_padding, target_height),
                     (left_padding, right_padding, target_width), data_format, "pad_images", -1,
                     ("top_padding", "bottom_padding", "target_height"),
                     ("left_padding", "right_padding", "target_width"))


@op(_crop_spec, module="image")
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crop images; per axis give exactly two of the leading crop, the trailing crop and the size.

    Example:
        >>> import kiln
        >>> x = kiln.ops.ones((1, 5, 6, 3))
        >>> kiln.ops.shape(kiln.ops.image.crop_images(x, 1, 2, target_height=3, target_width=2,
        ...                                           data_format="channels_last"))
        (1, 3, 2, 3)
    """
    return _image.crop_images(images, top_cropping=top_cropping, left_cropping=left_cropping,
                              bottom_cropping=bottom_cropping, right_cropping=right_cropping,
                              target_height=target_height, target_width=target_width,
                              data_format=data_format)


@op(_pad_spec, module="image")
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Zero-pad images; per axis give exactly two of the leading pad, the trailing pad and the size.

    Example:
        >>> import kiln
        >>> x = kiln.ops.ones((1, 2, 2, 3))
        >>> kiln.ops.shape(kiln.ops.image.pad_images(x, 1, 0, target_height=5, target_width=4,
        ...                                          data_format="channels_last"))
        (1, 5, 4, 3)
    """
    return _image.pad_images(images, top_padding=top_padding, left_padding=left_padding,
                             bottom_padding=bottom_padding, right_padding=right_padding,
                             target_height=target_height, target_width=target_width,
                             data_format=data_format)


# ---------------------------------------------------------------- warps

def _check_interpolation(interpolation, name):
    _check_choice(interpolation, ("nearest", "bilinear"), name, "interpolation")


def _affine_spec(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0,
                 data_format=None):
    _check_interpolation(interpolation, "affine_transform")
    _check_choice(fill_mode, _FILL_MODES, "affine_transform", "fill_mode")
    shape = _image_shape(images, "affine_transform")
    tshape = rules.shape_of(transform)
    if len(tshape) not in (1, 2) or tshape[-1] not in (8, None):
        raise ValueError(f"affine_transform: transform must have shape (8,) or (batch, 8), "
                         f"received {tshape}")
    return KerasTensor(shape, rules.dtype_of(images))


@op(_affine_spec, module="image")
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0,
                     data_format=None):
    """Warp images by projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]``.

    Output pixel ``(x, y)`` (column, row) takes the input value at
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)`` with ``k = c0 x + c1 y + 1``,
    by "nearest" or "bilinear" interpolation. Points outside the input follow
    ``fill_mode``: "constant" (``fill_value``), "nearest", "wrap", "mirror" or "reflect".
    ``transform`` has shape (8,) or (batch, 8).

    Example:
        >>> import kiln, numpy as np
        >>> x = np.arange(9.0, dtype="float32").reshape(3, 3, 1)
        >>> shift = [1, 0, 1, 0, 1, 0, 0, 0]  # read one pixel to the right
        >>> y = kiln.ops.image.affine_transform(x, shift, data_format="channels_last")
        >>> kiln.ops.convert_to_numpy(y)[0, :, 0].tolist()
        [1.0, 2.0, 0.0]
    """
    return _image.affine_transform(images, transform, interpolation=interpolation,
                                   fill_mode=fill_mode, fill_value=fill_value,
                                   data_format=data_format)


def _perspective_spec(images, start_points, end_points, interpolation="bilinear", fill_value=0,
                      data_format=None):
    _check_interpolation(interpolation, "perspective_transform")
    shape = _image_shape(images, "perspective_transform")
    for arg, points in (("start_points", start_points), ("end_points", end_points)):
        pshape = rules.shape_of(points)
        if len(pshape) not in (2, 3) or tuple(pshape[-2:]) != (4, 2):
            raise ValueError(f"perspective_transform: {arg} must have shape (4, 2) or "
                             f"(batch, 4, 2), received {pshape}")
    return KerasTensor(shape, rules.dtype_of(images))


@op(_perspective_spec, module="image")
def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0,
                          data_format=None):
    """Warp images so the input at each ``start_points`` (x, y) lands on its ``end_points``.

    The four point pairs (shape (4, 2) or (batch, 4, 2)) define a homography;
    pixels that map outside the input take ``fill_value``.

    Example:
        >>> import kiln, numpy as np
        >>> corners = np.array([[0, 0], [3, 0], [0, 3], [3, 3]], "float32")
        >>> x = np.ones((4, 4, 1), "float32")
        >>> y = kiln.ops.image.perspective_transform(x, corners, corners, data_format="channels_last")
        >>> float(kiln.ops.convert_to_numpy(y).sum())
        16.0
    """
    return _image.perspective_transform(images, start_points, end_points,
                                        interpolation=interpolation, fill_value=fill_value,
                                        data_format=data_format)


def _elastic_spec(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect",
                  fill_value=0.0, seed=None, data_format=None):
    _check_interpolation(interpolation, "elastic_transform")
    _check_choice(fill_mode, _FILL_MODES, "elastic_transform", "fill_mode")
    return _same_image_spec(images, "elastic_transform")


@op(_elastic_spec, module="image")
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect",
                      fill_value=0.0, seed=None, data_format=None):
    """Randomly displace pixels: smoothed noise fields warp each image.

    Two fields of uniform noise in [-1, 1] per image are blurred by a Gaussian
    of standard deviation ``sigma`` (kernel size ``int(6 * sigma) | 1``),
    scaled by ``alpha`` and added to the row and column of every output pixel,
    which then samples the input like :func:`affine_transform`. ``seed`` is an
    int, a :class:`kiln.random.SeedGenerator` or None (the global generator).

    Example:
        >>> import kiln
        >>> x = kiln.ops.ones((1, 8, 8, 1))
        >>> kiln.ops.shape(kiln.ops.image.elastic_transform(x, seed=1, data_format="channels_last"))
        (1, 8, 8, 1)
    """
    from kiln.random.seed_generator import draw_seed

    return _image.elastic_transform(images, alpha=alpha, sigma=sigma, interpolation=interpolation,
                                    fill_mode=fill_mode, fill_value=fill_value,
                                    seed=draw_seed(seed), data_format=data_format)


def _map_coordinates_spec(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    _check_choice(fill_mode, _FILL_MODES, "map_coordinates", "fill_mode")
    if order not in (0, 1):
        raise ValueError(f"map_coordinates: order must be 0 or 1, received {order!r}")
    shape = rules.shape_of(inputs)
    cshape = rules.shape_of(coordinates)
    if not cshape or (cshape[0] is not None and cshape[0] != len(shape)):
        raise ValueError(f"map_coordinates: coordinates must have a first dimension equal to the "
                         f"rank of inputs {shape}, received shape {cshape}")
    return KerasTensor(tuple(cshape[1:]), rules.dtype_of(inputs))


@op(_map_coordinates_spec, module="image")
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample ``inputs`` at fractional ``coordinates`` (shape ``(inputs.ndim, ...)``).

    ``order`` 0 takes the nearest element (halves round away from zero), 1
    interpolates linearly. Outside the input, ``fill_mode`` "constant" uses
    ``fill_value`` for every missing neighbour; "nearest", "wrap", "mirror" and
    "reflect" extend the input like ``scipy.ndimage`` ("wrap" is periodic).

    Example:
        >>> import kiln, numpy as np
        >>> x = np.array([0.0, 10.0, 20.0], "float32")
        >>> kiln.ops.convert_to_numpy(kiln.ops.image.map_coordinates(x, [[0.5, 1.25]], 1)).tolist()
        [5.0, 12.5]
    """
    return _image.map_coordinates(inputs, coordinates, order, fill_mode=fill_mode,
                                  fill_value=fill_value)


# ---------------------------------------------------------------- patches

def _patches_spec(images, size, strides, dilation_rate, padding, data_format, rank, name):
    _check_choice(padding, ("valid", "same"), name, "padding")
    shape = rules.shape_of(images)
    if len(shape) not in (rank + 1, rank + 2):
        raise ValueError(f"{name}: input must have rank {rank + 1} or {rank + 2}, "
                         f"received shape {shape}")

    def tup(value, arg):
        value = (value,) * rank if isinstance(value, int) else tuple(value)
        if len(value) != rank:
            raise ValueError(f"{name}: {arg} must be an int or a tuple of {rank} ints, "
                             f"received {value}")
        return value

    sizes = tup(size, "size")
    steps = sizes if strides is None else tup(strides, "strides")
    dilations = tup(dilation_rate, "dilation_rate")
    channels_last = config.standardize_data_format(data_format) == "channels_last"
    lead = len(shape) - rank - 1
    spatial = shape[lead:lead + rank] if channels_last else shape[lead + 1:]
    channels = shape[-1] if channels_last else shape[lead]
    out = [rules.conv_output_length(n, k, s, padding, d)
           for n, k, s, d in zip(spatial, sizes, steps, dilations)]
    if any(o is not None and o <= 0 for o in out):
        raise ValueError(f"{name}: the patch window {sizes} is larger than the input {spatial}")
    depth = None if channels is None else channels * int(math.prod(sizes))
    out = tuple(out) + (depth,) if channels_last else (depth,) + tuple(out)
    return KerasTensor(tuple(shape[:lead]) + out, rules.dtype_of(images))


def _patches_2d_spec(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    return _patches_spec(images, size, strides, dilation_rate, padding, data_format, 2,
                         "extract_patches")


def _patches_3d_spec(volumes, size, strides=None, dilation_rate=1, padding="valid",
                     data_format=None):
    return _patches_spec(volumes, size, strides, dilation_rate, padding, data_format, 3,
                         "extract_patches_3d")


@op(_patches_2d_spec, module="image")
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Extract ``size`` (an int or (height, width)) patches into the channel axis.

    Each output position holds its patch flattened in (row, column, channel)
    order. ``strides`` default to ``size``; ``padding="same"`` zero-pads so the
    output has ``ceil(input / stride)`` positions.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.image.extract_patches(kiln.ops.ones((2, 8, 8, 3)), 4,
        ...                                               data_format="channels_last"))
        (2, 2, 2, 48)
    """
    return _image.extract_patches(images, size, strides=strides, dilation_rate=dilation_rate,
                                  padding=padding, data_format=data_format)


@op(_patches_3d_spec, module="image")
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """Extract 3-D ``size`` (an int or (depth, height, width)) patches into the channel axis.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.image.extract_patches_3d(kiln.ops.ones((1, 4, 4, 4, 2)), 2,
        ...                                                  data_format="channels_last"))
        (1, 2, 2, 2, 16)
    """
    return _image.extract_patches_3d(volumes, size, strides=strides, dilation_rate=dilation_rate,
                                     padding=padding, data_format=data_format)


# ---------------------------------------------------------------- filters

def _blur_spec(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    return _same_image_spec(images, "gaussian_blur")


@op(_blur_spec, module="image")
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur each channel with a Gaussian kernel of ``kernel_size`` and ``sigma`` (height, width).

    Borders are zero-padded so the output keeps the input's size.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.image.gaussian_blur(kiln.ops.ones((1, 5, 5, 2)),
        ...                                              data_format="channels_last"))
        (1, 5, 5, 2)
    """
    return _image.gaussian_blur(images, kernel_size=kernel_size, sigma=sigma,
                                data_format=data_format)


def _sobel_spec(images, data_format=None):
    shape = _image_shape(images, "sobel_edges")
    return KerasTensor(tuple(shape) + (2,), _float_dtype_of(images))


@op(_sobel_spec, module="image")
def sobel_edges(images, data_format=None):
    """Sobel gradients of every channel: a new last axis holds [dy, dx].

    The 3x3 Sobel filters run on reflect-padded images, so the output keeps
    the input's height and width; integer images give float32.

    Example:
        >>> import kiln
        >>> kiln.ops.shape(kiln.ops.image.sobel_edges(kiln.ops.ones((1, 8, 8, 1)),
        ...                                            data_format="channels_last"))
        (1, 8, 8, 1, 2)
    """
    return _image.sobel_edges(images, data_format=data_format)


def _ssim_spec(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
               data_format=None):
    shape1 = _image_shape(image1, "ssim")
    shape2 = _image_shape(image2, "ssim")
    if len(shape1) != len(shape2) or any(a is not None and b is not None and a != b
                                         for a, b in zip(shape1, shape2)):
        raise ValueError(f"ssim: image1 and image2 must have the same shape, received {shape1} "
                         f"and {shape2}")
    return KerasTensor(tuple(shape1[:1]) if len(shape1) == 4 else (), _float_dtype_of(image1))


@op(_ssim_spec, module="image")
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Structural similarity of two images (or batches of images), one value per image.

    Local means, variances and covariance come from a ``filter_size`` Gaussian
    window of standard deviation ``filter_sigma`` (no padding); the SSIM map
    ``(2 mu_x mu_y + c1)(2 cov + c2) / ((mu_x^2 + mu_y^2 + c1)(var_x + var_y + c2))``
    with ``c1 = (k1 max_val)^2`` and ``c2 = (k2 max_val)^2`` is averaged over
    height, width and channels.

    Example:
        >>> import kiln
        >>> x = kiln.ops.ones((2, 16, 16, 1))
        >>> kiln.ops.convert_to_numpy(kiln.ops.image.ssim(x, x, data_format="channels_last")).tolist()
        [1.0, 1.0]
    """
    return _image.ssim(image1, image2, max_val=max_val, filter_size=filter_size,
                       filter_sigma=filter_sigma, k1=k1, k2=k2, data_format=data_format)
