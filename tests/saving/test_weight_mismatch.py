"""Loading weights into a model that does not match the file: errors and ``skip_mismatch``."""

import warnings

import numpy as np
import pytest

import kiln


def _values(model):
    return [np.asarray(v.numpy()).copy() for v in model.weights]


def _randomize(model, seed):
    rng = np.random.default_rng(seed)
    for v in model.weights:
        v.assign(rng.standard_normal(tuple(v.shape)).astype("float32"))


def _mlp(units=(8, 4), use_bias=True, name=None):
    layers = [kiln.Input((5,))] + [kiln.layers.Dense(u, use_bias=use_bias) for u in units]
    return kiln.Sequential(layers, name=name)


def _saved(tmp_path, model, seed=1):
    _randomize(model, seed)
    path = tmp_path / "src.weights.h5"
    model.save_weights(str(path))
    return path, _values(model)


def test_kernel_shape_mismatch_names_variable_path_and_both_shapes(tmp_path):
    path, _ = _saved(tmp_path, _mlp((8, 4)))
    model = _mlp((8, 6), name="target")
    before = _values(model)
    with pytest.raises(ValueError) as info:
        model.load_weights(str(path))
    message = str(info.value)
    assert "/layers/dense_1/vars/0" in message
    assert model.layers[1].kernel.path in message  # layer path + variable, e.g. target/dense_1/kernel
    assert "expected shape (8, 6)" in message and "received (8, 4)" in message
    assert str(path) in message
    for a, b in zip(before, _values(model)):
        np.testing.assert_array_equal(a, b)


def test_first_layer_input_width_mismatch(tmp_path):
    path, _ = _saved(tmp_path, _mlp((8, 4)))
    model = kiln.Sequential([kiln.Input((7,)), kiln.layers.Dense(8), kiln.layers.Dense(4)])
    with pytest.raises(ValueError, match=r"expected shape \(7, 8\), received \(5, 8\)") as info:
        model.load_weights(str(path))
    assert "/layers/dense/vars/0" in str(info.value)


def test_variable_count_mismatch_names_the_variables_and_counts(tmp_path):
    path, _ = _saved(tmp_path, _mlp((3,), use_bias=True))
    model = _mlp((3,), use_bias=False)
    with pytest.raises(ValueError) as info:
        model.load_weights(str(path))
    message = str(info.value)
    assert "has 1 variables" in message and "holds 2" in message
    assert model.layers[0].kernel.path in message
    assert "(5, 3)" in message and "(3,)" in message


def test_fewer_variables_in_model_than_file_and_the_reverse(tmp_path):
    path, _ = _saved(tmp_path, _mlp((3,), use_bias=False))
    with pytest.raises(ValueError, match="has 2 variables.*holds 1"):
        _mlp((3,), use_bias=True).load_weights(str(path))


def test_model_with_an_extra_layer_names_the_missing_group(tmp_path):
    path, _ = _saved(tmp_path, _mlp((8, 4)))
    model = _mlp((8, 4, 2))
    with pytest.raises(ValueError) as info:
        model.load_weights(str(path))
    assert "/layers/dense_2/vars" in str(info.value) and model.layers[2].name in str(info.value)


def test_file_with_an_extra_layer_loads_and_warns(tmp_path):
    path, saved = _saved(tmp_path, _mlp((8, 4, 2)))
    model = _mlp((8, 4))
    with pytest.warns(UserWarning, match="layers/dense_2/vars"):
        model.load_weights(str(path))
    for a, b in zip(saved[:4], _values(model)):
        np.testing.assert_array_equal(a, b)


def test_nested_model_mismatch_names_the_nested_path(tmp_path):
    def build(width):
        inner = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(4), kiln.layers.Dense(width)])
        return kiln.Sequential([kiln.Input((3,)), inner, kiln.layers.Dense(1)])

    path, _ = _saved(tmp_path, build(2))
    with pytest.raises(ValueError) as info:
        build(5).load_weights(str(path))
    message = str(info.value)
    assert "/layers/sequential/layers/dense_1/vars/0" in message
    assert "(4, 5)" in message and "(4, 2)" in message


