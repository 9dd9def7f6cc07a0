"""image_dataset_from_directory: Keras 3's signature and semantics, the neutral and the tf.data path."""

import os
import subprocess
import sys

import numpy as np
import pytest
from api_reference import lacking_examples, reference_rows, wrong_signatures
from PIL import Image

import kiln
from kiln import config
from kiln.utils import image_dataset_utils
from kiln.utils.dataset_utils import SampleDataset
from kiln.utils.image_dataset_utils import image_dataset_from_directory, resize_image

# class -> (file names, base colour); sizes vary so every image is resized.
CLASSES = {
    "apple": (("0.png", "1.jpg", "sub/2.bmp"), (200, 30, 30)),
    "banana": (("0.png", "1.gif", "2.png", "3.jpeg"), (30, 30, 200)),
    "cherry": (("0.png", "1.png"), (30, 200, 30)),
}
NUM_FILES = sum(len(names) for names, _ in CLASSES.values())


def _write(path, height, width, colour, seed):
    rng = np.random.default_rng(seed)
    noise = rng.integers(-25, 26, (height, width, 3))
    pixels = np.clip(np.asarray(colour) + noise, 0, 255).astype("uint8")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(pixels).save(path)


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    seed = 0
    for name, (files, colour) in CLASSES.items():
        for file in files:
            seed += 1
            _write(os.path.join(root, name, file), 6 + seed % 4, 9 - seed % 3, colour, seed)
        (root / name / "notes.txt").write_text("not an image")
    return str(root)


def _sorted_files(root, class_name):
    # index order: the class folder's files, then each subfolder's (os.walk order).
    names = CLASSES[class_name][0]
    top = sorted(n for n in names if "/" not in n)
    nested = sorted(n for n in names if "/" in n)
    return [os.path.join(root, class_name, n) for n in top + nested]


def _all(dataset):
    """Concatenate one pass over a (batched) dataset into (images, labels) NumPy arrays."""
    images, labels = [], []
    for batch in dataset:
        x, y = batch if isinstance(batch, tuple) else (batch, None)
        images.append(np.asarray(x))
        if y is not None:
            labels.append(np.asarray(y))
    return np.concatenate(images), (np.concatenate(labels) if labels else None)


def test_signature_and_example_are_keras():
    rows = [r for r in reference_rows(("keras.utils",)) if r["name"] == "image_dataset_from_directory"]
    assert len(rows) == 1
    assert kiln.utils.image_dataset_from_directory is image_dataset_from_directory
    assert wrong_signatures(rows) == [] and lacking_examples(rows) == []


def test_inferred_labels_shapes_and_order(image_dir, capsys):
    ds = image_dataset_from_directory(image_dir, image_size=(5, 7), batch_size=4, shuffle=False, format="kiln")
    assert "Found 9 files belonging to 3 classes." in capsys.readouterr().out
    assert isinstance(ds, SampleDataset) and isinstance(ds, kiln.utils.PyDataset)
    assert ds.class_names == ["apple", "banana", "cherry"]
    expected_paths = [p for c in ds.class_names for p in _sorted_files(image_dir, c)]
    assert ds.file_paths == expected_paths
    assert len(ds) == 3
    x, y = ds[0]
    assert x.shape == (4, 5, 7, 3) and x.dtype == np.float32
    assert y.shape == (4,) and y.dtype == np.int32
    images, labels = _all(ds)
    assert images.shape == (NUM_FILES, 5, 7, 3)
    assert labels.tolist() == [0, 0, 0, 1, 1, 1, 1, 2, 2]
    assert 0.0 <= images.min() and images.max() <= 255.0 and images.max() > 150.0
    # Each class keeps its colour: the dominant channel of the mean pixel.
    dominant = images.mean(axis=(1, 2)).argmax(axis=1)
    assert dominant.tolist() == [0, 0, 0, 2, 2, 2, 2, 1, 1]


