"""STFTSpectrogram: conformance, every mode vs NumPy's rfft of windowed frames, layouts,
model and tf.data, bad input."""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops
from kiln.initializers.stft_initializer import get_window


def _numpy_stft(x, frame_length, frame_step, fft_length, window="hann"):
    """(batch, time, channels) -> complex (batch, channels, frames, bins), density-scaled."""
    win = get_window(window, frame_length)
    frames = (x.shape[1] - frame_length) // frame_step + 1
    out = np.zeros((x.shape[0], x.shape[2], frames, fft_length // 2 + 1), complex)
    for f in range(frames):
        seg = x[:, f * frame_step:f * frame_step + frame_length, :] * win[None, :, None]
        out[:, :, f] = np.fft.rfft(seg, n=fft_length, axis=1).transpose(0, 2, 1)
    return out / np.sqrt(np.sum(win ** 2))


def test_conformance():
    run_layer_test(layers.STFTSpectrogram, {"mode": "magnitude", "frame_length": 4, "frame_step": 4,
                                            "expand_dims": True},
                   input_shape=(2, 12, 1), expected_output_shape=(2, 3, 3, 1),
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=0,
                   rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["real", "imag", "psd", "magnitude", "log", "angle", "stft"])
def test_modes_match_numpy(mode):
    x = make_input((2, 40, 1))
    y = to_numpy(layers.STFTSpectrogram(mode=mode, frame_length=8, frame_step=4, fft_length=16)(
        ops.convert_to_tensor(x)))
    z = _numpy_stft(x, 8, 4, 16)[:, 0]
    want = {"real": z.real, "imag": z.imag, "psd": np.abs(z) ** 2, "magnitude": np.abs(z),
            "log": np.log(np.abs(z) ** 2 + 1e-7), "angle": np.angle(z),
            "stft": np.concatenate([z.real, z.imag], -1)}[mode]
    if mode == "angle":  # the phase of near-zero bins is arbitrary
        keep = np.abs(z) > 1e-3
        np.testing.assert_allclose(np.cos(y[keep]), np.cos(want[keep]), atol=1e-3)
    else:
        np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-4)


def test_channel_layouts():
    x = make_input((1, 24, 2))
    z = np.abs(_numpy_stft(x, 8, 8, 8)) ** 2  # (1, 2, 3, 5)
    flat = to_numpy(layers.STFTSpectrogram("psd", 8, 8)(ops.convert_to_tensor(x)))
    np.testing.assert_allclose(flat, np.concatenate([z[:, 0], z[:, 1]], -1), rtol=1e-4, atol=1e-4)
    first = layers.STFTSpectrogram("psd", 8, 8, expand_dims=True, data_format="channels_first")
    np.testing.assert_allclose(to_numpy(first(ops.convert_to_tensor(x.transpose(0, 2, 1)))), z,
                               rtol=1e-4, atol=1e-4)
    same = layers.STFTSpectrogram("real", 8, 8, padding="same", expand_dims=True)
    assert ops.shape(same(ops.convert_to_tensor(x[:, :20]))) == (1, 3, 5, 2)


def test_documented_shapes():
    layer = layers.STFTSpectrogram(frame_length=256, frame_step=128, fft_length=512, padding="same",
                                   window="hamming")
    assert layer(kiln.KerasTensor((3, 160000, 2))).shape == (3, 1250, 514)


def test_model_and_tf_data():
    x = make_input((4, 32, 1))
    layer = layers.STFTSpectrogram("psd", 8, 4, trainable=False)
    want = to_numpy(layer(ops.convert_to_tensor(x)))
    inputs = layers.Input((32, 1))
    model = kiln.Model(inputs, layer(inputs))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(2).map(layer)
    np.testing.assert_allclose(np.concatenate([b.numpy() for b in ds]), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kwargs, match", [
    ({"mode": "power"}, "mode"), ({"scaling": "unit"}, "scaling"), ({"padding": "causal"}, "padding"),
    ({"frame_length": 0}, "frame_length"), ({"frame_length": 16, "fft_length": 8}, "fft_length"),
    ({"frame_length": 4, "window": [1.0, 1.0]}, "window"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"STFTSpectrogram.*{match}"):
        layers.STFTSpectrogram(**kwargs)


def test_bad_rank():
    with pytest.raises(ValueError, match="stft_spectrogram.*ndim=3"):
        layers.STFTSpectrogram(frame_length=4)(ops.ones((2, 16)))
