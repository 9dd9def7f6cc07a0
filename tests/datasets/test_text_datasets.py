"""IMDB / Reuters loaders: pickle-free reading of object-array archives, Keras 3 sequence processing.

Small ``.npz`` archives are written with ``np.savez`` (object arrays of lists,
i.e. real pickles) into a temporary Kiln home; the expected splits are
recomputed here. Malicious pickles must be refused without running.
"""

import hashlib
import io
import json
import os
import pickle
import subprocess
import sys
import warnings
import zipfile

import numpy as np
import pytest

from api_reference import module_conformance_tests
from kiln.datasets import _safe_npz
from kiln.datasets import imdb
from kiln.datasets import reuters

(test_every_keras_name_exists, test_every_name_has_the_keras_signature,
 test_every_name_has_a_docstring_with_an_example) = module_conformance_tests(
    ("keras.datasets.imdb", "keras.datasets.reuters"))


@pytest.fixture
def home(monkeypatch, tmp_path):
    """A fresh Kiln home; any unpickling or pickle-enabled np.load during the test fails it."""
    monkeypatch.setenv("KILN_HOME", str(tmp_path / "kiln_home"))
    os.makedirs(tmp_path / "kiln_home" / "datasets")

    def no_unpickling(*args, **kwargs):
        raise AssertionError("the dataset loaders must never unpickle")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, no_unpickling)
    real_load = np.load
    calls = []

    def checked_load(*args, **kwargs):
        calls.append(kwargs.get("allow_pickle"))
        assert kwargs.get("allow_pickle") is False, "np.load must be called with allow_pickle=False"
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", checked_load)
    return tmp_path / "kiln_home"


def _objects(rows):
    out = np.empty(len(rows), dtype=object)
    for i, row in enumerate(rows):
        out[i] = row
    return out


def _random_rows(rng, n, vocab=40, longest=12):
    return [[int(w) for w in rng.integers(1, vocab, rng.integers(1, longest + 1))] for _ in range(n)]


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _write_imdb(home, monkeypatch, n_train=9, n_test=7, seed=0, name="imdb.npz"):
    rng = np.random.default_rng(seed)
    raw = {"x_train": _random_rows(rng, n_train), "y_train": rng.integers(0, 2, n_train),
           "x_test": _random_rows(rng, n_test), "y_test": rng.integers(0, 2, n_test)}
    path = str(home / "datasets" / name)
    np.savez(path, x_train=_objects(raw["x_train"]), y_train=raw["y_train"],
             x_test=_objects(raw["x_test"]), y_test=raw["y_test"])
    monkeypatch.setattr(imdb, "FILE_HASH", _sha256(path))
    return raw


def _write_reuters(home, monkeypatch, n=23, seed=1):
    rng = np.random.default_rng(seed)
    raw = {"x": _random_rows(rng, n, vocab=60, longest=15), "y": rng.integers(0, 46, n)}
    path = str(home / "datasets" / "reuters.npz")
    np.savez(path, x=_objects(raw["x"]), y=raw["y"])
    monkeypatch.setattr(reuters, "FILE_HASH", _sha256(path))
    return raw


