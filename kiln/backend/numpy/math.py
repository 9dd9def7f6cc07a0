"""Math ops in NumPy: special functions, top-k, segment reductions, FFT/STFT, cdist.

Example:
    >>> import numpy as np
    >>> top_k(np.array([1.0, 3.0, 2.0]), 2)[1].tolist()
    [1, 2]
"""

import numpy as np

from kiln.backend.common import spectral
from kiln.backend.numpy.core import (
    BOOL,
    FLOAT32,
    HALF_NP,
    INT32,
    convert_to_tensor,
    promote_float,
    to_float,
)


def _prep(x):
    x = to_float(x)
    if x.dtype in HALF_NP:
        return x.astype(FLOAT32), x.dtype
    return x, x.dtype


def _axis(axis):
    if axis is None or isinstance(axis, int):
        return axis
    return tuple(int(a) for a in axis)


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over ``axis``, computed stably (float result).

    Example:
        >>> round(float(logsumexp(np.array([0.0, 0.0]))), 4)
        0.6931
    """
    x, dtype = _prep(x)
    axis = _axis(axis)
    if x.size == 0:
        return np.asarray(np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))).astype(dtype)
    peak = np.max(x, axis=axis, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0.0).astype(x.dtype, copy=False)
    with np.errstate(divide="ignore"):  # an all -inf row is log(0) = -inf, on purpose
        out = np.log(np.sum(np.exp(x - peak), axis=axis, keepdims=True)) + peak
    if not keepdims:
        out = np.squeeze(out, axis=axis)
    return np.asarray(out).astype(dtype, copy=False)


def _special(x, name, fallback):
    """``scipy.special.<name>`` of ``x`` in its float compute dtype, cast to the result dtype;
    ``fallback(x)`` computes it where SciPy is missing."""
    x, dtype = _prep(x)
    try:
        import scipy.special
    except ImportError:  # pragma: no cover - scipy is normally present
        return np.asarray(fallback(x)).astype(dtype, copy=False)
    return np.asarray(getattr(scipy.special, name)(x)).astype(dtype, copy=False)


def _elementwise_math(name):
    """Python's ``math.<name>`` applied to every element (keeping the dtype)."""
    import math

    fn = getattr(math, name)
    return lambda x: np.vectorize(fn, otypes=[x.dtype])(x)


def erf(x):
    """The error function (float result).

    Example:
        >>> float(erf(np.array(0.0)))
        0.0
    """
    return _special(x, "erf", _elementwise_math("erf"))


def rsqrt(x):
    """1 / sqrt(x) (float result).

    Example:
        >>> rsqrt(np.array([4.0])).tolist()
        [0.5]
    """
    x, dtype = _prep(x)
    return np.asarray(1.0 / np.sqrt(x)).astype(dtype, copy=False)


def top_k(x, k, sorted=True):
    """The ``k`` largest values along the last axis and their int32 indices.

    Ties go to the lower index, as in ``jax.lax.top_k``.

    Example:
        >>> [t.tolist() for t in top_k(np.array([1, 3, 3, 2]), 2)]
        [[3, 3], [1, 2]]
    """
    x = convert_to_tensor(x)
    k = int(k)
    if x.ndim < 1 or not 0 <= k <= x.shape[-1]:
        raise ValueError(
            f"top_k: k must be between 0 and the size of the last axis; received k={k} for a "
            f"tensor of shape {x.shape}"
        )
    keys = x.astype(FLOAT32) if x.dtype in HALF_NP else x
    n = x.shape[-1]
    # Descending order, ties by ascending index: stable ascending sort of the reversed
    # array, reversed back.
    order = np.argsort(keys[..., ::-1], axis=-1, kind="stable")[..., ::-1]
    indices = (n - 1 - order[..., :k]).astype(INT32)
    values = np.take_along_axis(x, indices, axis=-1)
    return values, indices


