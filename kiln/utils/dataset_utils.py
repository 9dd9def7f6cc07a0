"""Shared machinery of the ``*_dataset_from_directory`` utilities, and ``split_dataset``.

* :func:`index_directory` lists the files of a directory tree and their labels.
* :func:`check_validation_split` / :func:`split_validation` apply Keras 3's
  ``validation_split``/``subset`` rules to that list.
* :class:`SampleDataset` is the backend-neutral dataset: a :class:`PyDataset`
  that loads sample ``i`` with a Python function, shuffles by seed (again at
  every epoch) and batches with a ``collate`` function. ``fit`` takes it on any
  backend without TensorFlow.
* :func:`finalize_dataset` applies the ``format`` rule every creator shares:
  ``"tf"`` gives a ``tf.data.Dataset`` when TensorFlow is the backend and the
  neutral dataset otherwise; ``"tf.data"`` always a ``tf.data.Dataset``;
  ``"grain"`` a grain ``IterDataset``; ``"kiln"`` the neutral dataset.

TensorFlow, torch and grain are imported only when the user hands us such an
object, asks for it, or runs that backend.

Example:
    >>> import numpy as np
    >>> ds = SampleDataset(5, lambda i: (np.full((2,), i), i), batch_size=2)
    >>> [batch[1].tolist() for batch in ds]
    [[0, 1], [2, 3], [4]]
"""

import math
import os
import sys

import numpy as np

from kiln import tree
from kiln.utils.py_dataset import PyDataset
from kiln.utils.io_utils import print_msg

FORMATS = ("tf", "tf.data", "grain", "kiln")
LABEL_MODES = ("int", "categorical", "binary", None)


# --------------------------------------------------------------------------- indexing


def _walk_files(root, formats, follow_links):
    """Files under ``root`` (recursively, sorted by folder then name) whose
    lowercased name ends with one of ``formats``; paths relative to ``root``."""
    found = []
    for folder, _, names in sorted(os.walk(root, followlinks=follow_links), key=lambda entry: entry[0]):
        for name in sorted(names):
            if name.lower().endswith(formats):
                found.append(os.path.relpath(os.path.join(folder, name), root))
    return found


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """List the files of ``directory`` with one of ``formats`` and label them.

    Args:
        directory: the root folder.
        labels: ``"inferred"`` (one class per subfolder, in alphanumeric order
            unless ``class_names`` gives the order; files directly in
            ``directory`` are ignored), ``None`` (no labels; the whole tree is
            listed), or a list/tuple of integer labels, one per file in the
            alphanumeric order of the paths.
        formats: allowed extensions, e.g. ``(".txt",)`` (case-insensitive).
        class_names: with ``labels="inferred"``, the subfolders to use, in
            this order.
        shuffle, seed: shuffle paths and labels together with this seed.
        follow_links: descend into symlinked folders.
        verbose: print ``Found N files belonging to M classes.``

    Returns:
        ``(file_paths, labels, class_names)``: a list of paths, an int32 array
        of labels (``None`` when ``labels`` is None) and the class names
        (``None`` when ``labels`` is None; for an explicit list, the sorted
        distinct labels as strings).

    Example:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp()
        >>> for c in ("b", "a"):
        ...     os.makedirs(os.path.join(root, c))
        ...     open(os.path.join(root, c, "1.txt"), "w").close()
        >>> paths, labels, names = index_directory(root, "inferred", (".txt",), shuffle=False,
        ...                                        verbose=False)
        >>> names, labels.tolist()
        (['a', 'b'], [0, 1])
    """
    if isinstance(formats, str):
        formats = (formats,)
    formats = tuple(f.lower() for f in formats)
    if not os.path.isdir(directory):
        raise ValueError(f"index_directory: `directory` must be an existing folder, received {directory!r}")
    if labels == "inferred":
        subdirs = [name for name in sorted(os.listdir(directory))
                   if not name.startswith(".") and os.path.isdir(os.path.join(directory, name))]
        if class_names is not None:
            missing = [name for name in class_names if name not in subdirs]
            if missing:
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories of the target "
                    f"directory. Expected: {subdirs} (or a subset of it), but received: "
                    f"class_names={list(class_names)}")
            subdirs = list(class_names)
    else:
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be specified.")
            raise ValueError("When argument `labels` is specified, argument `class_names` cannot be specified "
                             "(the `class_names` will be the sorted list of labels).")
        subdirs = [""]

    file_paths, label_list = [], []
    for index, subdir in enumerate(subdirs):
        for relative in _walk_files(os.path.join(directory, subdir), formats, follow_links):
            file_paths.append(os.path.join(directory, subdir, relative) if subdir
                              else os.path.join(directory, relative))
            label_list.append(index)

    if labels == "inferred":
        class_names = list(subdirs)
        labels = np.asarray(label_list, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if not isinstance(labels, (list, tuple, np.ndarray)):
            raise ValueError(
                "index_directory: `labels` must be 'inferred', None, or a list/tuple of integer labels, "
                f"received {labels!r}")
        if len(labels) != len(file_paths):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target directory. "
                f"len(labels) is {len(labels)} while we found {len(file_paths)} files in directory {directory}.")
        class_names = [str(value) for value in sorted(set(np.asarray(labels).tolist()))]
        labels = np.asarray(labels, dtype="int32")

    if verbose:
        if labels is None:
            print_msg(f"Found {len(file_paths)} files.")
        else:
            print_msg(f"Found {len(file_paths)} files belonging to {len(class_names)} classes.")

    if shuffle:
        if seed is None:
            seed = int(np.random.randint(1_000_000))
        order = np.random.RandomState(seed).permutation(len(file_paths))
        file_paths = [file_paths[i] for i in order]
        if labels is not None:
            labels = labels[order]
    return file_paths, labels, class_names


