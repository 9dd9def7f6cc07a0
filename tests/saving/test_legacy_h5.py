"""Legacy Keras 2 (TensorFlow-era) ``.h5`` weights files: topological and by-name loading.

The files are written here with h5py in the documented Keras 2 layout: root
attribute ``layer_names``, one group per layer with a ``weight_names``
attribute, and one dataset per weight at ``<layer>/<weight name>``.
"""

import warnings

import h5py
import numpy as np
import pytest

import kiln
from kiln.saving import file_safety


def _write_legacy(path, layers, whole_model=False, top_level=None):
    """``layers``: ``[(layer name, [(weight name, array)])]`` in model order."""
    with h5py.File(path, "w") as f:
        root = f.create_group("model_weights") if whole_model else f
        if whole_model:
            f.attrs["model_config"] = '{"class_name": "Sequential"}'
        root.attrs["layer_names"] = np.array([name.encode() for name, _ in layers])
        root.attrs["backend"] = b"tensorflow"
        root.attrs["keras_version"] = b"2.15.0"
        for name, weights in layers:
            group = root.create_group(name)
            group.attrs["weight_names"] = np.array([w.encode() for w, _ in weights], dtype="S")
            for weight_name, value in weights:
                group.create_dataset(weight_name, data=value)
        if top_level is not None:
            group = root.create_group("top_level_model_weights")
            group.attrs["weight_names"] = np.array([w.encode() for w, _ in top_level], dtype="S")
            for weight_name, value in top_level:
                group.create_dataset(weight_name, data=value)


def _rand(rng, *shape):
    return rng.standard_normal(shape).astype("float32")


def _keras2_mlp_file(path, rng, whole_model=False, names=("dense_7", "batch_normalization_3", "dense_8")):
    d1, bn, d2 = names
    stored = {
        d1: [(f"{d1}/kernel:0", _rand(rng, 5, 8)), (f"{d1}/bias:0", _rand(rng, 8))],
        bn: [(f"{bn}/gamma:0", _rand(rng, 8)), (f"{bn}/beta:0", _rand(rng, 8)),
             (f"{bn}/moving_mean:0", _rand(rng, 8)), (f"{bn}/moving_variance:0", np.abs(_rand(rng, 8)) + 1)],
        d2: [(f"{d2}/kernel:0", _rand(rng, 8, 3)), (f"{d2}/bias:0", _rand(rng, 3))],
    }
    layers = [("input_1", []), (d1, stored[d1]), ("dropout_2", []), (bn, stored[bn]), (d2, stored[d2])]
    _write_legacy(path, layers, whole_model=whole_model)
    return [value for name in (d1, bn, d2) for _, value in stored[name]]


def _mlp(names=(None, None, None)):
    return kiln.Sequential([kiln.Input((5,)), kiln.layers.Dense(8, name=names[0]), kiln.layers.Dropout(0.5),
                            kiln.layers.BatchNormalization(name=names[1]), kiln.layers.Dense(3, name=names[2])])


def _values(model):
    return [np.asarray(v.numpy()).copy() for v in model.weights]


@pytest.mark.parametrize("whole_model", [False, True])
def test_topological_order_ignores_names(tmp_path, whole_model):
    path = tmp_path / "old.h5"
    expected = _keras2_mlp_file(path, np.random.default_rng(0), whole_model=whole_model)
    model = _mlp()
    model.load_weights(str(path))
    for a, b in zip(expected, _values(model)):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(1).standard_normal((2, 5)).astype("float32")
    d1, bn, d2 = model.layers[0], model.layers[2], model.layers[3]
    h = x @ expected[0] + expected[1]
    h = (h - expected[4]) / np.sqrt(expected[5] + bn.epsilon) * expected[2] + expected[3]
    np.testing.assert_allclose(model.predict(x, verbose=0), h @ expected[6] + expected[7], rtol=1e-5, atol=1e-5)
    assert d1.name != "dense_7" and d2.name != "dense_8"