def in_top_k(targets, predictions, k):
    """True where ``predictions[i, targets[i]]`` is among the ``k`` largest of row ``i``.

    Tied values at the boundary all count as in the top k; non-finite predictions
    give False.

    Example:
        >>> in_top_k(np.array([1, 0]), np.array([[0.1, 0.9], [0.9, 0.1]]), 1).tolist()
        [True, True]
    """
    targets = convert_to_tensor(targets)
    predictions = convert_to_tensor(predictions)
    if predictions.dtype in HALF_NP:
        predictions = predictions.astype(FLOAT32)
    if predictions.ndim != 2 or targets.shape != predictions.shape[:1]:
        raise ValueError(
            "in_top_k: expected predictions of shape (batch, classes) and targets of shape "
            f"(batch,), received {predictions.shape} and {targets.shape}"
        )
    targets = targets.astype(np.int64)
    num_classes = predictions.shape[1]
    valid = (targets >= 0) & (targets < num_classes)
    safe = np.where(valid, targets, 0)
    picked = np.take_along_axis(predictions, safe[:, None], axis=1)
    greater = np.sum(predictions > picked, axis=1)
    ok = valid & (greater < int(k))
    if predictions.dtype.kind == "f":
        ok &= np.isfinite(picked[:, 0])
    return ok.astype(BOOL)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum rows of ``data`` that share a segment id (ids outside the range are dropped).

    Example:
        >>> segment_sum(np.array([1, 2, 3]), np.array([0, 0, 1])).tolist()
        [3, 3]
    """
    return _segment(np.add, data, segment_ids, num_segments, "segment_sum")


# -- special functions -----------------------------------------------------------------------
def erfc(x):
    """The complementary error function (float result).

    Example:
        >>> float(erfc(np.array(0.0)))
        1.0
    """
    return _special(x, "erfc", _elementwise_math("erfc"))


def _erfinv_newton(y):
    """erfinv without SciPy: Winitzki's closed-form start refined by Newton steps on erf."""
    import math

    erf_np = np.vectorize(math.erf, otypes=[np.float64])
    y = y.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_term = np.log1p(-y * y)
        t = 2.0 / (np.pi * 0.147) + log_term / 2.0
        x = np.sign(y) * np.sqrt(np.sqrt(t * t - log_term / 0.147) - t)
        for _ in range(3):
            x = x - (erf_np(x) - y) / (2.0 / np.sqrt(np.pi) * np.exp(-x * x))
    x = np.where(np.abs(y) == 1.0, np.sign(y) * np.inf, x)
    return np.where(np.abs(y) > 1.0, np.nan, x)


def erfinv(x):
    """The inverse error function on [-1, 1] (float result).

    Example:
        >>> float(erfinv(np.array(0.0)))
        0.0
    """
    return _special(x, "erfinv", _erfinv_newton)


def logdet(x):
    """``log|det(x)|`` of (batched) square matrices: the log-determinant of positive-definite x.

    Example:
        >>> round(float(logdet(np.eye(2) * 2.0)), 4)
        1.3863
    """
    x, dtype = _prep(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"logdet: expected (..., n, n) square matrices, received shape {x.shape}")
    return np.asarray(np.linalg.slogdet(x)[1]).astype(dtype, copy=False)


