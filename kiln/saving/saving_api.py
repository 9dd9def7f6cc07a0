"""Whole-model files: ``save_model`` / ``load_model`` for the ``.keras`` zip.

The archive holds ``metadata.json``, ``config.json`` (the architecture and
compile settings) and ``model.weights.h5`` (every variable, optimizer
included), laid out as Keras 3 writes them (``../shared/fixtures/keras3/FORMAT.md``).
Saving writes a temporary file beside the target and renames it into place,
so an interrupted save leaves the previous file intact. Loading resolves
config entries only through Kiln's registry (never by importing a module
named in the file) and refuses bytecode unless ``safe_mode=False``.

Example:
    >>> import os, tempfile, kiln
    >>> model = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
    >>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
    >>> save_model(model, path)
    >>> type(load_model(path)).__name__
    'Sequential'
"""

import datetime
import json
import os
import tempfile
import zipfile

_MEMBERS = ("metadata.json", "config.json", "model.weights.h5")
_KERAS_VERSION = "3.15.1"


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Save ``model`` (architecture, weights, optimizer state, compile settings) to a ``.keras`` file.

    Example:
        >>> import os, tempfile, kiln
        >>> m = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])
        >>> kiln.saving.save_model(m, os.path.join(tempfile.mkdtemp(), "model.keras"))
    """
    from kiln.saving.serialization_lib import serialize_kiln_object
    from kiln.saving.weights_h5 import save_weights_h5

    if kwargs:
        raise ValueError(f"save_model: unexpected arguments {sorted(kwargs)}")
    filepath = os.fspath(filepath)
    if zipped is False:
        raise NotImplementedError("save_model(zipped=False): unzipped model folders are not supported; "
                                  "save to a `.keras` file")
    if not filepath.endswith(".keras"):
        raise ValueError(f"save_model: the filename must end in `.keras`, received {filepath!r} "
                         "(use save_weights() for a `.weights.h5` file)")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"save_model: {filepath} exists and overwrite=False")
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save_model: the folder {folder} does not exist (saving {filepath})")
    model._sync_backend_state()
    config = serialize_kiln_object(model)
    # The root always carries compile_config, {} when uncompiled (as Keras 3 writes it).
    config["compile_config"] = _serialize_compile_config(model)
    now = datetime.datetime.now()
    metadata = {"keras_version": _KERAS_VERSION, "date_saved": now.strftime("%Y-%m-%d@%H:%M:%S")}
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(filepath) + ".", suffix=".tmp")
    os.close(fd)
    weights_tmp = tmp + ".weights.h5"
    try:
        save_weights_h5(model, weights_tmp)
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(_member("metadata.json"), json.dumps(metadata))
            archive.writestr(_member("config.json"), json.dumps(config))
            # Streamed (not read into memory); the declared size lets zipfile pick ZIP64 up front.
            info = _member("model.weights.h5", now.timetuple()[:6])
            info.file_size = os.path.getsize(weights_tmp)
            with open(weights_tmp, "rb") as src, archive.open(info, "w") as dst:
                for chunk in iter(lambda: src.read(2**20), b""):
                    dst.write(chunk)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    finally:
        for leftover in (tmp, weights_tmp):
            if os.path.exists(leftover):
                os.remove(leftover)


def _member(name, date_time=(1980, 1, 1, 0, 0, 0)):
    """A STORED member entry as Keras 3 writes it: permissions 0600, made by Unix.

    The JSON members carry the ZIP minimum timestamp, the weights the time of saving.
    """
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = 0o600 << 16
    return info


# compile() arguments Keras 3 records in compile_config, in its order.
_COMPILE_KEYS = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
                 "steps_per_execution", "jit_compile")


def _serialize_compile_config(model):
    """``model``'s compile arguments as Keras 3 writes them into ``config.json`` ({} if uncompiled).

    Losses and metrics are written through their packages' ``serialize`` (a built-in function
    becomes a function envelope naming its public module; a string stays a string), so the
    whole dict is JSON. ``auto_scale_loss`` is a Kiln addition to the file only when it is
    not its default (True), since Keras 3 does not record it.
    """
    from kiln import losses, metrics
    from kiln.saving.serialization_lib import serialize_kiln_object

    if not getattr(model, "compiled", False):
        return {}
    config = dict(model.get_compile_config() or {})
    out = {key: config.get(key) for key in _COMPILE_KEYS}
    # The loss as compile() received it (a function is written as its public name, as Keras does).
    out["loss"] = _serialize_nested(getattr(model, "loss", config.get("loss")), losses.serialize)
    for key in ("metrics", "weighted_metrics"):
        out[key] = _serialize_nested(config.get(key), metrics.serialize)
    for key, value in config.items():
        if key not in out and not (key == "auto_scale_loss" and value is True):
            out[key] = value
    return serialize_kiln_object(out)


def _serialize_nested(value, serialize):
    """Serialize each loss/metric inside lists and per-output dicts; strings and envelopes stay."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        if "class_name" in value:
            return value
        return {k: _serialize_nested(v, serialize) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialize_nested(v, serialize) for v in value]
    return serialize(value)


