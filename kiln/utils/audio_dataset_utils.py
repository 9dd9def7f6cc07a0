"""``audio_dataset_from_directory``: a dataset of ``.wav`` files labelled by their folder.

WAV files are decoded with Python's ``wave`` module (PCM, 8/16/24/32-bit) into
float32 arrays of shape ``(samples, channels)`` with values in ``[-1, 1]``;
TensorFlow is not needed unless it is the backend.

Example:
    >>> import os, tempfile, wave
    >>> root = tempfile.mkdtemp(); os.makedirs(os.path.join(root, "beep"))
    >>> with wave.open(os.path.join(root, "beep", "1.wav"), "wb") as w:
    ...     w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
    ...     w.writeframes(bytes(8))
    >>> audio = read_wav(os.path.join(root, "beep", "1.wav"))
    >>> audio.shape, audio.dtype
    ((4, 1), dtype('float32'))
"""

import functools
import wave

import numpy as np

from kiln.utils import dataset_utils

_FORMATS = (".wav",)
_CALLER = "audio_dataset_from_directory"


def _pcm_to_float(frames, width):
    if width == 1:  # unsigned 8-bit
        return (np.frombuffer(frames, dtype="u1").astype("float32") - 128.0) / 128.0
    if width == 2:
        return np.frombuffer(frames, dtype="<i2").astype("float32") / 32768.0
    if width == 3:  # little-endian 24-bit: widen to 32-bit by putting the bytes in the high part
        raw = np.frombuffer(frames, dtype="u1").reshape(-1, 3)
        wide = np.zeros((raw.shape[0], 4), dtype="u1")
        wide[:, 1:] = raw
        return (wide.view("<i4").reshape(-1) >> 8).astype("float32") / 8388608.0
    if width == 4:
        return (np.frombuffer(frames, dtype="<i4").astype("float64") / 2147483648.0).astype("float32")
    raise ValueError(f"{_CALLER}: unsupported WAV sample width of {width} bytes")


