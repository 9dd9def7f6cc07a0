"""Torch backend: ``kiln.ops.math`` (special functions, top-k, segments, FFT/STFT, cdist).

Example:
    >>> import torch
    >>> top_k(torch.tensor([1.0, 3.0, 2.0]), 2)[1].tolist()
    [1, 2]
"""

import torch

from kiln.backend.common import spectral
from kiln.backend.torch.array_ops import _axis, _fx, _t
from kiln.backend.torch.core import convert_to_tensor


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, computed stably."""
    x = _fx(x)
    axis = _axis(axis)
    if axis is None:
        axis = tuple(range(x.ndim))
    elif isinstance(axis, int):
        axis = (axis,)
    return torch.logsumexp(x, dim=axis, keepdim=keepdims)


def erf(x):
    """Elementwise error function."""
    return torch.erf(_fx(x))


def rsqrt(x):
    """Elementwise ``1 / sqrt(x)``."""
    return torch.rsqrt(_fx(x))


def top_k(x, k, sorted=True):  # noqa: A002 - public signature
    """The ``k`` largest values along the last axis and their indices (int32)."""
    x = _t(x)
    values, indices = torch.topk(x, int(k), dim=-1, largest=True, sorted=sorted)
    return values, indices.to(torch.int32)


def in_top_k(targets, predictions, k):
    """Whether each target class is among the ``k`` highest predictions (ties count as in)."""
    targets = _t(targets).long()
    predictions = _fx(predictions)
    target_values = torch.gather(predictions, 1, targets.unsqueeze(1))
    higher = torch.sum(predictions > target_values, dim=1)
    return (higher < int(k)) & torch.isfinite(target_values.squeeze(1))


def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Sum rows of ``data`` sharing a segment id; ids outside ``[0, num_segments)`` are dropped."""
    return _segment(data, segment_ids, num_segments, "sum")


# -- special functions -----------------------------------------------------------------------
_HALF = (torch.float16, torch.bfloat16)


def erfc(x):
    """Elementwise complementary error function."""
    return torch.special.erfc(_fx(x))


def erfinv(x):
    """Elementwise inverse error function."""
    x = _fx(x)
    if x.dtype in _HALF:
        return torch.special.erfinv(x.float()).to(x.dtype)
    return torch.special.erfinv(x)


# -- segment reductions ----------------------------------------------------------------------
def _segment(data, segment_ids, num_segments, reduce):
    data = _t(data)
    segment_ids = convert_to_tensor(segment_ids)
    if segment_ids.dtype is not torch.int64:
        segment_ids = segment_ids.long()
    if num_segments is None:
        num_segments = int(segment_ids.max()) + 1 if segment_ids.numel() else 0
    num_segments = int(num_segments)
    valid = (segment_ids >= 0) & (segment_ids < num_segments)
    if not bool(valid.all()):
        data = data[valid]
        segment_ids = segment_ids[valid]
    if reduce == "sum":
        fill = 0
    elif reduce == "prod":
        fill = 1
    elif data.dtype.is_floating_point:
        fill = float("-inf") if reduce == "amax" else float("inf")
    elif data.dtype is torch.bool:
        fill = reduce != "amax"
    else:
        info = torch.iinfo(data.dtype)
        fill = info.min if reduce == "amax" else info.max
    out = torch.full((num_segments,) + tuple(data.shape[1:]), fill, dtype=data.dtype,
                     device=data.device)
    index = segment_ids.reshape((-1,) + (1,) * (data.ndim - 1)).expand_as(data)
    return out.scatter_reduce(0, index, data, reduce=reduce, include_self=True)


def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Maximum of the rows sharing a segment id (dtype minimum, -inf for floats, if empty)."""
    return _segment(data, segment_ids, num_segments, "amax")


def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Minimum of the rows sharing a segment id (dtype maximum, inf for floats, if empty)."""
    return _segment(data, segment_ids, num_segments, "amin")


