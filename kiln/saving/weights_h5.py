"""Reading and writing ``.weights.h5`` files in the Keras 3 layout.

The file is a tree of HDF5 groups that mirrors the model's object tree:

    /vars                                  the model's own variables; attr ``name``
    /layers/<key>/vars/0, 1, ...           each layer of ``model.layers``
    /layers/<key>/<attr>/vars/...          sub-layers a layer holds as attributes
    /layers/<key>/layers/<key2>/vars/...   layers of a nested model
    /optimizer/vars/0, 1, ...              ``model.optimizer.variables``

``<key>`` is the snake_case class name, with ``_1``, ``_2``... for later objects
of the same class in the same container (``dense``, ``dense_1``); layer names
only appear in the ``name`` attribute of each ``vars`` group. Inside ``vars`` a
layer's trainable variables come first, then the non-trainable ones, in
creation order. Every object gets a ``vars`` group, even an empty one.

Loading checks the whole file against the model first (every group present,
every count and every shape right) and only then assigns, so a failed load
leaves the model untouched; a mismatch names the HDF5 path, the variable path
and both shapes (or counts). Saving writes a temporary file next to the target
and renames it into place, so a failure never leaves a half-written file.

With ``max_shard_size`` (GB) the same tree is split over
``<name>_00000.weights.h5``, ``<name>_00001.weights.h5``... (each holding at most
that much variable data) with a ``<name>.weights.json`` index
``{"metadata": {"total_size": ...}, "weight_map": {"/layers/dense/vars": shard}}``,
as Keras 3 writes them. Every HDF5 file is opened through
:func:`kiln.saving.file_safety.open_h5`.

Example:
    >>> import os, tempfile, kiln
    >>> model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "m.weights.h5")
    >>> save_weights_h5(model, path)
    >>> load_weights_h5(model, path)
"""

import contextlib
import os
import re
import tempfile
import warnings

import numpy as np

# Attributes that hold bookkeeping (or back-references), never owned sub-objects.
_SKIP_ATTRS = frozenset({
    "_layers", "_trainable_variables", "_non_trainable_variables", "_seed_generators",
    "_losses", "_tracked_ids", "_inbound_nodes", "_outbound_nodes", "_build_shapes",
    "_input_shape_arg", "input_spec", "_modules", "_parameters", "_buffers",
    "_operations", "_nodes", "_nodes_by_depth", "_input_layers", "_output_layers",
    "_dtype_policy", "_activity_regularizer", "optimizer", "_optimizer",
    "compiled_loss", "compiled_metrics", "_compile_loss", "_compile_metrics",
    "_loss_tracker", "_metrics", "_compile_config", "_callbacks", "_functional",
})


def to_snake_case(name):
    """``"MaxPooling2D"`` -> ``"max_pooling2d"``, ``"LSTM"`` -> ``"lstm"``.

    A capital that starts a lowercase run gets an underscore before it, and so
    does a capital that follows a lowercase letter.

    Example:
        >>> [to_snake_case(n) for n in ("Dense", "Conv2D", "MultiHeadAttention", "RMSprop", "AdamW")]
        ['dense', 'conv2d', 'multi_head_attention', 'rm_sprop', 'adam_w']
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


# -- walking the object tree ----------------------------------------------------------------
def _layer_class():
    from kiln.layers.layer import Layer

    return Layer


def _own_variables(obj):
    """A layer's directly owned variables: trainable first, then the others."""
    if hasattr(obj, "_trainable_variables") and hasattr(obj, "_non_trainable_variables"):
        return list(obj._trainable_variables) + list(obj._non_trainable_variables)
    return list(getattr(obj, "variables", []))


def _is_graph_model(obj):
    # Sequential and functional models: their layers are the model's structure and
    # are saved (as the `layers` list) before any other attribute.
    return type(obj).__name__ in ("Sequential", "Functional") or any(
        c.__name__ in ("Sequential", "Functional") for c in type(obj).__mro__[1:]
        if c.__module__.startswith("kiln."))


