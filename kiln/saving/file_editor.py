"""``KerasFileEditor``: look inside a ``.keras`` / ``.weights.h5`` file and edit its weights.

The weights of the file are read into :attr:`KerasFileEditor.weights_dict`, a
nested dict that follows the HDF5 tree (``layers`` -> ``dense`` -> ``"0"``,
``"1"``...) with each object's ``vars`` level folded away and NumPy arrays as
leaves. Objects without variables (``Dropout``, ``InputLayer``...) are left
out of it, as in Keras 3, but their groups are kept when the file is saved
again, so the result still loads into the same model.

Reading goes through the checks every loader uses (:mod:`kiln.saving.file_safety`
for the zip members, ``weights_h5.open_h5_for_reading`` for HDF5: no links,
external or virtual datasets, sizes declared beyond what is stored), and never
deserializes anything: ``config.json`` is kept as plain JSON in
:attr:`KerasFileEditor.config`. :meth:`KerasFileEditor.save` writes a
``.weights.h5`` file atomically (a temporary file renamed into place).

Example:
    >>> import os, tempfile, numpy as np, kiln
    >>> model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2, name="head")])
    >>> folder = tempfile.mkdtemp()
    >>> model.save_weights(os.path.join(folder, "old.weights.h5"))
    >>> editor = KerasFileEditor(os.path.join(folder, "old.weights.h5"))
    >>> sorted(editor.weights_dict["layers"]["dense"])
    ['0', '1']
    >>> editor.add_weights("dense", {"1": np.ones((2,), "float32")})
    >>> editor.save(os.path.join(folder, "new.weights.h5"))
    >>> model.load_weights(os.path.join(folder, "new.weights.h5"))
    >>> model.layers[0].bias.numpy().tolist()
    [1.0, 1.0]
"""

import os
import tempfile
import zipfile

import numpy as np

_WHAT = "KerasFileEditor"
_KERAS_MEMBERS = ("metadata.json", "config.json", "model.weights.h5")


