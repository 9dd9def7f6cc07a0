"""text_dataset_from_directory: Keras 3's signature, labels, truncation, splits and output formats."""

import os
import sys

import numpy as np
import pytest
from api_reference import lacking_examples, reference_rows, wrong_signatures

import kiln
from kiln.utils.dataset_utils import SampleDataset
from kiln.utils.text_dataset_utils import text_dataset_from_directory

BACKEND = kiln.backend.backend()

CONTENTS = {
    "neg/1.txt": "bad movie",
    "neg/2.txt": "dull",
    "neutral/1.txt": "so-so film",
    "pos/1.txt": "great fun",
    "pos/sub/2.txt": "héllo wörld",  # nested folders belong to their class; non-ASCII text
}


@pytest.fixture
def root(tmp_path):
    for rel, text in CONTENTS.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    (tmp_path / "pos" / "ignored.csv").write_text("not a text file")
    return str(tmp_path)


def _texts(values):
    return [v.decode("utf-8") if isinstance(v, bytes) else v for v in np.asarray(values).tolist()]


def _collect(ds):
    """All (text, label) pairs of a neutral or tf dataset, as Python values."""
    texts, labels = [], []
    for batch in ds:
        x, y = batch
        texts += _texts(np.asarray(x))
        labels += np.asarray(y).tolist()
    return texts, labels


def test_signature_and_example():
    rows = [r for r in reference_rows(("keras.utils",)) if r["name"] == "text_dataset_from_directory"]
    assert len(rows) == 1 and kiln.utils.text_dataset_from_directory is text_dataset_from_directory
    assert wrong_signatures(rows) == [] and lacking_examples(rows) == []


def test_int_labels_in_alphanumeric_order(root, capsys):
    ds = text_dataset_from_directory(root, batch_size=2, shuffle=False, format="kiln")
    assert capsys.readouterr().out.strip() == "Found 5 files belonging to 3 classes."
    assert isinstance(ds, SampleDataset) and ds.class_names == ["neg", "neutral", "pos"] and len(ds) == 3
    texts, labels = ds[0]
    assert texts.shape == (2,) and texts.dtype == object and labels.dtype == np.int32
    all_texts, all_labels = _collect(ds)
    assert all_texts == ["bad movie", "dull", "so-so film", "great fun", "héllo wörld"]
    assert all_labels == [0, 0, 1, 2, 2]


def test_label_modes(root):
    cat = text_dataset_from_directory(root, label_mode="categorical", batch_size=8, shuffle=False, verbose=False,
                                      format="kiln")
    texts, labels = cat[0]
    assert labels.dtype == np.float32 and labels.shape == (5, 3)
    np.testing.assert_array_equal(labels, np.eye(3, dtype="float32")[[0, 0, 1, 2, 2]])
    with pytest.raises(ValueError, match='label_mode="binary".*exactly 2'):
        text_dataset_from_directory(root, label_mode="binary", verbose=False)
    binary = text_dataset_from_directory(root, label_mode="binary", class_names=["neg", "pos"], batch_size=8,
                                         shuffle=False, verbose=False, format="kiln")
    texts, labels = binary[0]
    assert labels.dtype == np.float32 and labels.shape == (4, 1) and labels[:, 0].tolist() == [0, 0, 1, 1]
    only = text_dataset_from_directory(root, label_mode=None, batch_size=8, shuffle=False, verbose=False,
                                       format="kiln")
    batch = only[0]
    assert not isinstance(batch, tuple) and sorted(batch.tolist()) == sorted(CONTENTS.values())
    assert only.class_names is None
    with pytest.raises(ValueError, match="`label_mode` must be one of"):
        text_dataset_from_directory(root, label_mode="sparse")


def test_explicit_labels_and_no_labels(root):
    ds = text_dataset_from_directory(root, labels=[5, 6, 5, 6, 5], batch_size=None, shuffle=False, verbose=False,
                                     format="kiln")
    assert ds.class_names == ["5", "6"] and len(ds) == 5
    assert [int(ds[i][1]) for i in range(5)] == [5, 6, 5, 6, 5]
    assert ds[0][0] == "bad movie" and isinstance(ds[0][0], str)  # single texts when batch_size=None
    none = text_dataset_from_directory(root, labels=None, batch_size=8, shuffle=False, verbose=False, format="kiln")
    assert len(none[0]) == 5
    with pytest.raises(ValueError, match="list/tuple of integer labels"):
        text_dataset_from_directory(root, labels="folders")
    with pytest.raises(ValueError, match="`class_names` can only be passed"):
        text_dataset_from_directory(root, labels=[0] * 5, class_names=["a"])
    with pytest.raises(ValueError, match="len\\(labels\\) is 2"):
        text_dataset_from_directory(root, labels=[0, 1], verbose=False)


