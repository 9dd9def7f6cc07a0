"""Fashion-MNIST: Debian files, Keras' cache layout, hash-checked downloads, offline error, IDX parsing."""

import gzip
import hashlib
import os

import numpy as np
import pytest
from api_reference import lacking_examples, reference_rows, wrong_signatures

from kiln.datasets import _files
from kiln.datasets import fashion_mnist


def _idx_bytes(array):
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def _write_fake_idx(folder, n_train=5, n_test=3, seed=0):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, (n_train,), dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, (n_test,), dtype=np.uint8),
    }
    for name, array in arrays.items():
        with gzip.open(os.path.join(folder, name), "wb") as f:
            f.write(_idx_bytes(array))
    return arrays


def _hashes(folder):
    hashes = {}
    for name in fashion_mnist.FILES:
        with open(os.path.join(folder, name), "rb") as f:
            hashes[name] = hashlib.sha256(f.read()).hexdigest()
    return hashes



@pytest.fixture
def home(monkeypatch, tmp_path):
    """Kiln's home in tmp_path, no Debian folder, and any download fails (a missing file:// folder)."""
    monkeypatch.setenv("KILN_HOME", str(tmp_path / "kiln_home"))
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIR", str(tmp_path / "no_such_dir"))
    monkeypatch.setattr(fashion_mnist, "BASE_URL", (tmp_path / "offline").as_uri() + "/")
    return tmp_path


def _cache():
    return os.path.join(os.environ["KILN_HOME"], "datasets", "fashion-mnist")


def test_signature_and_example_are_keras():
    rows = reference_rows(("keras.datasets.fashion_mnist",))
    assert [r["name"] for r in rows] == ["load_data"]
    assert wrong_signatures(rows) == [] and lacking_examples(rows) == []


@pytest.mark.skipif(not os.path.isdir(fashion_mnist.SYSTEM_DIR),
                    reason="Debian package dataset-fashion-mnist is not installed")
def test_loads_debian_files():
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert set(np.unique(y_train).tolist()) == set(range(10))
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert x_train.max() == 255 and x_train.min() == 0


def test_files_in_keras_cache_layout_are_read_without_download(home, monkeypatch):
    arrays = _write_fake_idx(_cache())
    assert _cache() == _files.cache_dir("fashion-mnist")
    monkeypatch.setattr(fashion_mnist, "FILE_HASHES", _hashes(_cache()))
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()  # BASE_URL is offline
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert x_train.dtype == np.uint8 and x_train.shape == (5, 28, 28)


def test_system_dir_preferred_over_cache(home, monkeypatch):
    system = home / "system"
    arrays = _write_fake_idx(str(system), n_train=4)
    _write_fake_idx(_cache(), n_train=7)
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIR", str(system))
    (x_train, _), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])


def test_download_goes_to_keras_cache_layout_and_is_hash_checked(home, monkeypatch):
    remote = home / "remote"
    arrays = _write_fake_idx(str(remote), seed=1)
    monkeypatch.setattr(fashion_mnist, "BASE_URL", remote.as_uri() + "/")
    monkeypatch.setattr(fashion_mnist, "FILE_HASHES", _hashes(str(remote)))
    _write_fake_idx(_cache(), n_train=9, seed=2)  # stale cache: hashes differ, so it is replaced
    (x_train, y_train), (x_test, _) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte.gz"])
    assert x_test.shape == (3, 28, 28)
    assert sorted(os.listdir(_cache())) == sorted(fashion_mnist.FILES)
    assert _hashes(_cache()) == _hashes(str(remote))
    # A download that does not match the expected hash is refused and not kept.
    for name in fashion_mnist.FILES:
        os.remove(os.path.join(_cache(), name))
    monkeypatch.setattr(fashion_mnist, "FILE_HASHES", {f: "0" * 64 for f in fashion_mnist.FILES})
    with pytest.raises(ValueError, match="hash"):
        fashion_mnist.load_data()
    assert os.listdir(_cache()) == []


def test_offline_error_names_url_cache_and_debian_package(home):
    with pytest.raises(OSError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    assert fashion_mnist.BASE_URL + "train-labels-idx1-ubyte.gz" in message
    assert os.path.join(_cache(), "train-labels-idx1-ubyte.gz") in message
    assert "apt-get install -y dataset-fashion-mnist" in message
    assert os.listdir(_cache()) == []


def test_corrupt_idx_file_is_a_clear_error(home, monkeypatch):
    _write_fake_idx(_cache())
    with gzip.open(os.path.join(_cache(), "train-images-idx3-ubyte.gz"), "wb") as f:
        f.write(b"not an idx file")
    monkeypatch.setattr(fashion_mnist, "FILE_HASHES", _hashes(_cache()))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        fashion_mnist.load_data()


def test_parse_idx_rejects_truncated_data():
    raw = _idx_bytes(np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match="needs"):
        _files.parse_idx(raw[:-1])
    np.testing.assert_array_equal(_files.parse_idx(raw), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="not an IDX file"):
        _files.parse_idx(b"\x01\x02\x03\x04")
