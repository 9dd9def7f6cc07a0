"""KerasFileEditor: reading .keras / .weights.h5 files safely, comparing, editing, saving."""

import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import kiln
from kiln.saving import KerasFileEditor
from keras3_fixtures import FIXTURES, needs_fixtures


def _model(units=3, extra=False):
    layers = [kiln.Input((4,), name="features"), kiln.layers.Dense(units, name="hidden"),
              kiln.layers.Dropout(0.5, name="drop"), kiln.layers.Dense(2, name="out")]
    if extra:
        layers.append(kiln.layers.Dense(1, name="extra"))
    return kiln.Sequential(layers, name="net")


def _compiled_model():
    model = _model()
    model.compile(optimizer=kiln.optimizers.SGD(learning_rate=0.5, momentum=0.9), loss="mse")
    model.optimizer.build(model.trainable_variables)
    return model


def _value(variable):
    return np.asarray(variable.numpy())


@pytest.fixture
def saved(tmp_path):
    model = _compiled_model()
    for i, v in enumerate(model.optimizer.variables[1:]):  # make the momentum slots non-zero
        v.assign(np.full(tuple(v.shape), 0.25 * (i + 1), "float32"))
    keras_path, weights_path = tmp_path / "net.keras", tmp_path / "net.weights.h5"
    model.save(keras_path)
    model.save_weights(weights_path)
    return model, keras_path, weights_path


def _optimizer_values(model):
    return [_value(v) for v in model.optimizer.variables]


@pytest.mark.parametrize("kind", ["keras", "weights"])
def test_reads_weights_tree_config_and_metadata(saved, kind):
    model, keras_path, weights_path = saved
    editor = KerasFileEditor(keras_path if kind == "keras" else str(weights_path))
    tree = editor.weights_dict
    assert list(tree["layers"]) == ["dense", "dense_1"]  # Dropout has no weights, so no entry
    np.testing.assert_array_equal(tree["layers"]["dense"]["0"], _value(model.get_layer("hidden").kernel))
    np.testing.assert_array_equal(tree["layers"]["dense_1"]["1"], _value(model.get_layer("out").bias))
    stored = [tree["optimizer"][str(i)] for i in range(len(tree["optimizer"]))]
    for got, want in zip(stored, _optimizer_values(model), strict=True):
        np.testing.assert_array_equal(got, want)
    assert editor.object_metadata["layers/dense"] == {"name": "hidden"}
    assert editor.object_metadata["layers/dropout"] == {"name": "drop"}
    if kind == "keras":
        assert editor.config["class_name"] == "Sequential" and editor.config["config"]["name"] == "net"
        assert set(editor.metadata) == {"keras_version", "date_saved"}
    else:
        assert editor.config is None and editor.metadata is None


def test_summary_prints_the_tree(saved, capsys):
    _, keras_path, _ = saved
    KerasFileEditor(keras_path).summary()
    out = capsys.readouterr().out
    assert f"Keras model file '{keras_path}'" in out
    assert "Saved with Keras" in out and "Weights structure" in out
    assert "dense ('hidden')" in out and "dense_1 ('out')" in out
    assert "0: shape=(4, 3), dtype=float32" in out and "1: shape=(2,), dtype=float32" in out


def test_compare_counts_matches_and_each_kind_of_mismatch(saved, capsys):
    model, keras_path, _ = saved
    editor = KerasFileEditor(keras_path)
    n_weights = len(model.weights) + len(model.optimizer.variables)
    assert editor.compare(model) == {"status": "success", "error_count": 0, "match_count": n_weights}
    assert f"Found {n_weights} matching weights" in capsys.readouterr().out

    wider = _model(units=5)  # hidden kernel/bias and the next kernel change shape; no optimizer
    result = editor.compare(wider)
    out = capsys.readouterr().out
    # 3 shape mismatches + the file's optimizer object the model lacks.
    assert result == {"status": "error", "error_count": 4, "match_count": 1}
    assert "Weight shape mismatch for layers/dense/0" in out
    assert "In reference model: shape=(4, 5)" in out and "In saved file: shape=(4, 3)" in out
    assert "Object optimizer present in saved file, missing from reference model" in out

    longer = _model(extra=True)
    result = KerasFileEditor(saved[2]).compare(longer)
    assert result["error_count"] == 2 and result["match_count"] == 4
    assert "Object layers/dense_2 present in reference model, missing from saved file" in \
        capsys.readouterr().out
    with pytest.raises(TypeError, match="KerasFileEditor.compare: `reference_model` must be a kiln Model"):
        editor.compare("net")


