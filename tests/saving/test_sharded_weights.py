"""Sharded weights: ``save_weights(path, max_shard_size=...)`` and loading the ``.weights.json`` index."""

import json
import os

import h5py
import numpy as np
import pytest

import kiln

GB = 1024 ** 3


def _model():
    return kiln.Sequential([kiln.Input((6,)), kiln.layers.Dense(16), kiln.layers.Dropout(0.1),
                            kiln.layers.BatchNormalization(), kiln.layers.Dense(3)])


def _values(model):
    return [np.asarray(v.numpy()).copy() for v in model.weights]


def _randomize(model, seed):
    rng = np.random.default_rng(seed)
    for v in model.weights:
        v.assign(rng.standard_normal(tuple(v.shape)).astype("float32") + (2.0 if "variance" in v.path else 0.0))


def _stored_bytes(path):
    total = []

    def visit(name, item):
        if isinstance(item, h5py.Dataset):
            total.append(item.size * item.dtype.itemsize)

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return sum(total)


def test_round_trip_layout_and_index(tmp_path):
    model = _model()
    _randomize(model, 1)
    limit = 448  # bytes: dense (384 + 64) fills shard 0 exactly; batch norm (4 x 64) and dense_1 (192 + 12) follow
    model.save_weights(str(tmp_path / "m.weights.json"), max_shard_size=limit / GB)
    names = sorted(os.listdir(tmp_path))
    shards = [n for n in names if n.endswith(".weights.h5")]
    assert names == ["m.weights.json"] + shards
    assert shards == [f"m_{i:05d}.weights.h5" for i in range(len(shards))] and len(shards) >= 3
    for shard in shards:
        assert _stored_bytes(tmp_path / shard) <= limit
    index = json.loads((tmp_path / "m.weights.json").read_text())
    assert set(index) == {"metadata", "weight_map"}
    assert index["metadata"]["total_size"] == sum(v.numpy().size * 4 for v in model.weights)
    weight_map = index["weight_map"]
    assert shards == ["m_00000.weights.h5", "m_00001.weights.h5", "m_00002.weights.h5"]
    assert weight_map == {"/layers/dense/vars": "m_00000.weights.h5",
                          "/layers/batch_normalization/vars": "m_00001.weights.h5",
                          "/layers/dense_1/vars": ["m_00001.weights.h5", "m_00002.weights.h5"]}
    with h5py.File(tmp_path / "m_00000.weights.h5", "r") as f:  # groups without variables stay where reached
        assert len(f["layers/dropout/vars"]) == 0 and "vars" in f
    other = _model()
    other.load_weights(str(tmp_path / "m.weights.json"))
    for a, b in zip(_values(model), _values(other)):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(0).standard_normal((4, 6)).astype("float32")
    np.testing.assert_allclose(other.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)


def test_group_spanning_shards_maps_to_a_list(tmp_path):
    model = kiln.Sequential([kiln.Input((4,)), kiln.layers.Dense(4)])  # kernel 64 bytes, bias 16 bytes
    _randomize(model, 2)
    model.save_weights(str(tmp_path / "s.weights.json"), max_shard_size=70 / GB)
    index = json.loads((tmp_path / "s.weights.json").read_text())
    assert index["weight_map"]["/layers/dense/vars"] == ["s_00000.weights.h5", "s_00001.weights.h5"]
    with h5py.File(tmp_path / "s_00001.weights.h5", "r") as f:
        assert list(f["layers/dense/vars"].keys()) == ["1"]
        assert f["layers/dense/vars"].attrs["name"] == model.layers[0].name
    other = kiln.Sequential([kiln.Input((4,)), kiln.layers.Dense(4)])
    other.load_weights(str(tmp_path / "s.weights.json"))
    for a, b in zip(_values(model), _values(other)):
        np.testing.assert_array_equal(a, b)


def test_h5_path_is_renamed_to_json_with_a_warning(tmp_path):
    model = _model()
    with pytest.warns(UserWarning, match=r"m\.weights\.json"):
        model.save_weights(str(tmp_path / "m.weights.h5"), max_shard_size=1)
    assert sorted(os.listdir(tmp_path)) == ["m.weights.json", "m_00000.weights.h5"]


def test_a_variable_larger_than_a_shard_is_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"sequential\w*/dense/kernel.*max_shard_size"):
        _model().save_weights(str(tmp_path / "m.weights.json"), max_shard_size=100 / GB)
    assert [n for n in os.listdir(tmp_path) if not n.startswith(".")] == []


@pytest.mark.parametrize("bad, error", [("1GB", TypeError), (0, ValueError), (-1.0, ValueError), (True, TypeError)])
def test_bad_max_shard_size(tmp_path, bad, error):
    with pytest.raises(error, match="max_shard_size"):
        _model().save_weights(str(tmp_path / "m.weights.json"), max_shard_size=bad)


def test_path_checks(tmp_path):
    model = _model()
    with pytest.raises(ValueError, match=r"\.weights\.json"):
        model.save_weights(str(tmp_path / "m.keras"), max_shard_size=1)
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights(str(tmp_path / "m.weights.json"))
    model.save_weights(str(tmp_path / "m.weights.json"), max_shard_size=1)
    with pytest.raises(FileExistsError):
        model.save_weights(str(tmp_path / "m.weights.json"), overwrite=False, max_shard_size=1)
    with pytest.raises(ValueError, match=r"\.weights\.json.*\.keras"):
        model.load_weights(str(tmp_path / "m.npz"))


