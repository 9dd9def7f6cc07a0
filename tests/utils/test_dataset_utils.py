"""kiln.utils.dataset_utils: index_directory, validation splits, SampleDataset, formats, split_dataset."""

import os
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from api_reference import lacking_examples, reference_rows, wrong_signatures

import kiln
from kiln.utils import dataset_utils
from kiln.utils.dataset_utils import SampleDataset, index_directory, split_dataset

BACKEND = kiln.backend.backend()


def _touch(path, text="x"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "data"
    for rel in ("b/2.txt", "b/1.txt", "a/z.TXT", "a/deep/y.txt", "a/skip.csv", ".hidden/h.txt", "top.txt"):
        _touch(str(root / rel), rel)
    return str(root)


def test_split_dataset_signature_and_example():
    rows = [r for r in reference_rows(("keras.utils",)) if r["name"] == "split_dataset"]
    assert len(rows) == 1 and kiln.utils.split_dataset is split_dataset
    assert wrong_signatures(rows) == [] and lacking_examples(rows) == []


# --------------------------------------------------------------------------- index_directory


def test_index_directory_inferred_order_and_message(tree, capsys):
    paths, labels, names = index_directory(tree, "inferred", (".txt",), shuffle=False)
    assert names == ["a", "b"]  # alphanumeric; hidden folders and files at the top are not classes
    rel = [os.path.relpath(p, tree) for p in paths]
    assert rel == ["a/z.TXT", "a/deep/y.txt", "b/1.txt", "b/2.txt"]  # folder first, then sorted names
    assert labels.dtype == np.int32 and labels.tolist() == [0, 0, 1, 1]
    assert capsys.readouterr().out.strip() == "Found 4 files belonging to 2 classes."


def test_index_directory_class_names_order_and_subset(tree):
    paths, labels, names = index_directory(tree, "inferred", (".txt",), class_names=["b"], shuffle=False,
                                           verbose=False)
    assert names == ["b"] and labels.tolist() == [0, 0] and len(paths) == 2
    _, labels, names = index_directory(tree, "inferred", (".txt",), class_names=["b", "a"], shuffle=False,
                                       verbose=False)
    assert names == ["b", "a"] and labels.tolist() == [0, 0, 1, 1]
    with pytest.raises(ValueError, match="did not match the names of the subdirectories"):
        index_directory(tree, "inferred", (".txt",), class_names=["a", "nope"], verbose=False)


def test_index_directory_no_labels_and_explicit_labels(tree, capsys):
    paths, labels, names = index_directory(tree, None, (".txt",), shuffle=False)
    assert labels is None and names is None and len(paths) == 6  # the whole tree, hidden folder included
    assert capsys.readouterr().out.strip() == "Found 6 files."
    paths, labels, names = index_directory(tree, [3, 1, 3, 1, 1, 3], (".txt",), shuffle=False, verbose=False)
    assert names == ["1", "3"] and labels.tolist() == [3, 1, 3, 1, 1, 3]
    with pytest.raises(ValueError, match="len\\(labels\\) is 2 while we found 6 files"):
        index_directory(tree, [0, 1], (".txt",), verbose=False)
    with pytest.raises(ValueError, match="`labels=None`"):
        index_directory(tree, None, (".txt",), class_names=["a"], verbose=False)
    with pytest.raises(ValueError, match="class_names"):
        index_directory(tree, [0] * 6, (".txt",), class_names=["a"], verbose=False)


def test_index_directory_shuffle_keeps_pairs_and_is_seeded(tree):
    plain, plain_labels, _ = index_directory(tree, "inferred", (".txt",), shuffle=False, verbose=False)
    pairs = dict(zip(plain, plain_labels.tolist()))
    one = index_directory(tree, "inferred", (".txt",), shuffle=True, seed=5, verbose=False)
    two = index_directory(tree, "inferred", (".txt",), shuffle=True, seed=5, verbose=False)
    assert one[0] == two[0] and sorted(one[0]) == sorted(plain)
    assert all(pairs[p] == label for p, label in zip(one[0], one[1].tolist()))
    order = np.random.RandomState(5).permutation(len(plain))
    assert one[0] == [plain[i] for i in order]


def test_index_directory_follow_links(tmp_path):
    outside = tmp_path / "outside"
    _touch(str(outside / "o.txt"))
    root = tmp_path / "root"
    _touch(str(root / "a" / "1.txt"))
    os.symlink(outside, root / "a" / "link")
    assert len(index_directory(str(root), "inferred", (".txt",), verbose=False)[0]) == 1
    assert len(index_directory(str(root), "inferred", (".txt",), follow_links=True, verbose=False)[0]) == 2


# --------------------------------------------------------------------------- validation split


@pytest.mark.parametrize("args, match", [
    ((1.5, "training", False, None), "between 0 and 1"),
    ((0.2, None, False, None), "`subset` is set, `validation_split` must be set"),
    ((None, "training", False, None), "`subset` is set, `validation_split` must be set"),
    ((0.2, "train", False, None), '"training", "validation" or "both"'),
    ((0.2, "training", True, None), "must provide a `seed`"),
])
def test_validation_split_errors(args, match):
    with pytest.raises(ValueError, match=match):
        dataset_utils.check_validation_split(*args)


def test_split_validation_takes_the_tail(capsys):
    paths, labels = list("abcdefghij"), np.arange(10)
    train = dataset_utils.split_validation(paths, labels, 0.3, "training", seed=1)
    val = dataset_utils.split_validation(paths, labels, 0.3, "validation", seed=1)
    assert train[0] == list("abcdefg") and val[0] == list("hij") and val[1].tolist() == [7, 8, 9]
    out = capsys.readouterr().out
    assert "Using 7 files for training." in out and "Using 3 files for validation." in out
    both = dataset_utils.split_validation(paths, labels, 0.3, "both", seed=1, verbose=False)
    assert both[0][0] == train[0] and both[1][0] == val[0]
    assert dataset_utils.split_validation(paths, labels, None, None)[0] is paths


def test_encode_labels_modes():
    labels = np.array([2, 0, 1])
    assert dataset_utils.encode_labels(labels, "int", 3).dtype == np.int32
    binary = dataset_utils.encode_labels(np.array([1, 0]), "binary", 2)
    assert binary.dtype == np.float32 and binary.tolist() == [[1.0], [0.0]]
    np.testing.assert_array_equal(dataset_utils.encode_labels(labels, "categorical", 3), np.eye(3, dtype="float32")[labels])


# --------------------------------------------------------------------------- SampleDataset


def test_sample_dataset_batches_order_and_reshuffle():
    ds = SampleDataset(7, lambda i: (np.full((2,), i, "float32"), np.int32(i)), batch_size=3, shuffle=True, seed=4)
    assert isinstance(ds, kiln.utils.PyDataset) and len(ds) == 3 and ds.num_batches == 3
    first = np.concatenate([b[1] for b in ds])
    second = np.concatenate([b[1] for b in ds])  # a full pass is an epoch: a new order
    assert sorted(first.tolist()) == list(range(7)) and sorted(second.tolist()) == list(range(7))
    assert first.tolist() != second.tolist()
    again = SampleDataset(7, lambda i: (np.full((2,), i, "float32"), np.int32(i)), batch_size=3, shuffle=True, seed=4)
    assert np.concatenate([again[i][1] for i in range(3)]).tolist() == first.tolist()
    x, y = again[0]
    assert x.shape == (3, 2) and x.dtype == np.float32 and np.array_equal(x[:, 0], y)
    assert [b[1].shape[0] for b in SampleDataset(7, lambda i: (np.zeros(1), i), batch_size=3)] == [3, 3, 1]
    with pytest.raises(IndexError):
        ds[3]


def test_sample_dataset_batch_collate_and_errors():
    ds = SampleDataset(3, lambda i: {"t": "s%d" % i, "v": np.arange(i, i + 2)})
    assert len(ds) == 3 and ds[1]["t"] == "s1"
    batched = ds.batch(2)
    assert batched.batch_size == 2 and ds.batch_size is None
    first = batched[0]
    assert first["t"].dtype == object and first["t"].tolist() == ["s0", "s1"]
    assert first["v"].tolist() == [[0, 1], [1, 2]]
    with pytest.raises(ValueError, match="already batched"):
        batched.batch(2)
    assert len(batched.unbatch()) == 3
    ragged = SampleDataset(2, lambda i: np.zeros(i + 1), batch_size=2)
    with pytest.raises(ValueError, match="different shapes"):
        ragged[0]
    with pytest.raises(ValueError, match="batch_size"):
        SampleDataset(2, lambda i: i, batch_size=0)


def test_batch_keeps_creator_attributes():
    ds = SampleDataset(2, lambda i: np.zeros(1))
    ds.class_names = ["a"]
    assert ds.batch(2).class_names == ["a"]


def test_finalize_dataset_formats():
    ds = SampleDataset(5, lambda i: (np.float32(i), np.int32(i % 2)), batch_size=2)
    ds.class_names = ["even", "odd"]
    assert dataset_utils.finalize_dataset(ds, "kiln", "demo") is ds
    tf_rule = dataset_utils.finalize_dataset(ds, "tf", "demo")
    assert (tf_rule is ds) == (BACKEND != "tensorflow")
    grain_ds = dataset_utils.finalize_dataset(ds, "grain", "demo")
    assert [b[0].tolist() for b in grain_ds] == [[0.0, 1.0], [2.0, 3.0], [4.0]]
    tf_ds = dataset_utils.finalize_dataset(ds, "tf.data", "demo")
    assert type(tf_ds).__module__.startswith("tensorflow") and int(tf_ds.cardinality()) == 3
    assert [b[1].numpy().tolist() for b in tf_ds] == [[0, 1], [0, 1], [0]]
    assert tf_ds.class_names == ["even", "odd"]
    with pytest.raises(ValueError, match="`format` must be one of"):
        dataset_utils.finalize_dataset(ds, "torch", "demo")


def test_tf_conversion_reshuffles_each_pass():
    ds = SampleDataset(6, lambda i: np.int64(i), batch_size=None, shuffle=True, seed=2)
    tf_ds = dataset_utils.to_tf_dataset(ds)
    one = [int(v) for v in tf_ds]
    two = [int(v) for v in tf_ds]
    assert sorted(one) == sorted(two) == list(range(6)) and one != two


# --------------------------------------------------------------------------- split_dataset


def test_split_sizes_rules():
    sizes = dataset_utils._split_sizes
    assert sizes(0.8, None, 10) == (8, 2)
    assert sizes(None, 3, 10) == (7, 3)
    assert sizes(0.25, 0.5, 8) == (2, 4)  # the middle is dropped
    assert sizes(4, 0.5, 10) == (4, 5)
    for left, right, error, match in [
        (None, None, ValueError, "at least one"),
        (0, 0, ValueError, "both `left_size` and `right_size` are zero"),
        (10, None, ValueError, "positive integer smaller than 10"),
        (-1, None, ValueError, "`left_size`"),
        (None, 1.0, ValueError, "`right_size`"),
        (0.6, 0.6, ValueError, "greater than 1"),
        (6, 5, ValueError, "larger than the dataset"),
        (0.01, None, ValueError, "left split would be empty"),
        ("3", None, TypeError, "must be an int, a float or None"),
    ]:
        with pytest.raises(error, match=match):
            sizes(left, right, 10)


def test_split_dataset_arrays_neutral_and_shuffle():
    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.arange(10)
    left, right = split_dataset((x, y), left_size=0.7, shuffle=True, seed=11, preferred_backend="kiln")
    assert isinstance(left, SampleDataset) and (len(left), len(right)) == (7, 3)
    order = list(range(10))
    random.Random(11).shuffle(order)
    assert [int(left[i][1]) for i in range(7)] == order[:7]
    assert [int(right[i][1]) for i in range(3)] == order[7:]
    np.testing.assert_array_equal(left[0][0], x[order[0]])
    batch = left.batch(4)[0]
    assert batch[0].shape == (4, 2) and batch[1].shape == (4,)
    again, _ = split_dataset((x, y), left_size=0.7, shuffle=True, seed=11, preferred_backend="kiln")
    assert [int(again[i][1]) for i in range(7)] == order[:7]


def test_split_dataset_input_kinds():
    x = np.arange(6)
    left, right = split_dataset(x, right_size=2, preferred_backend="kiln")
    assert [int(left[i]) for i in range(len(left))] == [0, 1, 2, 3] and int(right[1]) == 5
    left, right = split_dataset({"a": x, "b": x * 10}, left_size=2, preferred_backend="kiln")
    assert left[1] == {"a": 1, "b": 10} and len(right) == 4
    left, _ = split_dataset([list(range(4)), list(range(4, 8))], left_size=1, preferred_backend="kiln")
    assert tuple(int(v) for v in left[0]) == (0, 4)  # a list of arrays: one feature per array
    left, right = split_dataset(list(range(5)), left_size=2, right_size=2, preferred_backend="kiln")
    assert int(left[1]) == 1 and [int(right[i]) for i in range(2)] == [3, 4]
    with pytest.raises(ValueError, match="same length"):
        split_dataset((np.zeros(3), np.zeros(4)), left_size=1)
    with pytest.raises(TypeError, match="must be a tf.data.Dataset"):
        split_dataset(object(), left_size=1)
    with pytest.raises(ValueError, match="preferred_backend"):
        split_dataset(x, left_size=1, preferred_backend="mxnet")


def test_split_dataset_neutral_input_keeps_batching():
    ds = SampleDataset(10, lambda i: (np.float32(i), np.int32(i)), batch_size=4)
    left, right = split_dataset(ds, left_size=6, preferred_backend="kiln")
    assert left.batch_size == 4 and len(left) == 2 and right[0][1].tolist() == [6, 7, 8, 9]


def test_split_dataset_tf_data_in_and_out():
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((np.arange(10, dtype="float32"), np.arange(10))).batch(3)
    left, right = split_dataset(data, left_size=0.6)
    assert isinstance(left, tf.data.Dataset)
    assert [b[1].numpy().tolist() for b in left] == [[0, 1, 2], [3, 4, 5]]  # batched again by 3
    assert [b[1].numpy().tolist() for b in right] == [[6, 7, 8], [9]]
    left, right = split_dataset(np.arange(8), left_size=0.5, preferred_backend="tensorflow")
    assert isinstance(left, tf.data.Dataset) and int(left.cardinality()) == 4
    assert [int(v) for v in right] == [4, 5, 6, 7]
    _, right = split_dataset(data.unbatch(), left_size=4)  # batched then unbatched: split element-wise
    assert [int(element[1]) for element in right] == [4, 5, 6, 7, 8, 9]
    _, right = split_dataset(data.prefetch(1), left_size=0.5)  # a batch stage below a prefetch counts
    assert [b[1].numpy().tolist() for b in right] == [[5, 6, 7], [8, 9]]
    left, _ = split_dataset(data, left_size=4, preferred_backend="kiln")
    assert isinstance(left, SampleDataset) and float(left[3][0]) == 3.0


def test_split_dataset_torch():
    import torch

    class Squares(torch.utils.data.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return torch.tensor([float(i)]), torch.tensor(i * i)

    left, right = split_dataset(Squares(), left_size=3)
    assert isinstance(left, torch.utils.data.Dataset) and len(left) == 3 and len(right) == 2
    assert int(right[1][1]) == 16
    loader = torch.utils.data.DataLoader(left, batch_size=3)
    x, y = next(iter(loader))
    assert x.shape == (3, 1) and y.tolist() == [0, 1, 4]
    left, _ = split_dataset(np.arange(4), left_size=2, preferred_backend="torch")
    assert isinstance(left, torch.utils.data.Dataset) and int(left[1]) == 1
    neutral, _ = split_dataset(Squares(), left_size=3, preferred_backend="kiln")
    assert isinstance(neutral, SampleDataset) and isinstance(neutral[2][0], np.ndarray)


def test_split_dataset_default_follows_the_backend():
    left, _ = split_dataset(np.arange(4), left_size=2)
    if BACKEND == "tensorflow":
        assert isinstance(left, sys.modules["tensorflow"].data.Dataset)
    elif BACKEND == "torch":
        assert isinstance(left, sys.modules["torch"].utils.data.Dataset)
    else:
        assert isinstance(left, SampleDataset)


def test_fit_on_a_split_then_batched_neutral_dataset():
    if BACKEND == "numpy":
        pytest.skip("numpy backend has no autodiff")
    rng = np.random.RandomState(0)
    x = rng.rand(24, 3).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5], "float32"))[:, None]
    train, val = split_dataset((x, y), left_size=0.75, shuffle=True, seed=1, preferred_backend="kiln")
    model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(train.batch(6), validation_data=val.batch(6), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["val_loss"][-1])


