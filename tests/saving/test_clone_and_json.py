"""clone_model, model.to_json / model_from_json, get_custom_objects and their safe-mode rules."""

import json

import numpy as np
import pytest

import kiln
from api_reference import lacking_examples, missing_names, reference_rows, wrong_signatures
from kiln.saving.serialization_lib import SafeModeScope

_OURS = {
    "keras.models": ("clone_model", "model_from_json"),
    "keras.saving": ("get_custom_objects", "KerasFileEditor"),
    "keras.utils": ("get_custom_objects", "serialize_keras_object", "deserialize_keras_object",
                    "register_keras_serializable", "get_registered_name", "get_registered_object",
                    "CustomObjectScope"),
}


def _rows():
    rows = reference_rows(tuple(_OURS))
    return [r for r in rows if r["name"] in _OURS[r["module"]]]


def test_names_exist_with_keras_signatures_and_examples():
    rows = _rows()
    assert len(rows) == sum(len(v) for v in _OURS.values())
    assert missing_names(rows) == []
    assert wrong_signatures(rows) == []
    # Docstrings of the names this part defines (the serialization helpers are serialization_lib's).
    defined_here = ("clone_model", "model_from_json", "get_custom_objects", "KerasFileEditor")
    assert lacking_examples([r for r in rows if r["name"] in defined_here]) == []
    assert kiln.utils.custom_object_scope is kiln.saving.custom_object_scope
    assert kiln.utils.get_custom_objects is kiln.saving.get_custom_objects


# -- helpers ------------------------------------------------------------------------------------
def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _predict(model, x):
    return np.asarray(model.predict(x, verbose=0))


def _copy_weights(source, target):
    target.set_weights(source.get_weights())


def _sequential():
    return kiln.Sequential([kiln.Input((4,), name="features"),
                            kiln.layers.Dense(3, activation="relu", name="hidden"),
                            kiln.layers.Dropout(0.5),
                            kiln.layers.Dense(2, name="out")], name="stack")


def _functional_shared():
    """Two inputs through one shared Dense, concatenated, two outputs."""
    a = kiln.Input((3,), name="a")
    b = kiln.Input((3,), name="b")
    shared = kiln.layers.Dense(4, name="shared")
    merged = kiln.layers.Concatenate(name="merge")([shared(a), shared(b)])
    first = kiln.layers.Dense(1, name="first")(merged)
    second = kiln.layers.Dense(2, name="second")(merged)
    return kiln.Model([a, b], [first, second], name="two_heads")


# -- clone_model --------------------------------------------------------------------------------
def test_clone_sequential_has_new_layers_and_new_weights():
    model = _sequential()
    clone = kiln.models.clone_model(model)
    assert type(clone) is kiln.Sequential and clone.name == "stack"
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    assert clone.inputs[0].shape == (None, 4) and clone.layers[0].get_config() == model.layers[0].get_config()
    for new, old in zip(clone.layers, model.layers):
        assert new is not old
    old_kernel = model.get_layer("hidden").kernel
    new_kernel = clone.get_layer("hidden").kernel
    assert new_kernel is not old_kernel
    # Freshly initialized (Glorot-uniform draws of a 4x3 kernel never coincide).
    assert not np.allclose(np.asarray(new_kernel.numpy()), np.asarray(old_kernel.numpy()))
    x = _x(5, 4)
    _copy_weights(model, clone)
    np.testing.assert_allclose(_predict(clone, x), _predict(model, x), rtol=1e-6, atol=1e-6)
    # Not shared: changing the copy leaves the original alone.
    before = np.asarray(old_kernel.numpy()).copy()
    new_kernel.assign(np.zeros((4, 3), "float32"))
    np.testing.assert_array_equal(np.asarray(old_kernel.numpy()), before)


def test_clone_functional_keeps_graph_and_layer_sharing():
    model = _functional_shared()
    clone = kiln.models.clone_model(model)
    assert type(clone).__name__ == "Functional" and clone.name == "two_heads"
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    assert [t.name for t in clone.inputs] == ["a", "b"]
    shared = clone.get_layer("shared")
    assert shared is not model.get_layer("shared")
    assert len(shared._inbound_nodes) == 2  # called on both inputs, as in the original
    assert len(clone.weights) == len(model.weights)
    xa, xb = _x(4, 3, seed=1), _x(4, 3, seed=2)
    _copy_weights(model, clone)
    for got, want in zip(clone.predict([xa, xb], verbose=0), model.predict([xa, xb], verbose=0)):
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6, atol=1e-6)


