"""Image files <-> arrays: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``.

Images travel as ``PIL.Image.Image`` objects between the file and the array
functions. Pillow is imported only when one of these functions runs, so
importing ``kiln.utils`` never needs it. Arrays are NumPy arrays laid out
as ``kiln.config.image_data_format()`` says unless ``data_format`` is given.

Example:
    >>> import numpy as np
    >>> img = array_to_img(np.zeros((4, 6, 3)))  # doctest: +SKIP
    >>> img.size, img.mode  # doctest: +SKIP
    ((6, 4), 'RGB')
    >>> img_to_array(img).shape  # doctest: +SKIP
    (4, 6, 3)
"""

import io
import os
import pathlib
import warnings

import numpy as np

from kiln import config

# load_img's `interpolation` names -> the Pillow resampling filter each one means.
PIL_RESAMPLE_FILTERS = {
    "nearest": "NEAREST",
    "bilinear": "BILINEAR",
    "bicubic": "BICUBIC",
    "hamming": "HAMMING",
    "box": "BOX",
    "lanczos": "LANCZOS",
}
# load_img's `color_mode` -> the Pillow mode the image is converted to.
_COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
# Pillow modes that already hold one grayscale channel (kept as they are).
_GRAYSCALE_MODES = ("L", "I;16", "I")


def pil_image_module(caller):
    """Return ``PIL.Image``, importing it now; a clear ImportError names ``caller`` without Pillow.

    Example:
        >>> pil_image_module("load_img").__name__  # doctest: +SKIP
        'PIL.Image'
    """
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - Pillow is installed with the test extra
        raise ImportError(f"{caller} needs Pillow to read and write images: `pip install pillow`.") from e
    return Image


def pil_resample_filter(interpolation, caller):
    """The Pillow filter behind an ``interpolation`` name, or a ValueError listing the valid names.

    Example:
        >>> int(pil_resample_filter("bilinear", "load_img"))  # doctest: +SKIP
        2
    """
    image_module = pil_image_module(caller)
    if not isinstance(interpolation, str) or interpolation.lower() not in PIL_RESAMPLE_FILTERS:
        raise ValueError(
            f"{caller}: unknown `interpolation` {interpolation!r}; expected one of "
            f"{', '.join(PIL_RESAMPLE_FILTERS)}"
        )
    name = PIL_RESAMPLE_FILTERS[interpolation.lower()]
    resampling = getattr(image_module, "Resampling", image_module)
    return getattr(resampling, name)


