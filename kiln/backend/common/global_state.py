"""Process-wide naming counters, reset by ``kiln.utils.clear_session()``.

Example:
    >>> unique_name("dense") in ("dense",) or unique_name("dense").startswith("dense_")
    True
"""

import re
import threading

_lock = threading.Lock()
_name_counts = {}


def unique_name(prefix):
    """Return ``prefix`` the first time, then ``prefix_1``, ``prefix_2``...

    Example:
        >>> reset_names(); unique_name("conv"), unique_name("conv")
        ('conv', 'conv_1')
    """
    with _lock:
        count = _name_counts.get(prefix, 0)
        _name_counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_names():
    """Forget every name handed out so far."""
    with _lock:
        _name_counts.clear()


def to_snake_case(name):
    """Turn a class name into the snake_case base Kiln uses for default names.

    Example:
        >>> to_snake_case("BatchNormalization"), to_snake_case("Conv2D"), to_snake_case("RMSprop")
        ('batch_normalization', 'conv2d', 'rm_sprop')
    """
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()
