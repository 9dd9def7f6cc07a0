"""Shared checks for layer constructor arguments (data_format, tuples, padding).

Example:
    >>> standardize_tuple(3, 2, "kernel_size")
    (3, 3)
"""

from kiln import config


def standardize_data_format(data_format, owner="layer"):
    """``None`` -> ``kiln.config.image_data_format()``; otherwise validate it.

    Example:
        >>> standardize_data_format("channels_first")
        'channels_first'
    """
    if data_format is None:
        return config.image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{owner}: data_format must be 'channels_last' or 'channels_first', "
            f"received data_format={data_format!r}"
        )
    return data_format


def standardize_tuple(value, n, name, owner="layer", allow_zero=False):
    """An int or an iterable of ``n`` ints -> a tuple of ``n`` positive ints.

    Example:
        >>> standardize_tuple((1, 2), 2, "strides")
        (1, 2)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(f"{owner}: {name} must be an int or a tuple of {n} ints, "
                             f"received {name}={value!r}") from None
        if len(values) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise ValueError(f"{owner}: {name} must be an int or a tuple of {n} ints, "
                             f"received {name}={value!r}")
    low = 0 if allow_zero else 1
    if any(v < low for v in values):
        raise ValueError(f"{owner}: {name} must be {'non-negative' if allow_zero else 'positive'}, "
                         f"received {name}={value!r}")
    return values


def standardize_padding(padding, owner="layer", allow_causal=False):
    """Lower-case and validate ``"valid"`` / ``"same"`` (/ ``"causal"``).

    Example:
        >>> standardize_padding("SAME")
        'same'
    """
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    value = str(padding).lower()
    if value not in allowed:
        raise ValueError(f"{owner}: padding must be one of {allowed}, received padding={padding!r}")
    return value


def conv_output_length(length, window, padding, stride, dilation=1):
    """Output size of a convolution/pooling along one axis (None stays None).

    Example:
        >>> conv_output_length(12, 3, "valid", 1), conv_output_length(12, 3, "same", 2)
        (10, 6)
    """
    if length is None:
        return None
    effective = (window - 1) * dilation + 1
    if padding == "same":
        return (length + stride - 1) // stride
    if padding == "causal":
        return (length + stride - 1) // stride
    return max(0, (length - effective) // stride + 1)


def forward_arguments(arguments):
    """A constructor's ``locals()`` (taken first thing) as keyword arguments for its base
    class: every named argument, then the ``**kwargs`` entries.

    Example:
        >>> forward_arguments({"self": None, "filters": 2, "kwargs": {"name": "c"}})
        {'filters': 2, 'name': 'c'}
    """
    forwarded = {k: v for k, v in arguments.items() if k not in ("self", "kwargs", "__class__")}
    forwarded.update(arguments.get("kwargs", {}))
    return forwarded