def test_label_modes(image_dir):
    kwargs = dict(image_size=(4, 4), batch_size=16, shuffle=False, format="kiln", verbose=False)
    _, labels = _all(image_dataset_from_directory(image_dir, label_mode="categorical", **kwargs))
    assert labels.dtype == np.float32 and labels.shape == (NUM_FILES, 3)
    np.testing.assert_array_equal(labels, np.eye(3, dtype="float32")[[0, 0, 0, 1, 1, 1, 1, 2, 2]])
    ds = image_dataset_from_directory(image_dir, label_mode="binary", class_names=["cherry", "apple"], **kwargs)
    _, labels = _all(ds)
    assert ds.class_names == ["cherry", "apple"]
    assert labels.dtype == np.float32 and labels.shape == (5, 1)
    assert labels[:, 0].tolist() == [0, 0, 1, 1, 1]
    with pytest.raises(ValueError, match='binary.*exactly 2 classes.*apple.*banana.*cherry'):
        image_dataset_from_directory(image_dir, label_mode="binary", **kwargs)
    # label_mode=None or labels=None: images only.
    for extra in (dict(label_mode=None), dict(labels=None)):
        ds = image_dataset_from_directory(image_dir, **kwargs, **extra)
        assert isinstance(ds[0], np.ndarray) and ds[0].shape == (NUM_FILES, 4, 4, 3)
    assert image_dataset_from_directory(image_dir, labels=None, **kwargs).class_names is None


def test_explicit_labels_list(tmp_path):
    for i in range(4):
        _write(str(tmp_path / f"{i}.png"), 4, 4, (i * 60, 0, 0), i)
    ds = image_dataset_from_directory(str(tmp_path), labels=[3, 1, 1, 0], image_size=(2, 2), batch_size=None,
                                      shuffle=False, format="kiln", verbose=False)
    assert [int(ds[i][1]) for i in range(4)] == [3, 1, 1, 0]
    assert ds.class_names == ["0", "1", "3"]
    assert ds.file_paths == [str(tmp_path / f"{i}.png") for i in range(4)]
    # A NumPy array of labels is taken like a list.
    from_array = image_dataset_from_directory(str(tmp_path), labels=np.array([3, 1, 1, 0]), image_size=(2, 2),
                                              batch_size=4, shuffle=False, format="kiln", verbose=False)
    assert from_array[0][1].tolist() == [3, 1, 1, 0]
    with pytest.raises(ValueError, match="len\\(labels\\) is 2.*4 files"):
        image_dataset_from_directory(str(tmp_path), labels=[0, 1], format="kiln", verbose=False)
    with pytest.raises(ValueError, match="class_names.*labels='inferred'"):
        image_dataset_from_directory(str(tmp_path), labels=[0, 1, 1, 0], class_names=["a"], format="kiln")


def test_16_bit_png_keeps_the_high_byte_on_both_paths(tmp_path):
    deep = np.array([[0, 255, 256, 1000], [40000, 65535, 32895, 33023]], dtype=np.uint16)
    Image.fromarray(deep).save(tmp_path / "deep.png")
    kwargs = dict(labels=None, image_size=(2, 4), batch_size=None, shuffle=False, verbose=False)
    neutral = image_dataset_from_directory(str(tmp_path), format="kiln", **kwargs)[0]
    np.testing.assert_array_equal(neutral, np.repeat((deep >> 8)[..., None], 3, axis=-1))
    from_tf = next(iter(image_dataset_from_directory(str(tmp_path), format="tf.data", **kwargs)))
    np.testing.assert_array_equal(from_tf.numpy(), neutral)


def test_class_names_select_and_order(image_dir):
    ds = image_dataset_from_directory(image_dir, class_names=["cherry", "apple"], image_size=(3, 3),
                                      batch_size=None, shuffle=False, format="kiln", verbose=False)
    assert ds.class_names == ["cherry", "apple"]
    assert ds.file_paths == _sorted_files(image_dir, "cherry") + _sorted_files(image_dir, "apple")
    assert [int(ds[i][1]) for i in range(len(ds))] == [0, 0, 1, 1, 1]
    with pytest.raises(ValueError, match="class_names.*did not match.*durian"):
        image_dataset_from_directory(image_dir, class_names=["durian"], format="kiln", verbose=False)


def test_color_modes_and_data_format(image_dir):
    kwargs = dict(image_size=(3, 5), batch_size=2, shuffle=False, format="kiln", verbose=False)
    gray = image_dataset_from_directory(image_dir, color_mode="grayscale", **kwargs)
    assert gray[0][0].shape == (2, 3, 5, 1)
    rgba = image_dataset_from_directory(image_dir, color_mode="rgba", **kwargs)
    assert rgba[0][0].shape == (2, 3, 5, 4)
    np.testing.assert_array_equal(rgba[0][0][..., 3], 255.0)
    last = image_dataset_from_directory(image_dir, **kwargs)
    first = image_dataset_from_directory(image_dir, data_format="channels_first", **kwargs)
    assert first[0][0].shape == (2, 3, 3, 5)
    np.testing.assert_array_equal(first[0][0], last[0][0].transpose(0, 3, 1, 2))


