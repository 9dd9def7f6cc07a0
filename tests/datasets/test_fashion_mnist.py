"""Fashion-MNIST / MNIST loading: Debian files, cache, download failure, IDX parsing."""

import gzip
import os

import numpy as np
import pytest

from kiln.datasets import _files
from kiln.datasets import fashion_mnist
from kiln.datasets import mnist


def _idx_bytes(array):
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def _write_fake_idx(folder, n_train=5, n_test=3):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
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


@pytest.fixture
def no_system_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("KILN_HOME", str(tmp_path / "kiln_home"))
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIR", str(tmp_path / "no_such_dir"))
    monkeypatch.setattr(mnist, "SYSTEM_DIR", str(tmp_path / "no_such_dir"))
    return tmp_path


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


def test_fake_idx_files_in_cache(no_system_dir, monkeypatch):
    def no_download(url, dest, timeout=60):
        raise AssertionError(f"must not download {url}: the cache has the files")

    monkeypatch.setattr(_files, "download", no_download)
    arrays = _write_fake_idx(_files.cache_dir("fashion-mnist"))
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert x_train.dtype == np.uint8 and x_train.shape == (5, 28, 28)


def test_system_dir_preferred_over_cache(no_system_dir, monkeypatch):
    system = no_system_dir / "system"
    arrays = _write_fake_idx(str(system), n_train=4)
    _write_fake_idx(_files.cache_dir("fashion-mnist"), n_train=7)
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIR", str(system))
    (x_train, _), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])


def test_download_goes_to_cache(no_system_dir, monkeypatch):
    source = no_system_dir / "remote"
    _write_fake_idx(str(source))
    seen = []

    def fake_download(url, dest, timeout=60):
        seen.append(url)
        name = url.rsplit("/", 1)[1]
        with open(source / name, "rb") as f, open(dest, "wb") as out:
            out.write(f.read())

    monkeypatch.setattr(_files, "download", fake_download)
    (x_train, _), (x_test, _) = fashion_mnist.load_data()
    assert x_train.shape == (5, 28, 28) and x_test.shape == (3, 28, 28)
    assert sorted(seen) == sorted(fashion_mnist.BASE_URL + f for f in fashion_mnist.FILES)
    assert all(os.path.isfile(os.path.join(_files.cache_dir("fashion-mnist"), f)) for f in fashion_mnist.FILES)


def test_offline_error_names_url_cache_and_debian_package(no_system_dir, monkeypatch):
    def offline(url, dest, timeout=60):
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(_files, "download", offline)
    with pytest.raises(OSError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    assert fashion_mnist.BASE_URL in message
    assert _files.cache_dir("fashion-mnist") in message
    assert "apt-get install -y dataset-fashion-mnist" in message
    assert not os.listdir(_files.cache_dir("fashion-mnist")) if os.path.isdir(
        _files.cache_dir("fashion-mnist")) else True


def test_real_download_failure_leaves_no_partial_file(no_system_dir):
    dest = os.path.join(_files.cache_dir("fashion-mnist"), "x.gz")
    with pytest.raises(Exception):
        _files.download("file:///nonexistent/definitely/missing.gz", dest)
    assert not os.path.exists(dest)
    assert os.listdir(os.path.dirname(dest)) == []


def test_corrupt_idx_file_is_a_clear_error(no_system_dir):
    folder = _files.cache_dir("fashion-mnist")
    _write_fake_idx(folder)
    with gzip.open(os.path.join(folder, "train-images-idx3-ubyte.gz"), "wb") as f:
        f.write(b"not an idx file")
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        fashion_mnist.load_data()


def test_parse_idx_rejects_truncated_data():
    raw = _idx_bytes(np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match="needs"):
        _files.parse_idx(raw[:-1])
    np.testing.assert_array_equal(_files.parse_idx(raw), np.zeros((2, 3)))


def test_mnist_uses_idx_files_in_cache(no_system_dir):
    arrays = _write_fake_idx(_files.cache_dir("mnist"))
    (x_train, y_train), _ = mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte.gz"])


def test_mnist_npz_download_and_offline_error(no_system_dir, monkeypatch):
    def fake_download(url, dest, timeout=60):
        assert url == mnist.BASE_URL + "mnist.npz"
        np.savez(dest + ".npz", x_train=np.zeros((2, 28, 28), np.uint8), y_train=np.zeros(2, np.uint8),
                 x_test=np.ones((1, 28, 28), np.uint8), y_test=np.ones(1, np.uint8))
        os.replace(dest + ".npz", dest)

    monkeypatch.setattr(_files, "download", fake_download)
    (x_train, _), (x_test, _) = mnist.load_data()
    assert x_train.shape == (2, 28, 28) and x_test.shape == (1, 28, 28)

    os.remove(os.path.join(_files.cache_dir("mnist"), "mnist.npz"))
    monkeypatch.setattr(_files, "download", lambda url, dest, timeout=60: (_ for _ in ()).throw(OSError("offline")))
    with pytest.raises(OSError, match="mnist.npz"):
        mnist.load_data()