class KerasFileEditor:
    """Inspect, edit and save again the weights of a Keras 3 / Kiln file.

    Useful to adapt a saved weights file to a model whose architecture
    changed: rename, remove or add objects (layers) and weights, check the
    result against the new model with :meth:`compare`, then :meth:`save` it.

    Args:
        filepath: a ``.keras`` model file or a ``.weights.h5`` weights file.

    Attributes:
        weights_dict: the weights, as nested dicts of NumPy arrays.
        object_metadata: ``{object path: {attribute: value}}`` (each
            object's ``name``) as stored on its ``vars`` group.
        config: the parsed ``config.json`` of a ``.keras`` file (else None).
        metadata: the parsed ``metadata.json`` of a ``.keras`` file (else None).

    Example:
        >>> import os, tempfile, kiln
        >>> model = kiln.Sequential([kiln.Input((4,)), kiln.layers.Dense(3), kiln.layers.Dense(1)])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
        >>> model.save(path)
        >>> editor = KerasFileEditor(path)
        >>> editor.metadata["keras_version"] == kiln.saving.saving_api._KERAS_VERSION
        True
        >>> editor.rename_object("dense_1", "head")
        >>> sorted(editor.weights_dict["layers"])
        ['dense', 'head']
    """

    def __init__(self, filepath):
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"{_WHAT}: `filepath` must be a path, received "
                            f"{type(filepath).__name__}: {filepath!r}")
        filepath = os.fspath(filepath)
        self.filepath = filepath
        self.config = None
        self.metadata = None
        if filepath.endswith(".keras"):
            weights_file = self._read_keras_archive(filepath)
            try:
                tree = _read_weights(weights_file, filepath) if weights_file else _empty_tree()
            finally:
                if weights_file:
                    os.remove(weights_file)
        elif filepath.endswith(".weights.h5"):
            tree = _read_weights(filepath, filepath)
        else:
            raise ValueError(f"{_WHAT}: expected a `.keras` or `.weights.h5` file, received "
                             f"filepath={filepath!r}")
        self.weights_dict, self.object_metadata, self._object_paths = tree

    def _read_keras_archive(self, filepath):
        """Parse the JSON members; return the weights member copied to a temporary file (or None)."""
        from kiln.saving import file_safety

        file_safety.check_regular_file(filepath, _WHAT)
        try:
            archive = zipfile.ZipFile(filepath)
        except (zipfile.BadZipFile, OSError) as e:
            raise file_safety.UnsafeFileError(filepath, None, f"{_WHAT}: not a valid `.keras` "
                                              f"archive: {e}") from None
        with archive:
            file_safety.check_zip(archive, filepath, _KERAS_MEMBERS, ("assets/",))
            names = set(archive.namelist())
            for member, attr in (("config.json", "config"), ("metadata.json", "metadata")):
                if member in names:
                    data = file_safety.read_member(archive, member, filepath)
                    setattr(self, attr, file_safety.parse_json(data, filepath, member))
            if "model.weights.h5" not in names:
                return None
            info = archive.getinfo("model.weights.h5")
            fd, tmp = tempfile.mkstemp(suffix=".weights.h5")
            try:
                with os.fdopen(fd, "wb") as out, archive.open(info) as src:
                    file_safety.copy_limited(src, out, info.file_size, filepath, info.filename)
            except BaseException:
                os.remove(tmp)
                raise
            return tmp

    # -- inspecting --------------------------------------------------------------------------
    def summary(self):
        """Print the file's origin and the tree of its weights (shapes and dtypes).

        Example:
            >>> import os, tempfile, kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1, name="out")])
            >>> p = os.path.join(tempfile.mkdtemp(), "m.weights.h5"); m.save_weights(p)
            >>> KerasFileEditor(p).summary()  # doctest: +ELLIPSIS
            Keras weights file '...m.weights.h5'
            Weights structure
              > layers
                  └─ dense ('out')
                      ├─ 0: shape=(2, 1), dtype=float32
                      └─ 1: shape=(1,), dtype=float32
        """
        kind = "model" if self.filepath.endswith(".keras") else "weights"
        print(f"Keras {kind} file '{self.filepath}'")
        if self.metadata:
            print(f"Saved with Keras {self.metadata.get('keras_version')} - date: "
                  f"{self.metadata.get('date_saved')}")
        print("Weights structure")
        for line in self._tree_lines(self.weights_dict, "", "  ", top=True):
            print(line)

    def _tree_lines(self, node, path, prefix, top=False):
        items = list(node.items())
        for index, (key, value) in enumerate(items):
            last = index == len(items) - 1
            connector = "> " if top and index == 0 else ("└─ " if last else "├─ ")
            child_path = _join(path, key)
            if isinstance(value, dict):
                label = f"{prefix}{connector}{key}"
                name = self.object_metadata.get(child_path, {}).get("name")
                if name is not None and name != key:
                    label += f" ('{name}')"
                yield label
                yield from self._tree_lines(value, child_path, prefix + ("    " if last else "│   "))
            else:
                yield f"{prefix}{connector}{key}: shape={value.shape}, dtype={value.dtype}"

    def compare(self, reference_model):
        """Check the file's weights against ``reference_model``: every weight present, same shapes.

        Each mismatch is printed (an object or weight on one side only, or a
        shape that differs), then a one-line verdict.

        Args:
            reference_model: the model the file should load into.

        Returns:
            ``{"status": "success" | "error", "error_count": int,
            "match_count": int}``, counting mismatches and matching weights.

        Example:
            >>> import os, tempfile, kiln
            >>> old = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(4)])
            >>> p = os.path.join(tempfile.mkdtemp(), "m.weights.h5"); old.save_weights(p)
            >>> new = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(5)])
            >>> KerasFileEditor(p).compare(new)  # doctest: +NORMALIZE_WHITESPACE
            Running comparison
            ...Weight shape mismatch for layers/dense/0
                In reference model: shape=(2, 5)
                In saved file: shape=(2, 4)
            ...Weight shape mismatch for layers/dense/1
                In reference model: shape=(5,)
                In saved file: shape=(4,)
            Found 2 errors: saved file is not compatible with the reference model
            {'status': 'error', 'error_count': 2, 'match_count': 0}
        """
        from kiln.models.model import Model

        if not isinstance(reference_model, Model):
            raise TypeError(f"{_WHAT}.compare: `reference_model` must be a kiln Model, received "
                            f"{type(reference_model).__name__}")
        print("Running comparison")
        reference = _weight_spec(reference_model)
        checked = set()
        errors, matches = _compare(self.weights_dict, reference, "", "saved file",
                                   "reference model", checked)
        errors += _compare(reference, self.weights_dict, "", "reference model", "saved file",
                           checked)[0]
        if errors:
            print(f"Found {errors} error{'s' if errors != 1 else ''}: saved file is not compatible "
                  "with the reference model")
        else:
            print("Comparison successful: saved file is compatible with the reference model")
            print(f"    Found {matches} matching weight{'s' if matches != 1 else ''}")
        return {"status": "error" if errors else "success", "error_count": errors,
                "match_count": matches}

    # -- editing -----------------------------------------------------------------------------
    def rename_object(self, object_name, new_name):
        """Rename an object (e.g. a layer's group) in the file.

        Args:
            object_name: the object's key (``"dense_2"``), which must occur
                once in the file, or its full path (``"layers/dense_2"``).
            new_name: the new key (a name, not a path).

        Example:
            >>> import os, tempfile, kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
            >>> p = os.path.join(tempfile.mkdtemp(), "m.weights.h5"); m.save_weights(p)
            >>> editor = KerasFileEditor(p)
            >>> editor.rename_object("layers/dense", "dense_7")
            >>> list(editor.weights_dict["layers"])
            ['dense_7']
        """
        _check_key(new_name, "new_name", "rename_object")
        parent, key, path = self._resolve(object_name, "rename_object")
        if new_name in parent and new_name != key:
            raise ValueError(f"{_WHAT}.rename_object: '{new_name}' already exists next to "
                             f"'{path}'; delete it first")
        renamed = {(new_name if k == key else k): v for k, v in parent.items()}
        parent.clear()
        parent.update(renamed)
        self._move_paths(path, _join(path.rpartition("/")[0], new_name))

    def delete_object(self, object_name):
        """Remove an object (e.g. a layer) and everything under it from the file.

        Args:
            object_name: the object's key (unique in the file) or full path.

        Example:
            >>> import os, tempfile, kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(3), kiln.layers.Dense(1)])
            >>> p = os.path.join(tempfile.mkdtemp(), "m.weights.h5"); m.save_weights(p)
            >>> editor = KerasFileEditor(p)
            >>> editor.delete_object("dense_1")
            >>> list(editor.weights_dict["layers"])
            ['dense']
        """
        parent, key, path = self._resolve(object_name, "delete_object")
        del parent[key]
        self._move_paths(path, None)

    def add_object(self, object_path, weights):
        """Add an object (e.g. the weights of a new layer) at ``object_path``.

        Args:
            object_path: full path of the new object (``"layers/dense_3"``);
                every part but the last must exist already.
            weights: dict of weight name (``"0"``, ``"1"``...) to array.

        Example:
            >>> import os, tempfile, numpy as np, kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
            >>> p = os.path.join(tempfile.mkdtemp(), "m.weights.h5"); m.save_weights(p)
            >>> editor = KerasFileEditor(p)
            >>> editor.add_object("layers/dense_1", {"0": np.zeros((1, 1)), "1": np.zeros((1,))})
            >>> sorted(editor.weights_dict["layers"])
            ['dense', 'dense_1']
        """
        weights = _check_weights(weights, "add_object")
        if not isinstance(object_path, str) or not object_path.strip("/"):
            raise ValueError(f"{_WHAT}.add_object: `object_path` must be a non-empty path such as "
                             f"'layers/dense_3', received {object_path!r}")
        parts = object_path.strip("/").split("/")
        node = self.weights_dict
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part)
            if not isinstance(child, dict):
                raise ValueError(f"{_WHAT}.add_object: path '{'/'.join(parts[:depth + 1])}' not "
                                 f"found in the file (adding '{object_path}')")
            node = child
        _check_key(parts[-1], "object_path", "add_object")
        node[parts[-1]] = weights

    def delete_weight(self, object_name, weight_name):
        """Remove one weight (``"0"``, ``"1"``...) from an object.

        Args:
            object_name: the object's key (unique in the file) or full path.
            weight_name: the weight's name.

        Example:
            >>> import os, tempfile, kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
            >>> p = os.path.join(tempfile.mkdtemp(), "m.weights.h5"); m.save_weights(p)
            >>> editor = KerasFileEditor(p)
            >>> editor.delete_weight("dense", "1")
            >>> list(editor.weights_dict["layers"]["dense"])
            ['0']
        """
        obj = self._resolve_object(object_name, "delete_weight")
        if weight_name not in obj or isinstance(obj[weight_name], dict):
            found = [k for k, v in obj.items() if not isinstance(v, dict)]
            raise ValueError(f"{_WHAT}.delete_weight: weight {weight_name!r} not found in object "
                             f"'{object_name}'; weights found: {found}")
        del obj[weight_name]

    def add_weights(self, object_name, weights):
        """Add weights to an existing object (replacing any of the same name).

        Args:
            object_name: the object's key (unique in the file) or full path.
            weights: dict of weight name (``"0"``, ``"1"``...) to array.

        Example:
            >>> import os, tempfile, numpy as np, kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1, use_bias=False)])
            >>> p = os.path.join(tempfile.mkdtemp(), "m.weights.h5"); m.save_weights(p)
            >>> editor = KerasFileEditor(p)
            >>> editor.add_weights("dense", {"1": np.zeros((1,), "float32")})
            >>> list(editor.weights_dict["layers"]["dense"])
            ['0', '1']
        """
        weights = _check_weights(weights, "add_weights")
        obj = self._resolve_object(object_name, "add_weights")
        obj.update(weights)

    # -- saving ------------------------------------------------------------------------------
    def save(self, filepath):
        """Write the (edited) weights to a new ``.weights.h5`` file, atomically.

        Args:
            filepath: where to write; must end in ``.weights.h5``.

        Example:
            >>> import os, tempfile, kiln
            >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
            >>> folder = tempfile.mkdtemp()
            >>> m.save(os.path.join(folder, "m.keras"))
            >>> KerasFileEditor(os.path.join(folder, "m.keras")).save(
            ...     os.path.join(folder, "m.weights.h5"))
            >>> m.load_weights(os.path.join(folder, "m.weights.h5"))
        """
        import h5py

        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"{_WHAT}.save: `filepath` must be a path, received "
                            f"{type(filepath).__name__}")
        filepath = os.fspath(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError(f"{_WHAT}.save: expected a `.weights.h5` filename, received "
                             f"filepath={filepath!r}")
        folder = os.path.dirname(os.path.abspath(filepath))
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"{_WHAT}.save: the folder {folder} does not exist "
                                    f"(saving {filepath})")
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(filepath) + ".",
                                   suffix=".tmp")
        os.close(fd)
        try:
            with h5py.File(tmp, "w", libver="earliest") as f:
                self._write(f, self.weights_dict, "")
                for path in self._object_paths:
                    group = f.require_group(_join(path, "vars"))
                    self._write_metadata(group, path)
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, filepath)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    def resave_weights(self, filepath):
        """Same as :meth:`save` (the name older Keras 3 releases used).

        Example:
            >>> callable(KerasFileEditor.resave_weights)
            True
        """
        self.save(filepath)

    def _write(self, h5file, node, path):
        leaves = [(k, v) for k, v in node.items() if not isinstance(v, dict)]
        children = [(k, v) for k, v in node.items() if isinstance(v, dict)]
        if leaves or path in self._object_paths or (path and not children):
            group = h5file.require_group(_join(path, "vars"))
            self._write_metadata(group, path)
            for name, value in sorted(leaves, key=lambda kv: _weight_order(kv[0])):
                group.create_dataset(name, data=value)
        for name, child in children:
            self._write(h5file, child, _join(path, name))

    def _write_metadata(self, group, path):
        for key, value in self.object_metadata.get(path, {}).items():
            if key not in group.attrs:
                group.attrs[key] = value

    # -- name resolution ---------------------------------------------------------------------
    def _resolve(self, object_name, method):
        """``(parent dict, key, full path)`` of the entry ``object_name`` designates."""
        if not isinstance(object_name, str) or not object_name.strip("/"):
            raise ValueError(f"{_WHAT}.{method}: expected an object name or path such as "
                             f"'dense_2' or 'layers/dense_2', received {object_name!r}")
        if "/" in object_name.strip("/"):
            parts = object_name.strip("/").split("/")
            node = self.weights_dict
            for part in parts[:-1]:
                node = node.get(part) if isinstance(node, dict) else None
                if not isinstance(node, dict):
                    break
            if not isinstance(node, dict) or parts[-1] not in node:
                raise ValueError(f"{_WHAT}.{method}: path '{object_name}' not found in the file. "
                                 "Call summary() to list its objects.")
            return node, parts[-1], "/".join(parts)
        name = object_name.strip("/")
        found = [(parent, path) for parent, path in _entries(self.weights_dict, "")
                 if path.rpartition("/")[2] == name]
        if not found:
            raise ValueError(f"{_WHAT}.{method}: '{name}' does not appear in the file. Call "
                             "summary() to list its objects.")
        if len(found) > 1:
            raise ValueError(f"{_WHAT}.{method}: '{name}' occurs {len(found)} times in the file "
                             f"({', '.join(p for _, p in found)}); pass its full path")
        parent, path = found[0]
        return parent, name, path

    def _resolve_object(self, object_name, method):
        parent, key, path = self._resolve(object_name, method)
        if not isinstance(parent[key], dict):
            raise ValueError(f"{_WHAT}.{method}: '{path}' is a weight, not an object")
        return parent[key]

    def _move_paths(self, old, new):
        """Follow a rename (``new``) or a deletion (``new=None``) in the recorded object paths."""
        def moved(path):
            if path == old or path.startswith(old + "/"):
                return None if new is None else new + path[len(old):]
            return path

        self._object_paths = [p for p in (moved(p) for p in self._object_paths) if p is not None]
        self.object_metadata = {moved(p): m for p, m in self.object_metadata.items()
                                if moved(p) is not None}