def test_hdf5_extension_and_lstm_weight_order(tmp_path):
    rng = np.random.default_rng(2)
    kernel, recurrent, bias = _rand(rng, 3, 8), _rand(rng, 2, 8), _rand(rng, 8)
    path = tmp_path / "rnn.hdf5"
    _write_legacy(path, [("lstm", [("lstm/lstm_cell/kernel:0", kernel),
                                   ("lstm/lstm_cell/recurrent_kernel:0", recurrent),
                                   ("lstm/lstm_cell/bias:0", bias)])])
    model = kiln.Sequential([kiln.Input((4, 3)), kiln.layers.LSTM(2)])
    model.load_weights(str(path))
    cell = model.layers[0].trainable_weights
    for variable, value in zip(cell, (kernel, recurrent, bias)):
        np.testing.assert_array_equal(np.asarray(variable.numpy()), value)


def test_by_name_matches_names_and_leaves_the_rest(tmp_path):
    rng = np.random.default_rng(3)
    head_k, head_b = _rand(rng, 8, 3), _rand(rng, 3)
    path = tmp_path / "named.h5"
    # order differs from the model's, and "unrelated" has no layer in the model
    _write_legacy(path, [("head", [("head/kernel:0", head_k), ("head/bias:0", head_b)]),
                         ("unrelated", [("unrelated/kernel:0", _rand(rng, 2, 2))])])
    model = _mlp(names=("body", "norm", "head"))
    before = _values(model)
    model.load_weights(str(path), by_name=True)
    after = _values(model)
    np.testing.assert_array_equal(after[6], head_k)
    np.testing.assert_array_equal(after[7], head_b)
    for a, b in zip(before[:6], after[:6]):
        np.testing.assert_array_equal(a, b)


def test_by_name_shape_mismatch_error_and_skip(tmp_path):
    rng = np.random.default_rng(4)
    path = tmp_path / "named.h5"
    body_k, body_b = _rand(rng, 5, 8), _rand(rng, 8)
    _write_legacy(path, [("body", [("body/kernel:0", body_k), ("body/bias:0", body_b)]),
                         ("head", [("head/kernel:0", _rand(rng, 8, 4)), ("head/bias:0", _rand(rng, 4))])])
    model = _mlp(names=("body", "norm", "head"))
    before = _values(model)
    with pytest.raises(ValueError) as info:
        model.load_weights(str(path), by_name=True)
    message = str(info.value)
    assert "'head'" in message and model.layers[3].kernel.path in message
    assert "(8, 3)" in message and "(8, 4)" in message and "/head/head/kernel:0" in message
    for a, b in zip(before, _values(model)):  # nothing assigned
        np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning, match=r"skip_mismatch=True.*head/kernel.*\(8, 4\)"):
        model.load_weights(str(path), by_name=True, skip_mismatch=True)
    after = _values(model)
    np.testing.assert_array_equal(after[0], body_k)
    np.testing.assert_array_equal(after[1], body_b)
    np.testing.assert_array_equal(after[6], before[6])


def test_by_name_weight_count_mismatch(tmp_path):
    path = tmp_path / "named.h5"
    _write_legacy(path, [("head", [("head/kernel:0", np.zeros((8, 3), "float32"))])])
    model = _mlp(names=("body", "norm", "head"))
    with pytest.raises(ValueError, match=r"weight count mismatch for layer 'head'.*expects 2.*holds 1"):
        model.load_weights(str(path), by_name=True)
    with pytest.warns(UserWarning, match="weight count mismatch for layer 'head'"):
        model.load_weights(str(path), by_name=True, skip_mismatch=True)


def test_topological_layer_count_mismatch(tmp_path):
    path = tmp_path / "old.h5"
    _keras2_mlp_file(path, np.random.default_rng(5))
    model = kiln.Sequential([kiln.Input((5,)), kiln.layers.Dense(8), kiln.layers.Dense(3)])
    with pytest.raises(ValueError, match=r"layer count mismatch.*model has 2 layers.*file has 3"):
        model.load_weights(str(path))


def test_topological_shape_mismatch_names_both_layers_and_shapes(tmp_path):
    path = tmp_path / "old.h5"
    _keras2_mlp_file(path, np.random.default_rng(6))
    model = kiln.Sequential([kiln.Input((5,)), kiln.layers.Dense(8), kiln.layers.Dropout(0.5),
                             kiln.layers.BatchNormalization(), kiln.layers.Dense(4)])
    with pytest.raises(ValueError) as info:
        model.load_weights(str(path))
    message = str(info.value)
    assert "#2" in message and "'dense_8' in the file" in message
    assert "expected shape (8, 4), received (8, 3)" in message


