"""``image_dataset_from_directory``: a labelled image dataset from a folder tree.

Two ways to read the files, one contract (same order, labels, shapes and
float32 pixel values in 0..255):

* the TensorFlow path (``format="tf"`` on the tensorflow backend, or
  ``format="tf.data"``): a ``tf.data`` pipeline that decodes with
  ``tf.io.decode_image`` and resizes with ``tf.image.resize``;
* the backend-neutral path (every other case): a
  :class:`~kiln.utils.dataset_utils.SampleDataset` that decodes with Pillow
  and resizes with NumPy, using the resampling definition of Kiln's own
  ``ops.image.resize`` (half-pixel centres, no antialiasing), so its pixels
  agree with the TensorFlow path's to rounding. It never imports TensorFlow.

Example:
    >>> ds = image_dataset_from_directory("flowers/", image_size=(64, 64),
    ...                                   format="kiln")  # doctest: +SKIP
    >>> images, labels = ds[0]  # doctest: +SKIP
    >>> images.shape, labels.dtype  # doctest: +SKIP
    ((32, 64, 64, 3), dtype('int32'))
"""

import numpy as np

from kiln import config
from kiln.backend.common import image_rules
from kiln.utils import dataset_utils
from kiln.utils.image_utils import pil_image_module

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}
_PIL_MODES = {1: "L", 3: "RGB", 4: "RGBA"}
_CALLER = "image_dataset_from_directory"


# --------------------------------------------------------------------------- NumPy resizing


def _gaussian_kernel(distance):
    # tf.image's "gaussian": sigma 0.5, cut off at 3 sigma.
    return np.where(distance < 1.5, np.exp(-distance * distance / 0.5), 0.0)


def _mitchell_kernel(distance):
    # Mitchell-Netravali cubic with B = C = 1/3.
    x = distance
    near = ((7.0 / 6.0 * x - 2.0) * x) * x + 8.0 / 9.0
    far = ((-7.0 / 18.0 * x + 2.0) * x - 10.0 / 3.0) * x + 16.0 / 9.0
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))


_EXTRA_KERNELS = {"gaussian": _gaussian_kernel, "mitchellcubic": _mitchell_kernel}


def _axis_weights(in_size, out_size, interpolation):
    """(in, out) weights resampling one axis without antialiasing (half-pixel centres)."""
    if interpolation == "area":
        return image_rules.area_weights(in_size, out_size)
    if interpolation not in _EXTRA_KERNELS:
        return image_rules.resample_weights(in_size, out_size, out_size / in_size, 0.0,
                                            image_rules.resize_kernel(interpolation), False)
    sample = (np.arange(out_size, dtype=np.float64) + 0.5) * in_size / out_size - 0.5
    weights = _EXTRA_KERNELS[interpolation](np.abs(sample[None, :] - np.arange(in_size)[:, None]))
    total = weights.sum(axis=0, keepdims=True)
    return weights / np.where(total != 0, total, 1.0)


def resize_image(image, size, interpolation="bilinear", crop_to_aspect_ratio=False, pad_to_aspect_ratio=False):
    """Resize one ``(height, width, channels)`` float32 image to ``size`` with NumPy.

    ``crop_to_aspect_ratio`` first takes the largest centred box with the
    target's aspect ratio; ``pad_to_aspect_ratio`` instead pads the image with
    zeros around it to that ratio.

    Example:
        >>> import numpy as np
        >>> resize_image(np.arange(4, dtype="float32").reshape(1, 4, 1), (1, 2))[..., 0].tolist()
        [[0.5, 2.5]]
    """
    height, width = image.shape[0], image.shape[1]
    target_height, target_width = size
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        box_h, box_w, top, left = image_rules.aspect_ratio_box(height, width, target_height, target_width,
                                                               pad_to_aspect_ratio)
        if crop_to_aspect_ratio:
            image = image[top:top + box_h, left:left + box_w]
        else:
            image = np.pad(image, ((top, box_h - height - top), (left, box_w - width - left), (0, 0)))
    for axis, out_size in ((0, target_height), (1, target_width)):
        in_size = image.shape[axis]
        if in_size == out_size and interpolation not in _EXTRA_KERNELS:
            continue  # an identity (the smoothing kernels still blur, as tf.image.resize does)
        if interpolation == "nearest":
            image = np.take(image, image_rules.nearest_source_indices(in_size, out_size), axis=axis)
        else:
            weights = _axis_weights(in_size, out_size, interpolation).astype(np.float32)
            image = np.moveaxis(np.tensordot(image, weights, axes=((axis,), (0,))), -1, axis)
    return np.ascontiguousarray(image, dtype=np.float32)


