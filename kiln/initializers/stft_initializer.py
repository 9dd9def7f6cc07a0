"""``STFT``: Conv1D kernels whose convolution is one side of a short-time Fourier transform.

A kernel of shape ``(frame_length, input_channels, fft_bins)`` holds, for
time step ``t`` and frequency bin ``f``, ``cos(-2 pi t f / n)`` (``side="real"``)
or ``sin(-2 pi t f / n)`` (``side="imag"``), with ``n = 2 * (fft_bins - 1)``,
optionally multiplied by a window over ``t`` and divided by the window's norm.
Convolving frames of a signal with the two kernels gives the real and
imaginary parts of the signal's one-sided FFT per frame.

Example:
    >>> import kiln, numpy as np
    >>> k = kiln.ops.convert_to_numpy(STFT(window=None)((4, 1, 3)))
    >>> signal = np.array([1.0, 2.0, 0.0, -1.0])
    >>> bool(np.allclose(signal @ k[:, 0, :], np.fft.rfft(signal).real))
    True
"""

import math

import numpy as np

from kiln import ops
from kiln.backend.common import dtypes
from kiln.initializers.initializer import Initializer

# Generalized cosine windows: w[n] = sum_k (-1)**k a_k cos(2 pi k n / (M - 1)).
_COSINE_WINDOWS = {
    "hann": (0.5, 0.5),
    "hanning": (0.5, 0.5),
    "hamming": (0.54, 0.46),
    "blackman": (0.42, 0.5, 0.08),
    "nuttall": (0.3635819, 0.4891775, 0.1365995, 0.0106411),
    "blackmanharris": (0.35875, 0.48829, 0.14128, 0.01168),
    "boxcar": (1.0,),
    "rectangular": (1.0,),
    "ones": (1.0,),
}
_OTHER_WINDOWS = ("bartlett", "triang")
_SCALINGS = ("density", "spectrum")
_SIDES = ("real", "imag")


def get_window(name, length, periodic=False):
    """The window ``name`` of ``length`` samples as a float64 NumPy array.

    ``periodic=True`` gives the window used for spectral analysis (one sample
    longer, last sample dropped); False the symmetric one. Names: the cosine
    windows (hann, hamming, blackman, nuttall, blackmanharris, boxcar) and
    bartlett/triang; any other name is looked up in ``scipy.signal.windows``
    when SciPy is installed.

    Example:
        >>> get_window("hann", 5).round(6).tolist()
        [0.0, 0.5, 1.0, 0.5, 0.0]
        >>> get_window("hann", 4, periodic=True).round(6).tolist()
        [0.0, 0.5, 1.0, 0.5]
    """
    key = name.lower()
    if key not in _COSINE_WINDOWS and key not in _OTHER_WINDOWS:
        try:
            from scipy.signal import get_window as scipy_window
        except ImportError:  # pragma: no cover - SciPy is optional
            raise ValueError(
                f"STFT initializer: unknown window {name!r}; known without SciPy: "
                f"{sorted(_COSINE_WINDOWS) + list(_OTHER_WINDOWS)}") from None
        try:
            return np.asarray(scipy_window(name, length, fftbins=periodic), dtype=np.float64)
        except ValueError as e:
            raise ValueError(f"STFT initializer: unknown window {name!r} ({e})") from None
    if length == 1:
        return np.ones(1)
    size = length + 1 if periodic else length
    n = np.arange(size, dtype=np.float64)
    if key in _COSINE_WINDOWS:
        w = np.zeros(size)
        for k, a in enumerate(_COSINE_WINDOWS[key]):
            w += (-1) ** k * a * np.cos(2.0 * math.pi * k * n / (size - 1))
    elif key == "bartlett":
        w = 1.0 - np.abs(2.0 * n / (size - 1) - 1.0)
    else:  # triang: never zero at the ends
        half = (size + 1) // 2 if size % 2 else size // 2
        ramp = (2.0 * np.arange(1, half + 1) - 1.0) / size if size % 2 == 0 else \
            2.0 * np.arange(1, half + 1) / (size + 1)
        w = np.concatenate([ramp, ramp[::-1][size % 2:]])
    return w[:length]


class STFT(Initializer):
    """Kernel initializer for the real or imaginary side of an STFT as a convolution.

    ``shape`` must be ``(frame_length, input_channels, fft_bins)``.

    Args:
        side: ``"real"`` (cosine kernel) or ``"imag"`` (sine kernel).
        window: a window name (``"hann"``, ``"hamming"``...; other SciPy
            window names when SciPy is installed), an array of
            ``frame_length`` values, or None (no window).
        scaling: ``"density"`` (divide by the window's L2 norm),
            ``"spectrum"`` (by its L1 norm) or None.
        periodic: use the periodic instead of the symmetric window.

    Example:
        >>> STFT(side="imag", window="hamming").get_config()
        {'side': 'imag', 'window': 'hamming', 'scaling': 'density', 'periodic': False}
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in _SIDES:
            raise ValueError(f"STFT initializer: side must be one of {_SIDES}, received side={side!r}")
        if scaling is not None and scaling not in _SCALINGS:
            raise ValueError(f"STFT initializer: scaling must be None or one of {_SCALINGS}, "
                             f"received scaling={scaling!r}")
        if window is not None and not isinstance(window, str) and not hasattr(window, "__len__"):
            raise ValueError(f"STFT initializer: window must be None, a window name or an array "
                             f"of values, received window={window!r}")
        if isinstance(window, str):
            get_window(window, 1)  # unknown names fail here, not at the first call
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape, dtype=None):
        dtype = dtypes.standardize_dtype(dtype)
        shape = tuple(int(d) for d in shape)
        if len(shape) != 3:
            raise ValueError(f"STFT initializer: expected a shape (frame_length, input_channels, "
                             f"fft_bins), received shape={shape}")
        frame_length, channels, fft_bins = shape
        n = max(2 * (fft_bins - 1), 1)
        t = np.arange(frame_length, dtype=np.float64).reshape(frame_length, 1, 1)
        f = np.arange(fft_bins, dtype=np.float64).reshape(1, 1, fft_bins)
        phase = -2.0 * math.pi * t * f / n
        kernel = np.cos(phase) if self.side == "real" else np.sin(phase)
        kernel = np.broadcast_to(kernel, shape).copy()
        if self.window is not None:
            if isinstance(self.window, str):
                win = get_window(self.window, frame_length, self.periodic)
            else:
                win = np.asarray(self.window, dtype=np.float64)
            if win.shape != (frame_length,):
                raise ValueError(f"STFT initializer: the window must have shape ({frame_length},) "
                                 f"(the frame length), received shape {win.shape}")
            kernel = kernel * win.reshape(frame_length, 1, 1)
            if self.scaling == "density":
                kernel = kernel / np.sqrt(np.sum(win ** 2))
            elif self.scaling == "spectrum":
                kernel = kernel / np.sum(np.abs(win))
        host = np.float64 if dtype == "float64" else np.float32
        tensor = ops.convert_to_tensor(kernel.astype(host))
        return tensor if dtypes.standardize_dtype(host) == dtype else ops.cast(tensor, dtype)

    def get_config(self):
        window = self.window.tolist() if hasattr(self.window, "tolist") else self.window
        return {"side": self.side, "window": window, "scaling": self.scaling,
                "periodic": self.periodic}
