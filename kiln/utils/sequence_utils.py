"""``pad_sequences``: a list of variable-length sequences as one padded NumPy array.

Example:
    >>> pad_sequences([[1, 2, 3], [4]]).tolist()
    [[1, 2, 3], [0, 0, 4]]
"""

import numpy as np

_PLACES = ("pre", "post")


def _is_string_dtype(dtype):
    try:
        return np.issubdtype(np.dtype(dtype), np.str_)
    except TypeError:
        return False


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pads sequences to the same length.

    Turns a list of ``num_samples`` sequences (lists or arrays of timesteps, each timestep
    a scalar or an array of one fixed shape) into a NumPy array of shape
    ``(num_samples, maxlen) + timestep_shape``. Sequences shorter than ``maxlen`` are
    filled with ``value`` (before them with ``padding="pre"``, after them with ``"post"``);
    longer ones lose their first (``truncating="pre"``) or last (``"post"``) timesteps.
    Empty sequences become rows of ``value``.

    Args:
        sequences: list of sequences.
        maxlen: length of the output sequences; None means the longest sequence's length.
        dtype: dtype of the output (``object`` or a string dtype for string sequences).
        padding: ``"pre"`` or ``"post"``: where to pad.
        truncating: ``"pre"`` or ``"post"``: which timesteps to drop from long sequences.
        value: the padding value (a string needs ``dtype=object`` or a string dtype).

    Returns:
        A NumPy array of shape ``(len(sequences), maxlen) + timestep_shape``.

    Example:
        >>> pad_sequences([[1, 2, 3], [4, 5], [6]], maxlen=2, padding="post").tolist()
        [[2, 3], [4, 5], [6, 0]]
        >>> pad_sequences([[1, 2, 3]], maxlen=2, truncating="post").tolist()
        [[1, 2]]
        >>> pad_sequences([["a", "b"], ["c"]], dtype=object, value="").tolist()
        [['a', 'b'], ['', 'c']]
    """
    if padding not in _PLACES:
        raise ValueError(f'pad_sequences: `padding` must be "pre" or "post", received padding={padding!r}')
    if truncating not in _PLACES:
        raise ValueError(
            f'pad_sequences: `truncating` must be "pre" or "post", received truncating={truncating!r}')
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences: `sequences` must be a list of sequences, received "
                         f"{type(sequences).__name__}")
    if maxlen is not None and (isinstance(maxlen, bool) or int(maxlen) != maxlen or maxlen < 0):
        raise ValueError(f"pad_sequences: `maxlen` must be a non-negative int or None, received maxlen={maxlen!r}")
    lengths = []
    sample_shape = None
    for index, sequence in enumerate(sequences):
        try:
            length = len(sequence)
        except TypeError as error:
            raise ValueError(f"pad_sequences: `sequences` must be a list of sequences; the item at "
                             f"position {index} is not one: {sequence!r}") from error
        lengths.append(length)
        if sample_shape is None and length:
            sample_shape = np.asarray(sequence).shape[1:]
    sample_shape = sample_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    maxlen = int(maxlen)
    if isinstance(value, str) and dtype is not object and not _is_string_dtype(dtype):
        raise ValueError(f"pad_sequences: `dtype` {dtype!r} cannot hold the string padding value "
                         f"{value!r}; use dtype=object for variable-length strings")
    # A string dtype without a width ("str") gets the width of the longest string.
    final_dtype = dtype
    if _is_string_dtype(dtype) and np.dtype(dtype).itemsize == 0:
        dtype = object
    out = np.full((len(lengths), maxlen) + tuple(sample_shape), value, dtype=dtype)
    if maxlen == 0:
        return out.astype(np.str_) if dtype is not final_dtype else out
    for index, sequence in enumerate(sequences):
        if not lengths[index]:
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != tuple(sample_shape):
            raise ValueError(f"pad_sequences: the timesteps of the sequence at position {index} have "
                             f"shape {kept.shape[1:]}, but the first non-empty sequence's have shape "
                             f"{tuple(sample_shape)}")
        if padding == "post":
            out[index, :len(kept)] = kept
        else:
            out[index, maxlen - len(kept):] = kept
    if dtype is not final_dtype:
        out = out.astype(np.str_)
    return out
