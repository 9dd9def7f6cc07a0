"""A corpus of hostile model files, built in temporary folders, and the sentinel they aim at.

Every hostile entry, if a loader obeyed it, would make the :class:`Sentinel`
fire: call a function that writes the sentinel's flag file, import a module
whose import writes it, read a file through a patched reader that writes
it. Tests load each file through every entry point and check that the load
is refused with an error naming the file and the entry, and that the flag
file does not exist afterwards.

Nothing here is collected by pytest (the file name does not start with
``test_``); ``tests/saving/test_safe_loading.py`` uses it.
"""

import base64
import copy
import json
import marshal
import os
import struct
import sys
import zipfile

import h5py
import numpy as np

import kiln
from kiln.saving import serialization_lib

SENTINEL_MODULE = "kiln_hostile_sentinel_module"
REGISTERED_PACKAGE = "hostile_sentinel"


class Sentinel:
    """A flag file that must never be written, and the ways to write it.

    ``fire()`` writes the flag; ``fired`` tells whether anything did.
    ``module_dir`` holds a module named :data:`SENTINEL_MODULE` whose import
    fires the sentinel, and is put on ``sys.path`` by :meth:`arm` so that a
    loader that imported modules named in a file would find it.
    """

    def __init__(self, folder):
        self.folder = str(folder)
        self.flag = os.path.join(self.folder, "SENTINEL_FIRED")
        self.module_dir = os.path.join(self.folder, "modules")
        os.makedirs(self.module_dir, exist_ok=True)
        with open(os.path.join(self.module_dir, SENTINEL_MODULE + ".py"), "w") as f:
            f.write(f"open({self.flag!r}, 'w').write('imported')\n"
                    "def boom(*args, **kwargs):\n"
                    f"    open({self.flag!r}, 'w').write('called')\n"
                    "class Boom:\n"
                    "    @classmethod\n"
                    "    def from_config(cls, config):\n"
                    f"        open({self.flag!r}, 'w').write('from_config')\n")

    def fire(self, *args, **kwargs):
        with open(self.flag, "w") as f:
            f.write("fired")

    @property
    def fired(self):
        return os.path.exists(self.flag)

    def reset(self):
        if self.fired:
            os.remove(self.flag)

    def arm(self, monkeypatch):
        """Make every route to the sentinel available: a module on sys.path, gadgets patched."""
        monkeypatch.syspath_prepend(self.module_dir)
        monkeypatch.delitem(sys.modules, SENTINEL_MODULE, raising=False)
        for module, name in GADGETS:
            target = __import__(module, fromlist=["_"])
            monkeypatch.setattr(target, name, self.gadget(name))
        from kiln.layers.preprocessing import index_lookup

        original = index_lookup.read_vocabulary_file

        def reading_sentinel(path):
            self.fire()
            return original(path)

        monkeypatch.setattr(index_lookup, "read_vocabulary_file", reading_sentinel)
        SentinelState.current = self

    def gadget(self, name):
        def gadget(*args, **kwargs):
            self.fire()

        gadget.__name__ = gadget.__qualname__ = name
        return gadget


class SentinelState:
    """The sentinel the registered gadgets below fire (set by :meth:`Sentinel.arm`)."""

    current = None


# Framework functions a file could try to reach by name: (Kiln module, attribute).
GADGETS = (
    ("kiln.models", "load_model"),
    ("kiln.models", "save_model"),
    ("kiln.models", "clone_model"),
    ("kiln.dtype_policies", "set_dtype_policy"),
    ("kiln.layers", "deserialize"),
)
# The Keras module each of them is reached through in an envelope.
GADGET_MODULES = {"kiln.models": "keras.models", "kiln.dtype_policies": "keras.dtype_policies",
                  "kiln.layers": "keras.layers"}


@serialization_lib.register_keras_serializable(package=REGISTERED_PACKAGE, name="Gadget")
class Gadget(kiln.layers.Layer):
    """A registered layer that fires the sentinel when built from a config."""

    @classmethod
    def from_config(cls, config):
        SentinelState.current.fire()
        return cls()


@serialization_lib.register_keras_serializable(package=REGISTERED_PACKAGE, name="fire")
def registered_fire(x):
    """A registered function that fires the sentinel when called."""
    SentinelState.current.fire()
    return x