# --------------------------------------------------------------------------- validation split


def check_validation_split(validation_split, subset, shuffle, seed):
    """Raise ValueError when ``validation_split``/``subset``/``seed`` break Keras' rules.

    Example:
        >>> check_validation_split(0.2, "training", shuffle=True, seed=1)
    """
    if validation_split is not None and validation_split != 0 and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely. "
                         f"Received: validation_split={validation_split}, subset={subset!r}")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset!r}')
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` argument, to make "
            "sure that there is no overlap between the training and validation subset.")


def _take_subset(file_paths, labels, validation_split, subset, verbose):
    num_val = int(validation_split * len(file_paths))
    num_train = len(file_paths) - num_val
    if subset == "training":
        if verbose:
            print_msg(f"Using {num_train} files for training.")
        part = slice(0, num_train)
    else:
        if verbose:
            print_msg(f"Using {num_val} files for validation.")
        part = slice(num_train, len(file_paths))
    return file_paths[part], (None if labels is None else labels[part])


def split_validation(file_paths, labels, validation_split, subset, seed=None, shuffle=True, verbose=True):
    """Apply ``validation_split``/``subset`` to an indexed (already shuffled) file list.

    The last ``int(validation_split * len(file_paths))`` files are the
    validation subset, the rest the training subset.

    Returns:
        ``(file_paths, labels)`` for ``subset="training"``/``"validation"`` or
        when ``validation_split`` is unset; for ``subset="both"`` a list of two
        such pairs, training first.

    Example:
        >>> import numpy as np
        >>> split_validation(list("abcde"), np.arange(5), 0.4, "validation", seed=1,
        ...                  verbose=False)[0]
        ['d', 'e']
    """
    check_validation_split(validation_split, subset, shuffle, seed)
    if not validation_split:
        return file_paths, labels
    if subset == "both":
        return [_take_subset(file_paths, labels, validation_split, "training", verbose),
                _take_subset(file_paths, labels, validation_split, "validation", verbose)]
    return _take_subset(file_paths, labels, validation_split, subset, verbose)


def encode_labels(labels, label_mode, num_classes):
    """Integer class indices -> Keras' label formats.

    ``"int"``: int32 ``(n,)``; ``"binary"``: float32 ``(n, 1)``;
    ``"categorical"``: float32 one-hot ``(n, num_classes)``.

    Example:
        >>> encode_labels(np.array([1, 0]), "categorical", 3).tolist()
        [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    """
    labels = np.asarray(labels)
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "binary":
        return labels.astype("float32").reshape(-1, 1)
    if label_mode == "categorical":
        out = np.zeros((len(labels), num_classes), dtype="float32")
        index = labels.astype("int64").reshape(-1)
        valid = (index >= 0) & (index < num_classes)  # out-of-range labels give all-zero rows
        out[np.arange(len(index))[valid], index[valid]] = 1.0
        return out
    raise ValueError(f'`label_mode` must be one of "int", "categorical", "binary", or None; received {label_mode!r}')


# --------------------------------------------------------------------------- the neutral dataset


def _is_text_leaf(value):
    return isinstance(value, (str, bytes)) or (isinstance(value, np.ndarray) and value.dtype.kind in "OSU")


def default_collate(elements):
    """Stack a list of same-structured elements leaf by leaf.

    Numeric leaves are stacked with ``np.stack``; ``str``/``bytes`` leaves
    become a 1-D object array. Leaves of different shapes raise ValueError.

    Example:
        >>> batch = default_collate([(np.zeros(2), b"a"), (np.ones(2), b"b")])
        >>> batch[0].shape, batch[1].tolist()
        ((2, 2), [b'a', b'b'])
    """
    first = elements[0]
    flat = [tree.flatten(element) for element in elements]
    stacked = []
    for position, leaves in enumerate(zip(*flat)):
        if isinstance(leaves[0], (str, bytes)):
            column = np.empty(len(leaves), dtype=object)
            column[:] = list(leaves)
            stacked.append(column)
            continue
        arrays = [np.asarray(leaf) for leaf in leaves]
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            raise ValueError(
                f"SampleDataset: cannot batch elements whose leaf #{position} has different shapes "
                f"{sorted(shapes)}; give the dataset a `collate` function that pads them")
        stacked.append(np.stack(arrays))
    return tree.pack_sequence_as(first, stacked)


class SampleDataset(PyDataset):
    """A backend-neutral dataset of ``num_samples`` elements loaded one at a time.

    Args:
        num_samples: how many elements.
        load_sample: ``load_sample(i) -> element`` (a NumPy array, a tuple or
            dict of them; ``str``/``bytes`` leaves are allowed).
        batch_size: elements per batch, or None to yield the elements one by
            one (``.batch(n)`` returns a batched copy).
        shuffle: visit the elements in a random order, drawn again at every
            epoch (``on_epoch_end`` or the end of a full iteration).
        seed: seed of that order.
        collate: ``collate(list_of_elements) -> batch``; defaults to
            :func:`default_collate`.
        workers, use_multiprocessing, max_queue_size: as for ``PyDataset``.

    Creators may set descriptive attributes such as ``class_names`` and
    ``file_paths``; they are kept by ``.batch(n)``.

    Example:
        >>> import numpy as np
        >>> ds = SampleDataset(4, lambda i: np.array([i, i]), shuffle=True, seed=0)
        >>> sorted(int(e[0]) for e in ds)
        [0, 1, 2, 3]
        >>> ds.batch(3)[0].shape
        (3, 2)
    """

    def __init__(self, num_samples, load_sample, batch_size=None, shuffle=False, seed=None, collate=None,
                 workers=1, use_multiprocessing=False, max_queue_size=10):
        super().__init__(workers=workers, use_multiprocessing=use_multiprocessing, max_queue_size=max_queue_size)
        if not isinstance(num_samples, (int, np.integer)) or num_samples < 0:
            raise ValueError(f"SampleDataset: `num_samples` must be an int >= 0, received {num_samples!r}")
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer))
                                       or isinstance(batch_size, bool) or batch_size < 1):
            raise ValueError(f"SampleDataset: `batch_size` must be a positive int or None, received {batch_size!r}")
        if not callable(load_sample):
            raise TypeError(f"SampleDataset: `load_sample` must be callable, received {load_sample!r}")
        self.num_samples = int(num_samples)
        self.load_sample = load_sample
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.seed = int(np.random.randint(1_000_000)) if seed is None else int(seed)
        self.collate = collate or default_collate
        self._epoch = 0
        self._order = self._make_order()

    # ---- order

    def _make_order(self):
        if not self.shuffle:
            return np.arange(self.num_samples)
        return np.random.default_rng([self.seed, self._epoch]).permutation(self.num_samples)

    def on_epoch_end(self):
        """Draw the next epoch's order (when shuffling)."""
        self._epoch += 1
        if self.shuffle:
            self._order = self._make_order()

    # ---- PyDataset interface

    def __len__(self):
        if self.batch_size is None:
            return self.num_samples
        return math.ceil(self.num_samples / self.batch_size)

    def __getitem__(self, index):
        count = len(self)
        if isinstance(index, (int, np.integer)) and -count <= index < count:
            index = int(index) % count if count else 0
        else:
            raise IndexError(f"SampleDataset: index {index!r} out of range for {count} "
                             f"{'elements' if self.batch_size is None else 'batches'}")
        if self.batch_size is None:
            return self.load_sample(int(self._order[index]))
        picked = self._order[index * self.batch_size:(index + 1) * self.batch_size]
        return self.collate([self.load_sample(int(i)) for i in picked])

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]
        # a completed pass is an epoch: the next pass sees a new order, as tf.data reshuffles.
        self.on_epoch_end()

    # ---- transformations

    def batch(self, batch_size):
        """A copy that yields batches of ``batch_size`` elements.

        Example:
            >>> import numpy as np
            >>> len(SampleDataset(5, lambda i: np.zeros(1)).batch(2))
            3
        """
        if self.batch_size is not None:
            raise ValueError(f"SampleDataset.batch: this dataset is already batched (batch_size={self.batch_size})")
        return self._copy(batch_size=batch_size)

    def unbatch(self):
        """A copy that yields the elements one by one.

        Example:
            >>> import numpy as np
            >>> len(SampleDataset(5, lambda i: np.zeros(1), batch_size=2).unbatch())
            5
        """
        return self._copy(batch_size=None)

    def _copy(self, **changes):
        settings = dict(num_samples=self.num_samples, load_sample=self.load_sample, batch_size=self.batch_size,
                        shuffle=self.shuffle, seed=self.seed, collate=self.collate, workers=self.workers,
                        use_multiprocessing=self.use_multiprocessing, max_queue_size=self.max_queue_size)
        settings.update(changes)
        clone = type(self).__new__(type(self))
        SampleDataset.__init__(clone, **settings)
        for name, value in self.__dict__.items():
            if name not in clone.__dict__:
                clone.__dict__[name] = value
        return clone

    def cardinality(self):
        """The number of elements (unbatched) or batches, as ``tf.data``'s ``cardinality()`` gives it.

        Example:
            >>> import numpy as np
            >>> int(SampleDataset(5, lambda i: np.zeros(1), batch_size=2).cardinality())
            3
        """
        return len(self)

    def __repr__(self):
        return (f"<SampleDataset num_samples={self.num_samples} batch_size={self.batch_size} "
                f"shuffle={self.shuffle}>")


# --------------------------------------------------------------------------- output formats


def _backend_name():
    from kiln.backend import backend

    return backend()


def is_tf_dataset(x):
    """True for a ``tf.data.Dataset`` (without importing TensorFlow).

    Example:
        >>> is_tf_dataset([1, 2])
        False
    """
    tf = sys.modules.get("tensorflow")
    return tf is not None and isinstance(x, tf.data.Dataset)


def is_torch_dataset(x):
    """True for a ``torch.utils.data.Dataset`` (without importing torch).

    Example:
        >>> is_torch_dataset([1, 2])
        False
    """
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.utils.data.Dataset)


def _tf_spec(tf, leaf, batched, dynamic_shape):
    if leaf.dtype.kind in "OSU":
        dtype = tf.string
    else:
        dtype = tf.as_dtype(leaf.dtype)
    if dynamic_shape:
        shape = [None] * leaf.ndim
    else:
        shape = list(leaf.shape)
        if batched and shape:
            shape[0] = None
    return tf.TensorSpec(shape=shape, dtype=dtype)


def _tuples(structure):
    return tree.lists_to_tuples(structure)


def to_tf_dataset(dataset, dynamic_shape=False):
    """A ``tf.data.Dataset`` yielding what the neutral ``dataset`` yields.

    Each pass over the result is one epoch of ``dataset`` (reshuffled when it
    shuffles). ``dynamic_shape=True`` declares every axis of every leaf as
    unknown (for padded batches whose length varies); it may also be a
    structure of booleans matching the elements, one per leaf.

    Example:
        >>> import numpy as np
        >>> ds = to_tf_dataset(SampleDataset(3, lambda i: np.float32(i), batch_size=2))  # doctest: +SKIP
        >>> [b.numpy().tolist() for b in ds]  # doctest: +SKIP
        [[0.0, 1.0], [2.0]]
    """
    import tensorflow as tf

    source = dataset._copy()
    if len(source) == 0:
        raise ValueError("to_tf_dataset: the dataset is empty")
    batched = source.batch_size is not None
    first = _tuples(tree.map_structure(np.asarray, source[0]))
    leaves = tree.flatten(first)
    if isinstance(dynamic_shape, bool):
        flags = [dynamic_shape] * len(leaves)
    else:
        flags = [bool(flag) for flag in tree.flatten(dynamic_shape)]
        if len(flags) != len(leaves):
            raise ValueError(f"to_tf_dataset: `dynamic_shape` has {len(flags)} flags for {len(leaves)} leaves")
    signature = tree.pack_sequence_as(
        first, [_tf_spec(tf, leaf, batched, flag) for leaf, flag in zip(leaves, flags)])

    def generate():
        for index in range(len(source)):
            yield _tuples(source[index])
        source.on_epoch_end()

    result = tf.data.Dataset.from_generator(generate, output_signature=signature)
    return result.apply(tf.data.experimental.assert_cardinality(len(source)))


class _ElementSource:
    """Random access to a neutral dataset's elements (for grain)."""

    def __init__(self, dataset):
        self._dataset = dataset

    def __len__(self):
        return self._dataset.num_samples

    def __getitem__(self, index):
        return self._dataset.load_sample(int(index))


def to_grain_dataset(dataset):
    """A grain ``IterDataset`` yielding what the neutral ``dataset`` yields.

    Example:
        >>> import numpy as np
        >>> ds = to_grain_dataset(SampleDataset(3, lambda i: np.float32(i), batch_size=2))  # doctest: +SKIP
        >>> [b.tolist() for b in ds]  # doctest: +SKIP
        [[0.0, 1.0], [2.0]]
    """
    try:
        import grain
    except ImportError as error:
        raise ImportError("format='grain' needs the `grain` package (pip install grain)") from error
    result = grain.MapDataset.source(_ElementSource(dataset))
    if dataset.shuffle:
        result = result.shuffle(seed=dataset.seed)
    if dataset.batch_size is not None:
        result = result.batch(dataset.batch_size, batch_fn=dataset.collate)
    return result.to_iter_dataset()


def check_format(format, caller):
    """Raise ValueError unless ``format`` is one of ``"tf"``, ``"tf.data"``, ``"grain"``, ``"kiln"``.

    Example:
        >>> check_format("kiln", "text_dataset_from_directory")
    """
    if format not in FORMATS:
        raise ValueError(f"{caller}: `format` must be one of {list(FORMATS)}, received {format!r}")


def finalize_dataset(dataset, format, caller, dynamic_shape=False):
    """Turn a neutral dataset (or a list of them) into what ``format`` asks for.

    ``"tf"``: a ``tf.data.Dataset`` when the backend is TensorFlow, else the
    neutral dataset (TensorFlow is not imported); ``"tf.data"``: always a
    ``tf.data.Dataset``; ``"grain"``: a grain ``IterDataset``; ``"kiln"``:
    the neutral dataset. ``dynamic_shape`` is passed to :func:`to_tf_dataset`.

    Example:
        >>> import numpy as np
        >>> ds = SampleDataset(2, lambda i: np.zeros(1))
        >>> finalize_dataset(ds, "kiln", "demo") is ds
        True
    """
    check_format(format, caller)
    if isinstance(dataset, list):
        return [finalize_dataset(part, format, caller, dynamic_shape) for part in dataset]
    if format == "kiln" or (format == "tf" and _backend_name() != "tensorflow"):
        return dataset
    if format == "grain":
        result = to_grain_dataset(dataset)
    else:
        result = to_tf_dataset(dataset, dynamic_shape=dynamic_shape)
    for name in ("class_names", "file_paths"):  # users read these off the returned dataset
        if name in dataset.__dict__:
            try:
                setattr(result, name, dataset.__dict__[name])
            except AttributeError:
                pass
    return result


# --------------------------------------------------------------------------- directory datasets


def check_label_args(labels, label_mode, class_names, caller, kind):
    """Keras' checks of ``labels``/``label_mode``/``class_names`` for the directory creators.

    ``kind`` names the files (``"text"``, ``"audio"``, ``"image"``) in messages.

    Example:
        >>> check_label_args("inferred", "int", None, "text_dataset_from_directory", "text")
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                f"{caller}: `labels` must be a list/tuple of integer labels, one per {kind} file in the target "
                "directory; pass labels='inferred' to infer them from the subdirectory names, or labels=None for "
                f"a dataset without labels. Received: labels={labels!r}")
        if class_names:
            raise ValueError(
                f"{caller}: `class_names` can only be passed with labels='inferred'. Received: labels={labels!r} "
                f"and class_names={class_names!r}")
    if label_mode not in LABEL_MODES:
        raise ValueError(
            f'{caller}: `label_mode` must be one of "int", "categorical", "binary", or None. '
            f"Received: label_mode={label_mode!r}")


class FileSampleLoader:
    """``load_sample`` for a list of files: ``read(path)`` or ``(read(path), label)``.

    Picklable when ``read`` is (a module-level function or a ``functools.partial`` of one).

    Example:
        >>> loader = FileSampleLoader(["a", "b"], None, str.upper)
        >>> loader(1)
        'B'
    """

    def __init__(self, file_paths, labels, read):
        self.file_paths = list(file_paths)
        self.labels = labels
        self.read = read

    def __call__(self, index):
        sample = self.read(self.file_paths[index])
        if self.labels is None:
            return sample
        return sample, self.labels[index]


def directory_dataset(directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split,
                      subset, follow_links, verbose, formats, read, caller, kind, collate=None):
    """Index ``directory`` and build the neutral dataset(s) the directory creators return.

    Applies Keras' argument checks, ``index_directory``, the binary-mode and
    empty-subset checks and the validation split; each element is
    ``read(path)`` or ``(read(path), label)`` with labels encoded per
    ``label_mode``. Returns one :class:`SampleDataset`, or a list of two for
    ``subset="both"``; each has ``class_names`` and ``file_paths`` attributes.

    Example:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp(); os.makedirs(os.path.join(root, "a"))
        >>> open(os.path.join(root, "a", "x.txt"), "w").close()
        >>> ds = directory_dataset(root, "inferred", "int", None, 2, False, None, None, None, False,
        ...                        False, (".txt",), os.path.basename, "demo", "text")
        >>> ds[0][0].tolist(), ds.class_names
        (['x.txt'], ['a'])
    """
    check_label_args(labels, label_mode, class_names, caller, kind)
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool)
                                   or batch_size < 1):
        raise ValueError(f"{caller}: `batch_size` must be a positive int or None, received {batch_size!r}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    check_validation_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = int(np.random.randint(1_000_000))
    file_paths, labels, class_names = index_directory(
        directory, labels, formats=formats, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'{caller}: with label_mode="binary" there must be exactly 2 classes. '
                         f"Received: class_names={class_names}")
    allowed = ", ".join(formats)
    if subset == "both":
        parts = split_validation(file_paths, labels, validation_split, subset, seed, shuffle, verbose)
        names = ("training ", "validation ")
    else:
        parts = [split_validation(file_paths, labels, validation_split, subset, seed, shuffle, verbose)]
        names = ("",)
    datasets = []
    for (paths, part_labels), name in zip(parts, names):
        if not paths:
            raise ValueError(f"{caller}: no {name}{kind} files found in directory {directory}. "
                             f"Allowed format(s): {allowed}")
        encoded = None
        if part_labels is not None:
            encoded = encode_labels(part_labels, label_mode, len(class_names))
        dataset = SampleDataset(len(paths), FileSampleLoader(paths, encoded, read), batch_size=batch_size,
                                shuffle=shuffle, seed=seed, collate=collate)
        dataset.class_names = class_names
        dataset.file_paths = list(paths)
        datasets.append(dataset)
    return datasets if subset == "both" else datasets[0]


# --------------------------------------------------------------------------- split_dataset

_SPLIT = "split_dataset"


def _split_sizes(left_size, right_size, total):
    """Keras' rules turning ``left_size``/``right_size`` into two element counts."""
    def kind(value):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            return "bad"
        return "int" if isinstance(value, (int, np.integer)) else "float"

    left_kind, right_kind = kind(left_size), kind(right_size)
    if left_kind == "bad" or right_kind == "bad":
        raise TypeError(
            f"{_SPLIT}: `left_size` and `right_size` must be an int, a float or None. Received: "
            f"left_size={left_size!r} ({type(left_size).__name__}) and right_size={right_size!r} "
            f"({type(right_size).__name__})")
    if left_size is None and right_size is None:
        raise ValueError(f"{_SPLIT}: at least one of `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    if left_size == 0 and right_size == 0:
        raise ValueError(f"{_SPLIT}: both `left_size` and `right_size` are zero; at least one of the split "
                         "sizes must be non-zero")
    for name, value, value_kind in (("left_size", left_size, left_kind), ("right_size", right_size, right_kind)):
        if (value_kind == "int" and not 0 < value < total) or (value_kind == "float" and not 0 < value < 1):
            raise ValueError(
                f"{_SPLIT}: `{name}` should be either a positive integer smaller than {total} (the number of "
                f"samples), or a float within the range (0, 1). Received: {name}={value!r}")
    if left_kind == right_kind == "float" and left_size + right_size > 1:
        raise ValueError(f"{_SPLIT}: the sum of `left_size` and `right_size` is greater than 1 "
                         f"(left_size={left_size}, right_size={right_size}); it must be at most 1")
    left = round(left_size * total) if left_kind == "float" else left_size
    right = round(right_size * total) if right_kind == "float" else right_size
    if left is None:
        left = total - right
    elif right is None:
        right = total - left
    if left + right > total:
        raise ValueError(f"{_SPLIT}: the sum of `left_size` and `right_size` ({left} + {right} samples) is larger "
                         f"than the dataset ({total} samples)")
    for count, side in ((left, "left"), (right, "right")):
        if count == 0:
            raise ValueError(
                f"{_SPLIT}: with a dataset of {total} samples, left_size={left_size} and right_size={right_size}, "
                f"the {side} split would be empty; adjust the sizes")
    return int(left), int(right)


