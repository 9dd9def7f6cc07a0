"""Image ops on TensorFlow: ``resize``.

Example:
    >>> import tensorflow as tf
    >>> resize(tf.ones((1, 4, 4, 3)), (2, 2)).shape.as_list()
    [1, 2, 2, 3]
"""

import tensorflow as tf

from kiln import config
from kiln.backend.tensorflow.core import convert_to_tensor

_METHODS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
            "mitchellcubic")


def _crop_box(height, width, target_h, target_w):
    """Largest centered box of the target aspect ratio inside (height, width)."""
    crop_h = tf.minimum(height, tf.cast(tf.cast(width, tf.float32) * target_h / target_w, tf.int32))
    crop_w = tf.minimum(width, tf.cast(tf.cast(height, tf.float32) * target_w / target_h, tf.int32))
    crop_h = tf.maximum(crop_h, 1)
    crop_w = tf.maximum(crop_w, 1)
    return (height - crop_h) // 2, (width - crop_w) // 2, crop_h, crop_w


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    images = convert_to_tensor(images)
    data_format = config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"resize: data_format must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}")
    if interpolation not in _METHODS:
        raise ValueError(f"resize: interpolation must be one of {', '.join(_METHODS)}, "
                         f"received {interpolation!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize: only one of crop_to_aspect_ratio and pad_to_aspect_ratio "
                         "can be True")
    if fill_mode != "constant":
        raise ValueError(f"resize: only fill_mode='constant' is supported, received {fill_mode!r}")
    size = tuple(int(s) for s in size)
    if len(size) != 2:
        raise ValueError(f"resize: size must be (height, width), received {size}")
    rank = images.shape.rank
    if rank not in (3, 4):
        raise ValueError(f"resize: images must be rank 3 or 4, received shape "
                         f"{tuple(images.shape)}")
    x = images if rank == 4 else images[None]
    if data_format == "channels_first":
        x = tf.transpose(x, [0, 2, 3, 1])
    dtype = x.dtype
    target_h, target_w = size
    if crop_to_aspect_ratio:
        shp = tf.shape(x)
        top, left, ch, cw = _crop_box(shp[1], shp[2], target_h, target_w)
        x = x[:, top:top + ch, left:left + cw, :]
    elif pad_to_aspect_ratio:
        shp = tf.shape(x)
        height, width = shp[1], shp[2]
        pad_h = tf.maximum(tf.cast(tf.math.ceil(tf.cast(width, tf.float32) * target_h / target_w),
                                   tf.int32), height)
        pad_w = tf.maximum(tf.cast(tf.math.ceil(tf.cast(height, tf.float32) * target_w / target_h),
                                   tf.int32), width)
        pad_h = tf.where(pad_w > width, height, pad_h)
        pad_w = tf.where(pad_h > height, width, pad_w)
        top, left = (pad_h - height) // 2, (pad_w - width) // 2
        x = tf.pad(x, [[0, 0], [top, pad_h - height - top], [left, pad_w - width - left], [0, 0]],
                   constant_values=tf.cast(fill_value, dtype))
    compute = x if dtype.is_floating else tf.cast(x, tf.float32)
    out = tf.image.resize(compute, size, method=interpolation, antialias=antialias)
    if dtype.is_integer:
        out = tf.cast(tf.clip_by_value(tf.round(out), dtype.min, dtype.max), dtype)
    elif out.dtype is not dtype:
        out = tf.cast(out, dtype)
    if data_format == "channels_first":
        out = tf.transpose(out, [0, 3, 1, 2])
    return out if rank == 4 else out[0]