def test_clone_function_replaces_or_shares_layers():
    model = _sequential()
    seen = []

    def widen(layer):
        seen.append(layer.name)
        if layer.name == "hidden":
            return kiln.layers.Dense(7, activation="relu", name="hidden")
        return layer.__class__.from_config(layer.get_config())

    wide = kiln.models.clone_model(model, clone_function=widen)
    assert seen == ["hidden", "dropout", "out"]  # every layer, the input excepted
    assert wide.get_layer("hidden").kernel.shape == (4, 7)
    assert wide.get_layer("out").kernel.shape == (7, 2)

    same = kiln.models.clone_model(model, clone_function=lambda layer: layer)
    assert all(new is old for new, old in zip(same.layers, model.layers))
    np.testing.assert_allclose(_predict(same, _x(2, 4)), _predict(model, _x(2, 4)), atol=1e-6)


def test_call_function_inserts_layers_in_functional_models_only():
    x = kiln.Input((3,), name="x")
    model = kiln.Model(x, kiln.layers.Dense(2, name="d2")(kiln.layers.Dense(5, name="d5")(x)))

    def add_scale(layer, *args, **kwargs):
        out = layer(*args, **kwargs)
        if isinstance(layer, kiln.layers.Dense):
            out = kiln.layers.Rescaling(2.0, name=f"{layer.name}_x2")(out)
        return out

    clone = kiln.models.clone_model(model, clone_function=lambda layer: layer, call_function=add_scale)
    assert [l.name for l in clone.layers] == ["x", "d5", "d5_x2", "d2", "d2_x2"]
    data = _x(3, 3)
    d5, d2 = model.get_layer("d5"), model.get_layer("d2")
    hidden = 2 * (data @ np.asarray(d5.kernel.numpy()) + np.asarray(d5.bias.numpy()))
    want = 2 * (hidden @ np.asarray(d2.kernel.numpy()) + np.asarray(d2.bias.numpy()))
    np.testing.assert_allclose(_predict(clone, data), want, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="call_function.*Sequential"):
        kiln.models.clone_model(_sequential(), call_function=add_scale)


def test_recursive_clones_nested_models_with_the_same_function():
    inner = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(4, name="inner_dense")], name="inner")
    x = kiln.Input((3,), name="x")
    model = kiln.Model(x, kiln.layers.Dense(1, name="head")(inner(x)), name="outer")

    seen = []

    def record(layer):
        seen.append(layer.name)
        return layer.__class__.from_config(layer.get_config())

    kiln.models.clone_model(model, clone_function=record)
    assert seen == ["inner", "head"]  # the nested model is one layer to clone_function
    seen.clear()
    clone = kiln.models.clone_model(model, clone_function=record, recursive=True)
    assert seen == ["inner_dense", "head"]
    nested = clone.get_layer("inner")
    assert isinstance(nested, kiln.Sequential) and nested is not inner
    assert nested.get_layer("inner_dense") is not inner.get_layer("inner_dense")
    _copy_weights(model, clone)
    np.testing.assert_allclose(_predict(clone, _x(2, 3)), _predict(model, _x(2, 3)), atol=1e-6)


def test_clone_on_given_input_tensors():
    model = _functional_shared()
    a, b = kiln.Input((3,), name="new_a"), kiln.Input((3,), name="new_b")
    clone = kiln.models.clone_model(model, input_tensors=[a, b])
    assert clone.inputs[0] is a and clone.inputs[1] is b
    seq = kiln.models.clone_model(_sequential(), input_tensors=kiln.Input((4,), name="given"))
    assert seq.layers[0].name == "hidden" and seq.inputs[0].shape == (None, 4)
    with pytest.raises(ValueError, match="input_tensors.*structure"):
        kiln.models.clone_model(model, input_tensors=[a])
    with pytest.raises(ValueError, match="KerasTensor"):
        kiln.models.clone_model(model, input_tensors=[a, np.zeros((1, 3))])
    with pytest.raises(ValueError, match="single input"):
        kiln.models.clone_model(_sequential(), input_tensors=[a, b])
    with pytest.raises(ValueError, match="must come from kiln.Input"):
        kiln.models.clone_model(_sequential(), input_tensors=kiln.layers.Dense(4)(a))


