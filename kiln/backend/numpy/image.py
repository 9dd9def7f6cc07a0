"""Image ops in NumPy: ``resize`` (bilinear and nearest, half-pixel centers).

Example:
    >>> import numpy as np
    >>> resize(np.ones((2, 4, 4, 3)), (8, 8)).shape
    (2, 8, 8, 3)
"""

import numpy as np

from kiln import config
from kiln.backend.numpy.core import FLOAT32, HALF_NP, convert_to_tensor

_SUPPORTED_INTERPOLATIONS = ("bilinear", "nearest")


def _linear_taps(in_size, out_size):
    """Lower/upper source indices and the upper weight for each output position."""
    src = (np.arange(out_size, dtype=np.float64) + 0.5) * (in_size / out_size) - 0.5
    lower = np.floor(src)
    frac = src - lower
    lower = lower.astype(np.int64)
    upper = np.clip(lower + 1, 0, in_size - 1)
    lower = np.clip(lower, 0, in_size - 1)
    return lower, upper, frac


def _nearest_index(in_size, out_size):
    src = np.floor((np.arange(out_size, dtype=np.float64) + 0.5) * (in_size / out_size))
    return np.clip(src.astype(np.int64), 0, in_size - 1)


def _resize_axis(x, axis, out_size, interpolation):
    in_size = x.shape[axis]
    if in_size == out_size:
        return x
    if interpolation == "nearest":
        return np.take(x, _nearest_index(in_size, out_size), axis=axis)
    lower, upper, frac = _linear_taps(in_size, out_size)
    shape = [1] * x.ndim
    shape[axis] = out_size
    frac = frac.astype(x.dtype).reshape(shape)
    low = np.take(x, lower, axis=axis)
    high = np.take(x, upper, axis=axis)
    return low + (high - low) * frac


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images of shape (batch?, H, W, C) (or channels-first) to ``size = (h, w)``.

    Supports "bilinear" and "nearest" with half-pixel centers, center cropping or
    padding to the target aspect ratio, and ``antialias`` when no dimension shrinks.
    Integer images are rounded and clipped back to their dtype.

    Example:
        >>> resize(np.arange(4.0).reshape(1, 2, 2, 1), (4, 4), interpolation="nearest")[0, :, 0, 0].tolist()
        [0.0, 0.0, 2.0, 2.0]
    """
    data_format = config.standardize_data_format(data_format)
    if interpolation not in _SUPPORTED_INTERPOLATIONS:
        raise ValueError(
            f"resize: interpolation {interpolation!r} is not supported by the numpy backend; "
            f"expected one of {_SUPPORTED_INTERPOLATIONS}"
        )
    if fill_mode != "constant":
        raise ValueError(f"resize: fill_mode must be 'constant', received {fill_mode!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "resize: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True"
        )
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) <= 0:
        raise ValueError(f"resize: size must be (height, width) of positive ints, received {size}")
    images = convert_to_tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            "resize: images must have rank 3 (height, width, channels) or 4 (batch, height, "
            f"width, channels), received shape {images.shape}"
        )
    dtype = images.dtype
    h_axis, w_axis = (images.ndim - 3, images.ndim - 2) if data_format == "channels_last" \
        else (images.ndim - 2, images.ndim - 1)
    height, width = images.shape[h_axis], images.shape[w_axis]
    target_h, target_w = size
    x = images
    if crop_to_aspect_ratio:
        crop_h = min(height, int(width * target_h / target_w))
        crop_w = min(width, int(height * target_w / target_h))
        top = int((height - crop_h) / 2)
        left = int((width - crop_w) / 2)
        index = [slice(None)] * x.ndim
        index[h_axis] = slice(top, top + crop_h)
        index[w_axis] = slice(left, left + crop_w)
        x = x[tuple(index)]
    elif pad_to_aspect_ratio:
        pad_h = max(height, int(width * target_h / target_w))
        pad_w = max(width, int(height * target_w / target_h))
        top = int((pad_h - height) / 2)
        left = int((pad_w - width) / 2)
        pads = [(0, 0)] * x.ndim
        pads[h_axis] = (top, pad_h - height - top)
        pads[w_axis] = (left, pad_w - width - left)
        x = np.pad(x, pads, mode="constant", constant_values=fill_value)
    if antialias and (x.shape[h_axis] > target_h or x.shape[w_axis] > target_w):
        raise ValueError(
            "resize: antialias=True when downsampling is not supported by the numpy backend; "
            "use antialias=False or another backend"
        )
    if interpolation == "bilinear":
        compute = dtype if dtype.kind == "f" and dtype not in HALF_NP else FLOAT32
        x = x.astype(compute, copy=False)
    x = _resize_axis(x, h_axis, target_h, interpolation)
    x = _resize_axis(x, w_axis, target_w, interpolation)
    if x.dtype == dtype:
        return x if x is not images else x.copy()
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        x = np.clip(np.round(x), info.min, info.max)
    return x.astype(dtype)