def _rows(arrays, what):
    """Split parallel arrays into per-sample elements (tuples / dicts / rows)."""
    if isinstance(arrays, dict):
        keys = list(arrays)
        columns = [arrays[key] for key in keys]
    else:
        keys = None
        columns = list(arrays) if isinstance(arrays, (list, tuple)) else [arrays]
    columns = [column if hasattr(column, "__getitem__") and hasattr(column, "__len__") else np.asarray(column)
               for column in columns]
    lengths = {len(column) for column in columns}
    if len(lengths) > 1:
        raise ValueError(f"{_SPLIT}: the arrays of {what} must all have the same length; "
                         f"received lengths {[len(column) for column in columns]}")
    count = lengths.pop() if lengths else 0
    if keys is not None:
        return [{key: column[i] for key, column in zip(keys, columns)} for i in range(count)]
    if isinstance(arrays, (list, tuple)):
        return [tuple(column[i] for column in columns) for i in range(count)]
    return [columns[0][i] for i in range(count)]


def _tf_batch_size(dataset):
    """The batch size of a batched tf.data pipeline, or None.

    Looks through stages that keep the element structure (prefetch, cache,
    options, a structure-preserving map...) down to a batch stage.
    """
    node = dataset
    for _ in range(32):
        size = getattr(node, "_batch_size", None)
        if size is not None:
            return int(size.numpy()) if hasattr(size, "numpy") else int(size)
        parent = getattr(node, "_input_dataset", None)
        if parent is None or parent.element_spec != node.element_spec:
            return None
        node = parent
    return None


