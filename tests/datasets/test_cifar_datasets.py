"""CIFAR-10 / CIFAR-100 loaders: binary records parsed with NumPy, cache layout, download, data format.

Small batch files are written in the binary release's layout under a
temporary Kiln home; the expected arrays are recomputed here with NumPy.
"""

import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from api_reference import module_conformance_tests
from kiln import config
from kiln.datasets import cifar10
from kiln.datasets import cifar100

(test_every_keras_name_exists, test_every_name_has_the_keras_signature,
 test_every_name_has_a_docstring_with_an_example) = module_conformance_tests(
    ("keras.datasets.cifar10", "keras.datasets.cifar100"))


@pytest.fixture
def home(monkeypatch, tmp_path):
    monkeypatch.setenv("KILN_HOME", str(tmp_path / "kiln_home"))

    def no_pickle(*args, **kwargs):
        raise AssertionError("a CIFAR loader must never unpickle")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, no_pickle)
    return tmp_path / "kiln_home"


def _records(rng, n, label_bytes, label_limits):
    labels = np.stack([rng.integers(0, limit, n) for limit in label_limits], axis=1).astype(np.uint8)
    pixels = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
    return np.concatenate([labels, pixels], axis=1).astype(np.uint8)


def _write_cifar10(folder, counts=(3, 2, 4, 1, 2), n_test=3, seed=0):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    batches = {}
    for i, n in enumerate(counts, start=1):
        batches[f"data_batch_{i}.bin"] = _records(rng, n, 1, (10,))
    batches["test_batch.bin"] = _records(rng, n_test, 1, (10,))
    for name, records in batches.items():
        records.tofile(os.path.join(folder, name))
    return batches


def _write_cifar100(folder, n_train=5, n_test=3, seed=1):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    files = {"train.bin": _records(rng, n_train, 2, (20, 100)), "test.bin": _records(rng, n_test, 2, (20, 100))}
    for name, records in files.items():
        records.tofile(os.path.join(folder, name))
    return files


def _expected(records, label_bytes, label_index):
    # Independent decoding: pixel p of channel c at (row, col) is byte label_bytes + c*1024 + row*32 + col.
    n = records.shape[0]
    x = np.zeros((n, 32, 32, 3), np.uint8)
    for c in range(3):
        x[..., c] = records[:, label_bytes + c * 1024: label_bytes + (c + 1) * 1024].reshape(n, 32, 32)
    return x, records[:, label_index:label_index + 1]