# --------------------------------------------------------------------------- the neutral path


class ImageLoader:
    """Read file ``i`` of a list as the dataset's element: the image, plus its label when labelled.

    A plain class (not a closure) so datasets using it can be pickled for
    multiprocessing workers.

    Example:
        >>> loader = ImageLoader(["a.png"], None, 3, (8, 8), "bilinear", False, False,
        ...                      "channels_last")
        >>> loader(0).shape  # doctest: +SKIP
        (8, 8, 3)
    """

    def __init__(self, file_paths, labels, num_channels, image_size, interpolation, crop_to_aspect_ratio,
                 pad_to_aspect_ratio, data_format):
        self.file_paths = list(file_paths)
        self.labels = labels
        self.num_channels = num_channels
        self.image_size = tuple(image_size)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.data_format = data_format

    def load_image(self, path):
        """The file at ``path`` decoded (first frame of an animation), converted and resized."""
        image_module = pil_image_module(_CALLER)
        with image_module.open(path) as img:
            img.seek(0)
            if img.mode.startswith("I;16"):
                # 16-bit grayscale: keep the high byte, as decoding to 8 bits does, rather than clipping.
                img = image_module.fromarray((np.asarray(img, dtype=np.uint16) >> 8).astype(np.uint8))
            mode = _PIL_MODES[self.num_channels]
            if img.mode != mode:
                img = img.convert(mode)
            pixels = np.asarray(img, dtype=np.float32)
        if pixels.ndim == 2:
            pixels = pixels[:, :, None]
        pixels = resize_image(pixels, self.image_size, self.interpolation, self.crop_to_aspect_ratio,
                              self.pad_to_aspect_ratio)
        if self.data_format == "channels_first":
            pixels = np.ascontiguousarray(pixels.transpose(2, 0, 1))
        return pixels

    def __call__(self, index):
        image = self.load_image(self.file_paths[index])
        if self.labels is None:
            return image
        return image, self.labels[index]


def _neutral_dataset(file_paths, labels, label_mode, num_classes, batch_size, shuffle, seed, settings):
    encoded = None if label_mode is None else dataset_utils.encode_labels(labels, label_mode, num_classes)
    loader = ImageLoader(file_paths, encoded, **settings)
    return dataset_utils.SampleDataset(len(file_paths), loader, batch_size=batch_size, shuffle=shuffle,
                                       seed=seed)


# --------------------------------------------------------------------------- the TensorFlow path


def _tf_resize(tf, image, image_size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio):
    """tf.image.resize after the same centred crop / zero padding as :func:`resize_image`."""
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        target_height, target_width = image_size
        shape = tf.shape(image)
        height, width = shape[0], shape[1]
        # int(width * th / tw) as image_rules.aspect_ratio_box computes it (floor of a positive float).
        by_width = tf.cast(tf.cast(width, "float64") * target_height / target_width, "int32")
        by_height = tf.cast(tf.cast(height, "float64") * target_width / target_height, "int32")
        if crop_to_aspect_ratio:
            box_h, box_w = tf.minimum(height, by_width), tf.minimum(width, by_height)
            top, left = (height - box_h) // 2, (width - box_w) // 2
            image = image[top:top + box_h, left:left + box_w]
        else:
            box_h, box_w = tf.maximum(height, by_width), tf.maximum(width, by_height)
            top, left = (box_h - height) // 2, (box_w - width) // 2
            image = tf.pad(image, [[top, box_h - height - top], [left, box_w - width - left], [0, 0]])
    return tf.image.resize(image, image_size, method=interpolation)