def _children(obj):
    """``(attribute name, value)`` pairs of sub-layers and containers of sub-layers.

    Graph models yield ``("layers", model.layers)`` first; then attributes in
    name order. On torch, sub-layers assigned as attributes live in
    ``_modules`` (torch keeps them out of ``__dict__``), next to entries the
    torch layer registers for layers held in lists; those are told apart by
    whether the layer is also held in a list/dict attribute.
    """
    Layer = _layer_class()
    skip = _SKIP_ATTRS | frozenset(getattr(type(obj), "_INTERNAL_ATTRS", ()))
    attrs = {}
    containers = {}
    for name, value in vars(obj).items():
        if name in skip or name.startswith("__"):
            continue
        if isinstance(value, Layer):
            attrs[name] = value
        elif isinstance(value, (list, tuple, dict)):
            items = list(value.values()) if isinstance(value, dict) else list(value)
            if any(isinstance(v, Layer) for v in items):
                containers[name] = items
    in_containers = {id(v) for items in containers.values() for v in items}
    modules = vars(obj).get("_modules")
    if isinstance(modules, dict):
        held = {id(v) for v in attrs.values()}
        for name, value in modules.items():
            if (isinstance(value, Layer) and name not in skip and name not in attrs and id(value) not in held
                    and id(value) not in in_containers):
                attrs[name] = value
                held.add(id(value))
    entries = dict(attrs)
    entries.update(containers)
    out = []
    model_layers = None
    if hasattr(obj, "layers") and _is_model(obj):
        model_layers = list(obj.layers)
    if model_layers is not None and _is_graph_model(obj):
        out.append(("layers", model_layers))
        entries.pop("layers", None)
        model_layers = None
    elif model_layers is not None:
        entries["layers"] = model_layers
    for name in sorted(entries):
        out.append((name, entries[name]))
    return out


def _is_model(obj):
    return any(c.__name__ == "Model" and c.__module__.startswith("kiln.") for c in type(obj).__mro__)


def _plan(model):
    """Every saved object as ``(h5 path of its group, object)``, root first.

    The root's group is ``""`` (its ``vars`` live at ``/vars``). An object
    reachable along several paths is saved once, at the first path met.
    """
    Layer = _layer_class()
    entries = []
    visited = set()

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        entries.append((path, obj))
        for attr, value in _children(obj):
            if isinstance(value, Layer):
                visit(value, _join(path, attr))
            else:
                used = {}
                for item in value:
                    if not isinstance(item, Layer):
                        continue
                    key = to_snake_case(type(item).__name__)
                    if key in used:
                        used[key] += 1
                        key = f"{key}_{used[key]}"
                    else:
                        used[key] = 0
                    visit(item, _join(_join(path, attr), key))

    visit(model, "")
    return entries


def _join(a, b):
    return f"{a}/{b}" if a else b


def _optimizer_of(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or isinstance(optimizer, str) or not hasattr(optimizer, "variables"):
        return None
    return optimizer


# -- saving -----------------------------------------------------------------------------------
def _to_numpy(variable):
    value = variable.numpy() if hasattr(variable, "numpy") else variable
    value = np.asarray(value)
    # HDF5 has no bfloat16/float8 types; such weights are stored as float32 and cast back on load.
    if value.dtype.kind == "V" or value.dtype.name in ("bfloat16",) or value.dtype.name.startswith("float8"):
        value = value.astype(np.float32)
    return value


def _write_vars(h5file, group_path, name, variables):
    group = h5file.require_group(_join(group_path, "vars"))
    group.attrs["name"] = str(name)
    for i, variable in variables:
        group.create_dataset(str(i), data=_to_numpy(variable))


def _groups_to_save(model):
    """``[(group path, object name, variables)]`` in the order Keras 3 writes them."""
    groups = [(path, getattr(obj, "name", type(obj).__name__), _own_variables(obj)) for path, obj in _plan(model)]
    optimizer = _optimizer_of(model)
    if optimizer is not None:
        groups.append(("optimizer", getattr(optimizer, "name", "optimizer"), list(optimizer.variables)))
    return groups


def _temporary_next_to(filepath):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(filepath)),
                               prefix="." + os.path.basename(filepath) + ".", suffix=".tmp")
    os.close(fd)
    return tmp


def _write_h5(tmp, groups):
    import h5py

    with h5py.File(tmp, "w", libver="earliest") as f:
        for path, name, variables in groups:
            _write_vars(f, path, name, variables)


def _check_folder(filepath, what="save_weights"):
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{what}: the folder {folder} does not exist (saving {filepath})")


