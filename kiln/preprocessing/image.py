"""``keras.preprocessing.image``: reading, writing and resizing single images.

Example:
    >>> import numpy as np
    >>> from kiln.preprocessing.image import smart_resize
    >>> smart_resize(np.zeros((40, 20, 3)), (10, 10)).shape
    (10, 10, 3)
"""

import numpy as np

from kiln.utils.image_utils import array_to_img, img_to_array, load_img, save_img

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last", **kwargs):
    """Resize images to ``size`` without distorting them: crop the largest centred box of the target aspect ratio, then resize.

    Args:
        x: one image ``(height, width, channels)`` or a batch ``(batch, height, width, channels)``
            (channels first with ``data_format="channels_first"``); a NumPy array gives a NumPy array back,
            a backend tensor a backend tensor.
        size: ``(height, width)``.
        interpolation: as ``kiln.ops.image.resize`` (``"bilinear"``, ``"nearest"``, ``"bicubic"``, ...).
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example:
        >>> import numpy as np
        >>> smart_resize(np.ones((2, 30, 60, 1)), (16, 16)).shape
        (2, 16, 16, 1)
    """
    from kiln import ops

    if kwargs:
        raise TypeError(f"smart_resize(): unexpected arguments {sorted(kwargs)}")
    if len(size) != 2:
        raise ValueError(f"smart_resize(): `size` must be (height, width), received {size!r}")
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"smart_resize(): `data_format` must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}")
    ndim = len(getattr(x, "shape", np.shape(x)))
    if ndim not in (3, 4):
        raise ValueError(f"smart_resize(): expected an image of rank 3 or a batch of rank 4, received shape "
                         f"{tuple(np.shape(x))}")
    was_numpy = isinstance(x, np.ndarray) or not hasattr(x, "shape")
    out = ops.image.resize(x if not was_numpy else np.asarray(x, dtype="float32"), tuple(size),
                           interpolation=interpolation, crop_to_aspect_ratio=True, data_format=data_format)
    return ops.convert_to_numpy(out) if was_numpy else out
