"""JAX backend math ops: special functions, top-k, segment reductions, FFTs, STFT, cdist.

Example:
    >>> import jax.numpy as jnp
    >>> from kiln.backend.jax import math
    >>> [int(i) for i in math.top_k(jnp.array([1.0, 3.0, 2.0]), 2)[1]]
    [1, 2]
"""

import functools

import jax
import jax.numpy as jnp

from kiln.backend.common import spectral
from kiln.backend.jax.core import convert_to_tensor, promote2, to_float

_t = convert_to_tensor


def logsumexp(x, axis=None, keepdims=False):
    axis = tuple(axis) if isinstance(axis, list) else axis
    return jax.scipy.special.logsumexp(to_float(x), axis=axis, keepdims=keepdims)


def erf(x):
    return jax.lax.erf(to_float(x))


def rsqrt(x):
    return jax.lax.rsqrt(to_float(x))


def top_k(x, k, sorted=True):
    """(values, int32 indices) of the ``k`` largest entries along the last axis."""
    x = _t(x)
    if x.ndim < 1 or not 0 <= int(k) <= x.shape[-1]:
        raise ValueError(f"top_k: k must be in [0, {x.shape[-1] if x.ndim else 0}] "
                         f"(the last dimension), received k={k} for shape {x.shape}")
    return jax.lax.top_k(x, int(k))


def in_top_k(targets, predictions, k):
    """True where the prediction for ``targets`` is among the ``k`` largest (ties count)."""
    predictions = _t(predictions)
    targets = _t(targets)
    if targets.dtype.kind not in "iu":
        targets = targets.astype("int32")
    if predictions.ndim != 2 or targets.shape != predictions.shape[:1]:
        raise ValueError(
            "in_top_k: expected predictions of shape (batch, classes) and targets of shape "
            f"(batch,), received {predictions.shape} and {targets.shape}"
        )
    target_values = jnp.take_along_axis(predictions, targets[:, None], axis=-1)[:, 0]
    kth = jax.lax.top_k(predictions, int(k))[0][:, -1]
    return target_values >= kth


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    data = _t(data)
    segment_ids = _t(segment_ids)
    if segment_ids.dtype.kind not in "iu":
        segment_ids = segment_ids.astype("int32")
    return jax.ops.segment_sum(data, segment_ids, num_segments=num_segments,
                               indices_are_sorted=sorted)


# -- special functions -----------------------------------------------------------------------
def erfc(x):
    return jax.lax.erfc(to_float(x))


def erfinv(x):
    return jax.lax.erf_inv(to_float(x))


# -- segment reductions ----------------------------------------------------------------------
def _segment(reducer, data, segment_ids, num_segments, sorted):
    data = _t(data)
    segment_ids = _t(segment_ids)
    if segment_ids.dtype.kind not in "iu":
        segment_ids = segment_ids.astype("int32")
    return reducer(data, segment_ids, num_segments=num_segments, indices_are_sorted=sorted)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    return _segment(jax.ops.segment_max, data, segment_ids, num_segments, sorted)


def segment_min(data, segment_ids, num_segments=None, sorted=False):
    return _segment(jax.ops.segment_min, data, segment_ids, num_segments, sorted)


def _combine_runs(left, right):
    left_start, left_value = left
    right_start, right_value = right
    return left_start | right_start, jnp.where(right_start, right_value, left_value * right_value)


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    # jax.ops.segment_prod scatters with multiply, which has no gradient for repeated ids;
    # instead sort by id, take running products that restart at each new id, and keep the
    # last running product of every id (compiled once per shape: many small steps).
    data = _t(data)
    segment_ids = _t(segment_ids)
    if segment_ids.dtype.kind not in "iu":
        segment_ids = segment_ids.astype("int32")
    if num_segments is None:
        num_segments = int(jnp.max(segment_ids)) + 1 if segment_ids.size else 0
    return _segment_prod(data, segment_ids, int(num_segments), bool(sorted))


@functools.partial(jax.jit, static_argnums=(2, 3))
def _segment_prod(data, segment_ids, num_segments, sorted):
    if not sorted:
        order = jnp.argsort(segment_ids, stable=True)
        segment_ids, data = segment_ids[order], data[order]
    if data.shape[0] == 0:
        return jnp.ones((num_segments,) + data.shape[1:], data.dtype)
    change = segment_ids[1:] != segment_ids[:-1]
    starts = jnp.concatenate([jnp.ones((1,), bool), change])
    ends = jnp.concatenate([change, jnp.ones((1,), bool)])
    starts = jnp.broadcast_to(starts.reshape((-1,) + (1,) * (data.ndim - 1)), data.shape)
    _, running = jax.lax.associative_scan(_combine_runs, (starts, data))
    valid = ends & (segment_ids >= 0) & (segment_ids < num_segments)
    target = jnp.where(valid, segment_ids, num_segments)
    out = jnp.ones((num_segments,) + data.shape[1:], data.dtype)
    return out.at[target].set(running, mode="drop", unique_indices=True)