def save_weights_h5(model, filepath, max_shard_size=None):
    """Write every variable of ``model`` (and of its optimizer) to ``filepath``.

    The write goes to a temporary file in the same folder, renamed over
    ``filepath`` only once complete. With ``max_shard_size`` (in GB) the
    weights are split into shards instead: see :func:`save_sharded_weights`.

    Example:
        >>> import os, tempfile, kiln
        >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> save_weights_h5(m, os.path.join(tempfile.mkdtemp(), "w.weights.h5"))
    """
    if max_shard_size is not None:
        return save_sharded_weights(model, filepath, max_shard_size)
    filepath = os.fspath(filepath)
    _check_folder(filepath)
    groups = [(path, name, list(enumerate(variables))) for path, name, variables in _groups_to_save(model)]
    tmp = _temporary_next_to(filepath)
    try:
        _write_h5(tmp, groups)
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return None


# -- sharded weights: NAME.weights.json + NAME_00000.weights.h5, NAME_00001.weights.h5, ... ----
def sharded_paths(filepath):
    """``(index path, shard base name)`` for a sharded save to ``filepath``.

    As Keras 3: the index always ends in ``.json`` (a ``.weights.h5`` path has
    its suffix replaced, with a warning from the caller), and shards are named
    ``<base>_00000.weights.h5``, ``<base>_00001.weights.h5``... next to it, where
    ``<base>`` is the index's file name without ``.weights.json``.

    Example:
        >>> sharded_paths("/tmp/model.weights.json")
        ('/tmp/model.weights.json', 'model')
        >>> sharded_paths("/tmp/model.weights.h5")
        ('/tmp/model.weights.json', 'model')
    """
    filepath = os.fspath(filepath)
    root, ext = os.path.splitext(filepath)
    index = filepath if ext == ".json" else root + ".json"
    stem = os.path.splitext(os.path.basename(index))[0]
    return index, stem.replace(".weights", "")


def _shard_name(base, number):
    return f"{base}_{number:05d}.weights.h5"


def _max_shard_bytes(max_shard_size):
    if isinstance(max_shard_size, bool) or not isinstance(max_shard_size, (int, float, np.integer, np.floating)):
        raise TypeError(f"save_weights: max_shard_size must be a number of GB (int or float), "
                        f"received {max_shard_size!r} of type {type(max_shard_size).__name__}")
    if not np.isfinite(max_shard_size) or max_shard_size <= 0:
        raise ValueError(f"save_weights: max_shard_size must be a positive number of GB, received {max_shard_size}")
    return float(max_shard_size) * 1024 ** 3


def _stored_bytes(variable):
    """Bytes a variable takes in the file (bfloat16/float8 are stored as float32, see _to_numpy)."""
    dtype = _numpy_dtype(variable.dtype)
    itemsize = 4 if dtype.kind == "V" or dtype.name == "bfloat16" or dtype.name.startswith("float8") else dtype.itemsize
    return int(np.prod(tuple(variable.shape), dtype=np.int64)) * itemsize


def _split_into_shards(groups, max_bytes):
    """Assign variables to shards in saving order, as Keras 3 does.

    A variable goes to the current shard unless that would take the shard past
    ``max_bytes``; then a new shard starts with it (and with its group again).
    Groups without variables stay in the shard that is current when they are
    reached. Returns ``[[(group path, name, [(index, variable)])]]``.
    """
    shards = [[]]
    current = 0
    for path, name, variables in groups:
        shards[-1].append((path, name, []))
        for i, variable in enumerate(variables):
            size = _stored_bytes(variable)
            if size > max_bytes:
                raise ValueError(
                    f"save_weights: variable '{getattr(variable, 'path', '?')}' (/{_join(path, 'vars')}/{i}) takes "
                    f"{size} bytes, more than max_shard_size={max_bytes / 1024 ** 3:g} GB ({int(max_bytes)} bytes); "
                    "increase max_shard_size"
                )
            current += size
            if current > max_bytes:
                shards.append([(path, name, [])])
                current = size
            shards[-1][-1][2].append((i, variable))
    return shards