def _read_archive(filepath):
    """The config and the weights (copied to a temporary file) of a ``.keras`` file or folder.

    A zip archive or an unzipped model folder (Keras 3's ``zipped=False``):
    both go through :mod:`kiln.saving.file_safety` (member names, sizes, zip
    bombs, links, JSON depth), and the weights copy is checked as an HDF5
    file before it is returned. Envelopes in the config name the file, so
    deserialization errors do too.
    """
    import io

    from kiln.saving import file_safety

    if not os.path.exists(filepath):
        raise FileNotFoundError(f"load_model: no such file: {filepath}")
    if os.path.isdir(filepath):
        sizes = file_safety.check_folder(filepath, _MEMBERS, ("assets/",))
        open_member = lambda name: open(os.path.join(filepath, name), "rb")  # noqa: E731
        archive = None
    else:
        file_safety.check_regular_file(filepath, "load_model")
        if not zipfile.is_zipfile(filepath):
            raise file_safety.UnsafeFileError(filepath, None, "not a `.keras` file (not a ZIP "
                                              "archive, nor a model folder)")
        try:
            archive = zipfile.ZipFile(filepath)
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise file_safety.UnsafeFileError(filepath, None,
                                              f"a corrupt `.keras` archive: {e}") from None
        file_safety.check_zip(archive, filepath, _MEMBERS, ("assets/",))
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        open_member = archive.open
    weights = None
    try:
        if "config.json" not in sizes:
            raise file_safety.UnsafeFileError(filepath, "config.json", "missing; a `.keras` file "
                                              f"holds {list(_MEMBERS)}")
        documents = {}
        for name in ("metadata.json", "config.json"):
            if name in sizes:
                with open_member(name) as src:
                    data = io.BytesIO()
                    file_safety.copy_limited(src, data, sizes[name], filepath, name)
                documents[name] = file_safety.parse_json(data.getvalue(), filepath, name,
                                                         tag_envelopes=name == "config.json")
        if "model.weights.h5" in sizes:
            fd, weights = tempfile.mkstemp(suffix=".weights.h5")
            with os.fdopen(fd, "wb") as out, open_member("model.weights.h5") as src:
                file_safety.copy_limited(src, out, sizes["model.weights.h5"], filepath,
                                         "model.weights.h5")
            file_safety.check_h5_member(weights, filepath, "model.weights.h5")
    except BaseException:
        if weights is not None and os.path.exists(weights):
            os.remove(weights)
        raise
    finally:
        if archive is not None:
            archive.close()
    return documents["config.json"], weights


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved by :func:`save_model` (or by Keras 3) from a ``.keras`` file.

    ``safe_mode`` (default True) refuses anything in the file that would run
    code (a Lambda's bytecode); only pass False for files you trust.

    Example:
        >>> import os, tempfile, numpy as np, kiln
        >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> path = os.path.join(tempfile.mkdtemp(), "m.keras"); m.save(path)
        >>> np.allclose(kiln.models.load_model(path).predict(np.ones((1, 2)), verbose=0),
        ...             m.predict(np.ones((1, 2)), verbose=0))
        True
    """
    from kiln.saving.serialization_lib import SafeModeScope, deserialize_kiln_object
    from kiln.saving.weights_h5 import load_weights_h5

    filepath = os.fspath(filepath)
    if filepath.endswith(".weights.h5"):
        raise ValueError(f"load_model: {filepath} is a weights file; build the model and call "
                         "model.load_weights() instead")
    config, weights = _read_archive(filepath)
    try:
        if not isinstance(config, dict):
            raise ValueError(f"load_model: {filepath}: config.json must hold an object")
        compile_config = config.pop("compile_config", None)
        with SafeModeScope(safe_mode is not False):
            model = deserialize_kiln_object(config, custom_objects=custom_objects)
            if compile and compile_config:
                model.compile(**_deserialize_compile_config(compile_config, custom_objects))
        if weights is not None:
            # An optimizer that never took a step was saved with only `iteration` and
            # `learning_rate`; loading builds the slots only when the file holds them.
            load_weights_h5(model, weights)
            model._reset_backend_state()
    finally:
        if weights is not None and os.path.exists(weights):
            os.remove(weights)
    return model


def _deserialize_compile_config(config, custom_objects):
    from kiln import losses, metrics, optimizers

    out = {}
    for key, value in config.items():
        if key == "optimizer" and value is not None:
            value = optimizers.get(value) if isinstance(value, str) else optimizers.deserialize(
                value, custom_objects=custom_objects)
        elif key == "loss" and value is not None:
            value = _deserialize_nested(value, losses.deserialize, custom_objects)
        elif key in ("metrics", "weighted_metrics") and value is not None:
            value = _deserialize_nested(value, metrics.deserialize, custom_objects)
        out[key] = value
    return out


def _deserialize_nested(value, deserialize, custom_objects):
    """Rebuild each envelope inside lists and per-output dicts; names stay names for compile()."""
    if isinstance(value, dict) and "class_name" in value:
        return deserialize(value, custom_objects=custom_objects)
    if isinstance(value, dict):
        return {k: _deserialize_nested(v, deserialize, custom_objects) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_deserialize_nested(v, deserialize, custom_objects) for v in value]
    return value


def save_weights(model, filepath, overwrite=True, max_shard_size=None, **kwargs):
    """Save every weight of ``model`` (and its optimizer's state) to a ``.weights.h5`` file.

    The file has Keras 3's layout, so Keras 3 reads it; this is ``model.save_weights``
    as a function. ``max_shard_size`` (in GB) splits the weights into
    ``<name>_00000.weights.h5``... shards listed in a ``<name>.weights.json`` index.

    Example:
        >>> import os, tempfile, kiln
        >>> m = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])
        >>> path = os.path.join(tempfile.mkdtemp(), "m.weights.h5")
        >>> kiln.saving.save_weights(m, path)
        >>> os.path.exists(path)
        True
    """
    if kwargs:
        raise TypeError(f"save_weights: unexpected keyword arguments {sorted(kwargs)}")
    if not hasattr(model, "save_weights"):
        raise TypeError(f"save_weights: `model` must be a kiln Model, received "
                        f"{type(model).__name__}")
    model.save_weights(filepath, overwrite=overwrite, max_shard_size=max_shard_size)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Load weights into ``model`` from a ``.weights.h5`` file or the weights of a ``.keras`` file.

    This is ``model.load_weights`` as a function; a ``.keras`` archive's
    ``model.weights.h5`` member is read through the same checks as
    :func:`load_model` (its architecture is not used). ``skip_mismatch=True``
    loads what matches and warns about the rest; other keyword arguments
    (e.g. ``by_name`` for legacy ``.h5`` files) go to ``model.load_weights``.

    Example:
        >>> import os, tempfile, numpy as np, kiln
        >>> a = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])
        >>> b = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])
        >>> path = os.path.join(tempfile.mkdtemp(), "a.weights.h5")
        >>> kiln.saving.save_weights(a, path)
        >>> kiln.saving.load_weights(b, path)
        >>> bool(np.array_equal(a.layers[0].kernel.numpy(), b.layers[0].kernel.numpy()))
        True
    """
    if not hasattr(model, "load_weights"):
        raise TypeError(f"load_weights: `model` must be a kiln Model, received "
                        f"{type(model).__name__}")
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        return model.load_weights(filepath, skip_mismatch=skip_mismatch, **kwargs)
    if kwargs:
        raise ValueError(f"load_weights: unexpected keyword arguments {sorted(kwargs)} for the "
                         f"`.keras` file {filepath}")
    _, weights = _read_archive(filepath)
    if weights is None:
        raise ValueError(f"load_weights: {filepath} holds no model.weights.h5 member")
    try:
        model.load_weights(weights, skip_mismatch=skip_mismatch)
    finally:
        if os.path.exists(weights):
            os.remove(weights)
