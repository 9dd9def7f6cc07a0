"""MelSpectrogram: conformance, mel filters vs tf.signal, values vs a NumPy pipeline, model and tf.data, bad input."""

import numpy as np
import pytest
import tensorflow as tf

import kiln
from conformance import make_input, run_layer_test, to_numpy
from kiln import layers, ops
from kiln.layers.preprocessing.mel_spectrogram import linear_to_mel_weight_matrix

KWARGS = {"fft_length": 32, "sequence_stride": 16, "num_mel_bins": 6, "sampling_rate": 8000}


def test_conformance():
    # No weights to train; in half precision the dB values (10 * log10) keep only ~3 digits,
    # so the shared mixed-precision comparison does not apply (dtype checked below).
    run_layer_test(layers.MelSpectrogram, KWARGS, input_shape=(2, 64), expected_output_shape=(2, 6, 5),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   run_mixed_precision_check=False, rtol=1e-4, atol=1e-4)


def test_mixed_precision_output_dtype():
    layer = layers.MelSpectrogram(**KWARGS, dtype="mixed_float16")
    assert ops.dtype(layer(ops.ones((2, 64)))) == "float16"


def test_mel_matrix_matches_tf_signal():
    ours = linear_to_mel_weight_matrix(10, 33, 8000, 20.0, 4000.0)
    theirs = tf.signal.linear_to_mel_weight_matrix(10, 33, 8000, 20.0, 4000.0, dtype=tf.float64).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


@pytest.mark.parametrize("power_to_db, top_db", [(False, None), (True, 80.0), (True, 5.0)])
def test_values_match_numpy(power_to_db, top_db):
    x = make_input((2, 64))
    layer = layers.MelSpectrogram(**KWARGS, power_to_db=power_to_db, top_db=top_db)
    y = to_numpy(layer(ops.convert_to_tensor(x)))
    real, imag = (to_numpy(t) for t in ops.stft(ops.convert_to_tensor(x), 32, 16, 32, window="hann"))
    mel = ((real ** 2 + imag ** 2) @ linear_to_mel_weight_matrix(6, 17, 8000, 20.0, 4000.0)).swapaxes(-1, -2)
    if power_to_db:
        mel = 10 * np.log10(np.maximum(mel, 1e-10))
        if top_db is not None:
            mel = np.maximum(mel, mel.max() - top_db)
    np.testing.assert_allclose(y, mel, rtol=1e-4, atol=1e-4)


def test_unbatched_input_and_symbolic_shape():
    assert ops.shape(layers.MelSpectrogram(**KWARGS)(ops.ones((64,)))) == (6, 5)
    assert layers.MelSpectrogram(**KWARGS)(kiln.KerasTensor((None, 64))).shape == (None, 6, 5)


def test_model_and_tf_data():
    x = make_input((4, 64))
    layer = layers.MelSpectrogram(**KWARGS, power_to_db=False)
    want = to_numpy(layer(ops.convert_to_tensor(x)))
    inputs = layers.Input((64,))
    model = kiln.Model(inputs, layer(inputs))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-4, atol=1e-4)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(4).map(layer)
    np.testing.assert_allclose(next(iter(ds)).numpy(), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kwargs, match", [
    ({"fft_length": 0}, "fft_length"), ({"num_mel_bins": -1}, "num_mel_bins"),
    ({"window": "kaiser"}, "window"), ({"min_freq": 500.0, "max_freq": 100.0}, "min_freq"),
    ({"sampling_rate": 8000, "max_freq": 6000.0}, "max_freq"),
    ({"fft_length": 16, "sequence_length": 32}, "sequence_length"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"MelSpectrogram.*{match}"):
        layers.MelSpectrogram(**kwargs)