def test_clone_rejects_bad_arguments():
    with pytest.raises(ValueError, match="clone_model: unexpected keyword.*bogus"):
        kiln.models.clone_model(_sequential(), bogus=1)
    with pytest.raises(ValueError, match="clone_model: expected a kiln Model"):
        kiln.models.clone_model(kiln.layers.Dense(2))
    with pytest.raises(ValueError, match="clone_function` must be callable"):
        kiln.models.clone_model(_sequential(), clone_function=3)


class _Scaled(kiln.Model):
    """A subclassed model with a config: clone_model goes through get_config/from_config."""

    def __init__(self, units=2, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.factor = units, factor
        self.dense = kiln.layers.Dense(units)

    def call(self, x):
        return self.dense(x) * self.factor

    def get_config(self):
        return dict(super().get_config(), units=self.units, factor=self.factor)


def test_clone_subclassed_model_through_its_config():
    model = _Scaled(units=3, factor=0.5, name="scaled")
    model(kiln.ops.ones((1, 2)))
    clone = kiln.models.clone_model(model)
    assert type(clone) is _Scaled and clone is not model
    assert (clone.units, clone.factor, clone.name) == (3, 0.5, "scaled")
    out = clone(kiln.ops.ones((1, 2)))
    assert tuple(out.shape) == (1, 3) and clone.dense is not model.dense
    with pytest.raises(ValueError, match="only supported for Sequential and functional"):
        kiln.models.clone_model(model, clone_function=lambda layer: layer)
    with pytest.raises(ValueError, match="call_function.*functional"):
        kiln.models.clone_model(model, call_function=lambda layer, *a, **k: layer(*a, **k))


def _lambda_model():
    x = kiln.Input((2,), name="x")
    return kiln.Model(x, kiln.layers.Lambda(lambda t: t * 3.0, name="triple")(x))


def test_clone_refuses_lambda_bytecode_unless_safe_mode_is_off():
    model = _lambda_model()
    with pytest.raises(ValueError, match="(?i)lambda|bytecode|code"):
        kiln.models.clone_model(model)
    with SafeModeScope(False):
        clone = kiln.models.clone_model(model)
    np.testing.assert_allclose(_predict(clone, np.ones((1, 2), "float32")), [[3.0, 3.0]])


# -- to_json / model_from_json ------------------------------------------------------------------
@pytest.mark.parametrize("build", [_sequential, _functional_shared], ids=["sequential", "functional"])
def test_json_round_trip(build):
    model = build()
    text = model.to_json()
    assert json.loads(text) == json.loads(json.dumps(kiln.saving.serialize_keras_object(model)))
    assert model.to_json(indent=2) != text and json.loads(model.to_json(indent=2)) == json.loads(text)
    restored = kiln.models.model_from_json(text)
    assert type(restored) is type(model) and restored.name == model.name
    assert [l.name for l in restored.layers] == [l.name for l in model.layers]
    assert json.loads(restored.to_json()) == json.loads(text)
    _copy_weights(model, restored)
    inputs = _x(3, 4) if build is _sequential else [_x(3, 3, seed=3), _x(3, 3, seed=4)]
    got, want = restored.predict(inputs, verbose=0), model.predict(inputs, verbose=0)
    for g, w in zip(got if isinstance(got, list) else [got], want if isinstance(want, list) else [want]):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-6, atol=1e-6)


def test_json_keeps_compile_settings():
    model = _sequential()
    model.compile(optimizer=kiln.optimizers.Adam(learning_rate=0.125), loss="mse", metrics=["mae"])
    text = model.to_json()
    assert "compile_config" not in json.loads(_sequential().to_json())
    from kiln.saving.saving_api import _serialize_compile_config

    assert json.loads(text)["compile_config"] == _serialize_compile_config(model)  # as in config.json
    restored = kiln.models.model_from_json(text.encode("utf-8"))
    assert restored.compiled and restored._compile_config["metrics"] == ["mae"]
    assert type(restored.optimizer).__name__ == "Adam"
    assert float(np.asarray(restored.optimizer.learning_rate)) == pytest.approx(0.125)


