"""``MelSpectrogram``: raw audio -> (log-)mel spectrograms.

Example:
    >>> import kiln
    >>> layer = kiln.layers.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=8)
    >>> kiln.ops.shape(layer(kiln.ops.ones((2, 256))))
    (2, 8, 9)
"""

import math

import numpy as np

from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.layers.preprocessing.preprocessing_utils import check_int

_MEL_BREAK_HZ = 700.0
_MEL_HIGH_Q = 1127.0


def hertz_to_mel(frequencies):
    """HTK mel scale: ``1127 * ln(1 + f / 700)``.

    Example:
        >>> round(float(hertz_to_mel(700.0)), 3)
        781.177
    """
    return _MEL_HIGH_Q * np.log1p(np.asarray(frequencies, "float64") / _MEL_BREAK_HZ)


def linear_to_mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate, lower_edge_hertz,
                                upper_edge_hertz):
    """The ``(num_spectrogram_bins, num_mel_bins)`` matrix of triangular mel filters (float64).

    Bin ``k`` of a one-sided spectrum sits at ``k * (sampling_rate / 2) / (num_bins - 1)`` Hz;
    mel band ``m`` rises from edge ``m`` to ``m + 1`` and falls to ``m + 2`` of
    ``num_mel_bins + 2`` points evenly spaced on the mel scale between the two
    edge frequencies. The DC bin gets no weight. (The same matrix as
    ``tf.signal.linear_to_mel_weight_matrix``.)

    Example:
        >>> linear_to_mel_weight_matrix(4, 9, 8000, 0.0, 4000.0).shape
        (9, 4)
    """
    nyquist = sampling_rate / 2.0
    bins_hz = np.linspace(0.0, nyquist, num_spectrogram_bins)[1:]
    bins_mel = hertz_to_mel(bins_hz)[:, None]
    edges = np.linspace(hertz_to_mel(lower_edge_hertz), hertz_to_mel(upper_edge_hertz),
                        num_mel_bins + 2)
    lower, center, upper = edges[:-2][None, :], edges[1:-1][None, :], edges[2:][None, :]
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.concatenate([np.zeros((1, num_mel_bins)), weights], axis=0)


class MelSpectrogram(DataLayer):
    """Converts audio ``(time,)`` or ``(batch, time)`` to mel spectrograms ``([batch,] num_mel_bins, frames)``.

    Steps: ``|STFT|**mag_exp`` (frames of ``sequence_length`` samples every
    ``sequence_stride``, a ``window``, ``fft_length`` FFT, centered/reflect
    padded so there are ``1 + time // sequence_stride`` frames), then the mel
    filter bank (HTK mel scale between ``min_freq`` and ``max_freq``), then,
    with ``power_to_db``, decibels ``10 * log10(max(min_power, x) / max(min_power,
    ref_power))`` clipped to ``top_db`` below the maximum (over the whole batch).

    Args:
        fft_length, sequence_stride, sequence_length (default ``fft_length``), window:
            the STFT (``"hann"``, ``"hamming"`` or None).
        sampling_rate: samples per second of the audio.
        num_mel_bins, min_freq, max_freq (default ``sampling_rate / 2``): the filter bank.
        power_to_db, top_db, mag_exp, min_power, ref_power: scaling as above
            (``top_db=None`` for no clipping).

    Example:
        >>> import kiln
        >>> layer = MelSpectrogram(fft_length=32, sequence_stride=16, num_mel_bins=4, sampling_rate=8000)
        >>> kiln.ops.shape(layer(kiln.ops.ones((64,))))
        (4, 5)
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann",
                 sampling_rate=16000, num_mel_bins=128, min_freq=20.0, max_freq=None,
                 power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10, ref_power=1.0,
                 **kwargs):
        super().__init__(**kwargs)
        owner = f"MelSpectrogram '{self.name}'"
        for arg, value in (("fft_length", fft_length), ("sequence_stride", sequence_stride),
                           ("sequence_length", sequence_length), ("sampling_rate", sampling_rate),
                           ("num_mel_bins", num_mel_bins)):
            check_int(owner, arg, value, allow_none=True)
        if window not in ("hann", "hamming", None):
            raise ValueError(f"{owner}: `window` must be 'hann', 'hamming' or None; received "
                             f"window={window!r}")
        max_freq = sampling_rate / 2.0 if max_freq is None else max_freq
        if not 0.0 <= min_freq < max_freq:
            raise ValueError(f"{owner}: need 0 <= min_freq < max_freq; received min_freq={min_freq}, "
                             f"max_freq={max_freq}")
        if max_freq > sampling_rate / 2.0:
            raise ValueError(f"{owner}: `max_freq` must be at most sampling_rate / 2 = "
                             f"{sampling_rate / 2.0}; received max_freq={max_freq}")
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.sequence_length > fft_length:
            raise ValueError(f"{owner}: `sequence_length` must be at most `fft_length`; received "
                             f"sequence_length={sequence_length}, fft_length={fft_length}")
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        self._mel_matrix = linear_to_mel_weight_matrix(
            num_mel_bins, fft_length // 2 + 1, sampling_rate, min_freq, max_freq).astype("float32")

    def call(self, inputs):
        b = self.backend
        knp = b.numpy
        dtype = self.compute_dtype
        # The FFT runs in float32 at least (half-precision FFTs are not offered everywhere).
        x = b.core.cast(inputs, "float32")
        real, imag = b.math.stft(x, self.sequence_length, self.sequence_stride, self.fft_length,
                                 window=self.window, center=True)
        magnitude = knp.sqrt(knp.add(knp.square(real), knp.square(imag)))
        power = knp.power(magnitude, self.mag_exp)
        mel = knp.matmul(power, b.core.convert_to_tensor(self._mel_matrix))
        mel = knp.swapaxes(mel, -1, -2)
        if self.power_to_db:
            mel = self._to_db(mel)
        return b.core.cast(mel, dtype)

    def _to_db(self, mel):
        knp = self.backend.numpy
        scale = 10.0 / math.log(10.0)
        db = knp.multiply(knp.log(knp.maximum(mel, self.min_power)), scale)
        db = knp.subtract(db, 10.0 * math.log10(max(self.min_power, self.ref_power)))
        if self.top_db is not None:
            db = knp.maximum(db, knp.subtract(knp.max(db), self.top_db))
        return db

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        time = input_shape[-1]
        frames = None if time is None else 1 + time // self.sequence_stride
        return input_shape[:-1] + (self.num_mel_bins, frames)

    def get_config(self):
        config = super().get_config()
        config.update({
            "fft_length": self.fft_length, "sequence_stride": self.sequence_stride,
            "sequence_length": self.sequence_length, "window": self.window,
            "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
            "min_freq": self.min_freq, "max_freq": self.max_freq, "power_to_db": self.power_to_db,
            "top_db": self.top_db, "mag_exp": self.mag_exp, "min_power": self.min_power,
            "ref_power": self.ref_power,
        })
        return config
