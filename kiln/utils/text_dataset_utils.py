"""``text_dataset_from_directory``: a dataset of ``.txt`` files labelled by their folder.

Example:
    >>> import os, tempfile
    >>> root = tempfile.mkdtemp()
    >>> for name in ("neg", "pos"):
    ...     os.makedirs(os.path.join(root, name))
    ...     with open(os.path.join(root, name, "1.txt"), "w") as f:
    ...         _ = f.write(name + " text")
    >>> ds = text_dataset_from_directory(root, batch_size=2, shuffle=False, format="kiln", verbose=False)
    >>> texts, labels = ds[0]
    >>> texts.tolist(), labels.tolist()
    (['neg text', 'pos text'], [0, 1])
"""

import functools

from kiln.utils import dataset_utils

_FORMATS = (".txt",)


def read_text(path, max_length=None, as_bytes=False):
    """The contents of ``path``: bytes cut to ``max_length`` bytes when
    ``as_bytes`` (as TensorFlow's string tensors hold them), else ``str`` cut to
    ``max_length`` characters.

    Example:
        >>> import tempfile
        >>> path = tempfile.mktemp(suffix=".txt")
        >>> with open(path, "w") as f:
        ...     _ = f.write("hello")
        >>> read_text(path, 2), read_text(path, 3, as_bytes=True)
        ('he', b'hel')
    """
    with open(path, "rb") as handle:
        content = handle.read()
    if as_bytes:
        return content if max_length is None else content[:max_length]
    text = content.decode("utf-8", errors="replace")
    return text if max_length is None else text[:max_length]


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """Build a dataset of texts (and labels) from the ``.txt`` files under ``directory``.

    With ``labels="inferred"`` each subfolder of ``directory`` is one class
    (alphanumeric order, or the order of ``class_names``): ``main/a/*.txt`` get
    label 0, ``main/b/*.txt`` label 1. Subfolders are searched recursively.

    Args:
        directory: the folder holding the data.
        labels: ``"inferred"``, ``None`` (texts only), or a list/tuple of
            integer labels, one per ``.txt`` file in the alphanumeric order of
            the file paths.
        label_mode: ``"int"`` (int32, shape ``(batch,)``), ``"categorical"``
            (float32 one-hot, ``(batch, num_classes)``), ``"binary"`` (float32,
            ``(batch, 1)``; exactly 2 classes) or ``None`` (texts only).
        class_names: with ``labels="inferred"``, the subfolders to use, in
            this order.
        batch_size: texts per batch; ``None`` yields single texts.
        max_length: texts longer than this are cut to this length.
        shuffle: shuffle the files (and again at every epoch); otherwise they
            come in alphanumeric order.
        seed: seed for shuffling; required with ``validation_split`` and
            ``shuffle``.
        validation_split: fraction (0, 1) of the files kept for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (a list of two
            datasets); only with ``validation_split``.
        follow_links: descend into symlinked folders.
        format: ``"tf"``: a ``tf.data.Dataset`` when TensorFlow is the backend,
            otherwise Kiln's backend-neutral dataset (no TensorFlow needed);
            ``"tf.data"``: always a ``tf.data.Dataset``; ``"grain"``: a grain
            ``IterDataset``; ``"kiln"``: the neutral dataset.
        verbose: print how many files were found.

    Returns:
        A dataset yielding ``texts`` (label_mode None) or ``(texts, labels)``.
        From a ``tf.data.Dataset`` the texts are ``tf.string`` tensors (bytes,
        ``max_length`` counted in bytes); from the neutral and grain datasets
        they are Python ``str`` (``max_length`` in characters), batched as a
        1-D NumPy object array. The dataset has a ``class_names`` attribute.

    Example:
        >>> ds = text_dataset_from_directory("reviews/", batch_size=8, format="kiln")  # doctest: +SKIP
        Found 100 files belonging to 2 classes.
        >>> texts, labels = ds[0]  # doctest: +SKIP
        >>> texts.shape, labels.dtype  # doctest: +SKIP
        ((8,), dtype('int32'))
    """
    caller = "text_dataset_from_directory"
    dataset_utils.check_format(format, caller)
    if max_length is not None and (not isinstance(max_length, int) or isinstance(max_length, bool)
                                   or max_length < 0):
        raise ValueError(f"{caller}: `max_length` must be a non-negative int or None, received {max_length!r}")
    as_bytes = format == "tf.data" or (format == "tf" and dataset_utils._backend_name() == "tensorflow")
    read = functools.partial(read_text, max_length=max_length, as_bytes=as_bytes)
    dataset = dataset_utils.directory_dataset(
        directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split, subset,
        follow_links, verbose, _FORMATS, read, caller, "text")
    return dataset_utils.finalize_dataset(dataset, format, caller)
