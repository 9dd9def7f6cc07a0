"""Safe by default: every loader refuses hostile files, and the sentinel they aim at never fires.

The corpus is built in temporary folders by ``hostile_files``. Each hostile
config entry is fed through every entry point that reads a config
(``load_model`` on a ``.keras`` zip and on an unzipped folder,
``Sequential.from_config``, ``deserialize_keras_object``,
``model_from_json``, ``clone_model``); each hostile HDF5 file through every
entry point that reads weights (``load_weights`` on ``.weights.h5`` and on a
legacy ``.h5``, ``load_model`` on a ``.keras`` holding it). Refusals must
name the file (where there is one) and the offending entry. Positive
controls show each sentinel is armed: a trusted load (``safe_mode=False``)
or an honestly named registered object does fire it.
"""

import json
import os
import sys
import types
import zipfile

import numpy as np
import pytest

import kiln
from kiln.saving import file_safety, serialization_lib

sys.path.insert(0, os.path.dirname(__file__))
import hostile_files as hf  # noqa: E402

# The real functions, taken before the sentinel replaces them (as gadgets) in their modules.
_load_model = kiln.models.load_model
_clone_model = kiln.models.clone_model
_deserialize_layer = kiln.layers.deserialize
_CASES = sorted(hf.hostile_entries(types.SimpleNamespace(flag="/nonexistent/flag"),
                                   "/nonexistent/v"))
_H5_CASES = ("external_link", "soft_link", "external_storage", "virtual_dataset", "absurd_shape",
             "hdf5_bomb", "hard_link_cycle", "truncated", "corrupt")


@pytest.fixture
def sentinel(tmp_path, monkeypatch):
    s = hf.Sentinel(tmp_path / "sentinel")
    s.arm(monkeypatch)
    yield s
    assert not s.fired, f"the sentinel fired: {open(s.flag).read()}"
    assert hf.SENTINEL_MODULE not in sys.modules, "a module named in a file was imported"
    assert serialization_lib.in_safe_mode(), "something switched safe mode off"


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret" / "vocabulary.txt"
    path.parent.mkdir()
    path.write_text("secret-token\n")
    return str(path)


def _refused(call, *words):
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} missing from the error: {message}"
    return message


# -- config entries: every entry point ----------------------------------------------------------
def _through_keras_zip(tmp_path, config):
    path = hf.write_keras_zip(tmp_path / "hostile.keras", hf.keras_members(config))
    return path, lambda: _load_model(path)


def _through_folder(tmp_path, config):
    path = hf.write_model_folder(tmp_path / "hostile_folder", config)
    return path, lambda: kiln.saving.load_model(path)


def _through_from_config(tmp_path, config):
    return None, lambda: kiln.Sequential.from_config(config["config"])


def _through_functional_from_config(tmp_path, config, kind=None, payload=None):
    functional = hf.functional_config(kind, payload)
    return None, lambda: kiln.Model.from_config(functional["config"])


def _through_deserialize(tmp_path, config):
    return None, lambda: kiln.saving.deserialize_keras_object(config)


def _through_json(tmp_path, config):
    return None, lambda: kiln.models.model_from_json(json.dumps(config))


_CONFIG_ENTRY_POINTS = {"keras_zip": _through_keras_zip, "model_folder": _through_folder,
                        "from_config": _through_from_config, "deserialize": _through_deserialize,
                        "functional_from_config": _through_functional_from_config,
                        "model_from_json": _through_json}


@pytest.mark.parametrize("entry_point", sorted(_CONFIG_ENTRY_POINTS))
@pytest.mark.parametrize("case", _CASES)
def test_hostile_config_is_refused(case, entry_point, tmp_path, sentinel, secret):
    kind, payload, words = hf.hostile_entries(sentinel, secret)[case]
    through = _CONFIG_ENTRY_POINTS[entry_point]
    if through is _through_functional_from_config:
        path, call = through(tmp_path, None, kind, payload)
    else:
        path, call = through(tmp_path, hf.embed(kind, payload))
    message = _refused(call, "Refusing", *words)
    if path is not None:
        assert path in message


@pytest.mark.parametrize("case", _CASES)
def test_hostile_entry_is_refused_by_clone_model(case, tmp_path, sentinel, secret):
    _, payload, words = hf.hostile_entries(sentinel, secret)[case]
    # The model is built from live objects; cloning rebuilds each layer from its config.
    model = kiln.Sequential([kiln.Input((2,)), hf.Holder(payload=payload, name="holder")])
    _refused(lambda: _clone_model(model), "Refusing", *words)