def _split_elements(dataset):
    """``(elements, source_kind, batch_size)`` for every input split_dataset takes."""
    if is_tf_dataset(dataset):
        batch_size = _tf_batch_size(dataset)
        source = dataset.unbatch() if batch_size is not None else dataset
        return list(source.as_numpy_iterator()), "tf", batch_size
    if is_torch_dataset(dataset):
        try:
            count = len(dataset)
        except TypeError as error:
            raise TypeError(f"{_SPLIT}: the torch Dataset must have a length (a map-style Dataset)") from error
        return [dataset[i] for i in range(count)], "torch", None
    if isinstance(dataset, SampleDataset):
        return [dataset.load_sample(i) for i in range(dataset.num_samples)], "kiln", dataset.batch_size
    if isinstance(dataset, np.ndarray):
        return _rows(dataset, "`dataset`"), "arrays", None
    if isinstance(dataset, dict):
        return _rows(dataset, "`dataset`"), "arrays", None
    if isinstance(dataset, (list, tuple)):
        if dataset and all(np.ndim(item) == 0 and not hasattr(item, "__len__") for item in dataset):
            return _rows(np.asarray(dataset), "`dataset`"), "arrays", None  # a plain list of numbers
        return _rows(dataset, "`dataset`"), "arrays", None
    raise TypeError(
        f"{_SPLIT}: `dataset` must be a tf.data.Dataset, a torch.utils.data.Dataset, a Kiln dataset "
        "(e.g. from text_dataset_from_directory), a NumPy array, or a list/tuple/dict of arrays of the same "
        f"length. Received: dataset of type {type(dataset).__name__}")


