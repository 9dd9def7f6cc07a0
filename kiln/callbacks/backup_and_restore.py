"""``BackupAndRestore``: an interrupted ``fit`` resumes exactly where it stopped.

A backup holds everything the rest of the run depends on: the model's
variables (trainable and non-trainable, seed-generator states included), the
optimizer's and the metrics' variables, the state of Kiln's global seed
generator, the position in training (epoch AND step, and the shuffle seed that
fixes every epoch's batch order) and the ``_get_state()`` of every callback of
the run that defines one. A rerun of the same ``fit`` restores all of it and
carries on from that batch, so its final weights equal an uninterrupted run's.

On disk (``backup_dir``)::

    checkpoint.json              {"latest": "backup-000007", "previous": "backup-000006" or null}
    backup-000007/state.json     position, callback states, variable layout, sha256 of the arrays
    backup-000007/variables.npz  the arrays (NumPy's npz, read with allow_pickle=False)

A backup is written into a temporary folder inside ``backup_dir``, synced to
disk, renamed into place, and only then named by ``checkpoint.json`` (replaced
atomically); older backups are removed after that. A crash at any point leaves
the previous backup readable.

Example:
    >>> import os, tempfile
    >>> import kiln
    >>> callback = kiln.callbacks.BackupAndRestore(os.path.join(tempfile.mkdtemp(), "backup"), save_freq=2)
    >>> callback.save_freq, callback.delete_checkpoint
    (2, True)
"""

import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
import zipfile

import numpy as np

from kiln.callbacks.callback import Callback

_POINTER = "checkpoint.json"
_STATE = "state.json"
_ARRAYS = "variables.npz"
_FORMAT = "kiln.backup_and_restore/1"
_BACKUP_NAME = re.compile(r"^backup-(\d+)$")
_TEMP_PREFIX = ".tmp-"
# What a damaged or half-written backup raises while being read.
_UNREADABLE = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile)


