"""Torch backend: ``kiln.ops.image.resize`` over ``torch.nn.functional.interpolate``.

Bilinear and bicubic use half-pixel centers; "nearest" uses torch's
``nearest-exact`` mode, which matches TF/JAX half-pixel nearest sampling.

Example:
    >>> import torch
    >>> resize(torch.ones(1, 4, 4, 3), (2, 2)).shape
    torch.Size([1, 2, 2, 3])
"""

import torch.nn.functional as F

from kiln import config
from kiln.backend.torch.array_ops import _INEXACT, _t
from kiln.backend.torch.core import floatx_dtype

_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images of rank 3 (one image) or 4 (a batch) to ``size = (height, width)``."""
    if interpolation not in _MODES:
        raise ValueError(
            f"resize: interpolation {interpolation!r} is not supported by the torch backend; "
            f"expected one of {sorted(_MODES)}"
        )
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        raise ValueError(
            "resize: crop_to_aspect_ratio and pad_to_aspect_ratio are not supported by the "
            "torch backend"
        )
    size = tuple(int(s) for s in size)
    if len(size) != 2:
        raise ValueError(f"resize: size must be (height, width), received {size!r}")
    images = _t(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"resize: expected images of rank 3 or 4, received shape {tuple(images.shape)}")
    data_format = config.standardize_data_format(data_format)
    unbatched = images.ndim == 3
    if unbatched:
        images = images.unsqueeze(0)
    if images.dtype not in _INEXACT:
        images = images.to(floatx_dtype())
    if data_format == "channels_last":
        images = images.permute(0, 3, 1, 2)
    mode = _MODES[interpolation]
    if mode == "nearest-exact":
        out = F.interpolate(images, size=size, mode=mode)
    else:
        out = F.interpolate(images, size=size, mode=mode, align_corners=False,
                            antialias=bool(antialias))
    if data_format == "channels_last":
        out = out.permute(0, 2, 3, 1)
    if unbatched:
        out = out.squeeze(0)
    return out