# -- complex views and Fourier transforms ------------------------------------------------------
_HALF = ("float16", "bfloat16")


def _real_pair(x, op_name):
    """(real, imag) of a (real, imag) tuple as float32/float64 arrays, plus the result dtype."""
    spectral.check_complex_tuple(x, op_name)
    real, imag = to_float(x[0]), to_float(x[1])
    spectral.check_part_shapes(real.shape, imag.shape, op_name)
    dtype = jnp.promote_types(real.dtype, imag.dtype)
    work = jnp.float32 if dtype.name in _HALF else dtype
    return jax.lax.complex(real.astype(work), imag.astype(work)), dtype


def _split(z, dtype):
    return jnp.real(z).astype(dtype), jnp.imag(z).astype(dtype)


def _real_input(x):
    x = to_float(x)
    return (x.astype(jnp.float32) if x.dtype.name in _HALF else x), x.dtype


def view_as_complex(x):
    x = to_float(x)
    if x.ndim < 1 or x.shape[-1] != 2:
        raise ValueError(f"view_as_complex: the last dimension must be 2, received shape {x.shape}")
    if x.dtype.name in _HALF:
        x = x.astype(jnp.float32)
    return jax.lax.complex(x[..., 0], x[..., 1])


def view_as_real(x):
    x = _t(x)
    if not jnp.iscomplexobj(x):
        raise ValueError(f"view_as_real: expected a complex tensor, received dtype {x.dtype}")
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)


fft, fft2, ifft2, rfft, irfft = spectral.fft_ops(jnp.fft, _real_pair, _real_input, _split,
                                                 lambda x, dtype: x.astype(dtype))


def extract_sequences(x, sequence_length, sequence_stride):
    x = _t(x)
    return x[..., spectral.frame_grid(x.shape[-1], sequence_length, sequence_stride)]


def _window(window, sequence_length, fft_length, dtype, op_name):
    return spectral.padded_window(window, sequence_length, fft_length, op_name,
                                  lambda values: jnp.asarray(values, dtype), lambda win, pads: jnp.pad(win, [pads]))


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    x, dtype = _real_input(x)
    spectral.check_stft_args(sequence_length, sequence_stride, fft_length, "stft")
    win = _window(window, sequence_length, fft_length, x.dtype, "stft")
    return _stft(x, win, sequence_stride, fft_length, center, dtype)


@functools.partial(jax.jit, static_argnums=(2, 3, 4, 5))
def _stft(x, win, sequence_stride, fft_length, center, dtype):
    if center:
        pad = [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)]
        x = jnp.pad(x, pad, mode="reflect")
    frames = extract_sequences(x, fft_length, sequence_stride)
    if win is not None:
        frames = frames * win
    return _split(jnp.fft.rfft(frames, n=fft_length), dtype)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    z, dtype = _real_pair(x, "istft")
    spectral.check_istft_input(z.shape)
    spectral.check_stft_args(sequence_length, sequence_stride, fft_length, "istft")
    win = _window(window, sequence_length, fft_length, jnp.real(z).dtype, "istft")
    return _istft(z, win, sequence_stride, fft_length, length, center, dtype)


@functools.partial(jax.jit, static_argnums=(2, 3, 4, 5, 6))
def _istft(z, win, sequence_stride, fft_length, length, center, dtype):
    work = jnp.real(z).dtype
    frames = jnp.fft.irfft(z, n=fft_length)
    num_frames = z.shape[-2]
    index, out_len = spectral.overlap_add_indices(num_frames, fft_length, sequence_stride)
    batch = frames.shape[:-2]
    if win is not None:
        frames = frames * win
    flat = frames.reshape((-1, num_frames * fft_length))
    signal = jnp.zeros((flat.shape[0], out_len), work).at[:, index].add(flat)
    if win is not None:
        envelope = jnp.zeros((out_len,), work).at[index].add(jnp.tile(win * win, num_frames))
        signal = signal / jnp.where(envelope > 1e-10, envelope, 1.0)
    signal = signal.reshape(batch + (out_len,))
    start, stop, pad = spectral.istft_crop(out_len, fft_length, length, center)
    signal = signal[..., start:stop]
    if pad:
        signal = jnp.pad(signal, [(0, 0)] * (signal.ndim - 1) + [(0, pad)])
    return signal.astype(dtype)


def logdet(x):
    x = to_float(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"logdet: expected (..., n, n) square matrices, received shape {x.shape}")
    return jnp.linalg.slogdet(x)[1]


# -- distances ---------------------------------------------------------------------------------
def cdist(x, y):
    x, y = promote2(to_float(x), to_float(y))
    diff = x[..., :, None, :] - y[..., None, :, :]
    return jnp.sqrt(jnp.sum(diff * diff, axis=-1))