def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Product of the rows sharing a segment id (1 if empty)."""
    return _segment(data, segment_ids, num_segments, "prod")


def logdet(x):
    """``log|det(x)|`` over the last two axes (the log-determinant of positive-definite x)."""
    x = _fx(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"logdet: expected (..., n, n) square matrices, received shape {tuple(x.shape)}")
    if x.dtype in _HALF:
        return torch.linalg.slogdet(x.float())[1].to(x.dtype)
    return torch.linalg.slogdet(x)[1]


# -- complex views and Fourier transforms ------------------------------------------------------
def _real_pair(x, op_name):
    """A complex tensor from a (real, imag) tuple, plus the float dtype of the result."""
    spectral.check_complex_tuple(x, op_name)
    real, imag = _fx(x[0]), _fx(x[1])
    spectral.check_part_shapes(real.shape, imag.shape, op_name)
    dtype = torch.promote_types(real.dtype, imag.dtype)
    work = torch.float32 if dtype in _HALF else dtype
    return torch.complex(real.to(work), imag.to(work)), dtype


def _split(z, dtype):
    return z.real.to(dtype), z.imag.to(dtype)


def _real_input(x):
    x = _fx(x)
    return (x.float() if x.dtype in _HALF else x), x.dtype


def view_as_complex(x):
    """A complex tensor from a float tensor whose last axis is (real, imag)."""
    x = _fx(x)
    if x.ndim < 1 or x.shape[-1] != 2:
        raise ValueError(f"view_as_complex: the last dimension must be 2, received shape {tuple(x.shape)}")
    if x.dtype in _HALF:
        x = x.float()
    return torch.complex(x[..., 0], x[..., 1])


def view_as_real(x):
    """A float tensor with a trailing (real, imag) axis from a complex tensor."""
    x = _t(x)
    if not x.is_complex():
        raise ValueError(f"view_as_real: expected a complex tensor, received dtype {x.dtype}")
    return torch.stack([x.real, x.imag], dim=-1)


fft, fft2, ifft2, rfft, irfft = spectral.fft_ops(torch.fft, _real_pair, _real_input, _split,
                                                 lambda x, dtype: x.to(dtype))


def _index(array, device):
    return torch.as_tensor(array, dtype=torch.long, device=device)


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` samples every ``sequence_stride`` along the last axis."""
    x = _t(x)
    return x[..., _index(spectral.frame_grid(x.shape[-1], sequence_length, sequence_stride), x.device)]


def _window(window, sequence_length, fft_length, dtype, device, op_name):
    return spectral.padded_window(window, sequence_length, fft_length, op_name,
                                  lambda values: convert_to_tensor(values).to(dtype=dtype, device=device),
                                  torch.nn.functional.pad)


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform of the last axis as a (real, imag) tuple."""
    x, dtype = _real_input(x)
    spectral.check_stft_args(sequence_length, sequence_stride, fft_length, "stft")
    win = _window(window, sequence_length, fft_length, x.dtype, x.device, "stft")
    if center:
        x = x[..., _index(spectral.reflect_indices(x.shape[-1], fft_length // 2), x.device)]
    frames = extract_sequences(x, fft_length, sequence_stride)
    if win is not None:
        frames = frames * win
    return _split(torch.fft.rfft(frames, n=fft_length), dtype)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """Inverse STFT: windowed overlap-add normalized by the squared-window envelope."""
    z, dtype = _real_pair(x, "istft")
    spectral.check_istft_input(z.shape)
    spectral.check_stft_args(sequence_length, sequence_stride, fft_length, "istft")
    work = z.real.dtype
    win = _window(window, sequence_length, fft_length, work, z.device, "istft")
    frames = torch.fft.irfft(z, n=fft_length)
    num_frames = z.shape[-2]
    index, out_len = spectral.overlap_add_indices(num_frames, fft_length, sequence_stride)
    index = _index(index, z.device)
    batch = tuple(frames.shape[:-2])
    if win is not None:
        frames = frames * win
    flat = frames.reshape((-1, num_frames * fft_length))
    signal = torch.zeros((flat.shape[0], out_len), dtype=work, device=z.device).index_add(1, index, flat)
    if win is not None:
        envelope = torch.zeros((out_len,), dtype=work, device=z.device).index_add(
            0, index, (win * win).repeat(num_frames))
        signal = signal / torch.where(envelope > 1e-10, envelope, torch.ones_like(envelope))
    signal = signal.reshape(batch + (out_len,))
    start, stop, pad = spectral.istft_crop(out_len, fft_length, length, center)
    signal = signal[..., start:stop]
    if pad:
        signal = torch.nn.functional.pad(signal, (0, pad))
    return signal.to(dtype)


# -- distances ---------------------------------------------------------------------------------
def cdist(x, y):
    """Euclidean distances between the rows of ``x`` (..., m, d) and ``y`` (..., n, d)."""
    x, y = _fx(x), _fx(y)
    dtype = torch.promote_types(x.dtype, y.dtype)
    x, y = x.to(dtype), y.to(dtype)
    diff = x.unsqueeze(-2) - y.unsqueeze(-3)
    return torch.sqrt(torch.sum(diff * diff, dim=-1))