@serialization_lib.register_keras_serializable(package=REGISTERED_PACKAGE, name="Holder")
class Holder(kiln.layers.Layer):
    """A registered layer whose config carries an envelope it deserializes in from_config.

    Stands for any user layer that keeps an object in its config: the
    envelope inside goes through the same choke point as a file's.
    """

    def __init__(self, payload=None, **kwargs):
        super().__init__(**kwargs)
        self.payload = payload

    def call(self, x):
        return x

    def get_config(self):
        return {**super().get_config(), "payload": copy.deepcopy(self.payload)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("payload"), dict):
            serialization_lib.deserialize_kiln_object(config["payload"])
        return cls(**config)


# -- configs ------------------------------------------------------------------------------------
def base_model():
    return kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1, name="dense")], name="base")


def base_config():
    """The envelope of a tiny Sequential model, as ``config.json`` holds it."""
    return json.loads(json.dumps(serialization_lib.serialize_kiln_object(base_model())))


def function_envelope(module, name, registered_name=None):
    return {"module": module, "class_name": "function", "config": name,
            "registered_name": registered_name}


def lambda_envelope(sentinel):
    """Keras 3's form of a Python lambda: marshalled bytecode that writes the flag when run."""
    fn = eval(f"lambda x: (open({sentinel.flag!r}, 'w').write('bytecode'), x)[1]")  # noqa: S307
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    return {"class_name": "__lambda__", "config": {"code": code, "defaults": None, "closure": None}}


def with_activation(activation):
    """The base config with the Dense layer's activation replaced."""
    config = base_config()
    config["config"]["layers"][1]["config"]["activation"] = activation
    return config


def with_layer(layer_envelope):
    """The base config with one more layer appended."""
    config = base_config()
    config["config"]["layers"].append(layer_envelope)
    return config


def layer_envelope(class_name, config, module="keras.layers", registered_name=None):
    return {"module": module, "class_name": class_name, "config": config,
            "registered_name": registered_name}


def functional_config(kind, payload):
    """A functional model's envelope (Input -> Dense) with ``payload`` as the Dense activation,
    or in place of the Dense layer (keeping its name and inbound nodes)."""
    x = kiln.Input((2,), name="x")
    model = kiln.Model(x, kiln.layers.Dense(1, name="dense")(x))
    config = json.loads(json.dumps(serialization_lib.serialize_kiln_object(model)))
    entry = config["config"]["layers"][1]
    if kind == "activation":
        entry["config"]["activation"] = payload
    else:
        config["config"]["layers"][1] = {**payload, "name": entry["name"],
                                         "inbound_nodes": entry["inbound_nodes"]}
    return config


def embed(kind, payload):
    """The base config carrying ``payload`` as its Dense activation or as an extra layer."""
    return with_activation(payload) if kind == "activation" else with_layer(payload)


