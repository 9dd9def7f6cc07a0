"""Math ops (``kiln.ops.math``): special functions, top-k, segment reductions, FFTs and STFTs.

Complex results follow Keras' convention: a ``(real, imag)`` tuple of float
tensors (the FFT family takes and returns such tuples); ``view_as_complex`` and
``view_as_real`` convert between that layout and native complex tensors.

Every op is also available as ``kiln.ops.<name>``.

Example:
    >>> import kiln
    >>> kiln.ops.convert_to_numpy(kiln.ops.rsqrt([4.0])).tolist()
    [0.5]
"""

from kiln.backend import current as _backend
from kiln.backend.common import dtypes, spectral
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops import shape_rules as rules
from kiln.ops.operation import op

__all__ = [
    "logsumexp",
    "erf",
    "rsqrt",
    "top_k",
    "in_top_k",
    "segment_sum",
    "segment_max",
    "segment_min",
    "segment_prod",
    "erfc",
    "erfinv",
    "logdet",
    "view_as_complex",
    "view_as_real",
    "fft",
    "fft2",
    "ifft2",
    "rfft",
    "irfft",
    "extract_sequences",
    "stft",
    "istft",
    "cdist",
]


_math = _backend.math


def _float_dtype(*xs):
    return dtypes.float_result_type(*(rules.dtype_of(x) for x in xs))


def _float_unary_spec(x):
    return KerasTensor(rules.shape_of(x), _float_dtype(x))


def _logsumexp_spec(x, axis=None, keepdims=False):
    return KerasTensor(rules.reduce_shape(rules.shape_of(x), axis, keepdims, "logsumexp"), _float_dtype(x))


@op(_logsumexp_spec, module="math")
def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, computed without overflow.

    Example:
        >>> import kiln
        >>> round(float(kiln.ops.convert_to_numpy(kiln.ops.logsumexp([0.0, 0.0]))), 4)
        0.6931
    """
    return _math.logsumexp(x, axis=axis, keepdims=keepdims)


@op(_float_unary_spec, module="math")
def erf(x):
    """The Gauss error function, element-wise.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.erf([0.0])).tolist()
        [0.0]
    """
    return _math.erf(x)


@op(_float_unary_spec, module="math")
def rsqrt(x):
    """Element-wise ``1 / sqrt(x)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.rsqrt([4.0])).tolist()
        [0.5]
    """
    return _math.rsqrt(x)


def _top_k_spec(x, k, sorted=True):
    shape = rules.shape_of(x)
    if not shape:
        raise ValueError("top_k: input must have rank >= 1, received a scalar")
    if shape[-1] is not None and k > shape[-1]:
        raise ValueError(f"top_k: k={k} is larger than the last dimension of shape {shape}")
    out = shape[:-1] + (k,)
    return KerasTensor(out, dtypes.result_type(rules.dtype_of(x))), KerasTensor(out, "int32")


@op(_top_k_spec, module="math")
def top_k(x, k, sorted=True):
    """The ``k`` largest values along the last axis and their int32 indices.

    Example:
        >>> import kiln
        >>> values, indices = kiln.ops.top_k([1, 5, 3], 2)
        >>> kiln.ops.convert_to_numpy(values).tolist(), kiln.ops.convert_to_numpy(indices).tolist()
        ([5, 3], [1, 2])
    """
    return _math.top_k(x, k, sorted=sorted)


def _in_top_k_spec(targets, predictions, k):
    t, p = rules.shape_of(targets), rules.shape_of(predictions)
    if len(p) != 2 or len(t) != 1:
        raise ValueError(f"in_top_k: expected targets of rank 1 and predictions of rank 2, "
                         f"received shapes {t} and {p}")
    return KerasTensor(rules.broadcast_shapes(t, p[:1], "in_top_k"), "bool")


@op(_in_top_k_spec, module="math")
def in_top_k(targets, predictions, k):
    """True where the target class is among the ``k`` highest predictions of its row.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.in_top_k([1, 0], [[0.1, 0.9], [0.2, 0.8]], 1)).tolist()
        [True, False]
    """
    return _math.in_top_k(targets, predictions, k)


def _segment_sum_spec(data, segment_ids, num_segments=None, sorted=False):
    shape = rules.shape_of(data)
    n = None if num_segments is None or isinstance(num_segments, KerasTensor) else int(num_segments)
    return KerasTensor((n,) + shape[1:], dtypes.result_type(rules.dtype_of(data)))


@op(_segment_sum_spec, module="math")
def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum the rows of ``data`` that share a segment id.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.segment_sum([1, 2, 3], [0, 0, 1], num_segments=2)).tolist()
        [3, 3]
    """
    return _math.segment_sum(data, segment_ids, num_segments=num_segments, sorted=sorted)


