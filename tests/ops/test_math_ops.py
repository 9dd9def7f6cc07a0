"""math, linalg and image ops against NumPy."""

import numpy as np
import pytest

import kiln
from kiln import ops
from kiln.backend import KerasTensor
from op_cases import compiled

BACKEND = kiln.backend.current.NAME
np_ = ops.convert_to_numpy



def test_submodules_expose_their_ops():
    assert ops.linalg.det is ops.det and ops.math.logsumexp is ops.logsumexp
    assert ops.image.resize is ops.resize


def test_logsumexp_is_stable_for_large_values():
    x = np.array([1000.0, 1000.0], "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(ops.logsumexp(x)), 1000.0 + np.log(2.0), rtol=1e-6)


def test_cholesky_upper():
    from op_cases import SPD

    upper = ops.convert_to_numpy(ops.cholesky(SPD, upper=True))
    np.testing.assert_allclose(upper, np.linalg.cholesky(SPD).T, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_resize_nearest_and_bilinear(data_format):
    image = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
    inputs = image if data_format == "channels_last" else np.moveaxis(image, -1, 1)
    nearest = ops.image.resize(inputs, (4, 4), interpolation="nearest", data_format=data_format)
    got = ops.convert_to_numpy(nearest)
    if data_format == "channels_first":
        got = np.moveaxis(got, 1, -1)
    np.testing.assert_allclose(got[0, :, :, 0], np.repeat(np.repeat(image[0, :, :, 0], 2, 0), 2, 1))
    constant = np.full((2, 5, 6, 3), 3.0, "float32")
    if data_format == "channels_first":
        constant = np.moveaxis(constant, -1, 1)
    out = ops.image.resize(constant, (3, 4), data_format=data_format)
    expected_shape = (2, 3, 4, 3) if data_format == "channels_last" else (2, 3, 3, 4)
    assert tuple(ops.shape(out)) == expected_shape
    np.testing.assert_allclose(ops.convert_to_numpy(out), 3.0, rtol=1e-6)


def test_resize_bilinear_half_pixel_values():
    # Downscaling by 2 with half-pixel centers averages each 2x2 block.
    image = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
    out = ops.convert_to_numpy(ops.image.resize(image, (2, 2), data_format="channels_last"))
    expected = image[0, :, :, 0].reshape(2, 2, 2, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(out[0, :, :, 0], expected, rtol=1e-5)


def test_resize_symbolic():
    from kiln.backend import KerasTensor

    y = ops.image.resize(KerasTensor((None, 8, 8, 3)), (4, 5), data_format="channels_last")
    assert y.shape == (None, 4, 5, 3)
    y = ops.image.resize(KerasTensor((None, 3, 8, 8)), (4, 5), data_format="channels_first")
    assert y.shape == (None, 3, 4, 5)


# -- FFT / STFT ------------------------------------------------------------------------------
@pytest.mark.parametrize("window, center", [("hann", True), ("hamming", False)])
def test_istft_inverts_stft(window, center):
    from op_cases import _f32

    signal = _f32((2, 64), -1.0, 1.0)
    spec = ops.stft(signal, 16, 4, 16, window=window, center=center)
    back = np_(ops.istft(spec, 16, 4, 16, length=64 if center else None, window=window, center=center))
    if center:
        np.testing.assert_allclose(back, signal, atol=1e-4)
    else:
        # Without padding the first/last samples are covered by too few (tapered) frames.
        np.testing.assert_allclose(back[:, 16:-16], signal[:, 16:back.shape[-1] - 16], atol=1e-4)


def test_stft_istftcompiled():
    from op_cases import _f32

    signal = _f32((2, 40), -1.0, 1.0)

    def fn(x):
        return ops.istft(ops.stft(x, 8, 2, 8), 8, 2, 8, length=40)

    np.testing.assert_allclose(np_(compiled(fn)(ops.convert_to_tensor(signal))), signal, atol=1e-4)


def test_fft_family_symbolic_shapes():
    pair = (KerasTensor((None, 4, 6)), KerasTensor((None, 4, 6)))
    assert [t.shape for t in ops.fft(pair)] == [(None, 4, 6)] * 2
    assert [t.shape for t in ops.fft2(pair)] == [(None, 4, 6)] * 2
    assert [t.shape for t in ops.rfft(KerasTensor((None, 10)), fft_length=16)] == [(None, 9)] * 2
    assert ops.irfft(pair).shape == (None, 4, 10)
    assert ops.irfft(pair, fft_length=7).shape == (None, 4, 7)
    real, imag = ops.stft(KerasTensor((None, 100)), 16, 8, 32)
    assert real.shape == (None, 13, 17) and imag.dtype == "float32"
    assert ops.stft(KerasTensor((3, None)), 16, 8, 32)[0].shape == (3, None, 17)
    spec = (KerasTensor((None, 13, 17)), KerasTensor((None, 13, 17)))
    assert ops.istft(spec, 16, 8, 32).shape == (None, 96)
    assert ops.istft(spec, 16, 8, 32, length=100).shape == (None, 100)
    assert ops.istft(spec, 16, 8, 32, center=False).shape == (None, 128)
    assert ops.extract_sequences(KerasTensor((None, 10)), 4, 3).shape == (None, 3, 4)
    z = ops.view_as_complex(KerasTensor((None, 3, 2)))
    assert (z.shape, z.dtype) == ((None, 3), "complex64")
    r = ops.view_as_real(z)
    assert (r.shape, r.dtype) == ((None, 3, 2), "float32")
    assert ops.cdist(KerasTensor((None, 3, 4)), KerasTensor((1, 5, 4))).shape == (None, 3, 5)


@pytest.mark.parametrize("call, message", [
    (lambda: ops.fft((KerasTensor((2, 3)), KerasTensor((2, 4)))), "fft"),
    (lambda: ops.fft2((KerasTensor((3,)), KerasTensor((3,)))), "fft2"),
    (lambda: ops.fft(KerasTensor((2, 3))), "fft"),
    (lambda: ops.stft(KerasTensor((2, 30)), 16, 4, 8), "fft_length"),
    (lambda: ops.stft(KerasTensor((2, 30)), 8, 4, 8, window="blackman"), "window"),
    (lambda: ops.stft(KerasTensor((2, 30)), 8, 0, 8), "sequence_stride"),
    (lambda: ops.istft((KerasTensor((4,)), KerasTensor((4,))), 8, 4, 8), "istft"),
    (lambda: ops.view_as_complex(KerasTensor((2, 3))), "view_as_complex"),
    (lambda: ops.view_as_real(KerasTensor((2, 3))), "view_as_real"),
    (lambda: ops.cdist(KerasTensor((2, 3)), KerasTensor((2, 4))), "cdist"),
    (lambda: ops.logdet(KerasTensor((2, 3))), "logdet"),
    (lambda: ops.rfft(KerasTensor((4,)), fft_length=0), "rfft"),
], ids=["fft-parts", "fft2-rank", "fft-not-pair", "stft-fft-length", "stft-window", "stft-stride",
        "istft-rank", "view_as_complex", "view_as_real", "cdist", "logdet", "rfft-length"])
def test_bad_arguments_raise_naming_the_op(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_eager_argument_errors():
    from op_cases import _f32

    signal = _f32((2, 30))
    with pytest.raises(ValueError, match="stft"):
        ops.stft(signal, 8, 4, 8, window=np.ones(5, "float32"))
    with pytest.raises(ValueError, match="fft"):
        ops.fft((np.ones(3, "float32"), np.ones(4, "float32")))
    with pytest.raises(ValueError, match="view_as_complex"):
        ops.view_as_complex(np.ones((2, 3), "float32"))


# -- segments --------------------------------------------------------------------------------
def test_segment_reductions_infer_num_segments():
    data = np.array([1.0, 5.0, 3.0, 2.0], "float32")
    ids = np.array([0, 0, 1, 1], "int32")
    np.testing.assert_allclose(np_(ops.segment_max(data, ids)), [5.0, 3.0])
    np.testing.assert_allclose(np_(ops.segment_min(data, ids)), [1.0, 2.0])
    np.testing.assert_allclose(np_(ops.segment_prod(data, ids)), [5.0, 6.0])


def test_segment_maxcompiled():
    data = np.array([[1.0, -1.0], [5.0, 2.0], [3.0, 0.0]], "float32")
    ids = np.array([0, 0, 2], "int32")

    def fn(d, i):
        return ops.segment_max(d, i, num_segments=3), ops.segment_prod(d, i, num_segments=3)

    top, prod = compiled(fn)(ops.convert_to_tensor(data), ops.convert_to_tensor(ids))
    np.testing.assert_allclose(np_(top), [[5.0, 2.0], [-np.inf, -np.inf], [3.0, 0.0]])
    np.testing.assert_allclose(np_(prod), [[5.0, -2.0], [1.0, 1.0], [3.0, 0.0]])


def test_cdist_and_logdetcompiled():
    from op_cases import SPD, _f32

    x, y = _f32((3, 2)), _f32((4, 2))

    def fn(a, b, m):
        return ops.cdist(a, b), ops.logdet(m), ops.erfinv(ops.erf(a / 4.0))

    dist, logdet, inv = compiled(fn)(*(ops.convert_to_tensor(v) for v in (x, y, SPD)))
    np.testing.assert_allclose(np_(dist), np.sqrt(((x[:, None] - y[None]) ** 2).sum(-1)), rtol=1e-5)
    np.testing.assert_allclose(np_(logdet), np.linalg.slogdet(SPD.astype("float64"))[1], rtol=1e-4)
    np.testing.assert_allclose(np_(inv), x / 4.0, rtol=1e-4, atol=1e-5)