# -- segment reductions ----------------------------------------------------------------------
def _segment(ufunc, data, segment_ids, num_segments, name):
    data = convert_to_tensor(data)
    segment_ids = convert_to_tensor(segment_ids).astype(np.int64, copy=False)
    if segment_ids.shape != data.shape[:segment_ids.ndim]:
        raise ValueError(
            f"{name}: segment_ids must match the leading dimensions of data; received "
            f"segment_ids.shape={segment_ids.shape}, data.shape={data.shape}"
        )
    if num_segments is None:
        num_segments = int(segment_ids.max()) + 1 if segment_ids.size else 0
    num_segments = int(num_segments)
    tail = data.shape[segment_ids.ndim:]
    ids = segment_ids.reshape(-1)
    rows = data.reshape((-1,) + tail)
    keep = (ids >= 0) & (ids < num_segments)
    if ufunc is np.add:
        fill = 0
    elif ufunc is np.multiply:
        fill = 1
    elif data.dtype.kind == "f" or data.dtype in HALF_NP:
        fill = -np.inf if ufunc is np.maximum else np.inf
    elif data.dtype == BOOL:
        fill = ufunc is not np.maximum
    else:
        info = np.iinfo(data.dtype)
        fill = info.min if ufunc is np.maximum else info.max
    out = np.full((num_segments,) + tail, fill, dtype=data.dtype)
    ufunc.at(out, ids[keep], rows[keep])
    return out


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maximum of the rows sharing a segment id (dtype minimum, -inf for floats, if empty).

    Example:
        >>> segment_max(np.array([1, 5, 3]), np.array([0, 0, 1])).tolist()
        [5, 3]
    """
    return _segment(np.maximum, data, segment_ids, num_segments, "segment_max")


def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Minimum of the rows sharing a segment id (dtype maximum, inf for floats, if empty).

    Example:
        >>> segment_min(np.array([1, 5, 3]), np.array([0, 0, 1])).tolist()
        [1, 3]
    """
    return _segment(np.minimum, data, segment_ids, num_segments, "segment_min")


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Product of the rows sharing a segment id (1 if empty).

    Example:
        >>> segment_prod(np.array([2, 5, 3]), np.array([0, 0, 1])).tolist()
        [10, 3]
    """
    return _segment(np.multiply, data, segment_ids, num_segments, "segment_prod")


# -- complex views and Fourier transforms ------------------------------------------------------
_COMPLEX_FOR = {np.dtype("float64"): np.complex128}


def _real_pair(x, op_name):
    """A complex array from a (real, imag) tuple, plus the float dtype of the result."""
    spectral.check_complex_tuple(x, op_name)
    real, imag = promote_float(x[0], x[1])
    spectral.check_part_shapes(real.shape, imag.shape, op_name)
    return real + 1j * imag.astype(np.float64 if real.dtype == np.float64 else FLOAT32), real.dtype


def _split(z, dtype):
    return np.real(z).astype(dtype), np.imag(z).astype(dtype)


def view_as_complex(x):
    """A complex array from a float array whose last axis is (real, imag).

    Example:
        >>> view_as_complex(np.array([1.0, 2.0], "float32")).tolist()
        (1+2j)
    """
    x = to_float(x)
    if x.ndim < 1 or x.shape[-1] != 2:
        raise ValueError(f"view_as_complex: the last dimension must be 2, received shape {x.shape}")
    return (x[..., 0] + 1j * x[..., 1]).astype(_COMPLEX_FOR.get(x.dtype, np.complex64))


def view_as_real(x):
    """A float array with a trailing (real, imag) axis from a complex array.

    Example:
        >>> view_as_real(np.array([1 + 2j], "complex64")).tolist()
        [[1.0, 2.0]]
    """
    x = convert_to_tensor(x)
    if x.dtype.kind != "c":
        raise ValueError(f"view_as_real: expected a complex tensor, received dtype {x.dtype}")
    return np.stack([np.real(x), np.imag(x)], axis=-1)


def fft(x):
    """FFT over the last axis of a (real, imag) tuple.

    Example:
        >>> [a.tolist() for a in fft((np.array([1.0, 0.0]), np.array([0.0, 0.0])))]
        [[1.0, 1.0], [0.0, 0.0]]
    """
    z, dtype = _real_pair(x, "fft")
    return _split(np.fft.fft(z), dtype)


def fft2(x):
    """2-D FFT over the last two axes of a (real, imag) tuple.

    Example:
        >>> fft2((np.ones((2, 2)), np.zeros((2, 2))))[0].tolist()
        [[4.0, 0.0], [0.0, 0.0]]
    """
    z, dtype = _real_pair(x, "fft2")
    return _split(np.fft.fft2(z), dtype)


def ifft2(x):
    """Inverse 2-D FFT over the last two axes of a (real, imag) tuple.

    Example:
        >>> ifft2((np.array([[4.0, 0.0], [0.0, 0.0]]), np.zeros((2, 2))))[0].tolist()
        [[1.0, 1.0], [1.0, 1.0]]
    """
    z, dtype = _real_pair(x, "ifft2")
    return _split(np.fft.ifft2(z), dtype)


def rfft(x, fft_length=None):
    """FFT of a real signal (non-negative frequencies) as a (real, imag) tuple.

    Example:
        >>> rfft(np.ones(4))[0].tolist()
        [4.0, 0.0, 0.0]
    """
    x, dtype = _prep(x)
    return _split(np.fft.rfft(x, n=fft_length), dtype)


def irfft(x, fft_length=None):
    """Real signal from the non-negative-frequency (real, imag) tuple of :func:`rfft`.

    Example:
        >>> irfft((np.array([4.0, 0.0, 0.0]), np.zeros(3))).tolist()
        [1.0, 1.0, 1.0, 1.0]
    """
    z, dtype = _real_pair(x, "irfft")
    return np.fft.irfft(z, n=fft_length).astype(dtype)


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` samples every ``sequence_stride`` along the last axis.

    Example:
        >>> extract_sequences(np.arange(5), 3, 2).tolist()
        [[0, 1, 2], [2, 3, 4]]
    """
    x = convert_to_tensor(x)
    return x[..., spectral.frame_grid(x.shape[-1], sequence_length, sequence_stride)]