@op(_segment_sum_spec, module="math")
def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maximum of the rows of ``data`` that share a segment id.

    Segments that receive no row hold the lowest value of the dtype (``-inf`` for floats).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.segment_max([1, 5, 3], [0, 0, 1], num_segments=2)).tolist()
        [5, 3]
    """
    return _math.segment_max(data, segment_ids, num_segments=num_segments, sorted=sorted)


@op(_segment_sum_spec, module="math")
def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Minimum of the rows of ``data`` that share a segment id.

    Segments that receive no row hold the highest value of the dtype (``inf`` for floats).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.segment_min([1, 5, 3], [0, 0, 1], num_segments=2)).tolist()
        [1, 3]
    """
    return _math.segment_min(data, segment_ids, num_segments=num_segments, sorted=sorted)


@op(_segment_sum_spec, module="math")
def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Product of the rows of ``data`` that share a segment id (1 for empty segments).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.segment_prod([2, 5, 3], [0, 0, 1], num_segments=2)).tolist()
        [10, 3]
    """
    return _math.segment_prod(data, segment_ids, num_segments=num_segments, sorted=sorted)


@op(_float_unary_spec, module="math")
def erfc(x):
    """The complementary error function ``1 - erf(x)``, element-wise, accurate for large ``x``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.erfc([0.0])).tolist()
        [1.0]
    """
    return _math.erfc(x)


@op(_float_unary_spec, module="math")
def erfinv(x):
    """The inverse of the error function, element-wise (defined on ``[-1, 1]``).

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.erfinv([0.0])).tolist()
        [0.0]
    """
    return _math.erfinv(x)


def _logdet_spec(x):
    from kiln.ops.linalg import _square_matrix_shape

    return KerasTensor(_square_matrix_shape(x, "logdet")[:-2], _float_dtype(x))


@op(_logdet_spec, module="math")
def logdet(x):
    """Natural log of the determinant of Hermitian positive-definite matrices (batched).

    Example:
        >>> import kiln
        >>> round(float(kiln.ops.convert_to_numpy(kiln.ops.logdet([[2.0, 0.0], [0.0, 3.0]]))), 4)
        1.7918
    """
    return _math.logdet(x)


_COMPLEX_OF = {"float64": "complex128"}
_REAL_OF = {"complex128": "float64"}


def _complex_dtype(dtype):
    return _COMPLEX_OF.get(dtype, "complex64")


def _view_as_complex_spec(x):
    shape = rules.shape_of(x)
    if not shape or shape[-1] not in (None, 2):
        raise ValueError(f"view_as_complex: the last dimension of x must be 2, received shape {shape}")
    return KerasTensor(shape[:-1], _complex_dtype(_float_dtype(x)))


@op(_view_as_complex_spec, module="math")
def view_as_complex(x):
    """Read a float tensor whose last axis holds (real, imag) pairs as a complex tensor.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.view_as_complex([[1.0, 2.0]])).tolist()
        [(1+2j)]
    """
    return _math.view_as_complex(x)


def _view_as_real_spec(x):
    dtype = rules.dtype_of(x)
    if dtype is not complex and not dtypes.is_complex(dtype):
        raise ValueError(f"view_as_real: x must be complex, received dtype {dtype}")
    dtype = "complex64" if dtype is complex else dtype
    return KerasTensor(rules.shape_of(x) + (2,), _REAL_OF.get(dtype, "float32"))


@op(_view_as_real_spec, module="math")
def view_as_real(x):
    """Split a complex tensor into a float tensor with a trailing (real, imag) axis of size 2.

    Example:
        >>> import kiln
        >>> z = kiln.ops.view_as_complex([1.0, 2.0])
        >>> kiln.ops.convert_to_numpy(kiln.ops.view_as_real(z)).tolist()
        [1.0, 2.0]
    """
    return _math.view_as_real(x)


def _complex_pair(x, name, min_rank=1):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{name}: x must be a tuple (real, imag) of two float tensors, received {x!r}")
    real, imag = rules.shape_of(x[0]), rules.shape_of(x[1])
    if len(real) != len(imag) or any(a is not None and b is not None and a != b
                                     for a, b in zip(real, imag)):
        raise ValueError(f"{name}: the real and imaginary parts must have the same shape, "
                         f"received {real} and {imag}")
    if len(real) < min_rank:
        raise ValueError(f"{name}: x must have rank >= {min_rank}, received shape {real}")
    shape = tuple(a if a is not None else b for a, b in zip(real, imag))
    return shape, dtypes.float_result_type(rules.dtype_of(x[0]), rules.dtype_of(x[1]))


def _pair(shape, dtype):
    return KerasTensor(shape, dtype), KerasTensor(shape, dtype)


def _fft_spec(x):
    return _pair(*_complex_pair(x, "fft"))


def _fft2_spec(x):
    return _pair(*_complex_pair(x, "fft2", 2))


def _ifft2_spec(x):
    return _pair(*_complex_pair(x, "ifft2", 2))


@op(_fft_spec, class_name="FFT", module="math")
def fft(x):
    """Discrete Fourier transform over the last axis of a ``(real, imag)`` tuple.

    Example:
        >>> import kiln
        >>> real, imag = kiln.ops.fft(([1.0, 0.0], [0.0, 0.0]))
        >>> kiln.ops.convert_to_numpy(real).tolist(), kiln.ops.convert_to_numpy(imag).tolist()
        ([1.0, 1.0], [0.0, 0.0])
    """
    return _math.fft(x)


@op(_fft2_spec, class_name="FFT2", module="math")
def fft2(x):
    """2-D discrete Fourier transform over the last two axes of a ``(real, imag)`` tuple.

    Example:
        >>> import kiln
        >>> real, imag = kiln.ops.fft2(([[1.0, 1.0], [1.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]]))
        >>> kiln.ops.convert_to_numpy(real).tolist()
        [[4.0, 0.0], [0.0, 0.0]]
    """
    return _math.fft2(x)


@op(_ifft2_spec, class_name="IFFT2", module="math")
def ifft2(x):
    """Inverse 2-D discrete Fourier transform over the last two axes of a ``(real, imag)`` tuple.

    Example:
        >>> import kiln
        >>> real, imag = kiln.ops.ifft2(([[4.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]))
        >>> kiln.ops.convert_to_numpy(real).tolist()
        [[1.0, 1.0], [1.0, 1.0]]
    """
    return _math.ifft2(x)


def _check_length(value, name, arg):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"{name}: {arg} must be a positive integer or None, received {value!r}")


def _rfft_spec(x, fft_length=None):
    _check_length(fft_length, "rfft", "fft_length")
    shape = rules.shape_of(x)
    if not shape:
        raise ValueError(f"rfft: x must have rank >= 1, received shape {shape}")
    n = fft_length if fft_length is not None else shape[-1]
    return _pair(shape[:-1] + (None if n is None else n // 2 + 1,), _float_dtype(x))


@op(_rfft_spec, class_name="RFFT", module="math")
def rfft(x, fft_length=None):
    """Fourier transform of a real signal over its last axis: the non-negative frequencies.

    The signal is cut or zero-padded to ``fft_length`` (default: its length); the
    result is a ``(real, imag)`` tuple with ``fft_length // 2 + 1`` bins.

    Example:
        >>> import kiln
        >>> real, imag = kiln.ops.rfft([1.0, 1.0, 1.0, 1.0])
        >>> kiln.ops.convert_to_numpy(real).tolist()
        [4.0, 0.0, 0.0]
    """
    return _math.rfft(x, fft_length=fft_length)


def _irfft_spec(x, fft_length=None):
    _check_length(fft_length, "irfft", "fft_length")
    shape, dtype = _complex_pair(x, "irfft")
    n = fft_length
    if n is None:
        n = None if shape[-1] is None else 2 * (shape[-1] - 1)
    return KerasTensor(shape[:-1] + (n,), dtype)


@op(_irfft_spec, class_name="IRFFT", module="math")
def irfft(x, fft_length=None):
    """Inverse of :func:`rfft`: a real signal of ``fft_length`` samples from a ``(real, imag)`` tuple.

    ``fft_length`` defaults to ``2 * (bins - 1)``.

    Example:
        >>> import kiln
        >>> out = kiln.ops.irfft(([4.0, 0.0, 0.0], [0.0, 0.0, 0.0]))
        >>> kiln.ops.convert_to_numpy(out).tolist()
        [1.0, 1.0, 1.0, 1.0]
    """
    return _math.irfft(x, fft_length=fft_length)


def _extract_sequences_spec(x, sequence_length, sequence_stride):
    shape = rules.shape_of(x)
    if not shape:
        raise ValueError(f"extract_sequences: x must have rank >= 1, received shape {shape}")
    for arg, value in (("sequence_length", sequence_length), ("sequence_stride", sequence_stride)):
        _check_length(value, "extract_sequences", arg)
    count = spectral.num_sequences(shape[-1], sequence_length, sequence_stride)
    return KerasTensor(shape[:-1] + (count, sequence_length), rules.dtype_of(x))


@op(_extract_sequences_spec, module="math")
def extract_sequences(x, sequence_length, sequence_stride):
    """Cut the last axis into windows of ``sequence_length`` samples, ``sequence_stride`` apart.

    Only whole windows are kept; the result has shape
    ``(..., num_sequences, sequence_length)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.extract_sequences([1, 2, 3, 4, 5], 3, 2)).tolist()
        [[1, 2, 3], [3, 4, 5]]
    """
    return _math.extract_sequences(x, sequence_length, sequence_stride)


def _stft_spec(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    spectral.check_stft_args(sequence_length, sequence_stride, fft_length, "stft")
    if isinstance(window, str):
        spectral.named_window(window, 1, "stft")
    shape = rules.shape_of(x)
    if not shape:
        raise ValueError(f"stft: x must have rank >= 1, received shape {shape}")
    length = shape[-1]
    if center and length is not None:
        length += 2 * (fft_length // 2)
    frames = spectral.num_sequences(length, fft_length, sequence_stride)
    return _pair(shape[:-1] + (frames, fft_length // 2 + 1), _float_dtype(x))


@op(_stft_spec, class_name="STFT", module="math")
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform over the last axis of a real signal.

    Frames of ``fft_length`` samples start every ``sequence_stride`` samples; each
    is multiplied by ``window`` (``"hann"``, ``"hamming"``, a tensor of
    ``sequence_length`` samples, or None for none), centered in the frame, and
    transformed with :func:`rfft`. With ``center=True`` the signal is first
    reflect-padded by ``fft_length // 2`` on both sides. Returns a ``(real, imag)``
    tuple of shape ``(..., num_frames, fft_length // 2 + 1)``.

    Example:
        >>> import kiln
        >>> real, imag = kiln.ops.stft([0.0, 1.0, 2.0, 3.0, 4.0], 1, 1, 1)
        >>> kiln.ops.convert_to_numpy(real).tolist()
        [[0.0], [1.0], [2.0], [3.0], [4.0]]
    """
    return _math.stft(x, sequence_length, sequence_stride, fft_length, window=window, center=center)


