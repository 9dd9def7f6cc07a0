"""JAX backend image ops: ``resize`` on ``jax.image.resize``.

Example:
    >>> import jax.numpy as jnp
    >>> from kiln.backend.jax import image
    >>> image.resize(jnp.ones((2, 8, 8, 3)), (4, 4)).shape
    (2, 4, 4, 3)
"""

import jax
import jax.numpy as jnp

from kiln import config
from kiln.backend.jax.core import convert_to_tensor

_METHODS = {
    "bilinear": "bilinear",
    "nearest": "nearest",
    "bicubic": "bicubic",
    "lanczos3": "lanczos3",
    "lanczos5": "lanczos5",
}


def _crop_box(height, width, target_h, target_w):
    crop_h = min(height, int(float(width * target_h) / target_w))
    crop_w = min(width, int(float(height * target_w) / target_h))
    crop_h, crop_w = max(crop_h, 1), max(crop_w, 1)
    top = (height - crop_h) // 2
    left = (width - crop_w) // 2
    return top, left, crop_h, crop_w


def _pad_amounts(height, width, target_h, target_w):
    if width * target_h > height * target_w:  # too wide: pad height
        new_h = int(round(float(width * target_h) / target_w))
        pad = max(new_h - height, 0)
        return (pad // 2, pad - pad // 2), (0, 0)
    new_w = int(round(float(height * target_w) / target_h))
    pad = max(new_w - width, 0)
    return (0, 0), (pad // 2, pad - pad // 2)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize ``images`` (rank 3 or 4) to ``size = (height, width)``."""
    images = convert_to_tensor(images)
    data_format = config.standardize_data_format(data_format)
    if interpolation not in _METHODS:
        raise ValueError(
            f"resize: interpolation {interpolation!r} is not supported by the jax backend; "
            f"expected one of {', '.join(_METHODS)}"
        )
    if fill_mode != "constant":
        raise ValueError(f"resize: fill_mode must be 'constant', received {fill_mode!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
    size = tuple(int(s) for s in size)
    if len(size) != 2:
        raise ValueError(f"resize: size must be (height, width), received {size}")
    if images.ndim not in (3, 4):
        raise ValueError(
            f"resize: images must have rank 3 (unbatched) or 4 (batched), received shape {images.shape}"
        )
    unbatched = images.ndim == 3
    if unbatched:
        images = images[None]
    if data_format == "channels_first":
        images = jnp.transpose(images, (0, 2, 3, 1))
    height, width = images.shape[1], images.shape[2]
    target_h, target_w = size
    if crop_to_aspect_ratio:
        top, left, crop_h, crop_w = _crop_box(height, width, target_h, target_w)
        images = images[:, top:top + crop_h, left:left + crop_w, :]
    elif pad_to_aspect_ratio:
        pad_h, pad_w = _pad_amounts(height, width, target_h, target_w)
        images = jnp.pad(images, ((0, 0), pad_h, pad_w, (0, 0)), mode="constant",
                         constant_values=jnp.asarray(fill_value, images.dtype))
    out_shape = (images.shape[0], target_h, target_w, images.shape[3])
    out = jax.image.resize(images, out_shape, method=_METHODS[interpolation], antialias=antialias)
    if data_format == "channels_first":
        out = jnp.transpose(out, (0, 3, 1, 2))
    if unbatched:
        out = out[0]
    return out
