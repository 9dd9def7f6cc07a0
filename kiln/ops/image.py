"""Image ops (``kiln.ops.image``).

Example:
    >>> import kiln
    >>> kiln.ops.shape(kiln.ops.image.resize(kiln.ops.ones((4, 4, 3)), (2, 2), data_format="channels_last"))
    (2, 2, 3)
"""

from kiln import config
from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.operation import op

__all__ = [
    "resize",
]


_image = _backend.image


def _resize_spec(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    data_format = data_format or config.image_data_format()
    shape = rules.shape_of(images)
    if len(size) != 2:
        raise ValueError(f"resize: size must be (height, width), received {size}")
    if len(shape) not in (3, 4):
        raise ValueError(f"resize: images must have rank 3 or 4, received shape {shape}")
    size = tuple(int(s) for s in size)
    if data_format == "channels_last":
        out = shape[:-3] + size + shape[-1:]
    else:
        out = shape[:-2] + size
    return KerasTensor(out, dtypes.result_type(rules.dtype_of(images)))


@op(_resize_spec, module="image")
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images (rank 3, or rank 4 with a batch axis) to ``size = (height, width)``.

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
