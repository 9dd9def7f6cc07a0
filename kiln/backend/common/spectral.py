"""Backend-neutral bookkeeping for the framed/spectral math ops (stft, istft, extract_sequences).

Everything here works on static Python ints and NumPy arrays, so each backend
can build its gather/scatter indices and windows once per call without tracing.

Example:
    >>> starts, offsets = frame_indices(5, 3, 2, "extract_sequences")
    >>> (starts + offsets[:, None]).T.tolist()
    [[0, 1, 2], [2, 3, 4]]
"""

import numpy as np

WINDOWS = ("hann", "hamming")


def check_stft_args(sequence_length, sequence_stride, fft_length, op_name):
    """Validate the integer framing arguments of stft/istft.

    Example:
        >>> check_stft_args(4, 2, 8, "stft")
    """
    for arg, value in (("sequence_length", sequence_length), ("sequence_stride", sequence_stride),
                       ("fft_length", fft_length)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{op_name}: {arg} must be a positive integer, received {value!r}")
    if fft_length < sequence_length:
        raise ValueError(f"{op_name}: fft_length ({fft_length}) must be at least sequence_length "
                         f"({sequence_length})")


def named_window(name, size, op_name):
    """The periodic (FFT-ready) Hann or Hamming window of ``size`` samples, float64.

    A one-sample window is ``[1.0]``.

    Example:
        >>> named_window("hann", 4, "stft").round(6).tolist()
        [0.0, 0.5, 1.0, 0.5]
    """
    if name not in WINDOWS:
        raise ValueError(f"{op_name}: window must be one of {WINDOWS}, a 1-D tensor or None, "
                         f"received {name!r}")
    if size == 1:
        return np.ones(1)
    phase = 2.0 * np.pi * np.arange(size) / size
    if name == "hann":
        return 0.5 - 0.5 * np.cos(phase)
    return 0.54 - 0.46 * np.cos(phase)


def window_pads(sequence_length, fft_length):
    """Zeros added (left, right) to center a ``sequence_length`` window in ``fft_length``.

    Example:
        >>> window_pads(3, 8)
        (2, 3)
    """
    left = (fft_length - sequence_length) // 2
    return left, fft_length - sequence_length - left


def check_window_shape(shape, sequence_length, op_name):
    """Raise unless a window tensor has shape ``(sequence_length,)``.

    Example:
        >>> check_window_shape((4,), 4, "stft")
    """
    if tuple(shape) != (sequence_length,):
        raise ValueError(f"{op_name}: window must have shape ({sequence_length},) "
                         f"(sequence_length), received {tuple(shape)}")


def padded_window(window, sequence_length, fft_length, op_name, to_tensor, pad):
    """The window of an STFT/ISTFT, centered in ``fft_length`` samples (None for no window).

    ``window`` is a name from ``WINDOWS``, a 1-D array-like of ``sequence_length`` values or
    None; ``to_tensor(values)`` makes the backend tensor of the compute dtype and
    ``pad(tensor, (left, right))`` pads its only axis with zeros.

    Example:
        >>> padded_window("hann", 2, 4, "stft", np.asarray, np.pad).tolist()
        [0.0, 0.0, 1.0, 0.0]
    """
    if window is None:
        return None
    if isinstance(window, str):
        window = named_window(window, sequence_length, op_name)
    win = to_tensor(window)
    check_window_shape(win.shape, sequence_length, op_name)
    return pad(win, window_pads(sequence_length, fft_length))


def check_complex_tuple(x, op_name):
    """Raise unless ``x`` is a ``(real, imag)`` pair (tuple or list of two tensors)."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{op_name}: x must be a tuple (real, imag) of float tensors, received {type(x)}")


def check_part_shapes(real_shape, imag_shape, op_name):
    """Raise unless the real and imaginary parts have the same shape."""
    if tuple(real_shape) != tuple(imag_shape):
        raise ValueError(f"{op_name}: real and imaginary parts must have the same shape, "
                         f"received {tuple(real_shape)} and {tuple(imag_shape)}")


def fft_ops(xfft, real_pair, real_input, split, cast):
    """``fft, fft2, ifft2, rfft, irfft`` on (real, imag) tuples from an FFT namespace with
    NumPy's names and ``n=`` argument (``jax.numpy.fft``, ``torch.fft``).

    ``real_pair(x, op_name)`` gives a complex tensor and the result dtype, ``real_input(x)``
    a real compute tensor and the result dtype, ``split(z, dtype)`` the (real, imag) tuple
    and ``cast(x, dtype)`` a real tensor in ``dtype``.
    """
    def fft(x):
        z, dtype = real_pair(x, "fft")
        return split(xfft.fft(z), dtype)

    def fft2(x):
        z, dtype = real_pair(x, "fft2")
        return split(xfft.fft2(z), dtype)

    def ifft2(x):
        z, dtype = real_pair(x, "ifft2")
        return split(xfft.ifft2(z), dtype)

    def rfft(x, fft_length=None):
        x, dtype = real_input(x)
        return split(xfft.rfft(x, n=fft_length), dtype)

    def irfft(x, fft_length=None):
        z, dtype = real_pair(x, "irfft")
        return cast(xfft.irfft(z, n=fft_length), dtype)

    return fft, fft2, ifft2, rfft, irfft


def check_istft_input(shape):
    """Raise unless the ISTFT input has rank >= 2 (..., frames, bins)."""
    if len(shape) < 2:
        raise ValueError(f"istft: x must have rank >= 2 (..., frames, bins), received shape {tuple(shape)}")


def num_sequences(length, sequence_length, sequence_stride):
    """How many full sequences fit in ``length`` samples (None when unknown).

    Example:
        >>> num_sequences(10, 4, 3)
        3
    """
    if length is None:
        return None
    return max(0, 1 + (length - sequence_length) // sequence_stride) if length >= sequence_length else 0


def frame_indices(length, sequence_length, sequence_stride, op_name):
    """(starts, offsets) int32 arrays: sample ``starts[j] + offsets[i]`` is element i of frame j.

    Example:
        >>> [a.tolist() for a in frame_indices(6, 2, 2, "extract_sequences")]
        [[0, 2, 4], [0, 1]]
    """
    if not isinstance(sequence_length, (int, np.integer)) or sequence_length < 1:
        raise ValueError(f"{op_name}: sequence_length must be a positive integer, received "
                         f"{sequence_length!r}")
    if not isinstance(sequence_stride, (int, np.integer)) or sequence_stride < 1:
        raise ValueError(f"{op_name}: sequence_stride must be a positive integer, received "
                         f"{sequence_stride!r}")
    count = num_sequences(length, sequence_length, sequence_stride)
    starts = np.arange(count, dtype=np.int32) * sequence_stride
    return starts, np.arange(sequence_length, dtype=np.int32)


def frame_grid(length, sequence_length, sequence_stride):
    """The int32 (frames, sequence_length) gather index of ``extract_sequences`` over the last
    axis of ``length`` samples (arguments checked as by :func:`frame_indices`).

    Example:
        >>> frame_grid(5, 3, 2).tolist()
        [[0, 1, 2], [2, 3, 4]]
    """
    starts, offsets = frame_indices(length, sequence_length, sequence_stride, "extract_sequences")
    return starts[:, None] + offsets[None, :]


def reflect_indices(length, pad):
    """Indices that reflect-pad a signal of ``length`` samples by ``pad`` on each side.

    The edge sample is not repeated (NumPy's ``mode="reflect"``).

    Example:
        >>> reflect_indices(4, 2).tolist()
        [2, 1, 0, 1, 2, 3, 2, 1]
    """
    if length < 2 and pad:
        raise ValueError(f"reflect padding by {pad} needs a signal of at least 2 samples, "
                         f"received {length}")
    return np.pad(np.arange(length, dtype=np.int32), pad, mode="reflect")


def overlap_add_indices(num_frames, frame_length, frame_step):
    """Flat output positions of every frame sample for overlap-add, and the output length.

    Example:
        >>> index, n = overlap_add_indices(2, 3, 2)
        >>> index.tolist(), n
        ([0, 1, 2, 2, 3, 4], 5)
    """
    starts = np.arange(num_frames, dtype=np.int64) * frame_step
    index = (starts[:, None] + np.arange(frame_length)[None, :]).reshape(-1)
    out_len = frame_length + frame_step * (num_frames - 1) if num_frames else 0
    return index, out_len


def istft_output_length(num_frames, sequence_stride, fft_length, length, center):
    """Length of istft's output (None when the number of frames is unknown and length is None).

    Example:
        >>> istft_output_length(5, 2, 4, None, True)
        8
    """
    if length is not None:
        return int(length)
    if num_frames is None:
        return None
    full = fft_length + sequence_stride * (num_frames - 1)
    return full - 2 * (fft_length // 2) if center else full


def istft_crop(out_len, fft_length, length, center):
    """(start, stop, zeros to append) that turn the overlap-added signal into istft's output.

    Example:
        >>> istft_crop(12, 4, None, True)
        (2, 10, 0)
    """
    start = fft_length // 2 if center else 0
    if length is None:
        stop = out_len - start
        return start, stop, 0
    stop = min(out_len, start + int(length))
    return start, stop, int(length) - max(0, stop - start)