def test_unbatched_then_batch(image_dir):
    ds = image_dataset_from_directory(image_dir, image_size=(4, 6), batch_size=None, shuffle=False,
                                      format="kiln", verbose=False)
    assert len(ds) == NUM_FILES
    x, y = ds[0]
    assert x.shape == (4, 6, 3) and np.ndim(y) == 0
    batched = ds.batch(4)
    assert len(batched) == 3 and batched[0][0].shape == (4, 4, 6, 3)
    np.testing.assert_array_equal(batched[0][0][1], ds[1][0])
    assert batched.class_names == ds.class_names and batched.file_paths == ds.file_paths


def test_shuffle_is_seeded_and_redrawn_each_epoch(image_dir):
    kwargs = dict(image_size=(2, 2), batch_size=3, seed=7, format="kiln", verbose=False)
    a = image_dataset_from_directory(image_dir, **kwargs)
    b = image_dataset_from_directory(image_dir, **kwargs)
    in_order = [p for c in CLASSES for p in _sorted_files(image_dir, c)]
    assert a.file_paths == b.file_paths != in_order
    assert sorted(a.file_paths) == sorted(in_order)
    first_a, first_b = _all(a)[0], _all(b)[0]
    np.testing.assert_array_equal(first_a, first_b)
    second_a = _all(a)[0]
    # Same images, another order.
    assert not np.array_equal(first_a, second_a)
    np.testing.assert_allclose(np.sort(first_a.reshape(NUM_FILES, -1).sum(1)),
                               np.sort(second_a.reshape(NUM_FILES, -1).sum(1)), rtol=1e-6)
    # Labels travel with their images whatever the order.
    for images, labels in a:
        np.testing.assert_array_equal(images.mean(axis=(1, 2)).argmax(axis=1), np.array([0, 2, 1])[labels])


def test_validation_split(image_dir, capsys):
    kwargs = dict(image_size=(2, 2), batch_size=4, seed=3, validation_split=0.34, format="kiln")
    train = image_dataset_from_directory(image_dir, subset="training", **kwargs)
    val = image_dataset_from_directory(image_dir, subset="validation", **kwargs)
    out = capsys.readouterr().out
    assert "Using 6 files for training." in out and "Using 3 files for validation." in out
    assert len(train.file_paths) == 6 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths)
    assert len(set(train.file_paths) | set(val.file_paths)) == NUM_FILES
    both = image_dataset_from_directory(image_dir, subset="both", verbose=False, **kwargs)
    assert isinstance(both, list) and len(both) == 2
    assert both[0].file_paths == train.file_paths and both[1].file_paths == val.file_paths
    assert both[0].shuffle and not both[1].shuffle
    assert both[1].class_names == ["apple", "banana", "cherry"]
    with pytest.raises(ValueError, match="seed"):
        image_dataset_from_directory(image_dir, validation_split=0.2, subset="training", format="kiln")
    with pytest.raises(ValueError, match="subset"):
        image_dataset_from_directory(image_dir, validation_split=0.2, seed=1, format="kiln")
    with pytest.raises(ValueError, match="subset"):
        image_dataset_from_directory(image_dir, validation_split=0.2, subset="test", seed=1, format="kiln")


def test_argument_errors(image_dir, tmp_path):
    call = image_dataset_from_directory
    with pytest.raises(ValueError, match="image_dataset_from_directory.*color_mode.*\"rgb\".*'cmyk'"):
        call(image_dir, color_mode="cmyk")
    with pytest.raises(ValueError, match="image_dataset_from_directory.*label_mode.*'sparse'"):
        call(image_dir, label_mode="sparse")
    with pytest.raises(ValueError, match="interpolation.*bilinear, nearest.*mitchellcubic.*'hamming'"):
        call(image_dir, interpolation="hamming")
    with pytest.raises(ValueError, match="crop_to_aspect_ratio.*pad_to_aspect_ratio"):
        call(image_dir, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="image_size.*\\(4, 4, 4\\)"):
        call(image_dir, image_size=(4, 4, 4))
    with pytest.raises(ValueError, match="labels.*'inferred'.*None.*'folder'"):
        call(image_dir, labels="folder")
    with pytest.raises(ValueError, match="batch_size.*0"):
        call(image_dir, batch_size=0)
    with pytest.raises(ValueError, match="format.*'torch'"):
        call(image_dir, format="torch")
    with pytest.raises(ValueError, match="no images found in directory.*\\.png"):
        call(str(tmp_path), labels=None, format="kiln", verbose=False)