# -- reading ------------------------------------------------------------------------------------
def _empty_tree():
    return {}, {}, []


def _read_weights(h5_path, filepath):
    """``(weights_dict, object_metadata, object paths)`` of a checked HDF5 weights file.

    ``filepath`` is the file the user named (the ``.keras`` archive when the
    weights come from inside one); it appears in error messages.
    """
    import h5py

    from kiln.saving import file_safety, weights_h5

    object_paths, metadata = [], {}

    def read(group, path):
        node = {}
        vars_group = group.get("vars") if "vars" in group else None
        if isinstance(vars_group, h5py.Group):
            object_paths.append(path)
            attrs = {k: _attr_text(v) for k, v in vars_group.attrs.items()}
            attrs = {k: v for k, v in attrs.items() if v is not None}
            if attrs:
                metadata[path] = attrs
            for name in sorted(vars_group, key=_weight_order):
                item = vars_group[name]
                if not isinstance(item, h5py.Dataset):
                    raise file_safety.UnsafeFileError(
                        filepath, f"/{_join(path, 'vars/' + name)}",
                        "a group inside a `vars` group (only datasets are expected there)",
                        "HDF5 entry")
                node[name] = _read_dataset(item, filepath)
        for name in group:
            item = group[name]
            if name == "vars" and isinstance(item, h5py.Group):
                continue
            if isinstance(item, h5py.Dataset):
                node[name] = _read_dataset(item, filepath)
                continue
            child = read(item, _join(path, name))
            if child:
                node[name] = child
        return node

    with weights_h5.open_h5_for_reading(h5_path, _WHAT) as f:
        weights = read(f, "")
    return weights, metadata, object_paths


