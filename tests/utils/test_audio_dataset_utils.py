"""audio_dataset_from_directory: WAV decoding, padding/truncation, resampling, labels, splits, fit."""

import os
import sys
import wave

import numpy as np
import pytest
from api_reference import lacking_examples, reference_rows, wrong_signatures

import kiln
from kiln.utils.audio_dataset_utils import audio_dataset_from_directory, read_wav
from kiln.utils.dataset_utils import SampleDataset

BACKEND = kiln.backend.backend()
RATE = 8000


def _write(path, samples, width=2, channels=1, rate=RATE):
    """Write integer PCM ``samples`` (frames x channels, already in the width's integer range)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    samples = np.asarray(samples).reshape(-1, channels)
    if width == 1:
        raw = samples.astype("u1").tobytes()
    elif width == 3:
        as32 = samples.astype("<i4").reshape(-1)
        raw = np.stack([(as32 >> s) & 0xFF for s in (0, 8, 16)], axis=1).astype("u1").tobytes()
    else:
        raw = samples.astype({2: "<i2", 4: "<i4"}[width]).tobytes()
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(width)
        handle.setframerate(rate)
        handle.writeframes(raw)
    return str(path)


@pytest.fixture
def root(tmp_path):
    """Class "down": 3 clips of 10/13/16 samples; class "up": 2 clips of 7/9 samples (16-bit mono)."""
    rng = np.random.RandomState(0)
    clips = {}
    for name, lengths in (("down", (10, 13, 16)), ("up", (7, 9))):
        for i, length in enumerate(lengths):
            samples = rng.randint(-32768, 32767, size=length)
            clips[f"{name}/{i}.wav"] = samples
            _write(tmp_path / name / f"{i}.wav", samples)
    (tmp_path / "up" / "notes.txt").write_text("ignored")
    return str(tmp_path), clips


def _all(ds):
    audio, labels = [], []
    for x, y in ds:
        x = np.asarray(x)
        audio += list(x)
        labels += np.asarray(y).tolist()
    return audio, labels


def test_signature_and_example():
    rows = [r for r in reference_rows(("keras.utils",)) if r["name"] == "audio_dataset_from_directory"]
    assert len(rows) == 1 and kiln.utils.audio_dataset_from_directory is audio_dataset_from_directory
    assert wrong_signatures(rows) == [] and lacking_examples(rows) == []


@pytest.mark.parametrize("width, low, high, scale, offset", [
    (1, 0, 256, 128.0, 128), (2, -32768, 32768, 32768.0, 0), (3, -2 ** 23, 2 ** 23, 2.0 ** 23, 0),
    (4, -2 ** 31, 2 ** 31, 2.0 ** 31, 0)])
def test_read_wav_widths_and_channels(tmp_path, width, low, high, scale, offset):
    rng = np.random.RandomState(width)
    samples = rng.randint(low, high, size=(6, 2), dtype="int64")
    samples[0] = [low, high - 1]
    path = _write(tmp_path / "s.wav", samples, width=width, channels=2)
    audio = read_wav(path)
    assert audio.dtype == np.float32 and audio.shape == (6, 2)
    np.testing.assert_allclose(audio, (samples - offset) / scale, rtol=0, atol=1e-7)
    assert audio.min() >= -1.0 and audio.max() <= 1.0  # float32 rounds (2**31 - 1) / 2**31 to 1.0


def test_read_wav_matches_tensorflow_decode_wav(tmp_path):
    import tensorflow as tf

    samples = np.random.RandomState(1).randint(-32768, 32767, size=(11, 2))
    path = _write(tmp_path / "t.wav", samples, channels=2)
    expected, rate = tf.audio.decode_wav(tf.io.read_file(path))
    np.testing.assert_array_equal(read_wav(path), expected.numpy())
    padded, _ = tf.audio.decode_wav(tf.io.read_file(path), desired_samples=15)
    np.testing.assert_array_equal(read_wav(path, output_sequence_length=15), padded.numpy())
    cut, _ = tf.audio.decode_wav(tf.io.read_file(path), desired_samples=4)
    np.testing.assert_array_equal(read_wav(path, output_sequence_length=4), cut.numpy())


def test_batches_are_padded_to_the_longest_clip(root):
    directory, clips = root
    ds = audio_dataset_from_directory(directory, batch_size=2, shuffle=False, verbose=False)
    audio, labels = (ds[0] if isinstance(ds, SampleDataset) else next(iter(ds)))
    audio = np.asarray(audio)
    assert audio.shape == (2, 13, 1) and audio.dtype == np.float32
    np.testing.assert_allclose(audio[0, :10, 0], clips["down/0.wav"] / 32768.0)
    assert np.all(audio[0, 10:] == 0)
    all_audio, all_labels = _all(ds)
    assert all_labels == [0, 0, 0, 1, 1] and [a.shape[0] for a in all_audio] == [13, 13, 16, 16, 9]
    assert ds.class_names == ["down", "up"]


def test_output_sequence_length_truncates_and_pads(root):
    directory, clips = root
    ds = audio_dataset_from_directory(directory, batch_size=8, output_sequence_length=9, shuffle=False,
                                      verbose=False)
    audio, labels = next(iter(ds))
    audio = np.asarray(audio)
    assert audio.shape == (5, 9, 1)
    np.testing.assert_allclose(audio[2, :, 0], clips["down/2.wav"][:9] / 32768.0)
    np.testing.assert_allclose(audio[3, :7, 0], clips["up/0.wav"] / 32768.0)
    assert np.all(audio[3, 7:] == 0)


def test_unbatched_clips_keep_their_length(root):
    directory, _ = root
    ds = audio_dataset_from_directory(directory, batch_size=None, shuffle=False, verbose=False)
    lengths = [np.asarray(x).shape for x, _ in ds]
    assert lengths == [(10, 1), (13, 1), (16, 1), (7, 1), (9, 1)]


def test_label_modes_and_explicit_labels(root, capsys):
    directory, _ = root
    ds = audio_dataset_from_directory(directory, label_mode="categorical", batch_size=8, shuffle=False)
    assert capsys.readouterr().out.strip() == "Found 5 files belonging to 2 classes."
    _, labels = next(iter(ds))
    np.testing.assert_array_equal(np.asarray(labels), np.eye(2, dtype="float32")[[0, 0, 0, 1, 1]])
    _, labels = next(iter(audio_dataset_from_directory(directory, label_mode="binary", batch_size=8,
                                                       shuffle=False, verbose=False)))
    labels = np.asarray(labels)
    assert labels.dtype == np.float32 and labels.shape == (5, 1)
    only = next(iter(audio_dataset_from_directory(directory, label_mode=None, batch_size=8, shuffle=False,
                                                  verbose=False)))
    assert np.asarray(only).shape == (5, 16, 1)
    _, labels = next(iter(audio_dataset_from_directory(directory, labels=[1, 2, 3, 4, 5], batch_size=8,
                                                       shuffle=False, verbose=False)))
    assert np.asarray(labels).tolist() == [1, 2, 3, 4, 5]


def test_sampling_rate_resamples(tmp_path):
    n = np.arange(400)
    tone = np.round(np.sin(2 * np.pi * 200 * n / RATE) * 20000).astype("int64")
    path = _write(tmp_path / "c" / "tone.wav", tone)
    audio = read_wav(path, sampling_rate=2 * RATE)
    assert audio.shape == (800, 1)
    expected = np.sin(2 * np.pi * 200 * np.arange(800) / (2 * RATE)) * 20000 / 32768.0
    np.testing.assert_allclose(audio[:, 0], expected, atol=2e-3)
    np.testing.assert_array_equal(read_wav(path, sampling_rate=RATE), read_wav(path))
    ds = audio_dataset_from_directory(str(tmp_path), sampling_rate=RATE // 2, batch_size=1, verbose=False)
    assert np.asarray(next(iter(ds))[0]).shape == (1, 200, 1)
    with pytest.raises(ValueError, match="integer value"):
        audio_dataset_from_directory(str(tmp_path), sampling_rate=8000.0)
    with pytest.raises(ValueError, match="higher than 0"):
        audio_dataset_from_directory(str(tmp_path), sampling_rate=0)


def test_ragged(root):
    directory, _ = root
    with pytest.raises(ValueError, match="both `ragged` and `output_sequence_length`"):
        audio_dataset_from_directory(directory, ragged=True, output_sequence_length=4)
    if BACKEND != "tensorflow":
        with pytest.raises(ValueError, match="ragged=True yields tf.RaggedTensor"):
            audio_dataset_from_directory(directory, ragged=True, verbose=False)
        return
    tf = sys.modules["tensorflow"]
    ds = audio_dataset_from_directory(directory, ragged=True, batch_size=8, shuffle=False, verbose=False)
    audio, labels = next(iter(ds))
    assert isinstance(audio, tf.RaggedTensor) and audio.shape.as_list()[:2] == [5, None]
    assert audio.row_lengths().numpy().tolist() == [10, 13, 16, 7, 9]


def test_splits_and_errors(root, tmp_path):
    directory, clips = root
    train, val = audio_dataset_from_directory(directory, validation_split=0.4, subset="both", seed=2,
                                              batch_size=8, verbose=False)
    train_audio, _ = _all(train)
    val_audio, _ = _all(val)
    assert len(train_audio) == 3 and len(val_audio) == 2 and val.class_names == ["down", "up"]
    with pytest.raises(ValueError, match="must provide a `seed`"):
        audio_dataset_from_directory(directory, validation_split=0.4, subset="both")
    with pytest.raises(ValueError, match="`label_mode` must be one of"):
        audio_dataset_from_directory(directory, label_mode="onehot")
    empty = tmp_path / "empty"
    (empty / "a").mkdir(parents=True)
    with pytest.raises(ValueError, match="no audio files found.*\\.wav"):
        audio_dataset_from_directory(str(empty), verbose=False)
    bad = tmp_path / "bad"
    (bad / "a").mkdir(parents=True)
    (bad / "a" / "x.wav").write_bytes(b"RIFF0000WAVEjunk")
    with pytest.raises(ValueError, match="cannot decode"):
        next(iter(audio_dataset_from_directory(str(bad), verbose=False)))


def test_return_type_follows_the_backend(root):
    ds = audio_dataset_from_directory(root[0], verbose=False)
    if BACKEND == "tensorflow":
        assert isinstance(ds, sys.modules["tensorflow"].data.Dataset) and ds.class_names == ["down", "up"]
    else:
        assert isinstance(ds, SampleDataset)


def test_fit_and_predict_on_the_audio_dataset(root):
    directory, _ = root
    ds = audio_dataset_from_directory(directory, batch_size=2, output_sequence_length=12, seed=0, verbose=False)
    model = kiln.Sequential([
        kiln.Input((12, 1)),
        kiln.layers.Conv1D(2, 3, activation="relu"),
        kiln.layers.GlobalAveragePooling1D(),
        kiln.layers.Dense(2),
    ])
    model.compile("adam", kiln.losses.SparseCategoricalCrossentropy(from_logits=True))
    predictions = model.predict(ds, verbose=0)
    assert predictions.shape == (5, 2) and np.all(np.isfinite(predictions))
    if BACKEND == "numpy":
        pytest.skip("numpy backend has no autodiff")
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"][-1])
