"""Op cases for kiln.ops.math (special functions, top-k, segments, FFT/STFT, cdist)."""

import ml_dtypes
import numpy as np
import scipy.signal
import scipy.spatial.distance
import scipy.special

from cases_nn import _erf
from op_cases import B, Case, F, F2, FN, GradCase, I, I2, M, RNG, SPD, SQ, _f32, _i32, narrow  # noqa: F401


def _top_k(x, k, sorted=True):
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, idx, -1), idx.astype("int32")


def _segment_sum(data, ids, num_segments=None, sorted=False):
    out = np.zeros((num_segments,) + data.shape[1:], data.dtype)
    np.add.at(out, ids, data)
    return out


def _segment(ufunc):
    def ref(data, ids, num_segments=None, sorted=False):
        if num_segments is None:
            num_segments = int(ids.max()) + 1
        if ufunc is np.multiply:
            fill = 1
        elif data.dtype.kind == "f":
            fill = -np.inf if ufunc is np.maximum else np.inf
        else:
            fill = np.iinfo(data.dtype).min if ufunc is np.maximum else np.iinfo(data.dtype).max
        out = np.full((num_segments,) + data.shape[1:], fill, data.dtype)
        ufunc.at(out, ids, data)
        return out
    return ref


def _complex(pair):
    return pair[0].astype("float64") + 1j * pair[1].astype("float64")


def _parts(z, dtype="float32"):
    return z.real.astype(dtype), z.imag.astype(dtype)


def _window(window, sequence_length, fft_length):
    if window is None:  # no windowing at all: the whole fft_length frame counts
        return np.ones(fft_length)
    if isinstance(window, str):
        win = scipy.signal.get_window(window, sequence_length)
    else:
        win = np.asarray(window, "float64")
    left = (fft_length - sequence_length) // 2
    return np.pad(win, (left, fft_length - sequence_length - left))


def stft_ref(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """STFT written out frame by frame (the definition, not the implementation)."""
    x = np.asarray(x, "float64")
    if center:
        x = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)], mode="reflect")
    win = _window(window, sequence_length, fft_length)
    count = 1 + (x.shape[-1] - fft_length) // sequence_stride
    frames = np.stack([x[..., i * sequence_stride:i * sequence_stride + fft_length] * win
                       for i in range(count)], axis=-2)
    return _parts(np.fft.rfft(frames, n=fft_length))


def istft_ref(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
              center=True):
    """Inverse STFT by explicit overlap-add, divided by the summed squared window."""
    frames = np.fft.irfft(_complex(x), n=fft_length)
    win = _window(window, sequence_length, fft_length)
    count = frames.shape[-2]
    total = fft_length + sequence_stride * (count - 1)
    out = np.zeros(frames.shape[:-2] + (total,))
    envelope = np.zeros(total)
    for i in range(count):
        part = slice(i * sequence_stride, i * sequence_stride + fft_length)
        out[..., part] += frames[..., i, :] * (win if window is not None else 1.0)
        envelope[part] += win * win
    if window is not None:
        out = out / np.where(envelope > 1e-10, envelope, 1.0)
    start = fft_length // 2 if center else 0
    if length is not None:
        out = out[..., start:start + length]
        out = np.pad(out, [(0, 0)] * (out.ndim - 1) + [(0, length - out.shape[-1])])
    else:
        out = out[..., start:total - start]
    return out.astype("float32")


def _extract(x, sequence_length, sequence_stride):
    count = 1 + (x.shape[-1] - sequence_length) // sequence_stride
    return np.stack([x[..., i * sequence_stride:i * sequence_stride + sequence_length]
                     for i in range(count)], axis=-2)


def _cdist(x, y):
    if x.ndim == 2:
        return scipy.spatial.distance.cdist(x, y).astype("float32")
    return np.stack([_cdist(a, b) for a, b in zip(x, y)])


def _logdet(x):
    return np.linalg.slogdet(x.astype("float64"))[1].astype("float32")


SIGNAL = _f32((2, 32), -1.0, 1.0)
SPEC = stft_ref(SIGNAL, 8, 4, 16)