def save_sharded_weights(model, filepath, max_shard_size):
    """Write ``model``'s weights as a ``.weights.json`` index plus ``.weights.h5`` shards.

    Each shard holds at most ``max_shard_size`` GB of variable data (a single
    variable larger than that is an error) and has the Keras 3 tree for the
    variables it holds. The index is ``{"metadata": {"total_size": bytes},
    "weight_map": {"/layers/dense/vars": "<base>_00000.weights.h5", ...}}``; a
    group whose variables span several shards maps to the list of them. Every
    file is written to a temporary name first; the shards are renamed into
    place, then the index. Returns the index path.

    Example:
        >>> import os, tempfile, kiln
        >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> path = save_sharded_weights(m, os.path.join(tempfile.mkdtemp(), "w.weights.json"), 1.0)
        >>> os.path.basename(path)
        'w.weights.json'
    """
    import json

    index_path, base = sharded_paths(filepath)
    _check_folder(index_path)
    shards = _split_into_shards(_groups_to_save(model), _max_shard_bytes(max_shard_size))
    folder = os.path.dirname(os.path.abspath(index_path))
    weight_map = {}
    total = 0
    for number, shard in enumerate(shards):
        for path, _, variables in shard:
            if not variables:
                continue
            key = "/" + _join(path, "vars")
            total += sum(_stored_bytes(v) for _, v in variables)
            name = _shard_name(base, number)
            if key not in weight_map:
                weight_map[key] = name
            else:
                previous = weight_map[key]
                weight_map[key] = (previous if isinstance(previous, list) else [previous]) + [name]
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    temporaries = []
    try:
        for number, shard in enumerate(shards):
            target = os.path.join(folder, _shard_name(base, number))
            tmp = _temporary_next_to(target)
            temporaries.append((tmp, target))
            _write_h5(tmp, shard)
        tmp = _temporary_next_to(index_path)
        temporaries.append((tmp, index_path))
        with open(tmp, "w") as f:
            f.write(json.dumps(index, indent=4))
        for tmp, target in temporaries:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in temporaries:
            if os.path.exists(tmp):
                os.remove(tmp)
        raise
    return index_path


# -- loading ----------------------------------------------------------------------------------
def open_h5_for_reading(filepath, what="load_weights"):
    """``kiln.saving.file_safety.open_h5``: the one way weights readers open an HDF5 file
    (format, link, storage and size checks first); use it in a ``with`` statement.

    Example:
        >>> import os, tempfile, kiln
        >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> p = os.path.join(tempfile.mkdtemp(), "w.weights.h5"); save_weights_h5(m, p)
        >>> with open_h5_for_reading(p) as f:
        ...     sorted(f["layers"].keys())
        ['dense']
    """
    from kiln.saving import file_safety

    return file_safety.open_h5(os.fspath(filepath), what)


def _sorted_datasets(datasets, where):
    """``{name: dataset}`` -> datasets in numeric order; anything else is an error."""
    names = list(datasets)
    numeric = [n for n in names if n.isdigit()]
    if len(numeric) != len(names):
        odd = sorted(set(names) - set(numeric))
        raise ValueError(f"unexpected entries {odd} in {where} (expected datasets named 0, 1, ...)")
    numeric.sort(key=int)
    if numeric != [str(i) for i in range(len(numeric))]:
        raise ValueError(f"datasets in {where} are not numbered 0..{len(numeric) - 1}: {numeric}")
    return [datasets[n] for n in numeric]


class _WeightsSource:
    """The ``vars`` groups of one ``.weights.h5`` file, or of the shards of a sharded save.

    ``vars(path)`` merges a group's datasets over every shard holding part of
    it (``None`` when no file has the group).
    """

    def __init__(self, paths, description):
        from kiln.saving import file_safety

        self.description = description
        self._stack = contextlib.ExitStack()
        self.files = []  # [(file name, open h5py.File)], each opened through file_safety.open_h5
        try:
            for path in paths:
                h5file = self._stack.enter_context(file_safety.open_h5(path, "load_weights"))
                self.files.append((os.path.basename(path), h5file))
        except BaseException:
            self._stack.close()
            raise

    def vars(self, vars_path):
        import h5py

        found = None
        for name, f in self.files:
            group = f.get(vars_path)
            if group is None:
                continue
            if not isinstance(group, h5py.Group):
                raise ValueError(f"load_weights: {self.description}: /{vars_path} in {name} is not a group")
            found = {} if found is None else found
            for key, item in group.items():
                if key in found:
                    raise ValueError(f"load_weights: {self.description}: /{vars_path}/{key} is stored twice")
                found[key] = item
        if found is None:
            return None
        try:
            return _sorted_datasets(found, f"/{vars_path}")
        except ValueError as e:
            raise ValueError(f"load_weights: {self.description}: {e}") from None

    def unused_groups(self, used_paths):
        """``vars`` groups holding datasets that no object of the model consumed."""
        unused = []

        def visit(name, item):
            if name.endswith("/vars") or name == "vars":
                owner = name[: -len("/vars")] if name != "vars" else ""
                if owner.startswith("optimizer"):
                    return
                if owner not in used_paths and len(item.keys()) > 0 and name not in unused:
                    unused.append(name)

        for _, f in self.files:
            f.visititems(visit)
        return unused

    def close(self):
        self._stack.close()


