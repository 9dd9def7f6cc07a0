"""STFT initializer: kernels reproduce NumPy's rfft of windowed frames; windows vs SciPy; config; errors."""

import numpy as np
import pytest

from kiln import initializers, ops
from kiln.initializers.stft_initializer import get_window


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


@pytest.mark.parametrize("window, scaling, periodic", [
    (None, None, False), ("hann", "density", False), ("hamming", "spectrum", True),
    ("blackman", None, True)])
def test_kernels_compute_the_windowed_rfft(window, scaling, periodic):
    frame_length, bins = 8, 5
    real = _np(initializers.STFT("real", window, scaling, periodic)((frame_length, 1, bins)))
    imag = _np(initializers.STFT("imag", window, scaling, periodic)((frame_length, 1, bins)))
    frame = np.random.default_rng(0).standard_normal(frame_length)
    win = np.ones(frame_length) if window is None else get_window(window, frame_length, periodic)
    want = np.fft.rfft(frame * win)
    if window is not None and scaling == "density":
        want = want / np.sqrt((win ** 2).sum())
    elif window is not None and scaling == "spectrum":
        want = want / np.abs(win).sum()
    np.testing.assert_allclose(frame @ real[:, 0, :], want.real, atol=1e-5)
    np.testing.assert_allclose(frame @ imag[:, 0, :], want.imag, atol=1e-5)


@pytest.mark.parametrize("name", ["hann", "hamming", "blackman", "bartlett", "triang", "nuttall",
                                  "blackmanharris", "boxcar"])
@pytest.mark.parametrize("periodic", [False, True])
def test_windows_match_scipy(name, periodic):
    signal = pytest.importorskip("scipy.signal")
    for length in (1, 4, 7):
        np.testing.assert_allclose(get_window(name, length, periodic),
                                   signal.get_window(name, length, fftbins=periodic), atol=1e-12)


def test_array_window_channels_and_dtype():
    win = np.linspace(0.5, 1.0, 4)
    kernel = initializers.STFT(window=win, scaling=None)((4, 2, 3), dtype="float16")
    assert ops.dtype(kernel) == "float16" and tuple(kernel.shape) == (4, 2, 3)
    np.testing.assert_allclose(_np(ops.cast(kernel, "float32"))[:, 1, 0], win, atol=1e-3)


def test_config_and_lookup():
    init = initializers.STFT(side="imag", window="hamming", scaling="spectrum", periodic=True)
    config = init.get_config()
    assert config == {"side": "imag", "window": "hamming", "scaling": "spectrum", "periodic": True}
    clone = initializers.deserialize(initializers.serialize(init))
    assert isinstance(clone, initializers.STFT) and clone.get_config() == config
    assert isinstance(initializers.get("STFT"), initializers.STFT)


@pytest.mark.parametrize("kwargs, match", [({"side": "both"}, "side"), ({"scaling": "l3"}, "scaling"),
                                           ({"window": 3}, "window"),
                                           ({"window": "not_a_window"}, "window")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"STFT.*{match}"):
        initializers.STFT(**kwargs)


def test_bad_shapes():
    with pytest.raises(ValueError, match="STFT.*frame_length"):
        initializers.STFT()((4, 3))
    with pytest.raises(ValueError, match="STFT.*window must have shape"):
        initializers.STFT(window=np.ones(3))((4, 1, 3))