def centered_aspect_box(width, height, target_width, target_height):
    """``(left, top, right, bottom)``: the largest centred box with the target's aspect ratio.

    Example:
        >>> centered_aspect_box(8, 4, 2, 2)
        (2, 0, 6, 4)
    """
    box_height = min(height, width * target_height // target_width)
    box_width = min(width, height * target_width // target_height)
    left = (width - box_width) // 2
    top = (height - box_height) // 2
    return left, top, left + box_width, top + box_height


def _open_image(path, image_module):
    if isinstance(path, io.IOBase) or (hasattr(path, "read") and not isinstance(path, (str, bytes))):
        return image_module.open(path)
    if isinstance(path, (str, os.PathLike)):
        with open(os.fspath(path), "rb") as f:
            # Read everything so the file is closed before the (lazy) decoding happens.
            return image_module.open(io.BytesIO(f.read()))
    raise TypeError(
        f"load_img: `path` must be a path (str or os.PathLike) or a binary file object such as "
        f"io.BytesIO, received {type(path).__name__}"
    )


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False):
    """Load an image file into a PIL image.

    Args:
        path: a path (str or ``pathlib.Path``) or a binary file object such as
            ``io.BytesIO``.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``: the image is
            converted to that many channels (a 16/32-bit grayscale image stays as
            it is under ``"grayscale"``).
        target_size: ``None`` to keep the file's size, or ``(height, width)`` to
            resize to.
        interpolation: the Pillow filter used when resizing: ``"nearest"``,
            ``"bilinear"``, ``"bicubic"``, ``"hamming"``, ``"box"`` or
            ``"lanczos"``.
        keep_aspect_ratio: when resizing, first crop the centre of the image to
            the aspect ratio of ``target_size`` so nothing is stretched.

    Returns:
        A ``PIL.Image.Image``.

    Example:
        >>> img = load_img("cat.png", target_size=(64, 64))  # doctest: +SKIP
        >>> img_to_array(img).shape  # doctest: +SKIP
        (64, 64, 3)
    """
    image_module = pil_image_module("load_img")
    if color_mode not in _COLOR_MODES:
        raise ValueError(
            f"load_img: `color_mode` must be one of {', '.join(repr(m) for m in _COLOR_MODES)}, "
            f"received {color_mode!r}"
        )
    if target_size is not None:
        if not isinstance(target_size, (tuple, list)) or len(target_size) != 2:
            raise ValueError(
                f"load_img: `target_size` must be None or (height, width), received {target_size!r}"
            )
        target_height, target_width = (int(s) for s in target_size)
        if target_height <= 0 or target_width <= 0:
            raise ValueError(f"load_img: `target_size` must hold positive ints, received {target_size!r}")
        resample = pil_resample_filter(interpolation, "load_img")
    img = _open_image(path, image_module)
    mode = _COLOR_MODES[color_mode]
    if not (color_mode == "grayscale" and img.mode in _GRAYSCALE_MODES) and img.mode != mode:
        img = img.convert(mode)
    if target_size is not None and img.size != (target_width, target_height):
        box = None
        if keep_aspect_ratio:
            box = centered_aspect_box(img.size[0], img.size[1], target_width, target_height)
        img = img.resize((target_width, target_height), resample, box=box)
    return img


def _image_data_format(data_format, caller):
    try:
        return config.standardize_data_format(data_format)
    except ValueError:
        raise ValueError(
            f"{caller}: `data_format` must be 'channels_last' or 'channels_first', received {data_format!r}"
        ) from None


def _as_numpy(x, dtype):
    if not isinstance(x, np.ndarray) and hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu()  # a torch tensor (possibly on an accelerator)
    return np.asarray(x, dtype=dtype)


def img_to_array(img, data_format=None, dtype=None):
    """Convert a PIL image (or any array-like image) to a 3D NumPy array.

    Args:
        img: a ``PIL.Image.Image`` or an array-like of shape ``(height, width)``
            or ``(height, width, channels)``.
        data_format: ``"channels_last"`` gives ``(height, width, channels)``,
            ``"channels_first"`` gives ``(channels, height, width)``; defaults
            to ``kiln.config.image_data_format()``.
        dtype: the array's dtype; defaults to ``kiln.config.floatx()``.

    Returns:
        A 3D NumPy array (a grayscale image gets a channel axis of size 1).
        Pixel values are kept as they are (0..255 for 8-bit images).

    Example:
        >>> import numpy as np
        >>> img_to_array(np.zeros((4, 6)), data_format="channels_last").shape
        (4, 6, 1)
        >>> img_to_array(np.zeros((4, 6, 3)), data_format="channels_first").shape
        (3, 4, 6)
    """
    data_format = _image_data_format(data_format, "img_to_array")
    if dtype is None:
        dtype = config.floatx()
    x = _as_numpy(img, dtype)
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        x = x[None, :, :] if data_format == "channels_first" else x[:, :, None]
    else:
        raise ValueError(
            f"img_to_array: expected an image of rank 2 (height, width) or 3 (with channels), "
            f"received shape {x.shape}"
        )
    return x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Convert a 3D array to a PIL image.

    Args:
        x: an array-like of rank 3, ``(height, width, channels)`` or
            ``(channels, height, width)``, with 1, 3 or 4 channels.
        data_format: the layout of ``x``; defaults to
            ``kiln.config.image_data_format()``.
        scale: stretch the values linearly so the smallest becomes 0 and the
            largest 255. Without it values are cast to 8 bits as they are.
        dtype: the dtype the values are read in before conversion; defaults to
            ``kiln.config.floatx()``.

    Returns:
        A ``PIL.Image.Image`` of mode ``"RGB"``, ``"RGBA"``, ``"L"`` (one
        channel), or ``"I"`` (one channel with values above 255 after scaling).

    Example:
        >>> import numpy as np
        >>> img = array_to_img(np.random.rand(8, 8, 3))  # doctest: +SKIP
        >>> img.mode  # doctest: +SKIP
        'RGB'
    """
    image_module = pil_image_module("array_to_img")
    data_format = _image_data_format(data_format, "array_to_img")
    if dtype is None:
        dtype = config.floatx()
    x = _as_numpy(x, dtype)
    if x.ndim != 3:
        raise ValueError(
            f"array_to_img: expected an image array of rank 3 (one image with a channel axis), "
            f"received shape {x.shape}"
        )
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x = x / top
        x = x * 255
    channels = x.shape[2]
    if channels in (3, 4):
        return image_module.fromarray(x.astype("uint8"))
    if channels == 1:
        if np.max(x) > 255:
            # Too many levels for 8 bits: a 32-bit integer grayscale image.
            return image_module.fromarray(x[:, :, 0].astype("int32"))
        return image_module.fromarray(x[:, :, 0].astype("uint8"))
    raise ValueError(
        f"array_to_img: expected 1, 3 or 4 channels, received {channels} (array shape {x.shape} after "
        f"laying it out channels_last)"
    )


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save an image array to a file or file object.

    Args:
        path: a path (str or ``pathlib.Path``) or a writable binary file object.
        x: the image array (see ``array_to_img``).
        data_format: the layout of ``x``; defaults to
            ``kiln.config.image_data_format()``.
        file_format: the format to write (``"png"``, ``"jpeg"``/``"jpg"``, ...).
            When omitted it comes from the file name's extension; pass it when
            ``path`` is a file object.
        scale: stretch the values to ``[0, 255]`` first (see ``array_to_img``).
        **kwargs: passed on to ``PIL.Image.Image.save`` (e.g. ``quality=95``).

    An RGBA array saved as JPEG (which has no alpha channel) is converted to RGB
    with a warning.

    Example:
        >>> import numpy as np
        >>> save_img("/tmp/noise.png", np.random.rand(8, 8, 3))  # doctest: +SKIP
    """
    data_format = _image_data_format(data_format, "save_img")
    if file_format is None and isinstance(path, (str, os.PathLike)):
        file_format = pathlib.Path(os.fspath(path)).suffix[1:].lower() or None
    if file_format is not None:
        if not isinstance(file_format, str):
            raise TypeError(f"save_img: `file_format` must be a str such as 'png', received {file_format!r}")
        file_format = file_format.lower()
        if file_format == "jpg":
            file_format = "jpeg"
    elif not isinstance(path, (str, os.PathLike)):
        raise ValueError("save_img: pass `file_format` (e.g. 'png') when `path` is a file object")
    else:
        raise ValueError(
            f"save_img: cannot tell the file format of {os.fspath(path)!r} (no extension); "
            f"pass `file_format`, e.g. 'png'"
        )
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("save_img: JPEG has no alpha channel; the RGBA image is saved as RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)