def test_edits_adapt_an_old_file_to_a_changed_model(saved, tmp_path):
    old, _, weights_path = saved
    editor = KerasFileEditor(weights_path)
    editor.delete_object("optimizer")
    new_kernel, new_bias = np.full((2, 1), 0.5, "float32"), np.array([0.25], "float32")
    editor.add_object("layers/dense_2", {"0": new_kernel, "1": new_bias})
    target = tmp_path / "adapted.weights.h5"
    editor.save(target)
    new = _model(extra=True)
    assert KerasFileEditor(target).compare(new)["status"] == "success"
    new.load_weights(target)  # the Dropout's empty group was kept, so the strict loader is happy
    np.testing.assert_array_equal(_value(new.get_layer("hidden").kernel), _value(old.get_layer("hidden").kernel))
    np.testing.assert_array_equal(_value(new.get_layer("extra").kernel), new_kernel)
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    hidden = x @ _value(old.get_layer("hidden").kernel) + _value(old.get_layer("hidden").bias)
    logits = hidden @ _value(old.get_layer("out").kernel) + _value(old.get_layer("out").bias)
    np.testing.assert_allclose(np.asarray(new.predict(x, verbose=0)), logits @ new_kernel + new_bias,
                               rtol=1e-5, atol=1e-5)
    with h5py.File(target, "r") as f:
        assert f["layers/dropout/vars"].attrs["name"] == "drop" and len(f["layers/dropout/vars"]) == 0
        assert f["layers/dense/vars"].attrs["name"] == "hidden"
        assert "optimizer" not in f


def test_rename_delete_and_weight_edits(saved, tmp_path):
    model, _, weights_path = saved
    editor = KerasFileEditor(weights_path)
    editor.rename_object("dense_1", "head")
    assert list(editor.weights_dict["layers"]) == ["dense", "head"]  # position kept
    editor.rename_object("layers/head", "dense_1")
    editor.delete_weight("layers/dense_1", "1")
    assert list(editor.weights_dict["layers"]["dense_1"]) == ["0"]
    with pytest.raises(ValueError, match=r"weight '1' not found in object 'dense_1'; weights found: \['0'\]"):
        editor.delete_weight("dense_1", "1")
    bias = np.arange(2, dtype="float32")
    editor.add_weights("dense_1", {"1": bias})
    editor.save(tmp_path / "edited.weights.h5")
    model.load_weights(tmp_path / "edited.weights.h5")
    np.testing.assert_array_equal(_value(model.get_layer("out").bias), bias)

    editor.rename_object("dense_1", "renamed")
    editor.save(tmp_path / "renamed.weights.h5")
    with h5py.File(tmp_path / "renamed.weights.h5", "r") as f:
        assert "layers/renamed/vars/0" in f and "layers/dense_1" not in f
        assert f["layers/renamed/vars"].attrs["name"] == "out"  # metadata follows the rename
    with pytest.raises(ValueError, match="layer 'out'"):
        model.load_weights(tmp_path / "renamed.weights.h5")


def test_edit_errors_name_the_method_and_the_problem(saved):
    editor = KerasFileEditor(saved[2])
    with pytest.raises(ValueError, match="KerasFileEditor.delete_object: 'nothing' does not appear"):
        editor.delete_object("nothing")
    with pytest.raises(ValueError, match=r"'0' occurs \d+ times .*pass its full path"):
        editor.delete_object("0")
    with pytest.raises(ValueError, match="path 'layers/missing' not found"):
        editor.rename_object("layers/missing", "x")
    with pytest.raises(ValueError, match="rename_object: `new_name` must end in a plain name"):
        editor.rename_object("dense", "layers/dense_9")
    with pytest.raises(ValueError, match="rename_object: 'dense_1' already exists"):
        editor.rename_object("dense", "dense_1")
    with pytest.raises(ValueError, match="add_object: `weights` must be a dict"):
        editor.add_object("layers/dense_5", [np.zeros(2)])
    with pytest.raises(ValueError, match="add_object: path 'nowhere' not found"):
        editor.add_object("nowhere/dense_5", {"0": np.zeros(2)})
    with pytest.raises(ValueError, match="add_weights: weight '0' must be a numeric array"):
        editor.add_weights("dense", {"0": np.array(["a"])})
    with pytest.raises(ValueError, match="add_weights: 'layers/dense/0' is a weight, not an object"):
        editor.add_weights("layers/dense/0", {"1": np.zeros(2)})


