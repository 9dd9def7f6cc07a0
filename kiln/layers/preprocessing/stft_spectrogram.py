"""``STFTSpectrogram``: short-time Fourier transform of 1-D signals as a (trainable) convolution.

Example:
    >>> import kiln
    >>> layer = kiln.layers.STFTSpectrogram(frame_length=16, frame_step=8, fft_length=16)
    >>> kiln.ops.shape(layer(kiln.ops.ones((2, 64, 1))))
    (2, 7, 9)
"""

import math

import numpy as np

from kiln import config, initializers
from kiln.layers.argument_validation import standardize_data_format
from kiln.layers.input_spec import InputSpec
from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.layers.preprocessing.preprocessing_utils import check_choice, check_int

MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")
SCALINGS = ("density", "spectrum", None)
PADDINGS = ("valid", "same")


class STFTSpectrogram(DataLayer):
    """Spectrograms of signals ``(batch, time, channels)`` by convolving frames with STFT kernels.

    The kernels (weights ``real_kernel`` and ``imag_kernel``, shape
    ``(frame_length, 1, fft_length // 2 + 1)``, from the ``STFT``
    initializer) are trainable by default; pass ``trainable=False`` for a fixed
    preprocessing layer. Each channel is transformed independently.

    Args:
        mode: ``"log"`` (``log(psd + epsilon)``), ``"magnitude"``, ``"psd"``
            (``real**2 + imag**2``), ``"real"``, ``"imag"``, ``"angle"`` (phase) or
            ``"stft"`` (real bins then imaginary bins).
        frame_length: samples per frame.
        frame_step: hop between frames (default ``frame_length // 2``).
        fft_length: FFT size, at least ``frame_length`` (default: the next power of two).
        window: ``"hann"``, ``"hamming"`` (other window names of the STFT
            initializer), an array of ``frame_length`` values, or None.
        periodic: periodic instead of symmetric window.
        scaling: ``"density"``, ``"spectrum"`` or None (window normalization).
        padding: ``"valid"`` or ``"same"`` along time.
        expand_dims: keep channels on their own axis (an image-like 4-D output).
        data_format: ``"channels_last"`` (``(batch, time, channels)``) or ``"channels_first"``.

    Output: channels_last ``(batch, frames, channels * bins)`` (each channel's
    bins together) or, with ``expand_dims``, ``(batch, frames, bins, channels)``;
    channels_first ``(batch, channels * bins, frames)`` or ``(batch, channels,
    frames, bins)``. ``bins`` is ``fft_length // 2 + 1`` (twice that for ``"stft"``).

    Example:
        >>> import kiln
        >>> layer = STFTSpectrogram(mode="psd", frame_length=8, frame_step=8, expand_dims=True)
        >>> kiln.ops.shape(layer(kiln.ops.ones((1, 32, 2))))
        (1, 4, 5, 2)
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = f"STFTSpectrogram '{self.name}'"
        check_choice(owner, "mode", mode, MODES)
        check_choice(owner, "scaling", scaling, SCALINGS)
        check_choice(owner, "padding", padding, PADDINGS)
        for arg, value in (("frame_length", frame_length), ("frame_step", frame_step),
                           ("fft_length", fft_length)):
            check_int(owner, arg, value, allow_none=True)
        if frame_step is None:
            frame_step = max(frame_length // 2, 1)
        if fft_length is None:
            fft_length = 2 ** int(math.ceil(math.log2(frame_length)))
        if fft_length < frame_length:
            raise ValueError(f"{owner}: `fft_length` must be at least `frame_length`; received "
                             f"fft_length={fft_length}, frame_length={frame_length}")
        if window is not None and not isinstance(window, str):
            window = [float(w) for w in np.asarray(window).ravel()]
            if len(window) != frame_length:
                raise ValueError(f"{owner}: a `window` array must have frame_length={frame_length} "
                                 f"values; received {len(window)}")
        elif isinstance(window, str):
            initializers.STFT("real", window, scaling, periodic)  # unknown names fail now
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.fft_length = fft_length
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format, owner)
        self.input_spec = InputSpec(ndim=3)
        self.real_kernel = None
        self.imag_kernel = None

    def build(self, input_shape):
        shape = (self.frame_length, 1, self.fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                name="real_kernel", shape=shape,
                initializer=initializers.STFT("real", self.window, self.scaling, self.periodic))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                name="imag_kernel", shape=shape,
                initializer=initializers.STFT("imag", self.window, self.scaling, self.periodic))

    def _conv(self, signals, kernel):
        b = self.backend
        kernel = b.core.cast(kernel, self.compute_dtype)
        return b.nn.conv(signals, kernel, strides=self.frame_step, padding=self.padding,
                         data_format="channels_last")

    def call(self, inputs):
        b = self.backend
        knp = b.numpy
        x = b.core.cast(inputs, self.compute_dtype)
        if self.data_format == "channels_last":
            x = knp.transpose(x, (0, 2, 1))
        channels, time = x.shape[1], x.shape[2]
        signals = knp.reshape(x, (-1, time, 1))
        real = self._conv(signals, self.real_kernel) if self.real_kernel is not None else None
        imag = self._conv(signals, self.imag_kernel) if self.imag_kernel is not None else None
        if self.mode == "real":
            out = real
        elif self.mode == "imag":
            out = imag
        elif self.mode == "angle":
            out = knp.arctan2(imag, real)
        elif self.mode == "stft":
            out = knp.concatenate([real, imag], axis=-1)
        else:
            psd = knp.add(knp.square(real), knp.square(imag))
            if self.mode == "psd":
                out = psd
            elif self.mode == "magnitude":
                out = knp.sqrt(psd)
            else:
                out = knp.log(knp.add(psd, config.epsilon()))
        frames, bins = out.shape[1], out.shape[2]
        out = knp.reshape(out, (-1, channels, frames, bins))  # (batch, channels, frames, bins)
        if self.data_format == "channels_last":
            if self.expand_dims:
                return knp.transpose(out, (0, 2, 3, 1))
            return knp.reshape(knp.transpose(out, (0, 2, 1, 3)), (-1, frames, channels * bins))
        if self.expand_dims:
            return out
        return knp.reshape(knp.transpose(out, (0, 1, 3, 2)), (-1, channels * bins, frames))

    def _frames(self, time):
        if time is None:
            return None
        if self.padding == "same":
            return (time + self.frame_step - 1) // self.frame_step
        return max(0, (time - self.frame_length) // self.frame_step + 1)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            batch, time, channels = input_shape
        else:
            batch, channels, time = input_shape
        frames = self._frames(time)
        bins = self.fft_length // 2 + 1
        if self.mode == "stft":
            bins *= 2
        if self.data_format == "channels_last":
            if self.expand_dims:
                return (batch, frames, bins, channels)
            return (batch, frames, None if channels is None else channels * bins)
        if self.expand_dims:
            return (batch, channels, frames, bins)
        return (batch, None if channels is None else channels * bins, frames)

    def get_config(self):
        config = super().get_config()
        config.update({
            "mode": self.mode, "frame_length": self.frame_length, "frame_step": self.frame_step,
            "fft_length": self.fft_length, "window": self.window, "periodic": self.periodic,
            "scaling": self.scaling, "padding": self.padding, "expand_dims": self.expand_dims,
            "data_format": self.data_format,
        })
        return config