def _describe(obj):
    return f"'{getattr(obj, 'name', '?')}' ({type(obj).__name__})"


def _variable_path(variable):
    return getattr(variable, "path", None) or getattr(variable, "name", "?")


def _match(source, group_path, obj, variables, what):
    """Return ``[(variable, dataset)]`` or raise a ValueError naming file, path and object."""
    vars_path = _join(group_path, "vars")
    datasets = source.vars(vars_path)
    if datasets is None:
        raise ValueError(
            f"load_weights: {source.description} has no group /{vars_path} for {what} {_describe(obj)}; "
            "the file was saved from a model with a different structure."
        )
    if len(datasets) != len(variables):
        hint = ""
        if not variables and hasattr(obj, "built") and not obj.built:
            hint = " The layer is not built: call the model on data (or build() it) before loading."
        expected = ", ".join(f"'{_variable_path(v)}' {tuple(v.shape)}" for v in variables) or "none"
        received = ", ".join(str(tuple(d.shape)) for d in datasets) or "none"
        raise ValueError(
            f"load_weights: {what} {_describe(obj)} has {len(variables)} variables, but "
            f"{source.description} holds {len(datasets)} under /{vars_path}. "
            f"Expected: {expected}; received shapes: {received}.{hint}"
        )
    pairs = []
    for variable, dataset in zip(variables, datasets):
        expected = tuple(variable.shape)
        received = tuple(dataset.shape)
        if expected != received:
            raise ValueError(
                f"load_weights: shape mismatch in {source.description} at /{dataset.name.lstrip('/')} for "
                f"{what} {_describe(obj)}, variable '{_variable_path(variable)}': "
                f"expected shape {expected}, received {received}"
            )
        pairs.append((variable, dataset))
    return pairs


def _numpy_dtype(dtype):
    name = getattr(dtype, "name", None) or str(dtype)
    name = name.replace("torch.", "").replace("tf.", "")
    try:
        return np.dtype(name)
    except TypeError:
        import ml_dtypes

        return np.dtype(getattr(ml_dtypes, name))


def read_then_assign(assignments, description):
    """Read every ``(variable, dataset)`` value, then assign them all (cast to the variable's dtype).

    Reading everything first means an unreadable dataset leaves the model as it was.

    Example:
        >>> import numpy as np, kiln
        >>> layer = kiln.layers.Dense(1); layer.build((None, 2))
        >>> read_then_assign([(layer.bias, np.array([3.0]))], "an array")
        >>> float(np.asarray(layer.bias.numpy())[0])
        3.0
    """
    values = []
    for variable, dataset in assignments:
        try:
            values.append(np.asarray(dataset[()]))
        except Exception as e:
            where = getattr(dataset, "name", "?")
            raise ValueError(f"load_weights: could not read {where} in {description}: {e}") from e
    for (variable, _), value in zip(assignments, values):
        target = _numpy_dtype(variable.dtype)
        if value.dtype != target:
            value = value.astype(target)
        variable.assign(value)