def test_model_from_json_bad_input():
    with pytest.raises(ValueError, match="model_from_json.*not valid JSON"):
        kiln.models.model_from_json("{not json")
    with pytest.raises(ValueError, match="model_from_json.*nested deeper"):
        kiln.models.model_from_json("[" * 5000 + "]" * 5000)
    with pytest.raises(ValueError, match="model_from_json: expected the JSON object"):
        kiln.models.model_from_json("[1, 2]")
    with pytest.raises(TypeError, match="model_from_json: `json_string` must be a str"):
        kiln.models.model_from_json(3)


def test_model_from_json_refuses_lambda_bytecode_unless_safe_mode_is_off():
    text = _lambda_model().to_json()
    assert "__lambda__" in text
    with pytest.raises(ValueError, match="(?i)lambda|bytecode|code"):
        kiln.models.model_from_json(text)
    with SafeModeScope(False):
        restored = kiln.models.model_from_json(text)
    np.testing.assert_allclose(_predict(restored, np.ones((1, 2), "float32")), [[3.0, 3.0]])


def test_model_from_json_never_imports_a_module_named_in_it(tmp_path, monkeypatch):
    # A module that would leave a sentinel file if it were ever imported.
    sentinel = tmp_path / "imported"
    (tmp_path / "kiln_s2_sentinel.py").write_text(f"open({str(sentinel)!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    config = json.loads(_sequential().to_json())
    config["config"]["layers"][1].update(module="kiln_s2_sentinel", class_name="Payload")
    with pytest.raises(ValueError, match="Payload"):
        kiln.models.model_from_json(json.dumps(config))
    assert not sentinel.exists()


# -- custom objects -----------------------------------------------------------------------------
class _Doubler(kiln.layers.Layer):
    def call(self, x):
        return x * 2.0


def _custom_model(layer_cls):
    x = kiln.Input((2,), name="x")
    return kiln.Model(x, layer_cls(name="doubler")(x))


def test_custom_objects_argument_scope_and_global_dict():
    text = _custom_model(_Doubler).to_json()
    with pytest.raises(ValueError, match="_Doubler"):
        kiln.models.model_from_json(text)
    restored = kiln.models.model_from_json(text, custom_objects={"_Doubler": _Doubler})
    assert type(restored.get_layer("doubler")) is _Doubler
    with kiln.utils.custom_object_scope({"_Doubler": _Doubler}):
        assert type(kiln.models.model_from_json(text).get_layer("doubler")) is _Doubler
    assert "_Doubler" not in kiln.saving.get_custom_objects()  # scopes do not add to the dict
    objects = kiln.saving.get_custom_objects()
    assert objects is kiln.utils.get_custom_objects()  # the live dict, not a copy
    objects["_Doubler"] = _Doubler
    try:
        restored = kiln.models.model_from_json(text)
        np.testing.assert_allclose(_predict(restored, np.ones((1, 2), "float32")), [[2.0, 2.0]])
    finally:
        del objects["_Doubler"]
    with pytest.raises(ValueError, match="_Doubler"):
        kiln.models.model_from_json(text)


def test_register_keras_serializable_fills_get_custom_objects():
    objects = kiln.saving.get_custom_objects()

    @kiln.utils.register_keras_serializable(package="s2tests")
    class Tripler(kiln.layers.Layer):
        def call(self, x):
            return x * 3.0

    try:
        assert objects["s2tests>Tripler"] is Tripler
        assert kiln.utils.get_registered_name(Tripler) == "s2tests>Tripler"
        assert kiln.utils.get_registered_object("s2tests>Tripler") is Tripler
        model = _custom_model(Tripler)
        restored = kiln.models.model_from_json(model.to_json())
        assert type(restored.get_layer("doubler")) is Tripler
        clone = kiln.models.clone_model(model)
        np.testing.assert_allclose(_predict(clone, np.ones((1, 2), "float32")), [[3.0, 3.0]])
        envelope = kiln.utils.serialize_keras_object(Tripler(name="t"))
        assert envelope["registered_name"] == "s2tests>Tripler"
        assert type(kiln.utils.deserialize_keras_object(envelope)) is Tripler
    finally:
        objects.pop("s2tests>Tripler", None)
