"""TensorFlow helpers for the preprocessing layers that always compute with tf (strings, hashing, lookups).

TensorFlow is imported lazily (only when such a layer runs). Inputs of any
kind (NumPy arrays, Python lists, backend tensors, tf tensors) become tf
tensors with :func:`to_tf`.

Example:
    >>> import numpy as np
    >>> to_tf(np.array(["a", "b"])).dtype.name
    'string'
"""

import numpy as np


def tf_module():
    """The ``tensorflow`` module, imported on first use.

    Example:
        >>> tf_module().__name__
        'tensorflow'
    """
    import tensorflow as tf

    return tf


def to_tf(value):
    """``value`` as a tf tensor (strings as tf.string, integers keep their width).

    Example:
        >>> to_tf(np.array([1, 2], "int16")).dtype.name
        'int16'
    """
    tf = tf_module()
    if isinstance(value, (tf.Tensor, tf.RaggedTensor, tf.SparseTensor)):
        return value
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        try:
            value = value.numpy()
        except Exception:  # noqa: BLE001 - e.g. a torch tensor that requires grad
            value = None if value is None else _backend_numpy(value)
    elif not isinstance(value, (np.ndarray, list, tuple, str, bytes, int, float)):
        value = _backend_numpy(value)
    array = np.asarray(value)
    if array.dtype.kind in ("U", "O", "S"):
        return tf.constant(array.astype(object) if array.dtype.kind == "U" else array)
    return tf.convert_to_tensor(array)


def _backend_numpy(value):
    from kiln import ops

    return np.asarray(ops.convert_to_numpy(value))


def is_tf_tensor(x):
    """True for tf tensors (dense, ragged or sparse), without importing TensorFlow.

    Example:
        >>> is_tf_tensor(np.zeros(2))
        False
    """
    import sys

    tf = sys.modules.get("tensorflow")
    return tf is not None and isinstance(x, (tf.Tensor, tf.RaggedTensor, tf.SparseTensor))


def is_string_tensor(x):
    """True for a tf tensor of dtype string.

    Example:
        >>> is_string_tensor(to_tf(["x"]))
        True
    """
    return x.dtype == tf_module().string


def strings_to_python(x):
    """A tf string tensor (or bytes array) -> a NumPy object array of Python str.

    Example:
        >>> strings_to_python(to_tf(["ab"])).tolist()
        ['ab']
    """
    array = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    flat = [v.decode("utf-8") if isinstance(v, bytes) else v for v in array.reshape(-1).tolist()]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(array.shape)
