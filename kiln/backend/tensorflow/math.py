"""Math ops on TensorFlow: special functions, top-k, segment reductions, FFT/STFT, cdist.

Example:
    >>> import tensorflow as tf
    >>> float(logsumexp(tf.zeros(4)))  # log(4)
    1.3862943649291992
"""

import tensorflow as tf

from kiln import config
from kiln.backend.common import spectral
from kiln.backend.common.dtypes import result_type
from kiln.backend.tensorflow.core import convert_to_tensor, tf_dtype


def _float(x):
    x = convert_to_tensor(x)
    if x.dtype.is_floating:
        return x
    return tf.cast(x, tf_dtype(config.floatx()))


def logsumexp(x, axis=None, keepdims=False):
    x = _float(x)
    if isinstance(axis, list):
        axis = tuple(axis)
    return tf.reduce_logsumexp(x, axis=axis, keepdims=keepdims)


def erf(x):
    return tf.math.erf(_float(x))


def rsqrt(x):
    return tf.math.rsqrt(_float(x))


def top_k(x, k, sorted=True):
    x = convert_to_tensor(x)
    values, indices = tf.math.top_k(x, k, sorted=sorted)
    return values, indices


def in_top_k(targets, predictions, k):
    targets = convert_to_tensor(targets)
    if targets.dtype not in (tf.int32, tf.int64):
        targets = tf.cast(targets, tf.int32)
    predictions = convert_to_tensor(predictions)
    if predictions.dtype is not tf.float32:
        predictions = tf.cast(predictions, tf.float32)
    return tf.math.in_top_k(targets, predictions, k)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    data = convert_to_tensor(data)
    segment_ids = convert_to_tensor(segment_ids)
    if segment_ids.dtype not in (tf.int32, tf.int64):
        segment_ids = tf.cast(segment_ids, tf.int32)
    if num_segments is None:
        if sorted:
            return tf.math.segment_sum(data, segment_ids)
        num_segments = tf.reduce_max(segment_ids) + 1
    return tf.math.unsorted_segment_sum(data, segment_ids, num_segments)


# -- special functions -----------------------------------------------------------------------
_HALF = (tf.float16, tf.bfloat16)


def _upcast(x):
    return tf.cast(x, tf.float32) if x.dtype in _HALF else x


def erfc(x):
    return tf.math.erfc(_float(x))


def erfinv(x):
    x = _float(x)
    return tf.cast(tf.math.erfinv(_upcast(x)), x.dtype)


def logdet(x):
    x = _float(x)
    if x.shape.rank < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"logdet: expected (..., n, n) square matrices, received shape {x.shape}")
    return tf.cast(tf.linalg.slogdet(_upcast(x))[1], x.dtype)


# -- segment reductions ----------------------------------------------------------------------
def _segment(reducer, data, segment_ids, num_segments, empty):
    data = convert_to_tensor(data)
    segment_ids = convert_to_tensor(segment_ids)
    if segment_ids.dtype not in (tf.int32, tf.int64):
        segment_ids = tf.cast(segment_ids, tf.int32)
    if num_segments is None:
        num_segments = tf.reduce_max(segment_ids) + 1
    out = reducer(data, segment_ids, num_segments)
    if empty is not None and data.dtype.is_floating:
        # TF fills empty segments with the dtype's finite extreme; use the identity (+-inf).
        counts = tf.math.unsorted_segment_sum(tf.ones_like(segment_ids), segment_ids, num_segments)
        counts = tf.reshape(counts, tf.concat([tf.shape(counts), tf.ones([tf.rank(data) - 1], tf.int32)], 0))
        out = tf.where(counts > 0, out, tf.constant(empty, out.dtype))
    return out


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    return _segment(tf.math.unsorted_segment_max, data, segment_ids, num_segments, float("-inf"))


def segment_min(data, segment_ids, num_segments=None, sorted=False):
    return _segment(tf.math.unsorted_segment_min, data, segment_ids, num_segments, float("inf"))


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    return _segment(tf.math.unsorted_segment_prod, data, segment_ids, num_segments, None)


# -- complex views and Fourier transforms ------------------------------------------------------
def _real_pair(x, op_name):
    """A complex tensor from a (real, imag) tuple, plus the float dtype of the result."""
    spectral.check_complex_tuple(x, op_name)
    real, imag = _float(x[0]), _float(x[1])
    spectral.check_part_shapes(real.shape, imag.shape, op_name)
    dtype = tf_dtype(result_type(real.dtype.name, imag.dtype.name))
    work = tf.float32 if dtype in _HALF else dtype
    return tf.complex(tf.cast(real, work), tf.cast(imag, work)), dtype