def _open_source(filepath):
    """A :class:`_WeightsSource` for a ``.weights.h5`` file or a ``.weights.json`` index."""
    if not filepath.endswith(".json"):
        return _WeightsSource([filepath], filepath)
    index = _read_shard_index(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    _, base = sharded_paths(filepath)
    names = [_shard_name(base, 0)] if os.path.exists(os.path.join(folder, _shard_name(base, 0))) else []
    for value in index["weight_map"].values():
        for name in (value if isinstance(value, list) else [value]):
            if name not in names:
                names.append(name)
    return _WeightsSource([os.path.join(folder, name) for name in names],
                          f"{filepath} (shards {', '.join(names)})")


def _read_shard_index(filepath):
    from kiln.saving import file_safety

    if not os.path.isfile(filepath):
        raise FileNotFoundError(f"load_weights: no such file: {filepath}")
    file_safety.check_regular_file(filepath, "load_weights")
    size = os.path.getsize(filepath)
    if size > file_safety.MAX_JSON_BYTES:
        raise ValueError(f"load_weights: the shard index {filepath} is {size} bytes, over the "
                         f"{file_safety.MAX_JSON_BYTES} bytes an index may hold")
    with open(filepath, "rb") as f:
        data = f.read(file_safety.MAX_JSON_BYTES + 1)
    index = file_safety.parse_json(data, filepath, "weight index")
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict):
        raise ValueError(f"load_weights: {filepath} is not a sharded-weights index: expected an object with a "
                         f"'weight_map' object, received {type(index).__name__}"
                         + (f" with keys {sorted(index)[:10]}" if isinstance(index, dict) else ""))
    for key, value in weight_map.items():
        names = value if isinstance(value, list) else [value]
        for name in names:
            if (not isinstance(name, str) or not name.endswith(".weights.h5") or os.path.basename(name) != name
                    or "/" in name or "\\" in name or name.startswith(".") or "\x00" in name):
                raise ValueError(
                    f"load_weights: {filepath}: weight_map entry {key!r} names the shard {name!r}; a shard must be "
                    "a plain file name ending in `.weights.h5` in the index's folder"
                )
    return index


def load_weights_h5(model, filepath, skip_mismatch=False):
    """Load a ``.weights.h5`` file or a sharded ``.weights.json`` index (Keras 3 layout) into ``model``.

    Every file is opened through :func:`kiln.saving.file_safety.open_h5` (no links,
    external storage, virtual datasets or bombs). Every group, variable count and shape is checked before any value is
    assigned; a mismatch is a ValueError naming the file, the HDF5 path, the
    variable path and both shapes (or counts). ``skip_mismatch=True`` skips
    (with a warning naming each) objects whose group is missing or whose
    counts/shapes differ, and loads the rest. Optimizer state is loaded when
    both the file and the model have an optimizer; an optimizer that has not
    created its slots yet is built first. As in Keras 3, an optimizer whose
    variable count differs from the file's is skipped with a warning.

    Example:
        >>> import os, tempfile, kiln
        >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> p = os.path.join(tempfile.mkdtemp(), "w.weights.h5")
        >>> save_weights_h5(m, p); load_weights_h5(m, p)
    """
    filepath = os.fspath(filepath)
    assignments = []
    skipped = []
    warned = []
    source = _open_source(filepath)
    try:
        used_paths = set()
        for path, obj in _plan(model):
            what = "model" if path == "" else "layer"
            try:
                pairs = _match(source, path, obj, _own_variables(obj), what)
            except ValueError as e:
                if not skip_mismatch:
                    raise
                skipped.append(str(e))
                used_paths.add(path)  # reported as skipped, not again as unused
                continue
            used_paths.add(path)
            assignments.extend(pairs)

        optimizer = _optimizer_of(model)
        stored = source.vars("optimizer/vars") if optimizer is not None else None
        if stored is not None:
            variables = list(optimizer.variables)
            if len(stored) != len(variables) and not getattr(optimizer, "built", True) and hasattr(optimizer, "build"):
                optimizer.build(model.trainable_variables)
                variables = list(optimizer.variables)
            if len(stored) != len(variables):
                warned.append(
                    f"Skipping variable loading for optimizer {_describe(optimizer)}: it has {len(variables)} "
                    f"variables, but {source.description} holds {len(stored)} under /optimizer/vars"
                    + (" (the optimizer has not been built yet)" if not variables else "")
                )
            else:
                try:
                    assignments.extend(_match(source, "optimizer", optimizer, variables, "optimizer"))
                except ValueError as e:
                    if not skip_mismatch:
                        raise
                    skipped.append(str(e))
        unused = source.unused_groups(used_paths)
        read_then_assign(assignments, source.description)
    finally:
        source.close()
    for message in skipped:
        warnings.warn(f"Skipped while loading (skip_mismatch=True): {message}", stacklevel=2)
    for message in warned:
        warnings.warn(message, stacklevel=2)
    if unused:
        warnings.warn(
            f"load_weights: {source.description} holds weights that match no layer of model "
            f"'{getattr(model, 'name', '?')}': {', '.join('/' + p for p in unused[:10])}"
            + (" ..." if len(unused) > 10 else ""),
            stacklevel=2,
        )


