"""Packing a batch into the tuple a ``train_step`` receives, and unpacking it.

A batch is ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``; these helpers let a
custom ``train_step`` handle all of them.

Example:
    >>> unpack_x_y_sample_weight(pack_x_y_sample_weight([1.0], [0.0]))
    ([1.0], [0.0], None)
"""

from kiln.backend.common.train_steps import pack_x_y_sample_weight as _pack_tuple
from kiln.backend.common.train_steps import unpack_x_y_sample_weight


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Packs user-provided data into a tuple.

    With only ``x``, ``x`` itself is returned (wrapped as ``(x,)`` when it is a tuple, so
    that it is not mistaken for ``(x, y)``); otherwise ``(x, y)`` or
    ``(x, y, sample_weight)``. A ``sample_weight`` without ``y`` is dropped, as Keras does.

    Args:
        x: features to pass to the model.
        y: ground-truth targets, or None.
        sample_weight: sample weights for each element, or None.

    Returns:
        The packed batch.

    Example:
        >>> import numpy as np
        >>> x = np.ones((2, 1))
        >>> pack_x_y_sample_weight(x) is x
        True
        >>> len(pack_x_y_sample_weight(x, x)), len(pack_x_y_sample_weight(x, x, np.ones(2)))
        (2, 3)
        >>> pack_x_y_sample_weight((x, x))[0][0] is x
        True
    """
    if y is None:
        return (x,) if isinstance(x, tuple) else x
    return _pack_tuple(x, y, sample_weight)


__all__ = ["pack_x_y_sample_weight", "unpack_x_y_sample_weight"]