def _resample(audio, rate_in, rate_out):
    """Band-limited (FFT) resampling along axis 0."""
    length = audio.shape[0]
    new_length = int(round(length * rate_out / rate_in))
    if new_length == length or length == 0:
        return audio
    spectrum = np.fft.rfft(audio.astype("float64"), axis=0)
    keep = min(spectrum.shape[0], new_length // 2 + 1)
    resized = np.zeros((new_length // 2 + 1,) + audio.shape[1:], dtype=spectrum.dtype)
    resized[:keep] = spectrum[:keep]
    out = np.fft.irfft(resized, n=new_length, axis=0) * (new_length / length)
    return out.astype("float32")


def read_wav(path, output_sequence_length=None, sampling_rate=None):
    """Decode a PCM ``.wav`` file to float32 ``(samples, channels)`` in ``[-1, 1]``.

    ``output_sequence_length`` truncates longer audio and pads shorter audio
    with zeros; ``sampling_rate`` then resamples from the file's rate.

    Example:
        >>> read_wav("speech.wav", output_sequence_length=16000).shape  # doctest: +SKIP
        (16000, 1)
    """
    try:
        with wave.open(path, "rb") as handle:
            channels = handle.getnchannels()
            width = handle.getsampwidth()
            rate = handle.getframerate()
            frames = handle.readframes(handle.getnframes())
    except (wave.Error, EOFError) as error:
        raise ValueError(f"{_CALLER}: cannot decode {path!r} as a PCM WAV file ({error})") from error
    audio = _pcm_to_float(frames, width)
    audio = audio[: (audio.size // channels) * channels].reshape(-1, channels)
    if output_sequence_length is not None:
        if audio.shape[0] >= output_sequence_length:
            audio = audio[:output_sequence_length]
        else:
            padding = np.zeros((output_sequence_length - audio.shape[0], channels), dtype="float32")
            audio = np.concatenate([audio, padding])
    if sampling_rate is not None and sampling_rate != rate:
        audio = _resample(audio, rate, sampling_rate)
    return np.ascontiguousarray(audio, dtype="float32")


def pad_audio_batch(elements):
    """Batch ``(samples, channels)`` audio (or ``(audio, label)`` pairs), padding
    every clip with zeros at the end to the longest clip of the batch.

    Example:
        >>> batch = pad_audio_batch([np.ones((2, 1), "float32"), np.ones((3, 1), "float32")])
        >>> batch.shape, batch[0, :, 0].tolist()
        ((2, 3, 1), [1.0, 1.0, 0.0])
    """
    labelled = isinstance(elements[0], tuple)
    clips = [element[0] if labelled else element for element in elements]
    channels = {clip.shape[1] for clip in clips}
    if len(channels) > 1:
        raise ValueError(f"{_CALLER}: cannot batch audio files with different channel counts {sorted(channels)}")
    longest = max(clip.shape[0] for clip in clips)
    audio = np.zeros((len(clips), longest, clips[0].shape[1]), dtype="float32")
    for row, clip in enumerate(clips):
        audio[row, : clip.shape[0]] = clip
    if not labelled:
        return audio
    return audio, np.stack([element[1] for element in elements])


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                 sampling_rate=None, output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None, follow_links=False, verbose=True):
    """Build a dataset of audio clips (and labels) from the ``.wav`` files under ``directory``.

    With ``labels="inferred"`` each subfolder of ``directory`` is one class
    (alphanumeric order, or the order of ``class_names``).

    Args:
        directory: the folder holding the data.
        labels: ``"inferred"``, ``None`` (audio only), or a list/tuple of
            integer labels, one per ``.wav`` file in the alphanumeric order of
            the file paths.
        label_mode: ``"int"`` (int32 ``(batch,)``), ``"categorical"`` (float32
            one-hot ``(batch, num_classes)``), ``"binary"`` (float32
            ``(batch, 1)``; exactly 2 classes) or ``None`` (audio only).
        class_names: with ``labels="inferred"``, the subfolders to use, in
            this order.
        batch_size: clips per batch; ``None`` yields single clips.
        sampling_rate: resample every clip to this many samples per second
            (FFT resampling; no TensorFlow I/O package needed).
        output_sequence_length: cut longer clips to this many samples and pad
            shorter ones with zeros. Without it, each batch is padded to its
            longest clip.
        ragged: yield ragged batches (each clip keeps its length) — a
            ``tf.RaggedTensor``, so only with the TensorFlow backend; cannot be
            combined with ``output_sequence_length``.
        shuffle: shuffle the files (and again at every epoch).
        seed: seed for shuffling; required with ``validation_split`` and
            ``shuffle``.
        validation_split: fraction (0, 1) of the files kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (a list of two
            datasets); only with ``validation_split``.
        follow_links: descend into symlinked folders.
        verbose: print how many files were found.

    Returns:
        A ``tf.data.Dataset`` when TensorFlow is the backend, otherwise Kiln's
        backend-neutral dataset (``fit`` takes either). It yields float32 audio
        ``(batch, samples, channels)`` in ``[-1, 1]``, alone (label_mode None)
        or with labels; it has a ``class_names`` attribute.

    Example:
        >>> ds = audio_dataset_from_directory("speech/", batch_size=16,  # doctest: +SKIP
        ...                                   output_sequence_length=16000)
        Found 80 files belonging to 8 classes.
        >>> audio, labels = next(iter(ds))  # doctest: +SKIP
        >>> tuple(audio.shape)  # doctest: +SKIP
        (16, 16000, 1)
    """
    dataset_utils.check_label_args(labels, label_mode, class_names, _CALLER, "audio")
    if ragged and output_sequence_length is not None:
        raise ValueError(f"{_CALLER}: cannot set both `ragged` and `output_sequence_length` "
                         f"(received output_sequence_length={output_sequence_length})")
    if sampling_rate is not None:
        if not isinstance(sampling_rate, int) or isinstance(sampling_rate, bool):
            raise ValueError(f"{_CALLER}: `sampling_rate` should have an integer value. "
                             f"Received: sampling_rate={sampling_rate!r}")
        if sampling_rate <= 0:
            raise ValueError(f"{_CALLER}: `sampling_rate` should be higher than 0. "
                             f"Received: sampling_rate={sampling_rate}")
    if output_sequence_length is not None and (not isinstance(output_sequence_length, int)
                                               or isinstance(output_sequence_length, bool)
                                               or output_sequence_length <= 0):
        raise ValueError(f"{_CALLER}: `output_sequence_length` must be a positive int or None. "
                         f"Received: output_sequence_length={output_sequence_length!r}")
    to_tf = dataset_utils._backend_name() == "tensorflow"
    if ragged and not to_tf:
        raise ValueError(
            f"{_CALLER}: ragged=True yields tf.RaggedTensor batches, which only the TensorFlow backend uses; "
            f"with the {dataset_utils._backend_name()} backend pass ragged=False (batches are padded to their "
            "longest clip) or batch_size=None (one clip at a time, each with its own length)")
    read = functools.partial(read_wav, output_sequence_length=output_sequence_length, sampling_rate=sampling_rate)
    dataset = dataset_utils.directory_dataset(
        directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split, subset,
        follow_links, verbose, _FORMATS, read, _CALLER, "audio", collate=pad_audio_batch)
    if ragged:
        if isinstance(dataset, list):
            return [_ragged_tf_dataset(part) for part in dataset]
        return _ragged_tf_dataset(dataset)
    labelled = labels is not None and label_mode is not None
    flags = (True, False) if labelled else True
    return dataset_utils.finalize_dataset(dataset, "tf", _CALLER, dynamic_shape=flags)


def _ragged_tf_dataset(dataset):
    """Batches of ``tf.RaggedTensor`` clips ``(batch, None, channels)`` (TensorFlow backend only)."""
    import tensorflow as tf

    elements = dataset.unbatch()
    labelled = isinstance(elements[0], tuple) if len(elements) else False
    result = dataset_utils.to_tf_dataset(elements, dynamic_shape=(True, False) if labelled else True)
    if labelled:
        result = result.map(lambda audio, label: (tf.RaggedTensor.from_tensor(audio), label))
    else:
        result = result.map(tf.RaggedTensor.from_tensor)
    if dataset.batch_size is not None:
        result = result.batch(dataset.batch_size)
    result.class_names = dataset.class_names
    result.file_paths = dataset.file_paths
    return result