def cases():
    x = _f32((3, 4), -2.0, 2.0)
    preds = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]], "float32")
    seg_data = _f32((5, 2), -2.0, 2.0)
    seg_ids = np.array([0, 0, 2, 2, 2], "int32")
    re, im = _f32((2, 4), -1.0, 1.0), _f32((2, 4), -1.0, 1.0)
    re3, im3 = _f32((2, 3, 4), -1.0, 1.0), _f32((2, 3, 4), -1.0, 1.0)
    half_spec = [a[..., :5] for a in _parts(np.fft.rfft(_f32((2, 8), -1.0, 1.0)))]
    unit = _f32((3, 4), -0.9, 0.9)
    return [
        Case("logsumexp", x, ref=lambda v: np.log(np.exp(v).sum())),
        Case("logsumexp", x, axis=1, keepdims=True,
             ref=lambda v, axis, keepdims: np.log(np.exp(v).sum(axis=axis, keepdims=keepdims)),
             id="logsumexp-axis"),
        Case("logsumexp", x, axis=-1, ref=lambda v, axis: np.log(np.exp(v).sum(axis=axis)),
             id="logsumexp-neg-axis"),
        Case("erf", x, ref=_erf, rtol=1e-5, atol=1e-6),
        Case("rsqrt", F, ref=lambda v: 1 / np.sqrt(v), rtol=1e-5),
        Case("top_k", np.array([[1.0, 5.0, 3.0, 4.0], [9.0, 2.0, 7.0, 0.0]], "float32"), 2,
             ref=_top_k),
        Case("in_top_k", np.array([1, 2, 0], "int32"), preds, 1,
             ref=lambda t, p, k: np.array([1, 2, 0]) == p.argmax(-1)),
        Case("in_top_k", np.array([1, 2, 0], "int32"), preds, 2,
             ref=lambda t, p, k: np.array([True, False, False]), id="in_top_k-2"),
        Case("segment_sum", _f32((5, 2)), np.array([0, 0, 1, 2, 2], "int32"), num_segments=3,
             ref=_segment_sum, none_ok=False),
        # erfc / erfinv: float, int, 0-d, empty and half-precision inputs.
        Case("erfc", x, ref=scipy.special.erfc, rtol=1e-5, atol=1e-6),
        Case("erfc", I, ref=lambda v: scipy.special.erfc(v).astype("float32"), dtype="float32",
             rtol=1e-4, atol=1e-6, id="erfc-int"),
        Case("erfc", np.float32(0.5), ref=scipy.special.erfc, id="erfc-0d"),
        Case("erfc", x.astype("float16"), ref=lambda v: scipy.special.erfc(v.astype("float32")),
             dtype="float16", rtol=1e-2, atol=1e-3, id="erfc-f16"),
        Case("erfinv", unit, ref=scipy.special.erfinv, rtol=1e-4, atol=1e-5),
        Case("erfinv", np.zeros((0, 3), "float32"), ref=scipy.special.erfinv, id="erfinv-empty"),
        Case("erfinv", unit.astype("float16"), ref=lambda v: scipy.special.erfinv(v.astype("float32")),
             dtype="float16", rtol=1e-2, atol=1e-2, id="erfinv-f16"),
        # Segment reductions: empty segments (1 and 3) hold the identity.
        Case("segment_max", seg_data, seg_ids, num_segments=4, ref=_segment(np.maximum),
             none_ok=False),
        Case("segment_max", _i32((5, 2), -5, 5), seg_ids, num_segments=4, ref=_segment(np.maximum),
             none_ok=False, id="segment_max-int"),
        Case("segment_min", seg_data, seg_ids, num_segments=4, ref=_segment(np.minimum),
             none_ok=False),
        Case("segment_min", seg_data, np.array([0, 1, 1, 2, 2], "int32"), num_segments=3,
             sorted=True, ref=_segment(np.minimum), none_ok=False, id="segment_min-sorted"),
        Case("segment_max", seg_data.astype(ml_dtypes.bfloat16), seg_ids, num_segments=4,
             ref=lambda d, i, num_segments: _segment(np.maximum)(d.astype("float32"), i, num_segments),
             dtype="bfloat16", rtol=1e-2, none_ok=False, id="segment_max-bf16"),
        Case("segment_prod", seg_data, seg_ids, num_segments=4, ref=_segment(np.multiply),
             rtol=1e-5, none_ok=False),
        Case("segment_prod", _f32((5,)), seg_ids, num_segments=3, ref=_segment(np.multiply),
             rtol=1e-5, none_ok=False, id="segment_prod-1d"),
        Case("logdet", SPD, ref=_logdet, rtol=1e-4, none_ok=False),
        Case("logdet", np.stack([SPD, 2 * SPD]), ref=_logdet, rtol=1e-4, id="logdet-batched"),
        # Complex views.
        Case("view_as_complex", _f32((3, 2), -1.0, 1.0),
             ref=lambda v: (v[..., 0] + 1j * v[..., 1]).astype("complex64"), dtype="complex64"),
        Case("view_as_real", (re + 1j * im).astype("complex64"),
             ref=lambda z: np.stack([z.real, z.imag], -1)),
        # FFTs on (real, imag) pairs (given as lists so the symbolic replay sees tensors).
        Case("fft", [re3, im3], ref=lambda p: _parts(np.fft.fft(_complex(p))), rtol=1e-5, atol=1e-5),
        Case("fft", [re.astype("float16"), im.astype("float16")],
             ref=lambda p: _parts(np.fft.fft(_complex(p)), "float16"), rtol=1e-2, atol=1e-2,
             id="fft-f16"),
        Case("fft2", [re3, im3], ref=lambda p: _parts(np.fft.fft2(_complex(p))), rtol=1e-5,
             atol=1e-5),
        Case("ifft2", [re3, im3], ref=lambda p: _parts(np.fft.ifft2(_complex(p))), rtol=1e-5,
             atol=1e-5),
        Case("rfft", SIGNAL[:, :8], ref=lambda v: _parts(np.fft.rfft(v)), rtol=1e-5, atol=1e-5),
        Case("rfft", SIGNAL[:, :8], fft_length=6,
             ref=lambda v, fft_length: _parts(np.fft.rfft(v, fft_length)),
             rtol=1e-5, atol=1e-5, id="rfft-crop"),
        Case("rfft", SIGNAL[:, :8], fft_length=11,
             ref=lambda v, fft_length: _parts(np.fft.rfft(v, fft_length)), rtol=1e-5, atol=1e-5,
             id="rfft-pad"),
        Case("irfft", half_spec, ref=lambda p: np.fft.irfft(_complex(p)).astype("float32"),
             rtol=1e-5, atol=1e-5),
        Case("irfft", half_spec, fft_length=9,
             ref=lambda p, fft_length: np.fft.irfft(_complex(p), fft_length).astype("float32"),
             rtol=1e-5, atol=1e-5, id="irfft-odd"),
        # Framing and short-time transforms.
        Case("extract_sequences", np.arange(12, dtype="int32").reshape(2, 6), 2, 2, ref=_extract,
             id="extract_sequences-int"),
        Case("stft", SIGNAL, 8, 4, 16, ref=stft_ref, rtol=1e-4, atol=1e-4),
        Case("stft", SIGNAL, 16, 4, 16, window="hamming", center=False, ref=stft_ref, rtol=1e-4,
             atol=1e-4, id="stft-hamming-nocenter"),
        Case("stft", SIGNAL[0], 6, 3, 8, window=None, ref=stft_ref, rtol=1e-4, atol=1e-4,
             id="stft-nowindow-1d"),
        Case("stft", SIGNAL, 5, 2, 8, window=np.linspace(0.1, 1.0, 5).astype("float32"),
             ref=stft_ref, rtol=1e-4, atol=1e-4, id="stft-window-array"),
        Case("istft", list(SPEC), 8, 4, 16, ref=istft_ref, rtol=1e-4, atol=1e-4),
        Case("istft", list(SPEC), 8, 4, 16, length=40, center=False, window=None, ref=istft_ref,
             rtol=1e-4, atol=1e-4, id="istft-pad-nowindow"),
        Case("cdist", _f32((2, 3, 4)), _f32((2, 5, 4)), ref=_cdist, rtol=1e-5, none_ok=False,
             id="cdist-batched"),
        Case("cdist", _i32((2, 3)), _i32((3, 3)), ref=_cdist, rtol=1e-5, id="cdist-int"),
        Case("cdist", _f32((3, 2)).astype("float16"), _f32((4, 2)).astype("float16"),
             ref=lambda a, b: _cdist(a.astype("float32"), b.astype("float32")), dtype="float16",
             rtol=1e-2, atol=1e-2, id="cdist-f16"),
    ]


def grad_cases():
    x = _f32((3, 4), -2.0, 2.0)
    seg = np.array([[0.3, -1.2], [1.1, 0.4], [-0.7, 1.6], [0.9, -0.2], [1.4, 0.8]], "float32")
    ids = np.array([0, 0, 1, 2, 2], "int32")
    spd = (SPD / 10.0).astype("float32")
    return [
        GradCase("logsumexp", x, axis=1),
        GradCase("erf", x),
        GradCase("erfc", x),
        GradCase("erfinv", _f32((3, 4), -0.8, 0.8)),
        GradCase("rsqrt", F),
        GradCase("segment_sum", seg, ids, num_segments=3),
        GradCase("segment_max", seg, ids, num_segments=3),
        GradCase("segment_min", seg, ids, num_segments=3),
        GradCase("segment_prod", seg, ids, num_segments=3),
        GradCase("logdet", spd),
        GradCase("cdist", _f32((3, 2)), _f32((4, 2), 3.0, 4.0)),
        GradCase("extract_sequences", SIGNAL[:, :10], 4, 3),
    ]