def _process(xs, ys, rng, num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """The documented Keras 3 steps, one sequence at a time."""
    order = np.arange(len(xs))
    rng.shuffle(order)
    out_x, out_y = [], []
    for i in order:
        seq = ([] if start_char is None else [start_char]) + [w + index_from for w in xs[i]]
        if maxlen and len(seq) >= maxlen:
            continue
        kept = []
        for w in seq:
            if w >= skip_top and (not num_words or w < num_words):
                kept.append(w)
            elif oov_char is not None:
                kept.append(oov_char)
        out_x.append(kept)
        out_y.append(ys[i])
    return out_x, np.array(out_y, dtype=ys.dtype)


def _assert_sequences(actual, expected):
    assert isinstance(actual, np.ndarray) and actual.dtype == object and actual.shape == (len(expected),)
    assert all(type(row) is list for row in actual)
    assert actual.tolist() == expected


OPTIONS = [
    {},
    {"num_words": 15, "skip_top": 4},
    {"num_words": 20, "oov_char": None},
    {"start_char": None, "index_from": 0},
    {"maxlen": 11, "seed": 7},
    {"skip_top": 6, "start_char": 9, "oov_char": 0, "index_from": 5},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_imdb_matches_recomputation(home, monkeypatch, options):
    raw = _write_imdb(home, monkeypatch)
    settings = dict(num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2, index_from=3)
    settings.update(options)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(**options)
    rng = np.random.RandomState(settings.pop("seed"))
    ex_train, ey_train = _process(raw["x_train"], raw["y_train"], rng, **settings)
    ex_test, ey_test = _process(raw["x_test"], raw["y_test"], rng, **settings)   # same generator, after train
    _assert_sequences(x_train, ex_train)
    _assert_sequences(x_test, ex_test)
    np.testing.assert_array_equal(y_train, ey_train)
    np.testing.assert_array_equal(y_test, ey_test)
    assert y_train.dtype == raw["y_train"].dtype


def test_imdb_hand_checked_example(home, monkeypatch):
    path = str(home / "datasets" / "imdb.npz")
    np.savez(path, x_train=_objects([[1, 7, 30]]), y_train=np.array([1]),
             x_test=_objects([[4, 16]]), y_test=np.array([0]))
    monkeypatch.setattr(imdb, "FILE_HASH", _sha256(path))
    (x_train, y_train), (x_test, _) = imdb.load_data(num_words=20, skip_top=5)
    # +3 offset -> [4, 10, 33] after start mark 1; 1 and 4 are below skip_top, 33 >= num_words.
    assert x_train.tolist() == [[2, 2, 10, 2]] and y_train.tolist() == [1]
    assert x_test.tolist() == [[2, 7, 19]]


def test_imdb_seed_changes_the_order_only(home, monkeypatch):
    _write_imdb(home, monkeypatch)
    (a, ya), _ = imdb.load_data(seed=1)
    (b, yb), _ = imdb.load_data(seed=2)
    (c, _), _ = imdb.load_data(seed=1)
    assert a.tolist() == c.tolist() and a.tolist() != b.tolist()
    assert sorted(map(tuple, a.tolist())) == sorted(map(tuple, b.tolist()))
    assert sorted(ya.tolist()) == sorted(yb.tolist())


def test_imdb_maxlen_that_keeps_nothing_raises(home, monkeypatch):
    _write_imdb(home, monkeypatch)
    with pytest.raises(ValueError, match="maxlen=2"):
        imdb.load_data(maxlen=2)   # every sequence has the start mark plus at least one word


def test_imdb_keyword_arguments(home, monkeypatch):
    _write_imdb(home, monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (x_old, _), _ = imdb.load_data(nb_words=10)
    assert any("nb_words" in str(w.message) for w in caught)
    (x_new, _), _ = imdb.load_data(num_words=10)
    assert x_old.tolist() == x_new.tolist()
    with pytest.raises(TypeError, match="imdb.load_data.*unrecognized.*'words'"):
        imdb.load_data(words=10)
    with pytest.raises(TypeError, match="imdb.load_data: `num_words` must be an int or None, received '10'"):
        imdb.load_data(num_words="10")
    with pytest.raises(ValueError, match="`skip_top` must be >= 0"):
        imdb.load_data(skip_top=-1)


def test_imdb_path_with_a_folder(home, monkeypatch, tmp_path):
    os.makedirs(tmp_path / "elsewhere")
    raw = _write_imdb(home, monkeypatch)
    os.replace(home / "datasets" / "imdb.npz", tmp_path / "elsewhere" / "my_imdb.npz")
    (x_train, _), _ = imdb.load_data(path=str(tmp_path / "elsewhere" / "my_imdb.npz"), start_char=None,
                                     index_from=0)
    assert sorted(map(tuple, x_train.tolist())) == sorted(map(tuple, raw["x_train"]))
    assert not os.path.exists(home / "datasets" / "my_imdb.npz")


def test_imdb_offline_error_names_url_and_cache(home, monkeypatch, tmp_path):
    monkeypatch.setattr(imdb, "ORIGIN_FOLDER", (tmp_path / "offline").as_uri() + "/")
    with pytest.raises(OSError) as info:
        imdb.load_data()
    assert "imdb.npz" in str(info.value) and str(home / "datasets") in str(info.value)


def test_imdb_numeric_items_and_2d_integer_arrays_are_accepted(home, monkeypatch):
    path = str(home / "datasets" / "imdb.npz")
    items = _objects([np.array([5, 6], np.int32), np.array([7], np.int64)])
    np.savez(path, x_train=items, y_train=np.array([0, 1]), x_test=np.array([[1, 2], [3, 4]]),
             y_test=np.array([1, 0]))
    monkeypatch.setattr(imdb, "FILE_HASH", _sha256(path))
    (x_train, _), (x_test, _) = imdb.load_data(start_char=None, index_from=0, seed=0)
    assert sorted(x_train.tolist()) == [[5, 6], [7]]
    assert sorted(x_test.tolist()) == [[1, 2], [3, 4]]


def test_imdb_word_index(home, monkeypatch):
    path = home / "datasets" / "imdb_word_index.json"
    path.write_text(json.dumps({"the": 1, "and": 2, "film": 19}))
    monkeypatch.setattr(imdb, "WORD_INDEX_HASH", hashlib.md5(path.read_bytes()).hexdigest())
    assert imdb.get_word_index() == {"the": 1, "and": 2, "film": 19}


# --- refusing pickles that are not integer sequences ---------------------------------------------


class _Shell:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class _Eval:
    def __reduce__(self):
        return (eval, ("1 + 1",))


def _npy_with_payload(payload, shape=(1,)):
    """A .npy member: a genuine object-array header followed by ``payload`` as its pickle stream."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "|O", "fortran_order": False, "shape": shape})
    return buffer.getvalue() + payload


def _write_npz(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name + ".npy", data)


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _payloads(sentinel):
    shell = _Shell(f"touch {sentinel}")
    inside = _objects([[1, 2], [3]])
    inside[1] = [3, shell]                      # the call hides inside a sequence
    masked = np.ma.masked_array(_objects([[1]]), mask=[False])
    return {
        "os.system, protocol 0": pickle.dumps(shell, protocol=0),
        "os.system, protocol 2": pickle.dumps(shell, protocol=2),
        "os.system, protocol 4": pickle.dumps(shell, protocol=4),
        "os.system inside an item": pickle.dumps(inside, protocol=4),
        "builtins.eval": pickle.dumps(_Eval(), protocol=3),
        "masked array reconstruct": pickle.dumps(masked, protocol=3),
        "dict item": pickle.dumps(_objects([{"a": 1}]), protocol=3),
        "string item": pickle.dumps(_objects(["text"]), protocol=3),
        "truncated stream": pickle.dumps(_objects([[1, 2]]), protocol=3)[:-6],
    }


@pytest.mark.parametrize("case", sorted(_payloads("x")))
def test_malicious_or_foreign_pickles_are_refused_without_running(home, monkeypatch, tmp_path, case):
    sentinel = tmp_path / "sentinel"
    path = str(home / "datasets" / "imdb.npz")
    _write_npz(path, {"x_train": _npy_with_payload(_payloads(sentinel)[case]),
                      "y_train": _npy(np.array([0])), "x_test": _npy(_objects([[1]])),
                      "y_test": _npy(np.array([1]))})
    monkeypatch.setattr(imdb, "FILE_HASH", _sha256(path))
    with pytest.raises(ValueError) as info:
        imdb.load_data()
    assert path in str(info.value) and "x_train" in str(info.value)
    assert not sentinel.exists()


def test_refusal_names_the_forbidden_global(home, tmp_path):
    sentinel = tmp_path / "sentinel"
    with pytest.raises(ValueError, match=r"global (posix|nt|os)\.system is not accepted.*not unpickled"):
        _safe_npz.decode_object_array(pickle.dumps(_Shell(f"touch {sentinel}"), protocol=3), "evil.npz")
    assert not sentinel.exists()


def test_the_malicious_payload_is_real(tmp_path):
    """Control: unpickling the same bytes (in a child process) does run the command."""
    sentinel = tmp_path / "sentinel"
    payload = pickle.dumps(_Shell(f"touch {sentinel}"), protocol=3)
    subprocess.run([sys.executable, "-c", "import pickle, sys; pickle.loads(sys.stdin.buffer.read())"],
                   input=payload, check=True)
    assert sentinel.exists()


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_every_pickle_protocol_decodes(protocol):
    rows = [[1, 2, 300], [70000, 2 ** 40], []]
    array = _objects(rows)
    assert _safe_npz.decode_object_array(pickle.dumps(array, protocol=protocol)).tolist() == rows
    numeric = _objects([np.array([1, -2], np.int16), np.array([3], ">i8")])
    decoded = _safe_npz.decode_object_array(pickle.dumps(numeric, protocol=protocol))
    assert [item.tolist() for item in decoded] == [[1, -2], [3]] and decoded[1].dtype == np.dtype(">i8")


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_long_sequences_across_pickle_frames(protocol):
    rng = np.random.default_rng(3)
    rows = [rng.integers(-2 ** 31, 2 ** 31, 30000).tolist(), rng.integers(0, 70000, 30000).tolist(), [2 ** 70]]
    decoded = _safe_npz.decode_object_array(pickle.dumps(_objects(rows), protocol=protocol))
    assert decoded.tolist() == rows


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_numpy_integer_items_become_python_ints(protocol):
    array = _objects([[np.int64(5), np.uint16(7), 3], [np.int32(-4)]])
    decoded = _safe_npz.decode_object_array(pickle.dumps(array, protocol=protocol))
    assert decoded.tolist() == [[5, 7, 3], [-4]] and all(type(w) is int for w in decoded[0])
    with pytest.raises(ValueError, match="only integer scalars"):
        _safe_npz.decode_object_array(pickle.dumps(_objects([[np.float64(1.5)]]), protocol=protocol))


def test_python2_style_stream_decodes():
    # Protocol 2 as Python 2 wrote it: numpy.core globals, str (not bytes) type codes.
    stream = (b"\x80\x02cnumpy.core.multiarray\n_reconstruct\nq\x01cnumpy\nndarray\nq\x02K\x00\x85U\x01b\x87Rq\x03"
              b"(K\x01K\x01\x85cnumpy\ndtype\nq\x04U\x02O8K\x00K\x01\x87Rq\x05(K\x03U\x01|NNNJ\xff\xff\xff\xff"
              b"J\xff\xff\xff\xffK?tb\x89]q\x06]q\x07(K\x01M,\x01J\x00\x00\x01\x00eatb.")
    assert _safe_npz.decode_object_array(stream).tolist() == [[1, 300, 65536]]


def test_missing_array_and_non_archive_are_clear_errors(home, monkeypatch):
    path = str(home / "datasets" / "imdb.npz")
    np.savez(path, x_train=_objects([[1]]), y_train=np.array([0]))
    monkeypatch.setattr(imdb, "FILE_HASH", _sha256(path))
    with pytest.raises(ValueError, match=r"imdb.npz has no array \['x_test', 'y_test'\]"):
        imdb.load_data()
    for content in (b"not a zip archive", _npy(np.arange(3))):
        with open(path, "wb") as f:
            f.write(content)
        monkeypatch.setattr(imdb, "FILE_HASH", _sha256(path))
        with pytest.raises(ValueError, match=r"imdb.npz is not a .npz \(zip\) archive"):
            imdb.load_data()


# --- Reuters -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("options", OPTIONS + [{"test_split": 0.3}, {"test_split": 0.0, "maxlen": 10}])
def test_reuters_matches_recomputation(home, monkeypatch, options):
    raw = _write_reuters(home, monkeypatch)
    settings = dict(num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2, index_from=3)
    settings.update(options)
    test_split = settings.pop("test_split", 0.2)
    (x_train, y_train), (x_test, y_test) = reuters.load_data(**options)
    xs, ys = _process(raw["x"], raw["y"], np.random.RandomState(settings.pop("seed")), **settings)
    split = int(len(xs) * (1 - test_split))
    _assert_sequences(x_train, xs[:split])
    _assert_sequences(x_test, xs[split:])
    np.testing.assert_array_equal(y_train, ys[:split])
    np.testing.assert_array_equal(y_test, ys[split:])


def test_reuters_default_split_sizes(home, monkeypatch):
    _write_reuters(home, monkeypatch, n=23)
    (x_train, y_train), (x_test, y_test) = reuters.load_data()
    assert (len(x_train), len(y_train), len(x_test), len(y_test)) == (18, 18, 5, 5)   # int(23 * 0.8) = 18


def test_reuters_bad_arguments(home, monkeypatch):
    _write_reuters(home, monkeypatch)
    with pytest.raises(ValueError, match="reuters.load_data: `test_split` must be a number in \\[0, 1\\]"):
        reuters.load_data(test_split=1.5)
    with pytest.raises(ValueError, match="maxlen=1"):
        reuters.load_data(maxlen=1)
    with pytest.raises(TypeError):
        reuters.load_data(nb_words=10)   # Keras 3's reuters.load_data takes no **kwargs


def test_reuters_label_names_and_word_index(home, monkeypatch):
    names = reuters.get_label_names()
    assert len(names) == 46 and len(set(names)) == 46
    assert (names[0], names[3], names[4], names[19], names[45]) == ("cocoa", "earn", "acq", "money-fx", "lead")
    path = home / "datasets" / "reuters_word_index.json"
    path.write_text(json.dumps({"the": 1, "of": 2}))
    monkeypatch.setattr(reuters, "WORD_INDEX_HASH", hashlib.md5(path.read_bytes()).hexdigest())
    assert reuters.get_word_index() == {"the": 1, "of": 2}


def test_loading_imports_no_framework(home, monkeypatch):
    _write_reuters(home, monkeypatch)
    code = (
        "import sys, kiln.datasets.reuters as r, kiln.datasets.imdb, kiln.datasets.cifar10, "
        "kiln.datasets.cifar100\n"
        "r.FILE_HASH = None\n"
        "r.load_data()\n"
        "print(sorted(m for m in ('tensorflow', 'torch', 'jax') if m in sys.modules))\n"
    )
    env = dict(os.environ, KILN_BACKEND="numpy")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
