"""Axis arguments of the normalization layers: validation, and the weight shapes they give.

Example:
    >>> check_axes([-1, 1], (None, 3, 4), "norm")
    (1, 2)
    >>> weight_shape_for_axes([1], (1,), (None, 3, 4), "norm")
    ((3,), (1, 3, 1))
"""


def standardize_axis(axis, owner):
    """An int stays an int; a list/tuple of ints becomes a list; anything else is an error.

    Example:
        >>> standardize_axis((1, 2), "norm")
        [1, 2]
    """
    if isinstance(axis, (list, tuple)):
        if not axis or not all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
            raise TypeError(f"{owner}: `axis` must be an int or a non-empty list of ints; "
                            f"received axis={axis!r}")
        return list(axis)
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"{owner}: `axis` must be an int or a list of ints; received axis={axis!r}")
    return axis


def check_axes(axis, input_shape, owner):
    """The axes in ``axis`` as sorted non-negative ints, checked against the input rank.

    Example:
        >>> check_axes(-1, (2, 5), "norm")
        (1,)
    """
    ndim = len(input_shape)
    axes = axis if isinstance(axis, list) else [axis]
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{owner}: axis {a} is out of range for an input of shape "
                             f"{tuple(input_shape)} (rank {ndim})")
    return tuple(sorted({a % ndim for a in axes}))


def check_feature_axis(axis, input_shape, owner):
    """``(axis as a non-negative int, its size)`` for a single feature axis of known size.

    Example:
        >>> check_feature_axis(-1, (None, 5, 3), "norm")
        (2, 3)
    """
    ndim = len(input_shape)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{owner}: axis={axis} is out of range for an input of shape "
                         f"{tuple(input_shape)}")
    size = input_shape[axis % ndim]
    if size is None:
        raise ValueError(f"{owner}: axis {axis} of the input must have a known size; received "
                         f"input_shape={tuple(input_shape)}")
    return axis % ndim, size


def weight_shape_for_axes(axis, axes, input_shape, owner):
    """The shape of a weight over the normalized ``axes`` (their sizes must be known), and
    the shape it is reshaped to before broadcasting against the input: None when ``axes``
    are the trailing ones (the weight broadcasts as is).

    Example:
        >>> weight_shape_for_axes(-1, (2,), (None, 3, 4), "norm")
        ((4,), None)
    """
    shape = tuple(input_shape[a] for a in axes)
    if any(d is None for d in shape):
        raise ValueError(f"{owner}: the normalized axes {axis} must have known sizes; "
                         f"received input_shape={tuple(input_shape)}")
    ndim = len(input_shape)
    if tuple(axes) == tuple(range(ndim - len(axes), ndim)):
        return shape, None
    return shape, tuple(input_shape[i] if i in axes else 1 for i in range(ndim))