def test_resize_image_crop_pad_and_interpolations():
    image = np.arange(4 * 8, dtype="float32").reshape(4, 8, 1)
    cropped = resize_image(image, (4, 4), "nearest", crop_to_aspect_ratio=True)
    np.testing.assert_array_equal(cropped, image[:, 2:6])
    padded = resize_image(image[:2, :4], (4, 4), "nearest", pad_to_aspect_ratio=True)
    np.testing.assert_array_equal(padded[[0, 3]], 0.0)
    np.testing.assert_array_equal(padded[1:3], image[:2, :4])
    # Bilinear halving with half-pixel centres averages neighbour pairs.
    row = np.arange(8, dtype="float32").reshape(1, 8, 1)
    np.testing.assert_allclose(resize_image(row, (1, 4))[0, :, 0], [0.5, 2.5, 4.5, 6.5], atol=1e-6)
    np.testing.assert_allclose(resize_image(row, (1, 4), "area")[0, :, 0], [0.5, 2.5, 4.5, 6.5], atol=1e-6)
    np.testing.assert_array_equal(resize_image(row, (1, 4), "nearest")[0, :, 0], [1, 3, 5, 7])
    for interpolation in image_dataset_utils.INTERPOLATIONS:
        out = resize_image(np.full((5, 7, 3), 9.0, "float32"), (3, 4), interpolation)
        assert out.shape == (3, 4, 3) and out.dtype == np.float32
        np.testing.assert_allclose(out, 9.0, rtol=1e-5)  # weights are normalised


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "area"])
def test_tf_data_and_neutral_paths_agree(image_dir, interpolation):
    kwargs = dict(image_size=(5, 4), batch_size=4, shuffle=False, interpolation=interpolation,
                  label_mode="categorical", verbose=False, crop_to_aspect_ratio=interpolation == "area")
    tf_ds = image_dataset_from_directory(image_dir, format="tf.data", **kwargs)
    neutral = image_dataset_from_directory(image_dir, format="kiln", **kwargs)
    import tensorflow as tf

    assert isinstance(tf_ds, tf.data.Dataset)
    assert tf_ds.class_names == neutral.class_names and tf_ds.file_paths == neutral.file_paths
    tf_batches = [(x.numpy(), y.numpy()) for x, y in tf_ds]
    assert len(tf_batches) == len(neutral)
    for (tx, ty), (nx, ny) in zip(tf_batches, neutral):
        assert tx.shape == nx.shape and tx.dtype == nx.dtype == np.float32
        assert ty.dtype == ny.dtype and ty.shape == ny.shape
        np.testing.assert_array_equal(ty, ny)
    tf_images, neutral_images = np.concatenate([x for x, _ in tf_batches]), _all(neutral)[0]
    for path, tx, nx in zip(neutral.file_paths, tf_images, neutral_images):
        if path.endswith((".jpg", ".jpeg")):
            # libjpeg builds differ by a few levels per pixel.
            np.testing.assert_allclose(tx, nx, atol=4.0, err_msg=path)
        else:
            # The same pixels resampled: equal up to float rounding.
            np.testing.assert_allclose(tx, nx, atol=1e-3, err_msg=path)


def test_tf_data_path_options(image_dir):
    import tensorflow as tf

    ds = image_dataset_from_directory(image_dir, format="tf.data", batch_size=None, image_size=(3, 3),
                                      color_mode="grayscale", data_format="channels_first", labels=None,
                                      pad_to_aspect_ratio=True, seed=5, verbose=False)
    assert ds.element_spec == tf.TensorSpec((1, 3, 3), tf.float32)
    assert ds.class_names is None and len(ds.file_paths) == NUM_FILES
    train, val = image_dataset_from_directory(image_dir, format="tf.data", validation_split=0.5, subset="both",
                                              seed=2, image_size=(2, 2), batch_size=2, verbose=False)
    assert sum(int(x.shape[0]) for x, _ in train) == 5 and sum(int(x.shape[0]) for x, _ in val) == 4
    assert not set(train.file_paths) & set(val.file_paths)


