"""Image-shape helpers for Resizing and CenterCrop (3-D single images or 4-D batches).

Example:
    >>> resized_shape((None, 8, 8, 3), 4, 5, "channels_last")
    (None, 4, 5, 3)
"""


def check_image_rank(owner, shape):
    """Raise ValueError naming ``owner`` unless ``shape`` is a 3-D image or a 4-D batch of images.

    Example:
        >>> check_image_rank("Resizing", (2, 4, 4, 3))
    """
    if len(shape) not in (3, 4):
        raise ValueError(f"{owner}: expected an image of rank 3 (height, width, channels) or a batch "
                         f"of rank 4; received an input of shape {tuple(shape)}")


def hw_axes(rank, data_format):
    """The (height, width) axes of an image tensor of ``rank`` 3 or 4.

    Example:
        >>> hw_axes(4, "channels_first")
        (2, 3)
    """
    if data_format == "channels_first":
        return (rank - 2, rank - 1)
    return (rank - 3, rank - 2)


def resized_shape(input_shape, height, width, data_format):
    """``input_shape`` with its height and width replaced.

    Example:
        >>> resized_shape((3, 8, 8), 2, 2, "channels_first")
        (3, 2, 2)
    """
    shape = list(input_shape)
    h, w = hw_axes(len(shape), data_format)
    shape[h], shape[w] = height, width
    return tuple(shape)