def _split(z, dtype):
    return tf.cast(tf.math.real(z), dtype), tf.cast(tf.math.imag(z), dtype)


def _real_input(x):
    x = _float(x)
    return _upcast(x), x.dtype


def view_as_complex(x):
    x = _upcast(_float(x))
    if x.shape.rank < 1 or x.shape[-1] != 2:
        raise ValueError(f"view_as_complex: the last dimension must be 2, received shape {x.shape}")
    return tf.complex(x[..., 0], x[..., 1])


def view_as_real(x):
    x = convert_to_tensor(x)
    if not x.dtype.is_complex:
        raise ValueError(f"view_as_real: expected a complex tensor, received dtype {x.dtype.name}")
    return tf.stack([tf.math.real(x), tf.math.imag(x)], axis=-1)


def fft(x):
    z, dtype = _real_pair(x, "fft")
    return _split(tf.signal.fft(z), dtype)


def fft2(x):
    z, dtype = _real_pair(x, "fft2")
    return _split(tf.signal.fft2d(z), dtype)


def ifft2(x):
    z, dtype = _real_pair(x, "ifft2")
    return _split(tf.signal.ifft2d(z), dtype)


def rfft(x, fft_length=None):
    x, dtype = _real_input(x)
    n = x.shape[-1] if fft_length is None else fft_length
    return _split(tf.signal.rfft(x, fft_length=[n]), dtype)


def irfft(x, fft_length=None):
    z, dtype = _real_pair(x, "irfft")
    n = 2 * (z.shape[-1] - 1) if fft_length is None else fft_length
    return tf.cast(tf.signal.irfft(z, fft_length=[n]), dtype)


def extract_sequences(x, sequence_length, sequence_stride):
    x = convert_to_tensor(x)
    # Validates the arguments; tf.signal.frame also handles a length unknown until run time.
    spectral.frame_indices(x.shape[-1] or 0, sequence_length, sequence_stride, "extract_sequences")
    return tf.signal.frame(x, sequence_length, sequence_stride, axis=-1)


def _window(window, sequence_length, fft_length, dtype, op_name):
    return spectral.padded_window(window, sequence_length, fft_length, op_name,
                                  lambda values: tf.cast(convert_to_tensor(values), dtype),
                                  lambda win, pads: tf.pad(win, [pads]))


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    x, dtype = _real_input(x)
    spectral.check_stft_args(sequence_length, sequence_stride, fft_length, "stft")
    win = _window(window, sequence_length, fft_length, x.dtype, "stft")
    if center and x.shape[-1] is None:
        x = tf.pad(x, [[0, 0]] * (x.shape.rank - 1) + [[fft_length // 2] * 2], mode="REFLECT")
    elif center:
        x = tf.gather(x, spectral.reflect_indices(x.shape[-1], fft_length // 2), axis=-1)
    frames = extract_sequences(x, fft_length, sequence_stride)
    if win is not None:
        frames = frames * win
    return _split(tf.signal.rfft(frames, fft_length=[fft_length]), dtype)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    z, dtype = _real_pair(x, "istft")
    spectral.check_istft_input(z.shape)
    spectral.check_stft_args(sequence_length, sequence_stride, fft_length, "istft")
    work = tf.math.real(z).dtype
    win = _window(window, sequence_length, fft_length, work, "istft")
    frames = tf.signal.irfft(z, fft_length=[fft_length])
    num_frames = z.shape[-2]
    if win is not None:
        frames = frames * win
    signal = tf.signal.overlap_and_add(frames, sequence_stride)
    _, out_len = spectral.overlap_add_indices(num_frames, fft_length, sequence_stride)
    if win is not None:
        envelope = tf.signal.overlap_and_add(tf.tile((win * win)[None, :], [num_frames, 1]),
                                             sequence_stride)
        signal = signal / tf.where(envelope > 1e-10, envelope, tf.ones_like(envelope))
    start, stop, pad = spectral.istft_crop(out_len, fft_length, length, center)
    signal = signal[..., start:stop]
    if pad:
        signal = tf.pad(signal, [[0, 0]] * (signal.shape.rank - 1) + [[0, pad]])
    return tf.cast(signal, dtype)


# -- distances ---------------------------------------------------------------------------------
def cdist(x, y):
    x, y = _float(x), _float(y)
    dtype = tf_dtype(result_type(x.dtype.name, y.dtype.name))
    x, y = tf.cast(x, dtype), tf.cast(y, dtype)
    diff = tf.expand_dims(x, -2) - tf.expand_dims(y, -3)
    return tf.sqrt(tf.reduce_sum(diff * diff, axis=-1))
