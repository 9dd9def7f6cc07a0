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
leaves the model untouched. Saving writes a temporary file next to the target
and renames it into place, so a failure never leaves a half-written file.

Example:
    >>> import os, tempfile, kiln
    >>> model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "m.weights.h5")
    >>> save_weights_h5(model, path)
    >>> load_weights_h5(model, path)
"""

import os
import re
import tempfile
import warnings

import numpy as np

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"

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
    import h5py  # noqa: F401  (imported by the caller)

    group = h5file.require_group(_join(group_path, "vars"))
    group.attrs["name"] = str(name)
    for i, variable in enumerate(variables):
        group.create_dataset(str(i), data=_to_numpy(variable))


def save_weights_h5(model, filepath):
    """Write every variable of ``model`` (and of its optimizer) to ``filepath``.

    The write goes to a temporary file in the same folder, renamed over
    ``filepath`` only once complete.

    Example:
        >>> import os, tempfile, kiln
        >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> save_weights_h5(m, os.path.join(tempfile.mkdtemp(), "w.weights.h5"))
    """
    import h5py

    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save_weights: the folder {folder} does not exist (saving {filepath})")
    plan = _plan(model)
    optimizer = _optimizer_of(model)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(filepath) + ".", suffix=".tmp")
    os.close(fd)
    try:
        with h5py.File(tmp, "w", libver="earliest") as f:
            for path, obj in plan:
                _write_vars(f, path, getattr(obj, "name", type(obj).__name__), _own_variables(obj))
            if optimizer is not None:
                _write_vars(f, "optimizer", getattr(optimizer, "name", "optimizer"), list(optimizer.variables))
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


# -- loading ----------------------------------------------------------------------------------
def _check_is_h5(filepath):
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"load_weights: no such file: {filepath}")
    if os.path.isdir(filepath):
        raise IsADirectoryError(f"load_weights: expected a .weights.h5 file, received the folder {filepath}")
    with open(filepath, "rb") as f:
        head = f.read(8)
    if head == _HDF5_SIGNATURE:
        return
    import h5py

    if h5py.is_hdf5(filepath):  # an HDF5 file with a user block
        return
    hint = ""
    if head.startswith(b"PK"):
        hint = " It is a ZIP archive: a `.keras` model file is loaded with kiln.saving.load_model()."
    raise ValueError(
        f"load_weights: {filepath} is not an HDF5 file (first bytes {head!r}); expected a "
        f"`.weights.h5` file written by save_weights.{hint}"
    )


def _sorted_datasets(group):
    names = list(group.keys())
    numeric = [n for n in names if n.isdigit()]
    if len(numeric) != len(names):
        odd = sorted(set(names) - set(numeric))
        raise ValueError(f"unexpected entries {odd} in {group.name} (expected datasets named 0, 1, ...)")
    numeric.sort(key=int)
    if numeric != [str(i) for i in range(len(numeric))]:
        raise ValueError(f"datasets in {group.name} are not numbered 0..{len(numeric) - 1}: {numeric}")
    return [group[n] for n in numeric]


def _describe(obj):
    return f"'{getattr(obj, 'name', '?')}' ({type(obj).__name__})"


def _match(h5file, filepath, group_path, obj, variables, what):
    """Return ``[(variable, dataset)]`` or raise a ValueError naming file, path and object."""
    vars_path = _join(group_path, "vars")
    if vars_path not in h5file:
        raise ValueError(
            f"load_weights: {filepath} has no group /{vars_path} for {what} {_describe(obj)}; "
            "the file was saved from a model with a different structure."
        )
    group = h5file[vars_path]
    try:
        datasets = _sorted_datasets(group)
    except ValueError as e:
        raise ValueError(f"load_weights: {filepath}: {e}") from None
    if len(datasets) != len(variables):
        hint = ""
        if not variables and hasattr(obj, "built") and not obj.built:
            hint = " The layer is not built: call the model on data (or build() it) before loading."
        raise ValueError(
            f"load_weights: {what} {_describe(obj)} has {len(variables)} variables, but "
            f"{filepath} holds {len(datasets)} under /{vars_path}.{hint}"
        )
    pairs = []
    for variable, dataset in zip(variables, datasets):
        expected = tuple(variable.shape)
        received = tuple(dataset.shape)
        if expected != received:
            raise ValueError(
                f"load_weights: shape mismatch in {filepath} at /{dataset.name.lstrip('/')} for "
                f"{what} {_describe(obj)}, variable '{getattr(variable, 'path', getattr(variable, 'name', '?'))}': "
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


def load_weights_h5(model, filepath, skip_mismatch=False):
    """Load a ``.weights.h5`` file (Keras 3 layout) into ``model``.

    Every group, variable count and shape is checked before any value is
    assigned. ``skip_mismatch=True`` skips (with a warning) objects whose
    group is missing or whose counts/shapes differ, and loads the rest.
    Optimizer state is loaded when both the file and the model have an
    optimizer; an optimizer that has not created its slots yet is built first.

    Example:
        >>> import os, tempfile, kiln
        >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> p = os.path.join(tempfile.mkdtemp(), "w.weights.h5")
        >>> save_weights_h5(m, p); load_weights_h5(m, p)
    """
    import h5py

    filepath = os.fspath(filepath)
    _check_is_h5(filepath)
    assignments = []
    skipped = []
    with h5py.File(filepath, "r") as f:
        used_paths = set()
        for path, obj in _plan(model):
            what = "model" if path == "" else "layer"
            try:
                pairs = _match(f, filepath, path, obj, _own_variables(obj), what)
            except ValueError as e:
                if not skip_mismatch:
                    raise
                skipped.append(str(e))
                continue
            used_paths.add(path)
            assignments.extend(pairs)

        optimizer = _optimizer_of(model)
        if optimizer is not None and "optimizer/vars" in f:
            n_file = len(f["optimizer/vars"].keys())
            variables = list(optimizer.variables)
            if n_file != len(variables) and not getattr(optimizer, "built", True) and hasattr(optimizer, "build"):
                optimizer.build(model.trainable_variables)
                variables = list(optimizer.variables)
            try:
                assignments.extend(_match(f, filepath, "optimizer", optimizer, variables, "optimizer"))
            except ValueError as e:
                if not skip_mismatch:
                    raise
                skipped.append(str(e))
        unused = _unused_groups(f, used_paths)
        # Read every value before assigning any, so an unreadable dataset leaves the model as it was.
        values = []
        for variable, dataset in assignments:
            try:
                values.append(dataset[()])
            except Exception as e:
                raise ValueError(f"load_weights: could not read /{dataset.name.lstrip('/')} in {filepath}: {e}") from e
    for (variable, _), value in zip(assignments, values):
        value = np.asarray(value)
        target = _numpy_dtype(variable.dtype)
        if value.dtype != target:
            value = value.astype(target)
        variable.assign(value)
    for message in skipped:
        warnings.warn(f"Skipped while loading (skip_mismatch=True): {message}", stacklevel=2)
    if unused:
        warnings.warn(
            f"load_weights: {filepath} holds weights that match no layer of model "
            f"'{getattr(model, 'name', '?')}': {', '.join('/' + p for p in unused[:10])}"
            + (" ..." if len(unused) > 10 else ""),
            stacklevel=2,
        )


def _unused_groups(h5file, used_paths):
    """``vars`` groups with datasets in the file that no object of the model consumed."""
    unused = []

    def visit(name, item):
        if name.endswith("/vars") or name == "vars":
            owner = name[: -len("/vars")] if name != "vars" else ""
            if owner.startswith("optimizer"):
                return
            if owner not in used_paths and len(item.keys()) > 0:
                unused.append(name)

    h5file.visititems(visit)
    return unused
