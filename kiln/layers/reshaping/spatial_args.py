"""Argument checks shared by the cropping, padding and up-sampling layers.

Example:
    >>> pairs_per_axis(1, 2, "padding", "ZeroPadding2D")
    ((1, 1), (1, 1))
    >>> pairs_per_axis(((0, 1), (2, 3)), 2, "cropping", "Cropping2D")
    ((0, 1), (2, 3))
"""


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def pairs_per_axis(value, rank, name, owner):
    """An int, ``rank`` ints, or ``rank`` pairs of ints -> ``rank`` (before, after) pairs.

    An int applies to both sides of every axis; ``rank`` ints give a symmetric
    amount per axis; pairs give the two sides explicitly. Negative values are
    refused with an error naming ``owner`` and ``name``.

    Example:
        >>> pairs_per_axis((1, 2), 2, "padding", "ZeroPadding2D")
        ((1, 1), (2, 2))
    """
    def fail():
        shapes = f"an int, a tuple of {rank} ints or a tuple of {rank} (before, after) pairs"
        raise ValueError(f"{owner}: `{name}` must be {shapes} of non-negative ints; "
                         f"received {name}={value!r}")

    if _is_int(value):
        pairs = ((value, value),) * rank
    else:
        try:
            items = tuple(value)
        except TypeError:
            fail()
        if len(items) != rank:
            fail()
        pairs = []
        for item in items:
            if _is_int(item):
                pairs.append((item, item))
                continue
            try:
                pair = tuple(item)
            except TypeError:
                fail()
            if len(pair) != 2 or not all(_is_int(v) for v in pair):
                fail()
            pairs.append(pair)
        pairs = tuple(pairs)
    if any(v < 0 for pair in pairs for v in pair):
        fail()
    return pairs


def pair(value, name, owner):
    """An int or a pair of ints -> a (before, after) pair of non-negative ints (1D layers).

    Example:
        >>> pair(2, "cropping", "Cropping1D")
        (2, 2)
    """
    if _is_int(value):
        out = (value, value)
    else:
        try:
            out = tuple(value)
        except TypeError:
            out = ()
        if len(out) != 2 or not all(_is_int(v) for v in out):
            raise ValueError(f"{owner}: `{name}` must be an int or a tuple of 2 ints; "
                             f"received {name}={value!r}")
    if min(out) < 0:
        raise ValueError(f"{owner}: `{name}` must be non-negative; received {name}={value!r}")
    return out


def spatial_axes(rank, data_format):
    """Positions of the ``rank`` spatial axes in a ``(batch, ..., channels)`` tensor.

    Example:
        >>> spatial_axes(2, "channels_first")
        (2, 3)
    """
    start = 1 if data_format == "channels_last" else 2
    return tuple(range(start, start + rank))