def _read_dataset(dataset, filepath):
    from kiln.saving import file_safety

    if dataset.dtype.kind not in "biuf":
        raise file_safety.UnsafeFileError(
            filepath, dataset.name, f"a dataset of dtype {dataset.dtype}; weights are numeric",
            "HDF5 entry")
    try:
        return np.asarray(dataset[()])
    except (OSError, RuntimeError) as e:
        raise file_safety.UnsafeFileError(filepath, dataset.name, f"unreadable data: {e}",
                                          "HDF5 entry") from None


def _attr_text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    return None


def _weight_order(name):
    return (0, int(name), "") if name.isdigit() else (1, 0, name)


# -- tree helpers -------------------------------------------------------------------------------
def _join(a, b):
    return f"{a}/{b}" if a else b


def _entries(node, path):
    """``(parent dict, full path)`` of every entry (objects and weights) under ``node``."""
    for key, value in node.items():
        child_path = _join(path, key)
        yield node, child_path
        if isinstance(value, dict):
            yield from _entries(value, child_path)


def _compare(target, reference, path, target_name, reference_name, checked):
    """``(mismatches, matching weights)`` of ``reference``'s entries in ``target``; prints each mismatch.

    ``checked`` collects the paths already reported, so the second (reverse)
    pass does not count a mismatch twice.
    """
    errors, matches = 0, 0
    for key, expected in reference.items():
        entry = _join(path, key)
        if entry in checked:
            continue
        found = target.get(key)
        if found is None:
            errors += 1
            checked.add(entry)
            if isinstance(expected, dict):
                print(f"...Object {entry} present in {reference_name}, missing from {target_name}")
                print(f"    In {reference_name}, {entry} contains the following keys: "
                      f"{list(expected)}")
            else:
                print(f"...Weight {entry} present in {reference_name}, missing from {target_name}")
        elif isinstance(expected, dict) != isinstance(found, dict):
            errors += 1
            checked.add(entry)
            kinds = ("an object", "a weight") if isinstance(expected, dict) else ("a weight", "an object")
            print(f"...{entry} is {kinds[0]} in {reference_name} but {kinds[1]} in {target_name}")
        elif isinstance(expected, dict):
            more_errors, more_matches = _compare(found, expected, entry, target_name,
                                                 reference_name, checked)
            errors += more_errors
            matches += more_matches
        elif _shape(expected) != _shape(found):
            errors += 1
            checked.add(entry)
            print(f"...Weight shape mismatch for {entry}\n"
                  f"    In {reference_name}: shape={_shape(expected)}\n"
                  f"    In {target_name}: shape={_shape(found)}")
        else:
            matches += 1
    return errors, matches