def test_safe_mode_in_metadata_changes_nothing(tmp_path, sentinel, secret):
    _, payload, _ = hf.hostile_entries(sentinel, secret)["lambda_bytecode"]
    members = hf.keras_members(hf.embed("layer", payload))
    members["metadata.json"] = json.dumps({"keras_version": "3.15.1", "safe_mode": False})
    path = hf.write_keras_zip(tmp_path / "m.keras", members)
    _refused(lambda: _load_model(path), path, "bytecode")
    _refused(lambda: _load_model(path, safe_mode=None), path, "bytecode")


@pytest.mark.parametrize("key", ["loss", "metrics", "optimizer", "metric_wrapper"])
def test_hostile_compile_config_is_refused(key, tmp_path, sentinel):
    config = hf.base_config()
    gadget = hf.function_envelope("keras.models", "load_model")
    hijack = hf.layer_envelope("Adam", {"learning_rate": 0.1}, module="keras.optimizers",
                               registered_name=f"{hf.REGISTERED_PACKAGE}>Gadget")
    # A metric whose own from_config looks its function up by name in kiln.metrics.
    wrapper = hf.layer_envelope("MeanMetricWrapper", {
        "name": "m", "fn": hf.function_envelope("keras.metrics", "deserialize")},
        module="keras.metrics")
    entry = {"loss": gadget, "metrics": [gadget], "optimizer": hijack,
             "metric_wrapper": [wrapper]}[key]
    config["compile_config"] = {"optimizer": "sgd", "loss": "mse",
                                "metrics" if key == "metric_wrapper" else key: entry}
    path = hf.write_keras_zip(tmp_path / "m.keras", hf.keras_members(config))
    words = {"optimizer": ["hijack", "Adam"], "metric_wrapper": ["deserialize", "config.fn"]}.get(
        key, ["load_model", "not a serializable"])
    _refused(lambda: _load_model(path), path, *words)
    assert isinstance(_load_model(path, compile=False), kiln.Sequential)


def test_envelopes_nested_absurdly_deep_are_refused(sentinel):
    config = hf.base_config()
    for _ in range(serialization_lib.MAX_ENVELOPE_DEPTH + 2):
        config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
                  "config": {"name": None, "layers": [config]}}
    _refused(lambda: kiln.saving.deserialize_keras_object(config), "nested deeper")


# -- positive controls: the sentinels are armed and honest files load ----------------------------
def test_trusted_lambda_runs_its_bytecode(tmp_path, sentinel, secret):
    _, payload, _ = hf.hostile_entries(sentinel, secret)["lambda_bytecode"]
    path = hf.write_keras_zip(tmp_path / "m.keras", hf.keras_members(hf.embed("layer", payload)))
    model = _load_model(path, safe_mode=False)
    assert model.layers[-1].name == "lam" and sentinel.fired
    sentinel.reset()


def test_deserialize_with_safe_mode_false_runs_bytecode(sentinel, secret):
    _, payload, _ = hf.hostile_entries(sentinel, secret)["lambda_bytecode"]
    _refused(lambda: kiln.saving.deserialize_keras_object(payload, safe_mode=None), "bytecode")
    layer = kiln.saving.deserialize_keras_object(payload, safe_mode=False)
    assert not sentinel.fired
    layer(np.ones((1, 2), "float32"))
    assert sentinel.fired
    sentinel.reset()
    assert serialization_lib.in_safe_mode()


def test_trusted_vocabulary_path_is_read(tmp_path, sentinel, secret):
    _, payload, _ = hf.hostile_entries(sentinel, secret)["vocabulary_path"]
    with serialization_lib.SafeModeScope(False):
        layer = _deserialize_layer(payload)
    assert layer.get_vocabulary()[-1] == "secret-token" and sentinel.fired
    sentinel.reset()


def test_honestly_named_registered_objects_resolve(sentinel):
    env = hf.layer_envelope("Gadget", {}, module="hostile_files",
                            registered_name=f"{hf.REGISTERED_PACKAGE}>Gadget")
    assert isinstance(kiln.saving.deserialize_keras_object(env), hf.Gadget) and sentinel.fired
    sentinel.reset()
    fn = kiln.saving.deserialize_keras_object(
        hf.function_envelope("hostile_files", "registered_fire", f"{hf.REGISTERED_PACKAGE}>fire"))
    assert fn is hf.registered_fire and not sentinel.fired