def test_save_checks_the_name_and_writes_atomically(saved, tmp_path, monkeypatch):
    editor = KerasFileEditor(saved[2])
    with pytest.raises(ValueError, match="KerasFileEditor.save: expected a `.weights.h5` filename"):
        editor.save(tmp_path / "out.keras")
    target = tmp_path / "out.weights.h5"
    target.write_bytes(b"previous contents")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(h5py.Group, "create_dataset", fail)
    with pytest.raises(OSError, match="disk full"):
        editor.save(target)
    assert target.read_bytes() == b"previous contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.keras", "net.weights.h5", "out.weights.h5"]


def test_open_checks_the_name_and_the_file(tmp_path):
    with pytest.raises(ValueError, match="KerasFileEditor: expected a `.keras` or `.weights.h5` file"):
        KerasFileEditor(tmp_path / "model.h5")
    with pytest.raises(FileNotFoundError, match="KerasFileEditor"):
        KerasFileEditor(tmp_path / "missing.weights.h5")
    with pytest.raises(TypeError, match="KerasFileEditor: `filepath` must be a path"):
        KerasFileEditor(3)
    junk = tmp_path / "junk.weights.h5"
    junk.write_bytes(b"PK\x03\x04 not an HDF5 file at all")
    with pytest.raises(ValueError, match="not an HDF5 file"):
        KerasFileEditor(junk)


def test_hostile_files_are_refused_without_reading_elsewhere(tmp_path):
    # An external link would make HDF5 open another file; a traversal member would write outside.
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as f:
        f.create_dataset("vars/0", data=np.arange(3.0))
    linked = tmp_path / "linked.weights.h5"
    with h5py.File(linked, "w") as f:
        f.create_group("vars")
        f["layers"] = h5py.ExternalLink(str(secret), "/")
    with pytest.raises(ValueError, match="external link"):
        KerasFileEditor(linked)
    soft = tmp_path / "soft.weights.h5"
    with h5py.File(soft, "w") as f:
        f.create_dataset("layers/dense/vars/0", data=np.ones(2))
        f["layers/alias"] = h5py.SoftLink("/layers/dense")
    with pytest.raises(ValueError, match="soft link"):
        KerasFileEditor(soft)
    traversal = tmp_path / "evil.keras"
    with zipfile.ZipFile(traversal, "w") as z:
        z.writestr("config.json", "{}")
        z.writestr("../escaped.txt", "x")
    with pytest.raises(ValueError, match="escaped.txt"):
        KerasFileEditor(traversal)
    assert not (tmp_path.parent / "escaped.txt").exists()
    deep = tmp_path / "deep.keras"
    with zipfile.ZipFile(deep, "w") as z:
        z.writestr("config.json", "[" * 1000 + "]" * 1000)
    with pytest.raises(ValueError, match="nested deeper"):
        KerasFileEditor(deep)


@needs_fixtures
def test_keras3_fixture_files():
    manifest = json.loads((FIXTURES / "MANIFEST.json").read_text())["fixtures"]["mlp_sequential"]
    for name in ("mlp_sequential.keras", "mlp_sequential.weights.h5"):
        editor = KerasFileEditor(os.fspath(FIXTURES / name))
        for entry in manifest["weights_h5_datasets"]:
            path = entry["h5_path"].replace("/vars/", "/")
            node = editor.weights_dict
            for part in path.split("/"):
                node = node[part]
            assert list(node.shape) == entry["shape"] and str(node.dtype) == entry["dtype"], path
    assert editor.object_metadata["optimizer"] == {"name": "adam"}
    model = kiln.models.load_model(FIXTURES / "mlp_sequential.keras")
    assert editor.compare(model)["status"] == "success"