def test_max_length_counts_characters_for_str_and_bytes_for_tf(root):
    ds = text_dataset_from_directory(root, max_length=3, batch_size=8, shuffle=False, verbose=False, format="kiln")
    assert ds[0][0].tolist() == ["bad", "dul", "so-", "gre", "hél"]
    tf_ds = text_dataset_from_directory(root, max_length=3, batch_size=8, shuffle=False, verbose=False,
                                        format="tf.data")
    texts = next(iter(tf_ds))[0].numpy().tolist()
    assert texts[:4] == [b"bad", b"dul", b"so-", b"gre"] and texts[4] == "hél".encode("utf-8")[:3]


def test_shuffle_is_seeded_and_reshuffles(root):
    one = text_dataset_from_directory(root, batch_size=8, seed=3, verbose=False, format="kiln")
    two = text_dataset_from_directory(root, batch_size=8, seed=3, verbose=False, format="kiln")
    first = _collect(one)
    assert first == _collect(two)
    assert sorted(first[0]) == sorted(CONTENTS.values())
    pairs = dict(zip(*_collect(text_dataset_from_directory(root, batch_size=8, shuffle=False, verbose=False,
                                                             format="kiln"))))
    assert all(pairs[t] == label for t, label in zip(*first))  # texts and labels stay paired
    epochs = [tuple(_collect(one)[0]) for _ in range(4)]
    assert len(set(epochs)) > 1  # every pass is a new order


def test_validation_split(root, capsys):
    train = text_dataset_from_directory(root, validation_split=0.4, subset="training", seed=7, batch_size=8,
                                        format="kiln")
    val = text_dataset_from_directory(root, validation_split=0.4, subset="validation", seed=7, batch_size=8,
                                      format="kiln")
    out = capsys.readouterr().out
    assert "Using 3 files for training." in out and "Using 2 files for validation." in out
    train_texts, val_texts = _collect(train)[0], _collect(val)[0]
    assert len(train_texts) == 3 and len(val_texts) == 2
    assert sorted(train_texts + val_texts) == sorted(CONTENTS.values())
    both = text_dataset_from_directory(root, validation_split=0.4, subset="both", seed=7, batch_size=8,
                                       verbose=False, format="kiln")
    assert isinstance(both, list) and len(both) == 2
    assert sorted(_collect(both[0])[0]) == sorted(train_texts) and both[1].class_names == train.class_names
    with pytest.raises(ValueError, match="must provide a `seed`"):
        text_dataset_from_directory(root, validation_split=0.4, subset="training")
    with pytest.raises(ValueError, match="`validation_split` must be set"):
        text_dataset_from_directory(root, subset="training", seed=1)


def test_empty_directory_and_bad_format(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.raises(ValueError, match="no text files found"):
        text_dataset_from_directory(str(tmp_path), verbose=False)
    with pytest.raises(ValueError, match="`format` must be one of"):
        text_dataset_from_directory(str(tmp_path), format="numpy")


def test_default_format_follows_the_backend(root):
    ds = text_dataset_from_directory(root, batch_size=8, shuffle=False, verbose=False)
    if BACKEND == "tensorflow":
        tf = sys.modules["tensorflow"]
        assert isinstance(ds, tf.data.Dataset) and ds.class_names == ["neg", "neutral", "pos"]
        texts, labels = next(iter(ds))
        assert texts.dtype == tf.string and labels.dtype == tf.int32
        assert texts.numpy().tolist()[0] == b"bad movie"
    else:
        assert isinstance(ds, SampleDataset)
        assert ds[0][0].tolist()[0] == "bad movie"


def test_tf_data_and_grain_formats_match_the_neutral_dataset(root):
    import tensorflow as tf

    neutral = _collect(text_dataset_from_directory(root, batch_size=2, seed=1, verbose=False, format="kiln"))
    tf_ds = text_dataset_from_directory(root, batch_size=2, seed=1, verbose=False, format="tf.data")
    assert isinstance(tf_ds, tf.data.Dataset) and int(tf_ds.cardinality()) == 3
    assert tf_ds.element_spec[0].dtype == tf.string and tf_ds.element_spec[1].dtype == tf.int32
    assert _collect(tf_ds) == neutral
    grain_ds = text_dataset_from_directory(root, batch_size=2, shuffle=False, verbose=False, format="grain")
    assert type(grain_ds).__module__.startswith("grain")
    assert _collect(grain_ds)[0] == ["bad movie", "dull", "so-so film", "great fun", "héllo wörld"]
