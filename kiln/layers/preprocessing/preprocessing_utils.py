"""Helpers shared by the preprocessing layers: output-mode encoding and argument checks.

Example:
    >>> import kiln
    >>> from kiln.layers.preprocessing.data_layer import kiln_backend
    >>> y = encode_categorical(kiln_backend(), kiln.ops.convert_to_tensor([[0, 2, 2]]), "count", 3)
    >>> kiln.ops.convert_to_numpy(y).tolist()
    [[1.0, 0.0, 2.0]]
"""

import numpy as np

ENCODING_MODES = ("one_hot", "multi_hot", "count", "tf_idf")


def check_choice(owner, name, value, allowed):
    """Raise ValueError naming ``owner``, the argument and the valid values unless ``value`` is allowed.

    Example:
        >>> check_choice("Layer", "output_mode", "int", ("int", "count"))
        'int'
    """
    if value not in allowed:
        raise ValueError(f"{owner}: invalid value for argument `{name}`; expected one of "
                         f"{list(allowed)}, received {name}={value!r}")
    return value


def check_int(owner, name, value, minimum=1, allow_none=False):
    """Return ``value`` if it is an int (not a bool) >= ``minimum`` (or None when ``allow_none``),
    else raise ValueError naming ``owner`` and the argument.

    Example:
        >>> check_int("Layer", "num_bins", 3), check_int("Layer", "max_tokens", None, 2, True)
        (3, None)
    """
    if value is None and allow_none:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        expected = {0: "a non-negative integer", 1: "a positive integer"}.get(
            minimum, f"an integer >= {minimum}")
        raise ValueError(f"{owner}: `{name}` must be {expected}{' or None' if allow_none else ''}; "
                         f"received {name}={value!r}")
    return value


def check_not_sparse(owner, sparse):
    """``sparse=True`` outputs are not supported by Kiln's preprocessing layers (dense only).

    Example:
        >>> check_not_sparse("Layer", False)
    """
    if sparse:
        raise ValueError(f"{owner}: `sparse=True` is not supported (Kiln's preprocessing layers "
                         "return dense tensors); received sparse=True")


def encode_categorical(backend, inputs, output_mode, depth, dtype="float32", count_weights=None,
                       idf_weights=None):
    """Integer indices -> ``one_hot`` / ``multi_hot`` / ``count`` / ``tf_idf`` vectors of size ``depth``.

    ``backend`` is a DataLayer's ``self.backend``. Scalars count as one
    sample. ``one_hot`` adds an axis (unless the last one has size 1, which it
    replaces); the other modes reduce the last axis of a rank <= 2 input (a
    rank-1 input is one sample). Indices outside ``[0, depth)`` (e.g. a
    dropped mask) contribute nothing. ``count_weights`` weight each index in
    ``count`` mode; ``tf_idf`` multiplies counts by ``idf_weights``.
    """
    knp = backend.numpy
    shape = backend.core.shape(inputs)
    if len(shape) == 0:
        inputs = knp.expand_dims(inputs, -1)
        shape = backend.core.shape(inputs)
    if output_mode == "one_hot":
        if shape[-1] == 1 and len(shape) > 1:
            inputs = knp.squeeze(inputs, -1)
        return backend.nn.one_hot(backend.core.cast(inputs, "int32"), depth, dtype=dtype)
    if len(shape) > 2:
        raise ValueError(f"When output_mode is {output_mode!r}, inputs must have rank 1 or 2 "
                         f"(the output has rank <= 2); received an input of shape {tuple(shape)}")
    hot = backend.nn.one_hot(backend.core.cast(inputs, "int32"), depth, dtype=dtype)
    if output_mode == "multi_hot":
        return knp.max(hot, axis=-2)
    if count_weights is not None:
        hot = knp.multiply(hot, knp.expand_dims(backend.core.cast(count_weights, dtype), -1))
    counts = knp.sum(hot, axis=-2)
    if output_mode == "tf_idf":
        counts = knp.multiply(counts, backend.core.cast(idf_weights, dtype))
    return counts


def encoded_shape(input_shape, output_mode, depth):
    """The output shape :func:`encode_categorical` gives for ``input_shape``.

    Example:
        >>> encoded_shape((None, 3), "multi_hot", 5), encoded_shape((None,), "one_hot", 5)
        ((None, 5), (None, 5))
    """
    input_shape = tuple(input_shape)
    if len(input_shape) == 0:
        return (depth,)
    if output_mode == "one_hot":
        if input_shape[-1] == 1 and len(input_shape) > 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    return input_shape[:-1] + (depth,)


def listify(values):
    """An array, tensor, tuple or list -> a plain Python list (for configs); None stays None.

    Example:
        >>> listify(np.array([1.5, 2.0]))
        [1.5, 2.0]
    """
    if values is None:
        return None
    if hasattr(values, "numpy") and not isinstance(values, np.ndarray):
        values = values.numpy()
    values = np.asarray(values)
    if values.dtype.kind in ("S", "O"):
        return [v.decode("utf-8") if isinstance(v, bytes) else v for v in values.tolist()]
    return values.tolist()