class ElementListLoader:
    """``load_sample`` over a Python list of elements (picklable).

    Example:
        >>> ElementListLoader([(1, 2), (3, 4)])(1)
        (3, 4)
    """

    def __init__(self, elements):
        self.elements = elements

    def __call__(self, index):
        return self.elements[index]


def _to_numpy_leaves(element):
    def convert(leaf):
        if isinstance(leaf, (str, bytes)):
            return leaf
        if hasattr(leaf, "detach"):  # a torch tensor
            leaf = leaf.detach().cpu().numpy()
        return np.asarray(leaf)

    return tree.map_structure(convert, element)


def __getattr__(name):
    # The torch Dataset class is built on first use (torch stays unimported until then), under a
    # module-level name so that DataLoader worker processes can unpickle it.
    if name == "TorchElementDataset":
        import torch

        def getitem(self, index):
            return self.elements[index]

        cls = type("TorchElementDataset", (torch.utils.data.Dataset,), {
            "__init__": lambda self, elements: setattr(self, "elements", elements),
            "__len__": lambda self: len(self.elements),
            "__getitem__": getitem,
            "__module__": __name__,
            "__doc__": "A map-style torch Dataset over a list of elements (what split_dataset returns for torch).",
        })
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _split_target(preferred_backend, source_kind):
    if preferred_backend is not None:
        choices = ("tensorflow", "torch", "jax", "numpy", "kiln")
        if preferred_backend not in choices:
            raise ValueError(f"{_SPLIT}: `preferred_backend` must be None or one of {list(choices)}; "
                             f"received {preferred_backend!r}")
        return {"tensorflow": "tf", "torch": "torch"}.get(preferred_backend, "kiln")
    if source_kind in ("tf", "torch"):
        return source_kind
    return {"tensorflow": "tf", "torch": "torch"}.get(_backend_name(), "kiln")


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None, preferred_backend=None):
    """Split a dataset into a left part and a right part (e.g. training / test).

    The left split holds the first ``left_size`` samples, the right split the
    last ``right_size`` samples (of the shuffled order when ``shuffle``).

    Args:
        dataset: a ``tf.data.Dataset`` (batched ones are unbatched, split and
            batched again), a map-style ``torch.utils.data.Dataset``, a Kiln
            dataset (e.g. from ``text_dataset_from_directory(format="kiln")``),
            a NumPy array, or a list/tuple/dict of arrays of the same length.
        left_size: a float in (0, 1) (a fraction of the samples), an int (a
            number of samples), or None (the complement of ``right_size``).
        right_size: the same for the right split.
        shuffle: shuffle the samples before splitting.
        seed: seed of that shuffle.
        preferred_backend: what to return: ``"tensorflow"`` (``tf.data``),
            ``"torch"`` (torch Datasets), ``"jax"``/``"numpy"``/``"kiln"``
            (Kiln's neutral dataset). ``None``: follows the input (tf.data ->
            tf.data, torch Dataset -> torch), otherwise the current backend —
            tf.data with TensorFlow, torch Datasets with torch, and Kiln's
            neutral dataset (no TensorFlow import) with jax and numpy.

    Returns:
        A tuple ``(left, right)`` of two datasets yielding samples one at a
        time (neutral ones: call ``.batch(n)`` before ``fit``).

    Example:
        >>> import numpy as np
        >>> data = np.random.random((1000, 4))
        >>> left, right = split_dataset(data, left_size=0.8, preferred_backend="kiln")
        >>> len(left), len(right)
        (800, 200)
    """
    elements, source_kind, batch_size = _split_elements(dataset)
    target = _split_target(preferred_backend, source_kind)
    if left_size is None and right_size is None:
        _split_sizes(left_size, right_size, len(elements))  # raises the Keras error
    if shuffle:
        import random

        if seed is None:
            seed = random.randint(0, 1_000_000)
        random.Random(seed).shuffle(elements)
    total = len(elements)
    left_count, right_count = _split_sizes(left_size, right_size, total)
    parts = (elements[:left_count], elements[total - right_count:])

    if target == "torch":
        cls = globals().get("TorchElementDataset") or __getattr__("TorchElementDataset")
        return cls(list(parts[0])), cls(list(parts[1]))
    parts = [[_to_numpy_leaves(element) for element in part] for part in parts]
    if target == "tf":
        import tensorflow as tf

        def make(part):
            result = tf.data.Dataset.from_tensor_slices(_tuples(default_collate(part)))
            if source_kind == "tf" and batch_size is not None:
                result = result.batch(batch_size)
            return result.prefetch(tf.data.AUTOTUNE)

        return make(parts[0]), make(parts[1])

    def make_neutral(part):
        rebatch = batch_size if source_kind == "kiln" else None
        return SampleDataset(len(part), ElementListLoader(part), batch_size=rebatch)

    return make_neutral(parts[0]), make_neutral(parts[1])