def test_genuine_files_load_through_every_container(tmp_path, sentinel):
    model = hf.base_model()
    x = np.arange(6, dtype="float32").reshape(3, 2)
    expected = np.asarray(model.predict(x, verbose=0))
    model.save(tmp_path / "genuine.keras")
    weights = hf.weights_file(tmp_path / "genuine.weights.h5", model)
    folder = tmp_path / "genuine_folder"
    hf.write_model_folder(folder, hf.base_config())
    os.replace(weights, folder / "model.weights.h5")
    for path in (tmp_path / "genuine.keras", folder):
        loaded = _load_model(path)
        np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)), expected, atol=1e-6)
    assert (folder / "model.weights.h5").exists()  # the folder's file is copied, never consumed
    legacy = hf.legacy_h5_file(tmp_path / "legacy.h5")
    model.load_weights(legacy)
    np.testing.assert_allclose(np.asarray(model.layers[0].kernel.numpy()), np.ones((2, 1)))


# -- containers: zip archives and model folders --------------------------------------------------
def _genuine_config_json():
    return json.dumps(hf.base_config())


@pytest.mark.parametrize("name", ["../evil.txt", "/tmp/kiln_evil.txt", "..\\evil.txt",
                                  "assets/../../evil.txt", "C:/evil.txt"])
def test_zip_path_traversal_is_refused(name, tmp_path, sentinel):
    inner = tmp_path / "inner"
    inner.mkdir()
    path = hf.write_keras_zip(inner / "m.keras", {"config.json": _genuine_config_json(), name: "x"})
    _refused(lambda: _load_model(path), path, repr(name))
    assert not (tmp_path / "evil.txt").exists() and not os.path.exists("/tmp/kiln_evil.txt")


def test_zip_unexpected_and_duplicate_members_are_refused(tmp_path, sentinel):
    path = hf.write_keras_zip(tmp_path / "extra.keras", {"config.json": _genuine_config_json(),
                                                         "payload.py": "import os"})
    _refused(lambda: _load_model(path), path, "'payload.py'", "unexpected member")
    # Keras' npz weights member is a pickle: never read.
    path = hf.write_keras_zip(tmp_path / "npz.keras", {"config.json": _genuine_config_json(),
                                                       "model.weights.npz": b"\x93NUMPY"})
    _refused(lambda: _load_model(path), path, "'model.weights.npz'", "unexpected member")
    path = str(tmp_path / "dup.keras")
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", _genuine_config_json())
        archive.writestr("config.json", "{}")
    _refused(lambda: _load_model(path), path, "'config.json'", "twice")
    path = hf.write_keras_zip(tmp_path / "noconfig.keras", {"metadata.json": "{}"})
    _refused(lambda: _load_model(path), path, "'config.json'", "missing")


def test_zip_bombs_are_refused(tmp_path, sentinel):
    # Ratio: 8 MiB of JSON whitespace deflates to a few KiB.
    padded = _genuine_config_json() + " " * (8 * 2**20)
    path = hf.write_keras_zip(tmp_path / "ratio.keras", {"config.json": padded},
                              method=zipfile.ZIP_DEFLATED)
    _refused(lambda: _load_model(path), path, "'config.json'", "zip bomb")
    # Declared size beyond any model file.
    path = hf.write_keras_zip(tmp_path / "declared.keras", {"config.json": _genuine_config_json()})
    hf.patch_central_directory(path, "config.json", file_size=0xFFFFFF00)
    _refused(lambda: _load_model(path), path, "'config.json'", "declares")
    # More data than declared (a deflated member whose declared size was lowered).
    path = hf.write_keras_zip(tmp_path / "longer.keras", {"config.json": _genuine_config_json()},
                              method=zipfile.ZIP_DEFLATED)
    hf.patch_central_directory(path, "config.json", file_size=20)
    _refused(lambda: _load_model(path), path, "'config.json'")


