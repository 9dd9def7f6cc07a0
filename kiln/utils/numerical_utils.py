"""Label and vector helpers: ``to_categorical`` (one-hot) and ``normalize`` (unit norm).

NumPy inputs (and lists) are computed with NumPy and give NumPy arrays; a tensor of the
active backend goes through ``kiln.ops`` and gives a tensor of that backend.

Example:
    >>> to_categorical([1, 0], num_classes=2).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    >>> normalize(np.array([[3.0, 4.0]])).tolist()
    [[0.6, 0.8]]
"""

import numpy as np


def _is_backend_tensor(x):
    """A tensor of the active backend that is not a NumPy array (NumPy stays on the NumPy path)."""
    if isinstance(x, (np.ndarray, np.generic, list, tuple, int, float)):
        return False
    from kiln import ops

    return ops.is_tensor(x)


def to_categorical(x, num_classes=None):
    """Converts a class vector (integers) to a binary class matrix (one-hot).

    A trailing axis of size 1 (labels shaped ``(n, 1)``) is dropped before encoding, so
    ``(n, 1)`` labels give ``(n, num_classes)``. NumPy arrays and lists give a float32 NumPy
    array; a tensor of the active backend gives a tensor of that backend.

    Args:
        x: array-like of class indices in ``[0, num_classes)``.
        num_classes: total number of classes; None means ``max(x) + 1``.

    Returns:
        The one-hot encoding of ``x``, with a new last axis of size ``num_classes``.

    Example:
        >>> to_categorical([0, 2], 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
        >>> to_categorical(np.array([[1], [0]])).shape
        (2, 2)
    """
    if num_classes is not None and (isinstance(num_classes, bool) or int(num_classes) != num_classes
                                    or num_classes < 1):
        raise ValueError(f"to_categorical: `num_classes` must be a positive int or None, "
                         f"received num_classes={num_classes!r}")
    if _is_backend_tensor(x):
        from kiln import ops

        shape = tuple(ops.shape(x))
        if len(shape) > 1 and shape[-1] == 1:
            x = ops.reshape(x, shape[:-1])
        if num_classes is None:
            num_classes = int(ops.convert_to_numpy(ops.max(x))) + 1
        return ops.one_hot(x, int(num_classes))
    try:
        labels = np.asarray(x)
    except (TypeError, ValueError) as error:
        raise ValueError(f"to_categorical: `x` must be array-like integer class indices, "
                         f"received {x!r}") from error
    if labels.dtype.kind not in "iub":
        if labels.dtype.kind != "f" or not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise ValueError(f"to_categorical: `x` must hold integer class indices, received dtype "
                             f"{labels.dtype} with values {labels.ravel()[:5].tolist()}...")
    labels = labels.astype("int64")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        labels = labels.reshape(shape[:-1])
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    num_classes = int(num_classes)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"to_categorical: class indices must lie in [0, {num_classes}) for "
                         f"num_classes={num_classes}; received values from {int(labels.min())} "
                         f"to {int(labels.max())}")
    out = np.zeros(labels.shape + (num_classes,), dtype="float32")
    if labels.size:
        np.put_along_axis(out, labels[..., None], 1.0, axis=-1)
    return out


def normalize(x, axis=-1, order=2):
    """Normalizes an array so that its ``order``-norm along ``axis`` is 1.

    A NumPy array gives a NumPy array (zero vectors are left as zeros); any other input
    (a backend tensor, a list) goes through ``kiln.ops.normalize`` and gives a tensor of
    the active backend.

    Args:
        x: array to normalize.
        axis: axis along which to normalize (None: over all entries).
        order: normalization order, e.g. 2 for the L2 norm, 1 for the L1 norm.

    Returns:
        A normalized copy of ``x``.

    Example:
        >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
        [[0.6, 0.8], [0.0, 0.0]]
        >>> normalize(np.array([1.0, 3.0]), order=1).tolist()
        [0.25, 0.75]
    """
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"normalize: `order` must be an int >= 1, received order={order!r}")
    if isinstance(x, np.ndarray):
        if axis is None:
            norm = np.asarray(np.linalg.norm(x.ravel(), order))
            norm = np.where(norm == 0, 1, norm)
            return x / norm
        if not -x.ndim <= axis < max(x.ndim, 1):
            raise ValueError(f"normalize: `axis` {axis} is out of range for an array of rank {x.ndim}")
        norm = np.atleast_1d(np.linalg.norm(x, order, axis, keepdims=x.ndim > 0))
        norm[norm == 0] = 1
        return x / norm
    from kiln import ops

    if not ops.is_tensor(x):
        x = ops.convert_to_tensor(x)
    if axis is None:
        flat = ops.normalize(ops.reshape(x, (-1,)), axis=-1, order=order)
        return ops.reshape(flat, ops.shape(x))
    return ops.normalize(x, axis=axis, order=order)