def _istft_spec(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
                center=True):
    spectral.check_stft_args(sequence_length, sequence_stride, fft_length, "istft")
    _check_length(length, "istft", "length")
    shape, dtype = _complex_pair(x, "istft", 2)
    out = spectral.istft_output_length(shape[-2], sequence_stride, fft_length, length, center)
    return KerasTensor(shape[:-2] + (out,), dtype)


@op(_istft_spec, class_name="ISTFT", module="math")
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """Inverse of :func:`stft`: rebuild a signal from a ``(real, imag)`` spectrogram tuple.

    Each frame is inverse-transformed, windowed and overlap-added; the sum is
    divided by the overlap-added squared window where that is non-zero (with
    ``window=None`` the frames are only overlap-added). Use the
    arguments given to :func:`stft`. ``center=True`` drops the ``fft_length // 2``
    padding samples at both ends; ``length`` cuts or zero-pads the result to
    exactly that many samples.

    Example:
        >>> import kiln
        >>> x = [0.0, 1.0, 2.0, 3.0, 4.0]
        >>> kiln.ops.convert_to_numpy(kiln.ops.istft(kiln.ops.stft(x, 1, 1, 1), 1, 1, 1)).tolist()
        [0.0, 1.0, 2.0, 3.0, 4.0]
    """
    return _math.istft(x, sequence_length, sequence_stride, fft_length, length=length,
                       window=window, center=center)


def _cdist_spec(x, y):
    sx, sy = rules.shape_of(x), rules.shape_of(y)
    if len(sx) < 2 or len(sy) < 2:
        raise ValueError(f"cdist: x and y must have rank >= 2 (..., m, d) and (..., n, d), "
                         f"received shapes {sx} and {sy}")
    if sx[-1] is not None and sy[-1] is not None and sx[-1] != sy[-1]:
        raise ValueError(f"cdist: x and y must have the same last dimension, received shapes "
                         f"{sx} and {sy}")
    batch = rules.broadcast_shapes(sx[:-2], sy[:-2], "cdist")
    return KerasTensor(batch + (sx[-2], sy[-2]), _float_dtype(x, y))


@op(_cdist_spec, module="math")
def cdist(x, y):
    """Euclidean distance between every row vector of ``x`` and every row vector of ``y``.

    ``x`` has shape ``(..., m, d)`` and ``y`` ``(..., n, d)``; the result has shape
    ``(..., m, n)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(kiln.ops.cdist([[0.0, 0.0]], [[3.0, 4.0], [0.0, 1.0]])).tolist()
        [[5.0, 1.0]]
    """
    return _math.cdist(x, y)