def hostile_entries(sentinel, secret_path):
    """``{case: (kind, payload, words the error must contain)}``: entries no loader may obey.

    ``kind`` says where :func:`embed` puts the payload ("layer" or "activation").
    """
    lam = lambda_envelope(sentinel)
    cases = {
        "lambda_bytecode": ("layer", layer_envelope("Lambda", {"name": "lam", "function": lam}),
                            ["bytecode", "__lambda__"]),
        "bytecode_hidden_in_other_key": ("layer", layer_envelope(
            "Dense", {"units": 1, "name": "d2", "unknown_key": [lam]}), ["bytecode", "__lambda__"]),
        "bytecode_with_safe_mode_false_in_file": ("layer", layer_envelope(
            "Lambda", {"name": "lam", "function": lam, "safe_mode": False}), ["bytecode"]),
        "unknown_module_class": ("layer", layer_envelope("Boom", {}, module=SENTINEL_MODULE),
                                 ["Boom", SENTINEL_MODULE, "never imported"]),
        "unknown_module_function": ("activation", function_envelope(SENTINEL_MODULE, "boom"),
                                    ["boom", SENTINEL_MODULE, "never imported"]),
        "os_system_function": ("activation", function_envelope("os", "system"), ["system", "'os'"]),
        "builtins_eval_function": ("activation", function_envelope("builtins", "eval"),
                                   ["eval", "builtins"]),
        "config_setter_function": ("activation", function_envelope(
            "keras.config", "enable_unsafe_deserialization"), ["enable_unsafe_deserialization"]),
        "get_file_function": ("activation", function_envelope("keras.utils", "get_file"),
                              ["get_file", "'keras.utils'", "never imported"]),
        "dataset_from_directory_function": ("activation", function_envelope(
            "keras.utils", "image_dataset_from_directory"), ["image_dataset_from_directory"]),
        "registered_name_hijack_class": ("layer", layer_envelope(
            "Dense", {"units": 1, "name": "d2"}, registered_name=f"{REGISTERED_PACKAGE}>Gadget"),
            ["hijack", "Dense", f"{REGISTERED_PACKAGE}>Gadget"]),
        "registered_name_hijack_module": ("layer", layer_envelope(
            "Gadget", {}, module="keras.layers", registered_name=f"{REGISTERED_PACKAGE}>Gadget"),
            ["hijack", "'keras.layers'", f"{REGISTERED_PACKAGE}>Gadget"]),
        "registered_name_hijack_function": ("activation", function_envelope(
            "keras.activations", "relu", f"{REGISTERED_PACKAGE}>fire"),
            ["hijack", "relu", f"{REGISTERED_PACKAGE}>fire"]),
        "registered_name_hijack_dtype_policy": ("layer", layer_envelope("Dense", {
            "units": 1, "name": "d2", "dtype": {
                "module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
                "registered_name": f"{REGISTERED_PACKAGE}>Gadget"}}),
            ["hijack", "DTypePolicy", f"{REGISTERED_PACKAGE}>Gadget", "config.dtype"]),
        "vocabulary_path": ("layer", layer_envelope("StringLookup", {
            "name": "lookup", "vocabulary": secret_path}), ["vocabulary", "StringLookup"]),
        "saved_model_path": ("layer", layer_envelope("TFSMLayer", {
            "name": "tfsm", "filepath": os.path.dirname(secret_path)}), ["filepath", "TFSMLayer"]),
        "pickled_module": ("layer", layer_envelope("TorchModuleWrapper", {
            "name": "wrapped",
            "module": {"class_name": "__bytes__", "config": {"value": "gASVAA=="}}}),
            ["pickle"]),
        "class_that_is_a_function": ("layer", layer_envelope("Input", {"shape": [2]}),
                                     ["Input", "not a serializable class"]),
        "module_object_as_class": ("layer", layer_envelope("config", {}, module="keras"),
                                   ["'config'", "not a serializable class"]),
    }
    for module, name in GADGETS:
        cases[f"gadget_{name}"] = ("activation", function_envelope(GADGET_MODULES[module], name),
                                   [name, "not a serializable function"])
    return cases


# -- containers ---------------------------------------------------------------------------------
def write_keras_zip(path, members, method=zipfile.ZIP_STORED):
    """A ``.keras``-shaped zip with ``members`` ({name: bytes or str}) in order."""
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             compress_type=method)
    return str(path)


def keras_members(config, weights=None):
    members = {"metadata.json": json.dumps({"keras_version": "3.15.1",
                                            "date_saved": "2026-01-01@00:00:00"}),
               "config.json": json.dumps(config)}
    if weights is not None:
        with open(weights, "rb") as f:
            members["model.weights.h5"] = f.read()
    return members


def write_model_folder(path, config):
    """An unzipped model folder (Keras 3's ``zipped=False`` layout) holding ``config``."""
    os.makedirs(path, exist_ok=True)
    for name, data in keras_members(config).items():
        with open(os.path.join(path, name), "w") as f:
            f.write(data)
    return str(path)