# -- the public entry points (Keras 3's kiln.saving.save_weights / load_weights) ---------------
def save_weights(model, filepath, overwrite=True, max_shard_size=None, **kwargs):
    """Save every weight of ``model`` (and its optimizer's) to a ``.weights.h5`` file.

    With ``max_shard_size`` (a number of GB) the weights are split over
    ``<name>_00000.weights.h5``, ``<name>_00001.weights.h5``... with a
    ``<name>.weights.json`` index; the path must then end in ``.weights.json``
    (a ``.weights.h5`` path is renamed to it, with a warning).

    Example:
        >>> import os, tempfile, kiln
        >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> folder = tempfile.mkdtemp()
        >>> save_weights(m, os.path.join(folder, "m.weights.json"), max_shard_size=0.001)
        >>> sorted(os.listdir(folder))
        ['m.weights.json', 'm_00000.weights.h5']
    """
    if kwargs:
        raise ValueError(f"save_weights: unexpected keyword arguments {sorted(kwargs)}")
    filepath = os.fspath(filepath)
    if max_shard_size is None and not filepath.endswith(".weights.h5"):
        raise ValueError(f"save_weights: the filename must end in `.weights.h5`, received filepath={filepath!r}")
    if max_shard_size is not None:
        if not filepath.endswith((".weights.h5", ".weights.json")):
            raise ValueError("save_weights: with max_shard_size the filename must end in `.weights.json`, "
                             f"received filepath={filepath!r}")
        index, _ = sharded_paths(filepath)
        if index != filepath:
            warnings.warn(f"save_weights: sharded weights are saved under a `.json` index: {filepath} is "
                          f"renamed to {index}", stacklevel=2)
        filepath = index
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"save_weights: {filepath} exists and overwrite=False")
    if hasattr(model, "_sync_backend_state"):
        model._sync_backend_state()
    save_weights_h5(model, filepath, max_shard_size=max_shard_size)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Load weights into ``model`` from a ``.weights.h5`` file, a sharded ``.weights.json``
    index, a legacy Keras 2 ``.h5``/``.hdf5`` file, or the weights of a ``.keras`` archive.

    Legacy files load in topological order, or by layer name with
    ``by_name=True``. ``skip_mismatch=True`` skips, with a warning, what does
    not match instead of raising.

    Example:
        >>> import os, tempfile, kiln
        >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> p = os.path.join(tempfile.mkdtemp(), "m.weights.h5")
        >>> save_weights(m, p); load_weights(m, p)
    """
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):  # the weights member of a model archive, read by the archive's loader
        from kiln.saving import saving_api

        return saving_api.load_weights(model, filepath, skip_mismatch=skip_mismatch, **kwargs)
    by_name = kwargs.pop("by_name", False)
    if kwargs:
        raise ValueError(f"load_weights: unexpected keyword arguments {sorted(kwargs)}")
    legacy = filepath.endswith((".h5", ".hdf5")) and not filepath.endswith(".weights.h5")
    if by_name and not legacy:
        raise ValueError(f"load_weights: by_name=True only applies to legacy `.h5` files, received {filepath!r}")
    if not (legacy or filepath.endswith((".weights.h5", ".weights.json"))):
        raise ValueError(
            "load_weights: expected a `.weights.h5` file, a sharded `.weights.json` index, a legacy `.h5`/"
            f"`.hdf5` file or a `.keras` archive, received {filepath!r}"
        )
    if hasattr(model, "_sync_backend_state"):
        model._sync_backend_state()
    if legacy:
        from kiln.saving.legacy_h5 import load_legacy_weights

        load_legacy_weights(model, filepath, by_name=by_name, skip_mismatch=skip_mismatch)
    else:
        load_weights_h5(model, filepath, skip_mismatch=skip_mismatch)
    if hasattr(model, "_reset_backend_state"):
        model._reset_backend_state()
