"""boston_housing / california_housing: Keras' seeded shuffle-then-split, small version, cache, errors."""

import hashlib
import os

import numpy as np
import pytest
from api_reference import lacking_examples, reference_rows, wrong_signatures

from kiln.datasets import boston_housing
from kiln.datasets import california_housing



@pytest.fixture
def home(monkeypatch, tmp_path):
    monkeypatch.setenv("KILN_HOME", str(tmp_path / "kiln_home"))
    for module in (boston_housing, california_housing):
        monkeypatch.setattr(module, "BASE_URL", (tmp_path / "offline").as_uri() + "/")
    return tmp_path


def _write(module, n, features, dtype, name=None):
    """A small npz in the cache (``<kiln_home>/datasets/<name>``) whose hash ``module`` expects."""
    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, features)).astype(dtype)
    x[:, 0] = np.arange(n)  # row ids, to follow the shuffle
    y = rng.uniform(10, 50, size=(n,)).astype(dtype)
    name = name or module.__name__.rsplit(".", 1)[1] + ".npz"
    path = os.path.join(os.environ["KILN_HOME"], "datasets", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        np.savez(f, x=x, y=y)
    with open(path, "rb") as f:
        module.FILE_HASH = hashlib.sha256(f.read()).hexdigest()
    return x, y


def _expected(x, y, test_split, seed):
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    n_train = int(len(x) * (1 - test_split))
    return (x[order[:n_train]], y[order[:n_train]]), (x[order[n_train:]], y[order[n_train:]])


@pytest.fixture
def restore_hashes():
    saved = boston_housing.FILE_HASH, california_housing.FILE_HASH
    yield
    boston_housing.FILE_HASH, california_housing.FILE_HASH = saved


def _assert_split(got, expected):
    (x_train, y_train), (x_test, y_test) = got
    (ex_train, ey_train), (ex_test, ey_test) = expected
    for a, b in ((x_train, ex_train), (y_train, ey_train), (x_test, ex_test), (y_test, ey_test)):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def test_signatures_and_examples_are_keras():
    rows = reference_rows(("keras.datasets.boston_housing", "keras.datasets.california_housing"))
    assert sorted(r["module"] for r in rows) == ["keras.datasets.boston_housing",
                                                "keras.datasets.california_housing"]
    assert wrong_signatures(rows) == [] and lacking_examples(rows) == []


@pytest.mark.parametrize("test_split,seed", [(0.2, 113), (0.35, 7), (0.0, 113)])
def test_boston_split_matches_seeded_shuffle(home, restore_hashes, test_split, seed):
    x, y = _write(boston_housing, 31, 13, np.float64)
    got = boston_housing.load_data(test_split=test_split, seed=seed)
    _assert_split(got, _expected(x, y, test_split, seed))
    (x_train, _), (x_test, _) = got
    assert x_train.shape == (int(31 * (1 - test_split)), 13)
    assert sorted(np.concatenate([x_train[:, 0], x_test[:, 0]]).tolist()) == list(range(31))
    if test_split == 0.2 and seed == 113:
        assert x_train[:, 0].tolist() != list(range(24))  # shuffled, not the file order


def test_boston_custom_path(home, restore_hashes):
    x, y = _write(boston_housing, 12, 13, np.float64, name="mine.npz")
    _assert_split(boston_housing.load_data(path="mine.npz"), _expected(x, y, 0.2, 113))


@pytest.mark.parametrize("test_split,seed", [(0.2, 113), (0.5, 1)])
def test_california_large_split(home, restore_hashes, test_split, seed):
    x, y = _write(california_housing, 650, 8, np.float32)
    got = california_housing.load_data(test_split=test_split, seed=seed)
    _assert_split(got, _expected(x, y, test_split, seed))
    assert got[0][0].shape == (int(650 * (1 - test_split)), 8) and got[0][0].dtype == np.float32


def test_california_small_keeps_first_600_then_splits(home, restore_hashes):
    x, y = _write(california_housing, 650, 8, np.float32)
    got = california_housing.load_data(version="small")
    _assert_split(got, _expected(x[:600], y[:600], 0.2, 113))
    (x_train, _), (x_test, _) = got
    assert x_train.shape == (480, 8) and x_test.shape == (120, 8)
    assert max(x_train[:, 0].max(), x_test[:, 0].max()) < 600


def test_stale_cache_is_downloaded_again(home, monkeypatch, restore_hashes):
    remote = home / "remote"
    os.makedirs(remote)
    x = np.arange(20.0).reshape(10, 2)
    y = np.arange(10.0)
    np.savez(remote / "boston_housing.npz", x=x, y=y)
    with open(remote / "boston_housing.npz", "rb") as f:
        boston_housing.FILE_HASH = hashlib.sha256(f.read()).hexdigest()
    cached = os.path.join(os.environ["KILN_HOME"], "datasets", "boston_housing.npz")
    os.makedirs(os.path.dirname(cached))
    with open(cached, "wb") as f:
        np.savez(f, x=x + 100, y=y)
    monkeypatch.setattr(boston_housing, "BASE_URL", remote.as_uri() + "/")
    _assert_split(boston_housing.load_data(), _expected(x, y, 0.2, 113))


def test_offline_error_and_bad_arguments(home, restore_hashes):
    with pytest.raises(OSError) as info:
        california_housing.load_data()
    assert california_housing.BASE_URL + "california_housing.npz" in str(info.value)
    assert os.path.join(os.environ["KILN_HOME"], "datasets", "california_housing.npz") in str(info.value)
    for bad in (1.0, -0.1, "0.2"):
        with pytest.raises(ValueError, match="boston_housing.load_data.*test_split"):
            boston_housing.load_data(test_split=bad)
        with pytest.raises(ValueError, match="california_housing.load_data.*test_split"):
            california_housing.load_data(test_split=bad)
    with pytest.raises(ValueError, match="version"):
        california_housing.load_data(version="medium")


def test_missing_key_is_a_clear_error(home, restore_hashes):
    path = os.path.join(os.environ["KILN_HOME"], "datasets", "boston_housing.npz")
    os.makedirs(os.path.dirname(path))
    with open(path, "wb") as f:
        np.savez(f, features=np.zeros((3, 13)))
    with open(path, "rb") as f:
        boston_housing.FILE_HASH = hashlib.sha256(f.read()).hexdigest()
    with pytest.raises(ValueError, match="boston_housing.*'y'|boston_housing.*x, y"):
        boston_housing.load_data()