def _shape(value):
    return value if isinstance(value, tuple) else tuple(value.shape)


def _weight_spec(model):
    """The tree a weights file of ``model`` holds, with shapes as leaves (weightless objects left out)."""
    from kiln.saving import weights_h5

    spec = {}

    def put(path, variables):
        if not variables:
            return
        node = spec
        for part in [p for p in path.split("/") if p]:
            node = node.setdefault(part, {})
        for i, variable in enumerate(variables):
            node[str(i)] = tuple(variable.shape)

    model._sync_backend_state()
    for path, obj in weights_h5._plan(model):
        put(path, weights_h5._own_variables(obj))
    optimizer = weights_h5._optimizer_of(model)
    if optimizer is not None:
        put("optimizer", list(optimizer.variables))
    return spec


def _check_key(name, argument, method):
    if not isinstance(name, str) or not name or "/" in name or name == "vars":
        raise ValueError(f"{_WHAT}.{method}: `{argument}` must end in a plain name (no '/', not "
                         f"'vars'), received {name!r}")


def _check_weights(weights, method):
    if not isinstance(weights, dict):
        raise ValueError(f"{_WHAT}.{method}: `weights` must be a dict of weight name (usually "
                         f"'0', '1', ...) to array, received {type(weights).__name__}")
    checked = {}
    for name, value in weights.items():
        _check_key(name, "weights", method)
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise ValueError(f"{_WHAT}.{method}: weight {name!r} must be a numeric array, "
                             f"received dtype {array.dtype}")
        checked[name] = array
    return checked