def _tf_dataset(file_paths, labels, label_mode, num_classes, batch_size, shuffle, seed, settings):
    import tensorflow as tf

    num_channels = settings["num_channels"]
    image_size = settings["image_size"]
    channels_first = settings["data_format"] == "channels_first"

    def load(path):
        image = tf.io.decode_image(tf.io.read_file(path), channels=num_channels, expand_animations=False)
        image = _tf_resize(tf, tf.cast(image, "float32"), image_size, settings["interpolation"],
                           settings["crop_to_aspect_ratio"], settings["pad_to_aspect_ratio"])
        if channels_first:
            image = tf.transpose(image, (2, 0, 1))
            image.set_shape((num_channels,) + tuple(image_size))
        else:
            image.set_shape(tuple(image_size) + (num_channels,))
        return image

    dataset = tf.data.Dataset.from_tensor_slices([str(p) for p in file_paths])
    if label_mode is not None:
        encoded = dataset_utils.encode_labels(labels, label_mode, num_classes)
        dataset = tf.data.Dataset.zip((dataset, tf.data.Dataset.from_tensor_slices(encoded)))
    if shuffle:
        dataset = dataset.shuffle(buffer_size=batch_size * 8 if batch_size else 1024, seed=seed)
    if label_mode is None:
        dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        dataset = dataset.map(lambda path, label: (load(path), label), num_parallel_calls=tf.data.AUTOTUNE)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    return dataset.prefetch(tf.data.AUTOTUNE)


# --------------------------------------------------------------------------- the public function


def _check_arguments(labels, label_mode, class_names, color_mode, image_size, interpolation,
                     crop_to_aspect_ratio, pad_to_aspect_ratio, batch_size):
    if isinstance(labels, np.ndarray):
        labels = labels.tolist()
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple)):
        raise ValueError(
            f"{_CALLER}: `labels` must be 'inferred' (labels from the subfolder names), None (no labels), or a "
            f"list/tuple of integer labels, one per image file in the alphanumeric order of the paths; "
            f"received {labels!r}")
    if class_names is not None and labels != "inferred":
        raise ValueError(f"{_CALLER}: `class_names` can only be passed with labels='inferred', received "
                         f"labels={labels!r}")
    if label_mode not in dataset_utils.LABEL_MODES:
        raise ValueError(f'{_CALLER}: `label_mode` must be one of "int", "categorical", "binary", or None; '
                         f"received {label_mode!r}")
    if color_mode not in _CHANNELS:
        raise ValueError(f'{_CALLER}: `color_mode` must be one of "rgb", "rgba", "grayscale"; received '
                         f"{color_mode!r}")
    if isinstance(image_size, int) and not isinstance(image_size, bool):
        image_size = (image_size, image_size)
    if (not isinstance(image_size, (tuple, list)) or len(image_size) != 2
            or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0
                       for s in image_size)):
        raise ValueError(f"{_CALLER}: `image_size` must be (height, width) of positive ints, received "
                         f"{image_size!r}")
    if not isinstance(interpolation, str) or interpolation.lower() not in INTERPOLATIONS:
        raise ValueError(f"{_CALLER}: `interpolation` must be one of {', '.join(INTERPOLATIONS)}; received "
                         f"{interpolation!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{_CALLER}: only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be True")
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool)
                                   or batch_size < 1):
        raise ValueError(f"{_CALLER}: `batch_size` must be a positive int or None, received {batch_size!r}")
    return labels, tuple(int(s) for s in image_size), interpolation.lower()