def test_mismatch_through_the_index_names_path_and_shapes(tmp_path):
    _model().save_weights(str(tmp_path / "m.weights.json"), max_shard_size=400 / GB)
    wrong = kiln.Sequential([kiln.Input((6,)), kiln.layers.Dense(16), kiln.layers.Dropout(0.1),
                             kiln.layers.BatchNormalization(), kiln.layers.Dense(5)])
    with pytest.raises(ValueError, match=r"/layers/dense_1/vars/0.*expected shape \(16, 5\), received \(16, 3\)"):
        wrong.load_weights(str(tmp_path / "m.weights.json"))
    with pytest.warns(UserWarning, match="layers/dense_1"):
        wrong.load_weights(str(tmp_path / "m.weights.json"), skip_mismatch=True)


def test_keras_style_index_loads(tmp_path):
    """An index as Keras 3 writes it (one shard name per group, total_size a float)."""
    model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])
    kernel = np.arange(6, dtype="float32").reshape(3, 2)
    with h5py.File(tmp_path / "k_00000.weights.h5", "w") as f:
        f.create_group("vars").attrs["name"] = "sequential"
        g = f.create_group("layers/dense/vars")
        g.attrs["name"] = "dense"
        g.create_dataset("0", data=kernel)
    with h5py.File(tmp_path / "k_00001.weights.h5", "w") as f:
        f.create_group("layers/dense/vars").create_dataset("1", data=np.array([7.0, 8.0], "float32"))
    index = {"metadata": {"total_size": 32.0},
             "weight_map": {"/layers/dense/vars": ["k_00000.weights.h5", "k_00001.weights.h5"]}}
    (tmp_path / "k.weights.json").write_text(json.dumps(index, indent=4))
    model.load_weights(str(tmp_path / "k.weights.json"))
    np.testing.assert_array_equal(np.asarray(model.layers[0].kernel.numpy()), kernel)
    np.testing.assert_array_equal(np.asarray(model.layers[0].bias.numpy()), [7.0, 8.0])


@pytest.mark.parametrize("name", ["../m_00000.weights.h5", "/etc/passwd", "sub/m_00000.weights.h5",
                                  "m_00000.py", 3])
def test_index_naming_a_file_outside_the_folder_is_refused(tmp_path, name):
    model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])
    (tmp_path / "m.weights.json").write_text(json.dumps({"weight_map": {"/layers/dense/vars": name}}))
    with pytest.raises(ValueError, match="plain file name") as info:
        model.load_weights(str(tmp_path / "m.weights.json"))
    assert "m.weights.json" in str(info.value)


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"metadata": {}}'])
def test_malformed_index_is_refused(tmp_path, text):
    (tmp_path / "m.weights.json").write_text(text)
    with pytest.raises(ValueError, match="m.weights.json"):
        _model().load_weights(str(tmp_path / "m.weights.json"))


def test_missing_shard_is_a_clear_error(tmp_path):
    _model().save_weights(str(tmp_path / "m.weights.json"), max_shard_size=400 / GB)
    os.remove(tmp_path / "m_00001.weights.h5")
    with pytest.raises(FileNotFoundError, match="m_00001.weights.h5"):
        _model().load_weights(str(tmp_path / "m.weights.json"))


def test_optimizer_state_round_trip(tmp_path):
    if kiln.config.backend() == "numpy":
        pytest.skip("numpy backend has no autodiff")
    x = np.random.default_rng(0).standard_normal((8, 6)).astype("float32")
    y = np.random.default_rng(1).standard_normal((8, 3)).astype("float32")
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    model.save_weights(str(tmp_path / "m.weights.json"), max_shard_size=400 / GB)
    index = json.loads((tmp_path / "m.weights.json").read_text())
    assert "/optimizer/vars" in index["weight_map"]
    other = _model()
    other.compile(optimizer="adam", loss="mse")
    other.load_weights(str(tmp_path / "m.weights.json"))
    assert int(np.asarray(other.optimizer.iterations.numpy())) == 2
    for a, b in zip(model.optimizer.variables, other.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a.numpy()), np.asarray(b.numpy()))


def test_shards_go_through_the_shared_safety_checks(tmp_path):
    model = kiln.Sequential([kiln.Input((4,)), kiln.layers.Dense(4)])
    model.save_weights(str(tmp_path / "s.weights.json"), max_shard_size=70 / GB)
    with h5py.File(tmp_path / "s_00001.weights.h5", "r+") as f:  # the second shard gains a soft link
        f["layers/dense/alias"] = h5py.SoftLink("/layers/dense/vars/1")
    before = _values(model)
    _randomize(model, 9)
    changed = _values(model)
    with pytest.raises(ValueError, match=r"s_00001\.weights\.h5.*soft link"):
        model.load_weights(str(tmp_path / "s.weights.json"))
    for a, b in zip(changed, _values(model)):  # nothing was assigned
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(before, changed))
