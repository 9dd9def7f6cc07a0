"""MNIST loading: IDX files in the cache, the hash-checked mnist.npz at ~/.kiln/datasets/, no unpickling."""

import gzip
import hashlib
import os

import numpy as np
import pytest
from api_reference import lacking_examples, reference_rows, wrong_signatures

from kiln.datasets import _files
from kiln.datasets import mnist

UNPICKLED = []


def _mark():
    UNPICKLED.append(True)
    return "marked"


class _Trap:
    def __reduce__(self):
        return (_mark, ())



@pytest.fixture
def home(monkeypatch, tmp_path):
    monkeypatch.setenv("KILN_HOME", str(tmp_path / "kiln_home"))
    monkeypatch.setattr(mnist, "SYSTEM_DIR", str(tmp_path / "no_such_dir"))
    monkeypatch.setattr(mnist, "BASE_URL", (tmp_path / "offline").as_uri() + "/")
    return tmp_path


def _write_npz(path, n_train=4, n_test=2, **extra):
    rng = np.random.default_rng(0)
    arrays = dict(x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
                  y_train=rng.integers(0, 10, (n_train,), dtype=np.uint8),
                  x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
                  y_test=rng.integers(0, 10, (n_test,), dtype=np.uint8))
    arrays.update(extra)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    with open(path, "rb") as f:
        return arrays, hashlib.sha256(f.read()).hexdigest()


def test_signature_and_example_are_keras():
    rows = reference_rows(("keras.datasets.mnist",))
    assert [r["name"] for r in rows] == ["load_data"]
    assert wrong_signatures(rows) == [] and lacking_examples(rows) == []


def test_idx_files_in_cache_are_read(home):
    folder = _files.cache_dir("mnist")
    rng = np.random.default_rng(3)
    arrays = {"train-images-idx3-ubyte.gz": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte.gz": rng.integers(0, 10, (3,), dtype=np.uint8),
              "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, (2,), dtype=np.uint8)}
    os.makedirs(folder)
    for name, array in arrays.items():
        header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
        with gzip.open(os.path.join(folder, name), "wb") as f:
            f.write(header + array.tobytes())
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])


def test_npz_in_cache_is_read_when_its_hash_matches(home, monkeypatch):
    arrays, digest = _write_npz(os.path.join(_files.cache_dir(), "mnist.npz"))
    monkeypatch.setattr(mnist, "FILE_HASH", digest)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()  # offline: read from the cache
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert x_train.dtype == np.uint8 and x_test.shape == (2, 28, 28) and y_train.shape == (4,)


def test_npz_download_to_kiln_home_datasets(home, monkeypatch):
    remote = home / "remote"
    arrays, digest = _write_npz(str(remote / "mnist.npz"), n_train=5)
    monkeypatch.setattr(mnist, "BASE_URL", remote.as_uri() + "/")
    monkeypatch.setattr(mnist, "FILE_HASH", digest)
    (x_train, _), _ = mnist.load_data(path="my_mnist.npz")
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    assert os.path.isfile(os.path.join(os.environ["KILN_HOME"], "datasets", "my_mnist.npz"))


def test_a_relative_folder_in_path_is_inside_the_cache(home, monkeypatch):
    """``path="sub/x.npz"`` is cached at ``<home>/datasets/sub/x.npz`` (the rule every loader shares)."""
    remote = home / "remote"
    arrays, digest = _write_npz(str(remote / "mnist.npz"), n_train=3)
    monkeypatch.setattr(mnist, "BASE_URL", remote.as_uri() + "/")
    monkeypatch.setattr(mnist, "FILE_HASH", digest)
    (x_train, _), _ = mnist.load_data(path=os.path.join("sub", "my_mnist.npz"))
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    assert os.path.isfile(os.path.join(os.environ["KILN_HOME"], "datasets", "sub", "my_mnist.npz"))


def test_offline_error_names_url_and_cache_path(home):
    with pytest.raises(OSError) as info:
        mnist.load_data()
    assert mnist.BASE_URL + "mnist.npz" in str(info.value)
    assert os.path.join(_files.cache_dir(), "mnist.npz") in str(info.value)


def test_object_arrays_are_refused_never_unpickled(home, monkeypatch):
    path = os.path.join(_files.cache_dir(), "mnist.npz")
    _, digest = _write_npz(path, y_train=np.array([_Trap()], dtype=object))
    monkeypatch.setattr(mnist, "FILE_HASH", digest)
    with pytest.raises(ValueError, match="mnist.npz"):
        mnist.load_data()
    assert UNPICKLED == []
    with open(path, "wb") as f:
        f.write(b"not a zip archive")
    with open(path, "rb") as f:
        monkeypatch.setattr(mnist, "FILE_HASH", hashlib.sha256(f.read()).hexdigest())
    with pytest.raises(ValueError, match="x_train"):
        mnist.load_data()