def _set_attributes(dataset, class_names, file_paths):
    try:
        dataset.class_names = class_names
        dataset.file_paths = list(file_paths)
    except AttributeError:  # an object that takes no new attributes
        pass
    return dataset


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 color_mode="rgb", batch_size=32, image_size=(256, 256), shuffle=True,
                                 seed=None, validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                                 data_format=None, format="tf", verbose=True):
    """Build a dataset of images (and labels) from the image files in a folder tree.

    With ``labels="inferred"`` each subfolder of ``directory`` is a class
    (``class_a/``, ``class_b/`` ... get labels 0, 1, ... in alphanumeric
    order); files are found recursively. Files ending in ``.jpeg``, ``.jpg``,
    ``.png``, ``.bmp`` or ``.gif`` are read (only the first frame of an
    animated GIF).

    Args:
        directory: the root folder.
        labels: ``"inferred"``; ``None`` for images without labels; or a
            list/tuple of integer labels, one per image file in the
            alphanumeric order of the file paths.
        label_mode: ``"int"`` (int32 labels, shape ``(batch,)``),
            ``"categorical"`` (float32 one-hot, ``(batch, num_classes)``),
            ``"binary"`` (float32 0/1, ``(batch, 1)``; exactly two classes), or
            ``None`` (images only).
        class_names: with ``labels="inferred"``, the subfolders to use and
            their order.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"`` (1, 3 or 4
            channels).
        batch_size: images per batch; ``None`` yields single images.
        image_size: ``(height, width)`` every image is resized to.
        shuffle: shuffle the files (and again at every epoch); otherwise they
            come in alphanumeric order.
        seed: seed of the shuffling and of the validation split.
        validation_split: fraction (0..1) of the files kept for validation.
        subset: ``"training"``, ``"validation"``, or ``"both"`` (returns the
            two datasets as a list); needs ``validation_split``, and
            ``training``/``validation`` calls with the same ``seed`` get
            disjoint files.
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"``,
            ``"area"``, ``"lanczos3"``, ``"lanczos5"``, ``"gaussian"`` or
            ``"mitchellcubic"``.
        follow_links: descend into symlinked subfolders.
        crop_to_aspect_ratio: crop the largest centred box with the aspect
            ratio of ``image_size`` before resizing (no distortion).
        pad_to_aspect_ratio: pad the image with zeros to that aspect ratio
            instead (nothing is cut off).
        data_format: ``"channels_last"`` or ``"channels_first"``; defaults to
            ``kiln.config.image_data_format()``.
        format: what to return (Kiln's rule, never a hidden TensorFlow import):
            ``"tf"`` gives a ``tf.data.Dataset`` when the backend is
            tensorflow and Kiln's backend-neutral dataset otherwise;
            ``"tf.data"`` always a ``tf.data.Dataset``; ``"grain"`` a grain
            ``IterDataset`` (grain must be installed); ``"kiln"`` always the
            backend-neutral dataset.
        verbose: print how many files and classes were found.

    Returns:
        The dataset (a list of two for ``subset="both"``). It yields
        ``(images, labels)`` — or only ``images`` when unlabelled — with
        float32 images of shape ``(batch, height, width, channels)`` (or
        channels first), pixel values in 0..255. It has the attributes
        ``class_names`` and ``file_paths`` (in the dataset's file order). The
        backend-neutral dataset is a ``kiln.utils.PyDataset``: ``fit`` takes it
        on every backend, ``ds[i]`` is batch ``i``, and ``.batch(n)`` batches
        an unbatched one.

    Example:
        >>> train, val = image_dataset_from_directory(
        ...     "flowers/", image_size=(64, 64), validation_split=0.2, subset="both",
        ...     seed=1, format="kiln")  # doctest: +SKIP
        >>> train.class_names  # doctest: +SKIP
        ['daisy', 'rose']
        >>> model.fit(train, validation_data=val, epochs=3)  # doctest: +SKIP
    """
    labels, image_size, interpolation = _check_arguments(
        labels, label_mode, class_names, color_mode, image_size, interpolation, crop_to_aspect_ratio,
        pad_to_aspect_ratio, batch_size)
    dataset_utils.check_format(format, _CALLER)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    data_format = config.standardize_data_format(data_format)
    dataset_utils.check_validation_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = int(np.random.randint(1_000_000))

    file_paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=ALLOWLIST_FORMATS, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'{_CALLER}: label_mode="binary" needs exactly 2 classes, received '
                         f"class_names={class_names}")
    num_classes = len(class_names) if class_names is not None else None

    settings = dict(num_channels=_CHANNELS[color_mode], image_size=image_size, interpolation=interpolation,
                    crop_to_aspect_ratio=bool(crop_to_aspect_ratio), pad_to_aspect_ratio=bool(pad_to_aspect_ratio),
                    data_format=data_format)
    use_tf = format == "tf.data" or (format == "tf" and config.backend() == "tensorflow")

    def build(paths, part_labels, part_shuffle, what):
        if not paths:
            raise ValueError(f"{_CALLER}: no {what}images found in directory {directory}. Allowed formats: "
                             f"{ALLOWLIST_FORMATS}")
        if use_tf:
            dataset = _tf_dataset(paths, part_labels, label_mode, num_classes, batch_size, part_shuffle, seed,
                                  settings)
        else:
            dataset = _neutral_dataset(paths, part_labels, label_mode, num_classes, batch_size, part_shuffle,
                                       seed, settings)
            dataset = dataset_utils.finalize_dataset(dataset, format, _CALLER)
        return _set_attributes(dataset, class_names, paths)

    split = dataset_utils.split_validation(file_paths, labels, validation_split, subset, seed=seed,
                                           shuffle=shuffle, verbose=verbose)
    if subset == "both":
        (train_paths, train_labels), (val_paths, val_labels) = split
        return [build(train_paths, train_labels, shuffle, "training "),
                build(val_paths, val_labels, False, "validation ")]
    file_paths, labels = split
    return build(file_paths, labels, shuffle, "")