def test_sub_layer_mismatch_names_the_attribute_path(tmp_path):
    def build(units):
        return kiln.Sequential([kiln.Input((4, 3)), kiln.layers.LSTM(units)])

    path, _ = _saved(tmp_path, build(2))
    with pytest.raises(ValueError) as info:
        build(3).load_weights(str(path))
    message = str(info.value)
    assert "/layers/lstm/cell/vars/0" in message and "kernel" in message
    assert "(3, 12)" in message and "(3, 8)" in message


@pytest.mark.parametrize("case", ["shape", "count", "missing_group"])
def test_skip_mismatch_loads_the_rest_and_warns_naming_what_was_skipped(tmp_path, case):
    source = kiln.Sequential([kiln.Input((5,)), kiln.layers.Dense(8), kiln.layers.Dense(4, name="head")])
    path, saved = _saved(tmp_path, source, seed=3)
    if case == "shape":
        model = kiln.Sequential([kiln.Input((5,)), kiln.layers.Dense(8), kiln.layers.Dense(6, name="head")])
        skipped = "dense_1"
    elif case == "count":
        model = kiln.Sequential([kiln.Input((5,)), kiln.layers.Dense(8),
                                 kiln.layers.Dense(4, use_bias=False, name="head")])
        skipped = "dense_1"
    else:
        model = kiln.Sequential([kiln.Input((5,)), kiln.layers.Dense(8), kiln.layers.Dense(4, name="head"),
                                 kiln.layers.Dense(2, name="extra")])
        skipped = "dense_2"
    before = _values(model)
    with pytest.warns(UserWarning, match=f"skip_mismatch=True.*layers/{skipped}/vars"):
        model.load_weights(str(path), skip_mismatch=True)
    after = _values(model)
    np.testing.assert_array_equal(after[0], saved[0])  # the matching first layer was loaded
    np.testing.assert_array_equal(after[1], saved[1])
    if case == "missing_group":
        np.testing.assert_array_equal(after[2], saved[2])
        np.testing.assert_array_equal(after[4], before[4])  # the extra layer is left as it was
    else:
        for a, b in zip(after[2:], before[2:]):  # the mismatched layer is left as it was
            np.testing.assert_array_equal(a, b)


def test_skip_mismatch_without_mismatch_is_quiet(tmp_path):
    path, saved = _saved(tmp_path, _mlp((8, 4)))
    model = _mlp((8, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.load_weights(str(path), skip_mismatch=True)
    for a, b in zip(saved, _values(model)):
        np.testing.assert_array_equal(a, b)


def _compiled(optimizer):
    model = _mlp((3,))
    model.compile(optimizer=optimizer, loss="mse")
    model.optimizer.build(model.trainable_variables)
    return model


def test_optimizer_count_mismatch_warns_and_loads_the_layers(tmp_path):
    path, saved = _saved(tmp_path, _compiled("adam"), seed=4)
    model = _compiled(kiln.optimizers.SGD(momentum=0.0))
    with pytest.warns(UserWarning, match="optimizer.*has 2 variables.*holds 6"):
        model.load_weights(str(path))
    for a, b in zip(saved, _values(model)):
        np.testing.assert_array_equal(a, b)


def test_optimizer_shape_mismatch_is_an_error_unless_skipped(tmp_path):
    path, saved = _saved(tmp_path, _compiled("adam"), seed=5)
    import h5py

    with h5py.File(path, "r+") as f:  # a slot whose shape no longer matches its variable
        del f["optimizer/vars/2"]
        f["optimizer/vars"].create_dataset("2", data=np.zeros((4, 3), "float32"))
    model = _compiled("adam")
    with pytest.raises(ValueError, match=r"/optimizer/vars/2.*expected shape \(5, 3\), received \(4, 3\)"):
        model.load_weights(str(path))
    with pytest.warns(UserWarning, match="optimizer/vars/2"):
        model.load_weights(str(path), skip_mismatch=True)
    for a, b in zip(saved, _values(model)):
        np.testing.assert_array_equal(a, b)


def test_weights_of_a_keras_archive_and_their_mismatch(tmp_path):
    source = _mlp((8, 4))
    _randomize(source, 6)
    path = tmp_path / "m.keras"
    source.save(str(path))
    model = _mlp((8, 4))
    model.load_weights(str(path))
    for a, b in zip(_values(source), _values(model)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"/layers/dense_1/vars/0.*expected shape \(8, 2\), received \(8, 4\)"):
        _mlp((8, 2)).load_weights(str(path))