def _window(window, sequence_length, fft_length, dtype, op_name):
    return spectral.padded_window(window, sequence_length, fft_length, op_name,
                                  lambda values: convert_to_tensor(values).astype(dtype), np.pad)


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform of the last axis as a (real, imag) tuple.

    Example:
        >>> stft(np.arange(3.0), 1, 1, 1)[0].tolist()
        [[0.0], [1.0], [2.0]]
    """
    x, dtype = _prep(x)
    spectral.check_stft_args(sequence_length, sequence_stride, fft_length, "stft")
    win = _window(window, sequence_length, fft_length, x.dtype, "stft")
    if center:
        x = x[..., spectral.reflect_indices(x.shape[-1], fft_length // 2)]
    frames = extract_sequences(x, fft_length, sequence_stride)
    if win is not None:
        frames = frames * win
    return _split(np.fft.rfft(frames, n=fft_length), dtype)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """Inverse STFT: windowed overlap-add normalized by the squared-window envelope.

    Example:
        >>> istft(stft(np.arange(3.0), 1, 1, 1), 1, 1, 1).tolist()
        [0.0, 1.0, 2.0]
    """
    z, dtype = _real_pair(x, "istft")
    spectral.check_istft_input(z.shape)
    spectral.check_stft_args(sequence_length, sequence_stride, fft_length, "istft")
    win = _window(window, sequence_length, fft_length, np.float64, "istft")
    frames = np.fft.irfft(z, n=fft_length)
    num_frames = z.shape[-2]
    index, out_len = spectral.overlap_add_indices(num_frames, fft_length, sequence_stride)
    batch = frames.shape[:-2]
    if win is not None:
        frames = frames * win
    flat = frames.reshape((-1, num_frames * fft_length))
    signal = np.zeros((flat.shape[0], out_len))
    np.add.at(signal, (slice(None), index), flat)
    if win is not None:
        envelope = np.zeros(out_len)
        np.add.at(envelope, index, np.tile(win * win, num_frames))
        signal = signal / np.where(envelope > 1e-10, envelope, 1.0)
    signal = signal.reshape(batch + (out_len,))
    start, stop, pad = spectral.istft_crop(out_len, fft_length, length, center)
    signal = signal[..., start:stop]
    if pad:
        signal = np.pad(signal, [(0, 0)] * (signal.ndim - 1) + [(0, pad)])
    return signal.astype(dtype)


# -- distances ---------------------------------------------------------------------------------
def cdist(x, y):
    """Euclidean distances between the rows of ``x`` (..., m, d) and ``y`` (..., n, d).

    Example:
        >>> cdist(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]])).tolist()
        [[5.0]]
    """
    x, y = promote_float(x, y)
    dtype = x.dtype
    if dtype in HALF_NP:
        x, y = x.astype(FLOAT32), y.astype(FLOAT32)
    diff = x[..., :, None, :] - y[..., None, :, :]
    return np.sqrt(np.sum(diff * diff, axis=-1)).astype(dtype, copy=False)