# --------------------------------------------------------------------------- no hidden TensorFlow


def test_directory_utilities_never_import_tensorflow(tmp_path):
    backend = BACKEND if BACKEND in ("jax", "torch") else "jax"  # the backends where TF must stay out
    script = textwrap.dedent(f"""
        import os, sys, wave
        import numpy as np
        import kiln
        root = {str(tmp_path)!r}
        for c in ("a", "b"):
            os.makedirs(os.path.join(root, "text", c)); os.makedirs(os.path.join(root, "audio", c))
            with open(os.path.join(root, "text", c, "1.txt"), "w") as f:
                f.write(c)
            with wave.open(os.path.join(root, "audio", c, "1.wav"), "wb") as w:
                w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
                w.writeframes(np.arange(8, dtype="<i2").tobytes())
        texts = kiln.utils.text_dataset_from_directory(os.path.join(root, "text"), verbose=False)
        audio = kiln.utils.audio_dataset_from_directory(os.path.join(root, "audio"), batch_size=2, verbose=False)
        left, right = kiln.utils.split_dataset((np.arange(4), np.arange(4)), left_size=2)
        assert len(list(texts)) == 1 and len(list(audio)) == 1 and len(left) == 2
        model = kiln.Sequential([kiln.Input((8, 1)), kiln.layers.Flatten(), kiln.layers.Dense(2)])
        model.compile("sgd", "sparse_categorical_crossentropy")
        model.fit(audio, epochs=1, verbose=0)
        print("TF_LOADED" if "tensorflow" in sys.modules else "TF_ABSENT")
    """)
    env = dict(os.environ, KILN_BACKEND=backend)
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "TF_ABSENT"