def test_encrypted_truncated_and_corrupt_archives_are_refused(tmp_path, sentinel):
    path = hf.write_keras_zip(tmp_path / "enc.keras", {"config.json": _genuine_config_json()})
    hf.patch_central_directory(path, "config.json", flag_bits=0x1)
    _refused(lambda: _load_model(path), path, "encrypted")
    genuine = tmp_path / "genuine.keras"
    hf.base_model().save(genuine)
    data = genuine.read_bytes()
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(data[: len(data) // 2])
    _refused(lambda: _load_model(truncated), str(truncated))
    corrupt = bytearray(data)
    start = data.index(b"\x89HDF")  # inside the stored weights member
    corrupt[start + 600] ^= 0xFF
    (tmp_path / "corrupt.keras").write_bytes(bytes(corrupt))
    _refused(lambda: _load_model(tmp_path / "corrupt.keras"), "corrupt.keras",
             "model.weights.h5", "corrupt")
    if os.path.exists("/dev/null"):
        _refused(lambda: _load_model("/dev/null"), "/dev/null", "not a plain file")
    (tmp_path / "noise.keras").write_bytes(os.urandom(256))
    _refused(lambda: _load_model(tmp_path / "noise.keras"), "noise.keras", "not a")


@pytest.mark.parametrize("depth", [file_safety.MAX_JSON_DEPTH + 5, 100_000])
def test_absurdly_deep_json_is_refused(depth, tmp_path, sentinel):
    deep = "[" * depth + "]" * depth
    path = hf.write_keras_zip(tmp_path / "deep.keras", {"config.json": deep})
    _refused(lambda: _load_model(path), path, "'config.json'", "nested deeper")
    _refused(lambda: kiln.models.model_from_json(deep), "nested deeper")
    path = hf.write_keras_zip(tmp_path / "junk.keras", {"config.json": "{not json"})
    _refused(lambda: _load_model(path), path, "not valid JSON")


def test_model_folder_links_and_strays_are_refused(tmp_path, sentinel):
    outside = tmp_path / "outside.json"
    outside.write_text(_genuine_config_json())
    folder = tmp_path / "linked"
    folder.mkdir()
    os.symlink(outside, folder / "config.json")
    _refused(lambda: _load_model(folder), str(folder), "'config.json'", "symbolic link")
    folder = hf.write_model_folder(tmp_path / "with_assets", hf.base_config())
    os.makedirs(os.path.join(folder, "assets", "vocab"))
    with open(os.path.join(folder, "assets", "vocab", "tokens.txt"), "w") as f:
        f.write("a\n")
    assert isinstance(_load_model(folder), kiln.Sequential)  # assets/ may hold folders
    os.symlink(outside, os.path.join(folder, "assets", "vocab", "link.txt"))
    _refused(lambda: _load_model(folder), folder, "'assets/vocab/link.txt'", "symbolic link")
    folder = hf.write_model_folder(tmp_path / "stray", hf.base_config())
    with open(os.path.join(folder, "evil.py"), "w") as f:
        f.write("import os")
    _refused(lambda: _load_model(folder), folder, "'evil.py'")


# -- HDF5: every weights entry point -------------------------------------------------------------
@pytest.mark.parametrize("case", _H5_CASES)
def test_hostile_weights_file_is_refused(case, tmp_path, sentinel):
    path, words = hf.hostile_h5_files(tmp_path)[case]
    model = hf.base_model()
    before = np.asarray(model.layers[0].kernel.numpy()).copy()
    _refused(lambda: model.load_weights(path), path, *words)
    _refused(lambda: kiln.saving.load_weights(model, path), path, *words)
    np.testing.assert_array_equal(np.asarray(model.layers[0].kernel.numpy()), before)
    archive = hf.write_keras_zip(tmp_path / f"{case}.keras",
                                 hf.keras_members(hf.base_config(), path))
    _refused(lambda: _load_model(archive), archive, "model.weights.h5", *words)


@pytest.mark.parametrize("link", ["external", "soft"])
def test_hostile_legacy_h5_is_refused(link, tmp_path, sentinel):
    import h5py

    outside = tmp_path / "outside.h5"
    with h5py.File(outside, "w") as f:
        f.create_dataset("kernel", data=np.full((2, 1), 7.0, "float32"))
    target = h5py.ExternalLink(str(outside), "/kernel") if link == "external" else \
        h5py.SoftLink("/dense/dense/bias:0")
    path = hf.legacy_h5_file(tmp_path / "legacy.h5", kernel_link=target)
    model = hf.base_model()
    _refused(lambda: model.load_weights(path), path, f"{link} link", "/dense/dense/kernel:0")
    _refused(lambda: model.load_weights(path, by_name=True), path, f"{link} link")