# -- small file helpers -----------------------------------------------------------------------
def _fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # platforms that cannot open a directory (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_synced(path, data):
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _replace_json(path, obj):
    """Write ``obj`` as JSON next to ``path``, sync it, and ``os.replace`` it onto ``path``."""
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".json", dir=folder)
    os.close(fd)
    try:
        _write_synced(tmp, json.dumps(obj, indent=1).encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_dir(folder)


def _read_json(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_npz(path, arrays):
    """Write ``arrays`` to an npz file synced to disk; returns the file's sha256."""
    with open(path, "wb") as f:
        np.savez(f, **arrays)
        f.flush()
        os.fsync(f.fileno())
    return _sha256(path)


# -- arrays of any dtype in an npz ------------------------------------------------------------
def _storable(value):
    """``(array npz can hold without pickling, dtype name)``: bfloat16/float8 travel as raw bits."""
    value = np.asarray(value)
    if not value.flags.c_contiguous:  # (np.ascontiguousarray would turn a scalar into shape (1,))
        value = value.copy(order="C")
    if value.dtype.isbuiltin == 1:
        return value, value.dtype.name
    return value.view(np.dtype(f"u{value.dtype.itemsize}")), value.dtype.name


def _restored(stored, dtype_name):
    if stored.dtype.name == dtype_name:
        return stored
    from kiln.saving.weights_h5 import _numpy_dtype

    return stored.view(_numpy_dtype(dtype_name))


# -- callback states: JSON, with NumPy arrays moved into the npz ------------------------------
def _split_arrays(obj, arrays, prefix):
    """Replace each array in a nested dict/list by ``{"__array__": key}``, storing it in ``arrays``."""
    if isinstance(obj, dict):
        return {str(k): _split_arrays(v, arrays, prefix) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_split_arrays(v, arrays, prefix) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray) or hasattr(obj, "__array__") and not isinstance(obj, (str, bytes)):
        key = f"{prefix}.{len([k for k in arrays if k.startswith(prefix + '.')])}"
        stored, dtype_name = _storable(np.asarray(obj))
        arrays[key] = stored
        return {"__array__": key, "dtype": dtype_name}
    return obj


def _join_arrays(obj, arrays):
    if isinstance(obj, dict):
        if set(obj) == {"__array__", "dtype"}:
            return _restored(arrays[obj["__array__"]], obj["dtype"])
        return {k: _join_arrays(v, arrays) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_join_arrays(v, arrays) for v in obj]
    return obj


def _variable_groups(model):
    """The variables a backup holds, by group, in a fixed order."""
    groups = {"model": list(model.variables)}
    optimizer = getattr(model, "optimizer", None)
    groups["optimizer"] = list(optimizer.variables) if optimizer is not None else []
    groups["metrics"] = list(model.metrics_variables)
    return groups


def _global_generator():
    from kiln.random import seed_generator

    return seed_generator._global_generator


class BackupAndRestore(Callback):
    """Back up the training state regularly, and restore it when ``fit`` is rerun after an interruption.

    At the start of ``fit``, if ``backup_dir`` holds a backup, the model, optimizer,
    metrics, seed generators and callback states are restored from it and
    training continues at the saved epoch and batch (in the same shuffled
    order). At the normal end of training the backup is deleted (unless
    ``delete_checkpoint=False``); it is kept when training stopped for a
    failure (``model._stop_reason`` set, e.g. by ``TerminateOnNaN``) or raised.
    The model and the ``compile``/``fit`` arguments of the rerun must be those
    of the interrupted run.

    A backup is written once every callback has seen the batch or epoch it
    follows (at the start of the next batch or epoch, or at the end of
    training), so the callback states it holds are complete.

    Args:
        backup_dir: the folder for the backups; not to be shared with other
            callbacks or trainings.
        save_freq: ``"epoch"`` (a backup after every epoch) or an integer
            ``N`` (a backup after every ``N`` batches, counted across epochs).
        double_checkpoint: also keep the backup before the latest, used when
            the latest cannot be read.
        delete_checkpoint: delete the backups when training ends normally.

    Example:
        >>> import os, tempfile
        >>> import numpy as np, kiln
        >>> backup_dir = os.path.join(tempfile.mkdtemp(), "backup")
        >>> model = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> model.compile("sgd", "mse")
        >>> callback = kiln.callbacks.BackupAndRestore(backup_dir, save_freq=1)
        >>> history = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, batch_size=2,
        ...                     callbacks=[callback], verbose=0)
        >>> os.path.exists(backup_dir)   # deleted at the normal end of training
        False
        >>> # A rerun after a crash (the folder still holds a backup) resumes at the saved batch.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError(f"BackupAndRestore: backup_dir must be a non-empty path, received {backup_dir!r}")
        if not isinstance(backup_dir, (str, os.PathLike)):
            raise TypeError(
                "BackupAndRestore: backup_dir must be a str or os.PathLike, "
                f"received {type(backup_dir).__name__}")
        if save_freq != "epoch" and (not isinstance(save_freq, (int, np.integer)) or isinstance(save_freq, bool)
                                     or save_freq <= 0):
            raise ValueError(
                "BackupAndRestore: save_freq must be 'epoch' or a positive integer number of batches, "
                f"received save_freq={save_freq!r}")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq if save_freq == "epoch" else int(save_freq)
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self._batches_since_save = 0
        self._steps_seen = 0  # batches of the current epoch done at the last batch end
        self._pending = None  # the position of a backup waiting to be written

    # -- fit hooks --------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._pending = None
        self._batches_since_save = 0
        found = self._read_latest()
        if found is not None:
            self._restore(*found)

    def on_train_batch_begin(self, batch, logs=None):
        if self._pending is not None:
            self._flush()

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        position = self._position()
        # Batches, not calls: with steps_per_execution one call ends several batches.
        self._batches_since_save += position["step"] - self._steps_seen
        self._steps_seen = position["step"]
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._pending = self._position()

    def on_epoch_begin(self, epoch, logs=None):
        if self._pending is not None:
            self._flush()
        if self.save_freq != "epoch":
            self._steps_seen = self._position()["step"]  # 0, or the batches a resumed epoch skips

    def on_epoch_end(self, epoch, logs=None):
        # A batch backup still waiting here becomes this epoch's (the callbacks have now seen its end).
        if self.save_freq == "epoch" or self._pending is not None:
            self._pending = self._position()

    def on_train_end(self, logs=None):
        if self._failed():
            self._pending = None  # keep the last good backup for a rerun
            return
        if self.delete_checkpoint:
            self._pending = None
            self._delete_backups()
        elif self._pending is not None:
            self._flush()

    # -- state ------------------------------------------------------------------------------
    def _failed(self):
        return getattr(self.model, "_stop_reason", None) is not None

    def _position(self):
        position = getattr(self.model, "_fit_position", None)
        if position is None:
            raise RuntimeError(
                "BackupAndRestore: the model has no `_fit_position`; it must be used through Model.fit")
        return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in dict(position).items()}

    def _callbacks_with(self, method):
        """``(class name, index among its class, callback)`` per callback of the run that has ``method``."""
        seen = {}
        out = []
        for callback in getattr(self.model, "_fit_callbacks", None) or []:
            if callback is self or not callable(getattr(callback, method, None)):
                continue
            name = type(callback).__name__
            index = seen.get(name, 0)
            seen[name] = index + 1
            out.append((name, index, callback))
        return out

    def _snapshot(self, position):
        """``(state dict, arrays dict)`` of the whole training state now."""
        model = self.model
        model._sync_backend_state()
        arrays, layout = {}, {}
        groups = _variable_groups(model)
        generator = _global_generator()
        if generator is not None:
            groups["global_seed"] = [generator.state]
        for group, variables in groups.items():
            entries = []
            for i, variable in enumerate(variables):
                stored, dtype_name = _storable(variable.numpy())
                arrays[f"{group}.{i}"] = stored
                entries.append([variable.path, list(stored.shape), dtype_name])
            layout[group] = entries
        callbacks = []
        for name, index, callback in self._callbacks_with("_get_state"):
            state = _split_arrays(callback._get_state(), arrays, f"callback{len(callbacks)}")
            try:
                json.dumps(state)
            except (TypeError, ValueError) as e:
                raise TypeError(
                    f"BackupAndRestore: {name}._get_state() must return JSON-serializable values "
                    f"(NumPy arrays allowed), but: {e}") from None
            callbacks.append({"class": name, "index": index, "state": state})
        state = {"format": _FORMAT, "position": position, "batches_since_save": self._batches_since_save,
                 "variables": layout, "callbacks": callbacks}
        return state, arrays

    def _restore(self, name, state, arrays):
        model = self.model
        model._sync_backend_state()
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and not optimizer.built:
            optimizer.build(model.trainable_variables)
        groups = _variable_groups(model)
        where = os.path.join(self.backup_dir, name)
        # Check everything first, assign after: a mismatch leaves the model untouched.
        for group, variables in groups.items():
            entries = state["variables"].get(group, [])
            if len(entries) != len(variables):
                raise ValueError(
                    f"BackupAndRestore: the backup '{where}' holds {len(entries)} {group} variables but the "
                    f"model has {len(variables)}; restore into the model (and compile/fit arguments) that "
                    "made the backup, or delete the backup folder to start over")
            for i, (variable, (path, shape, _)) in enumerate(zip(variables, entries)):
                if tuple(shape) != tuple(variable.shape):
                    raise ValueError(
                        f"BackupAndRestore: {group} variable {i} '{variable.path}' has shape "
                        f"{tuple(variable.shape)} but the backup '{where}' holds shape {tuple(shape)} "
                        f"(saved as '{path}')")
        for group, variables in groups.items():
            for i, (variable, (_, _, dtype_name)) in enumerate(zip(variables, state["variables"][group])):
                variable.assign(_restored(arrays[f"{group}.{i}"], dtype_name))
        if state["variables"].get("global_seed"):
            from kiln.random.seed_generator import global_seed_generator

            global_seed_generator().state.assign(arrays["global_seed.0"])
        saved = {(c["class"], c["index"]): c["state"] for c in state["callbacks"]}
        for cls, index, callback in self._callbacks_with("_set_state"):
            if (cls, index) in saved:
                callback._set_state(_join_arrays(saved[(cls, index)], arrays))
        self._batches_since_save = int(state.get("batches_since_save", 0))
        model._fit_resume_position = dict(state["position"])

    # -- disk -------------------------------------------------------------------------------
    def _flush(self):
        position, self._pending = self._pending, None
        if self._failed():
            return
        state, arrays = self._snapshot(position)
        self._write(state, arrays)

    def _backup_names(self):
        if not os.path.isdir(self.backup_dir):
            return []
        return sorted((n for n in os.listdir(self.backup_dir) if _BACKUP_NAME.match(n)),
                      key=lambda n: int(_BACKUP_NAME.match(n).group(1)))

    def _write(self, state, arrays):
        os.makedirs(self.backup_dir, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=self.backup_dir)
        state = dict(state, sha256=_write_npz(os.path.join(tmp, _ARRAYS), arrays))
        _write_synced(os.path.join(tmp, _STATE), json.dumps(state).encode("utf-8"))
        _fsync_dir(tmp)
        names = self._backup_names()
        number = int(_BACKUP_NAME.match(names[-1]).group(1)) + 1 if names else 1
        name = f"backup-{number:06d}"
        os.rename(tmp, os.path.join(self.backup_dir, name))
        _fsync_dir(self.backup_dir)
        pointer = self._read_pointer(missing_ok=True, damaged_ok=True)
        previous = pointer.get("latest") if (pointer and self.double_checkpoint) else None
        _replace_json(os.path.join(self.backup_dir, _POINTER),
                      {"format": _FORMAT, "latest": name, "previous": previous, "position": state["position"]})
        self._remove_unused(keep={name, previous})

    def _remove_unused(self, keep):
        for entry in os.listdir(self.backup_dir):
            path = os.path.join(self.backup_dir, entry)
            if (_BACKUP_NAME.match(entry) and entry not in keep) or entry.startswith(_TEMP_PREFIX):
                if os.path.isdir(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.remove(path)
                    except OSError:
                        pass

    def _delete_backups(self):
        if not os.path.isdir(self.backup_dir):
            return
        pointer = os.path.join(self.backup_dir, _POINTER)
        if os.path.exists(pointer):
            os.remove(pointer)  # first: from here on there is no backup, whatever happens next
        self._remove_unused(keep=set())
        try:
            os.rmdir(self.backup_dir)
        except OSError:
            pass  # other files live there

    def _read_pointer(self, missing_ok=False, damaged_ok=False):
        path = os.path.join(self.backup_dir, _POINTER)
        if not os.path.exists(path):
            if missing_ok:
                return None
            raise FileNotFoundError(path)
        try:
            pointer = _read_json(path)
            if pointer.get("format") != _FORMAT or not isinstance(pointer.get("latest"), str):
                raise ValueError(f"not a {_FORMAT} pointer file")
            return pointer
        except _UNREADABLE:
            if damaged_ok:
                return None
            raise

    def _read_backup(self, name):
        folder = os.path.join(self.backup_dir, name)
        state = _read_json(os.path.join(folder, _STATE))
        if state.get("format") != _FORMAT:
            raise ValueError(f"'{_STATE}' is not a {_FORMAT} file")
        npz_path = os.path.join(folder, _ARRAYS)
        if _sha256(npz_path) != state.get("sha256"):
            raise ValueError(f"'{_ARRAYS}' does not match the checksum in '{_STATE}' (damaged file)")
        with np.load(npz_path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        for group, entries in state["variables"].items():
            for i, (_, shape, _) in enumerate(entries):
                if tuple(arrays[f"{group}.{i}"].shape) != tuple(shape):
                    raise ValueError(f"array '{group}.{i}' has the wrong shape")
        return state, arrays

    def _read_latest(self):
        """``(name, state, arrays)`` of the newest readable backup, or None when there is none."""
        pointer_path = os.path.join(self.backup_dir, _POINTER)
        try:
            pointer = self._read_pointer(missing_ok=True)
        except _UNREADABLE as e:
            raise ValueError(
                f"BackupAndRestore: cannot read '{pointer_path}' ({e}); delete '{self.backup_dir}' to train "
                "from scratch") from None
        if pointer is None:
            return None
        candidates = [pointer["latest"]] + ([pointer["previous"]] if pointer.get("previous") else [])
        problems = []
        for i, name in enumerate(candidates):
            try:
                return (name,) + self._read_backup(name)
            except _UNREADABLE as e:
                problems.append(f"{name}: {e}")
                if i + 1 < len(candidates):
                    warnings.warn(
                        f"BackupAndRestore: the latest backup '{os.path.join(self.backup_dir, name)}' cannot "
                        f"be read ({e}); restoring the previous one '{candidates[i + 1]}'", stacklevel=2)
        raise ValueError(
            f"BackupAndRestore: no readable backup in '{self.backup_dir}' ({'; '.join(problems)}). "
            "Use double_checkpoint=True to keep a fallback; delete the folder to train from scratch")