def test_cifar10_reads_extracted_batches_in_order(home):
    batches = _write_cifar10(str(home / "datasets" / cifar10.DIRNAME / cifar10.INNER_DIR))
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    train = np.concatenate([batches[f"data_batch_{i}.bin"] for i in range(1, 6)])
    ex_train, ey_train = _expected(train, 1, 0)
    ex_test, ey_test = _expected(batches["test_batch.bin"], 1, 0)
    assert x_train.shape == (12, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (12, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (3, 32, 32, 3) and y_test.shape == (3, 1) and y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_train, ex_train)
    np.testing.assert_array_equal(y_train, ey_train)
    np.testing.assert_array_equal(x_test, ex_test)
    np.testing.assert_array_equal(y_test, ey_test)


def test_cifar10_channels_first(home):
    batches = _write_cifar10(str(home / "datasets" / cifar10.INNER_DIR))   # hand-extracted into datasets/
    previous = config.image_data_format()
    config.set_image_data_format("channels_first")
    try:
        (x_train, _), (x_test, _) = cifar10.load_data()
    finally:
        config.set_image_data_format(previous)
    assert x_train.shape == (12, 3, 32, 32) and x_test.shape == (3, 3, 32, 32)
    ex_test, _ = _expected(batches["test_batch.bin"], 1, 0)
    np.testing.assert_array_equal(x_test, ex_test.transpose(0, 3, 1, 2))


def _tarball(path, top, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, records in files.items():
            data = records.tobytes()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def test_cifar10_downloads_and_extracts_binary_archive(home, tmp_path, monkeypatch):
    source = tmp_path / "remote"
    batches = _write_cifar10(str(source / "batches"))
    md5 = _tarball(str(source / "cifar-10-binary.tar.gz"), "cifar-10-batches-bin", batches)
    monkeypatch.setattr(cifar10, "ORIGIN", (source / "cifar-10-binary.tar.gz").as_uri())
    monkeypatch.setattr(cifar10, "FILE_HASH", md5)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    ex_test, ey_test = _expected(batches["test_batch.bin"], 1, 0)
    np.testing.assert_array_equal(x_test, ex_test)
    np.testing.assert_array_equal(y_test, ey_test)
    assert x_train.shape == (12, 32, 32, 3)
    extracted = home / "datasets" / cifar10.DIRNAME / cifar10.INNER_DIR
    assert sorted(os.listdir(extracted)) == sorted(batches)
    # Second call: read from the cache, the origin is gone.
    os.remove(source / "cifar-10-binary.tar.gz")
    (x_again, _), _ = cifar10.load_data()
    np.testing.assert_array_equal(x_again, x_train)


def test_cifar10_download_with_wrong_hash_is_refused(home, tmp_path, monkeypatch):
    source = tmp_path / "remote"
    batches = _write_cifar10(str(source / "batches"))
    _tarball(str(source / "cifar-10-binary.tar.gz"), "cifar-10-batches-bin", batches)
    monkeypatch.setattr(cifar10, "ORIGIN", (source / "cifar-10-binary.tar.gz").as_uri())
    with pytest.raises(ValueError, match=cifar10.FILE_HASH):
        cifar10.load_data()
    assert not (home / "datasets" / cifar10.DIRNAME).exists()


def test_cifar10_offline_error_names_url(home, tmp_path, monkeypatch):
    monkeypatch.setattr(cifar10, "ORIGIN", (tmp_path / "missing" / "cifar-10-binary.tar.gz").as_uri())
    with pytest.raises(OSError, match="cifar-10-binary.tar.gz"):
        cifar10.load_data()


def test_cifar10_truncated_batch_is_a_clear_error(home):
    folder = home / "datasets" / cifar10.DIRNAME / cifar10.INNER_DIR
    batches = _write_cifar10(str(folder))
    with open(folder / "data_batch_3.bin", "wb") as f:
        f.write(batches["data_batch_3.bin"].tobytes()[:-5])
    with pytest.raises(ValueError, match="data_batch_3.bin.*3073-byte records"):
        cifar10.load_data()


def test_cifar10_label_out_of_range_is_a_clear_error(home):
    folder = home / "datasets" / cifar10.DIRNAME / cifar10.INNER_DIR
    batches = _write_cifar10(str(folder))
    bad = batches["test_batch.bin"].copy()
    bad[1, 0] = 10
    bad.tofile(folder / "test_batch.bin")
    with pytest.raises(ValueError, match="test_batch.bin: record 1 has label 10"):
        cifar10.load_data()


@pytest.mark.parametrize("label_mode, index", [("fine", 1), ("coarse", 0)])
def test_cifar100_label_modes(home, label_mode, index):
    files = _write_cifar100(str(home / "datasets" / cifar100.DIRNAME / cifar100.INNER_DIR))
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=label_mode)
    ex_train, ey_train = _expected(files["train.bin"], 2, index)
    ex_test, ey_test = _expected(files["test.bin"], 2, index)
    assert x_train.shape == (5, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (5, 1) and y_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, ex_train)
    np.testing.assert_array_equal(y_train, ey_train)
    np.testing.assert_array_equal(x_test, ex_test)
    np.testing.assert_array_equal(y_test, ey_test)


def test_cifar100_downloads_binary_archive(home, tmp_path, monkeypatch):
    source = tmp_path / "remote"
    files = _write_cifar100(str(source / "files"))
    md5 = _tarball(str(source / "cifar-100-binary.tar.gz"), "cifar-100-binary", files)
    monkeypatch.setattr(cifar100, "ORIGIN", (source / "cifar-100-binary.tar.gz").as_uri())
    monkeypatch.setattr(cifar100, "FILE_HASH", md5)
    (_, y_train), (x_test, _) = cifar100.load_data("coarse")
    np.testing.assert_array_equal(y_train, files["train.bin"][:, :1])
    np.testing.assert_array_equal(x_test, _expected(files["test.bin"], 2, 1)[0])


def test_cifar100_rejects_unknown_label_mode(home):
    with pytest.raises(ValueError, match="label_mode.*'medium'"):
        cifar100.load_data(label_mode="medium")


def test_cifar100_fine_label_above_99_is_refused(home):
    folder = home / "datasets" / cifar100.DIRNAME / cifar100.INNER_DIR
    files = _write_cifar100(str(folder))
    bad = files["train.bin"].copy()
    bad[0, 1] = 100
    bad.tofile(folder / "train.bin")
    with pytest.raises(ValueError, match="below 100"):
        cifar100.load_data("fine")
    assert cifar100.load_data("coarse")[0][1].shape == (5, 1)   # the coarse byte is still valid