def patch_central_directory(path, name, file_size=None, flag_bits=None):
    """Rewrite fields of ``name``'s central directory entry in place (declared size, flags)."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    offset = data.find(b"PK\x01\x02")
    while offset != -1:
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        entry_name = bytes(data[offset + 46: offset + 46 + name_length]).decode()
        if entry_name == name:
            if file_size is not None:
                struct.pack_into("<I", data, offset + 24, file_size)
            if flag_bits is not None:
                struct.pack_into("<H", data, offset + 8, flag_bits)
            break
        offset = data.find(b"PK\x01\x02", offset + 4)
    else:
        raise AssertionError(f"{name} not found in {path}")
    with open(path, "wb") as f:
        f.write(data)


def weights_file(path, model=None):
    """A genuine ``.weights.h5`` file of the base model (or ``model``)."""
    from kiln.saving.weights_h5 import save_weights_h5

    save_weights_h5(model if model is not None else base_model(), str(path))
    return str(path)


def legacy_h5_file(path, kernel_link=None):
    """A Keras 2 ``save_weights("x.h5")`` file of the base model; ``kernel_link`` replaces
    the kernel."""
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [b"dense"]
        group = f.create_group("dense")
        group.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        if kernel_link is None:
            group.create_dataset("dense/kernel:0", data=np.ones((2, 1), "float32"))
        else:
            group.create_group("dense")["kernel:0"] = kernel_link
        group.create_dataset("dense/bias:0", data=np.zeros((1,), "float32"))
    return str(path)


def hostile_h5_files(folder):
    """``{case: (path, words the error must contain)}``: weights files no loader may open fully.

    Each starts from a genuine weights file of the base model and adds one
    hostile construct where the loader would read the kernel.
    """
    folder = str(folder)
    outside = os.path.join(folder, "outside.h5")
    with h5py.File(outside, "w") as f:
        f.create_dataset("kernel", data=np.ones((2, 1), "float32"))
    raw = os.path.join(folder, "outside.bin")
    np.ones((2, 1), "float32").tofile(raw)
    cases = {}

    def variant(case, edit, words):
        path = weights_file(os.path.join(folder, f"{case}.weights.h5"))
        with h5py.File(path, "a") as f:
            group = f["layers/dense/vars"]
            edit(f, group)
        cases[case] = (path, words)

    def replace(group, name, value):
        del group[name]
        group[name] = value

    variant("external_link", lambda f, g: replace(g, "0", h5py.ExternalLink(outside, "/kernel")),
            ["external link", "/layers/dense/vars/0"])
    variant("soft_link", lambda f, g: replace(g, "0", h5py.SoftLink("/layers/dense/vars/1")),
            ["soft link", "/layers/dense/vars/0"])

    def external_storage(f, g):
        del g["0"]
        g.create_dataset("0", shape=(2, 1), dtype="float32", external=[(raw, 0, 8)])

    variant("external_storage", external_storage, ["external file", "/layers/dense/vars/0"])

    def virtual(f, g):
        del g["0"]
        layout = h5py.VirtualLayout(shape=(2, 1), dtype="float32")
        layout[:] = h5py.VirtualSource(outside, "kernel", shape=(2, 1))
        g.create_virtual_dataset("0", layout)

    variant("virtual_dataset", virtual, ["virtual dataset", "/layers/dense/vars/0"])

    def absurd_shape(f, g):
        g.create_dataset("huge", shape=(2**31, 2**31), dtype="float32", chunks=(16, 16),
                         compression="gzip")

    variant("absurd_shape", absurd_shape, ["declares", "/layers/dense/vars/huge"])

    def bomb(f, g):
        # 64 MiB declared, nothing stored: reading it would fill memory from a tiny file.
        g.create_dataset("bomb", shape=(4096, 4096), dtype="float32", chunks=(64, 64),
                         compression="gzip")

    variant("hdf5_bomb", bomb, ["bomb", "/layers/dense/vars/bomb"])
    variant("hard_link_cycle", lambda f, g: g.__setitem__("loop", f["layers"]),
            ["second link", "/layers/dense/vars/loop"])

    truncated = weights_file(os.path.join(folder, "truncated.weights.h5"))
    with open(truncated, "rb") as f:
        data = f.read()
    with open(truncated, "wb") as f:
        f.write(data[: len(data) // 2])
    cases["truncated"] = (truncated, ["truncated"])
    garbage = os.path.join(folder, "garbage.weights.h5")
    with open(garbage, "wb") as f:
        f.write(b"\x89HDF\r\n\x1a\n" + os.urandom(512))
    cases["corrupt"] = (garbage, ["corrupt"])
    return cases