def test_top_level_model_weights(tmp_path):
    class Scaled(kiln.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = kiln.layers.Dense(2, name="inner")

        def build(self, input_shape):
            self.dense.build(input_shape)
            self.scale = self.add_weight(shape=(2,), initializer="ones", name="scale")

        def call(self, x):
            return self.dense(x) * self.scale

    model = Scaled()
    model(np.ones((1, 3), "float32"))
    path = tmp_path / "sub.h5"
    kernel, bias = np.full((3, 2), 0.5, "float32"), np.array([1.0, 2.0], "float32")
    scale = np.array([3.0, 4.0], "float32")
    _write_legacy(path, [("inner", [("inner/kernel:0", kernel), ("inner/bias:0", bias)])],
                  top_level=[("scaled/scale:0", scale)])
    model.load_weights(str(path))
    np.testing.assert_array_equal(np.asarray(model.scale.numpy()), scale)
    np.testing.assert_allclose(model.predict(np.ones((1, 3), "float32"), verbose=0), [[7.5, 14.0]])


def test_not_a_legacy_file(tmp_path):
    path = tmp_path / "plain.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=[1.0])
    with pytest.raises(ValueError, match="no 'layer_names' attribute") as info:
        _mlp().load_weights(str(path))
    assert str(path) in str(info.value)
    (tmp_path / "text.h5").write_text("hello")
    with pytest.raises(ValueError, match="not an HDF5 file"):
        _mlp().load_weights(str(tmp_path / "text.h5"))


def test_listed_weight_missing_from_the_group(tmp_path):
    path = tmp_path / "broken.h5"
    _write_legacy(path, [("d", [("d/kernel:0", np.zeros((5, 8), "float32"))])])
    with h5py.File(path, "r+") as f:
        f["d"].attrs["weight_names"] = np.array([b"d/kernel:0", b"d/bias:0"])
    model = kiln.Sequential([kiln.Input((5,)), kiln.layers.Dense(8, name="d")])
    with pytest.raises(ValueError, match=r"'d/bias:0'.*missing"):
        model.load_weights(str(path))


def test_by_name_only_for_legacy_files(tmp_path):
    model = _mlp()
    path = tmp_path / "m.weights.h5"
    model.save_weights(str(path))
    with pytest.raises(ValueError, match="by_name"):
        model.load_weights(str(path), by_name=True)
    with pytest.raises(ValueError, match="unexpected keyword"):
        model.load_weights(str(path), bogus=1)


def test_legacy_files_go_through_the_shared_safety_checks(tmp_path, monkeypatch):
    path = tmp_path / "old.h5"
    _keras2_mlp_file(path, np.random.default_rng(7))
    seen = []
    original = file_safety.check_h5_file

    def recording(h5file, filepath):
        seen.append(filepath)
        return original(h5file, filepath)

    monkeypatch.setattr(file_safety, "check_h5_file", recording)
    _mlp().load_weights(str(path))
    assert seen == [str(path)]


def test_external_link_in_a_legacy_file_is_refused(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.create_dataset("k", data=np.zeros((5, 8), "float32"))
    path = tmp_path / "linked.h5"
    _write_legacy(path, [("d", [("d/bias:0", np.zeros((8,), "float32"))])])
    with h5py.File(path, "r+") as f:
        f["d"].attrs["weight_names"] = np.array([b"d/kernel:0", b"d/bias:0"])
        f["d/d/kernel:0"] = h5py.ExternalLink(str(other), "k")
    model = kiln.Sequential([kiln.Input((5,)), kiln.layers.Dense(8, name="d")])
    before = _values(model)
    with pytest.raises(ValueError, match="external link"):
        model.load_weights(str(path))
    for a, b in zip(before, _values(model)):
        np.testing.assert_array_equal(a, b)


def test_matching_file_loads_quietly(tmp_path):
    path = tmp_path / "old.h5"
    _keras2_mlp_file(path, np.random.default_rng(8), names=("a", "b", "c"))
    model = _mlp(names=("a", "b", "c"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.load_weights(str(path), by_name=True, skip_mismatch=True)