def test_format_rule(image_dir):
    ds = image_dataset_from_directory(image_dir, image_size=(2, 2), verbose=False)
    if config.backend() == "tensorflow":
        import tensorflow as tf

        assert isinstance(ds, tf.data.Dataset)
    else:
        assert isinstance(ds, SampleDataset)
    neutral = image_dataset_from_directory(image_dir, image_size=(2, 2), format="kiln", verbose=False)
    assert isinstance(neutral, SampleDataset)


def test_predict_on_the_tf_data_dataset(image_dir):
    # What format="tf" gives on the tensorflow backend is also taken by predict on the others.
    kwargs = dict(image_size=(6, 6), batch_size=4, shuffle=False, verbose=False)
    model = _model()
    from_tf = model.predict(image_dataset_from_directory(image_dir, format="tf.data", **kwargs), verbose=0)
    from_kiln = model.predict(image_dataset_from_directory(image_dir, format="kiln", **kwargs), verbose=0)
    assert from_tf.shape == (NUM_FILES, 3)
    np.testing.assert_allclose(from_tf, from_kiln, atol=0.05)


def test_grain_format(image_dir):
    import grain

    kwargs = dict(image_size=(3, 3), batch_size=4, shuffle=False, verbose=False)
    ds = image_dataset_from_directory(image_dir, format="grain", **kwargs)
    assert isinstance(ds, grain.IterDataset)
    images, labels = _all(ds)
    expected_images, expected_labels = _all(image_dataset_from_directory(image_dir, format="kiln", **kwargs))
    np.testing.assert_array_equal(labels, expected_labels)
    np.testing.assert_array_equal(images, expected_images)


def test_follow_links(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    _write(str(root / "a" / "0.png"), 3, 3, (9, 9, 9), 0)
    _write(str(outside / "1.png"), 3, 3, (9, 9, 9), 1)
    os.symlink(outside, root / "a" / "linked")
    kwargs = dict(image_size=(2, 2), shuffle=False, format="kiln", verbose=False)
    assert len(image_dataset_from_directory(str(root), **kwargs).file_paths) == 1
    assert len(image_dataset_from_directory(str(root), follow_links=True, **kwargs).file_paths) == 2


def test_neutral_path_never_imports_tensorflow(image_dir):
    # The tensorflow backend imports TensorFlow itself: there the check runs on the numpy backend.
    code = (
        "import sys, kiln\n"
        f"ds = kiln.utils.image_dataset_from_directory({image_dir!r}, image_size=(4, 4), batch_size=4, seed=1,"
        " verbose=False, validation_split=0.3, subset='both')\n"
        "assert [len(p) for p in ds] == [2, 1], [len(p) for p in ds]\n"
        "x, y = ds[0][0]\n"
        "assert x.shape == (4, 4, 4, 3)\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n"
        "print('ok')\n"
    )
    backend = "numpy" if config.backend() == "tensorflow" else config.backend()
    env = dict(os.environ, KILN_BACKEND=backend)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")


def _model():
    return kiln.Sequential([
        kiln.layers.Input((6, 6, 3)),
        kiln.layers.Rescaling(1.0 / 255),
        kiln.layers.GlobalAveragePooling2D(),
        kiln.layers.Dense(3),
    ])


def test_predict_on_the_neutral_dataset(image_dir):
    ds = image_dataset_from_directory(image_dir, image_size=(6, 6), batch_size=4, shuffle=False, format="kiln",
                                      verbose=False)
    model = _model()
    predictions = model.predict(ds, verbose=0)
    assert predictions.shape == (NUM_FILES, 3)
    images, _ = _all(ds)
    np.testing.assert_allclose(predictions, model.predict(images, verbose=0), rtol=1e-5, atol=1e-5)


def test_fit_on_the_neutral_dataset(image_dir):
    if config.backend() == "numpy":
        pytest.skip("numpy backend has no autodiff")
    kiln.utils.set_random_seed(0)
    train, val = image_dataset_from_directory(image_dir, image_size=(6, 6), batch_size=3, seed=4,
                                              validation_split=0.25, subset="both", format="kiln",
                                              verbose=False)
    model = _model()
    model.compile(optimizer=kiln.optimizers.Adam(0.1),
                  loss=kiln.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(train, validation_data=val, epochs=8, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 8 and "val_loss" in history.history
    assert losses[-1] < losses[0]
    predictions = model.predict(val, verbose=0)
    assert predictions.shape == (len(val.file_paths), 3)
