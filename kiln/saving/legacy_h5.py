"""Loading legacy Keras 2 (TensorFlow-era) ``.h5`` weights files.

``model.save_weights("x.h5")`` in Keras 2 wrote one HDF5 group per layer:

    /                       attrs: layer_names (every layer, in model order),
                                   backend, keras_version
    /<layer name>           attrs: weight_names ("dense/kernel:0", ...)
    /<layer name>/<weight name>     one dataset per weight (the names contain
                                    "/", so they are nested groups in HDF5)

A whole-model ``model.save("x.h5")`` holds the same tree under
``/model_weights``. A layer's weights are its trainable weights, then its
non-trainable ones (sub-layers included), in creation order.

Two ways to match the file to a model, as Keras:

- topological (default): the layers with weights, in order, against the
  file's layers with weights, in order; the counts must agree;
- ``by_name=True``: each layer of the model with weights takes the group of the
  same name; layers the file lacks are left as they are.

Every count and shape is checked before anything is assigned. With
``skip_mismatch=True`` a layer whose weight count differs, or a weight whose
shape differs, is skipped with a warning naming it. Files are opened through
the same checks as every other weights file.

Example:
    >>> import os, tempfile, h5py, numpy as np, kiln
    >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1, name="d")])
    >>> p = os.path.join(tempfile.mkdtemp(), "old.h5")
    >>> with h5py.File(p, "w") as f:
    ...     f.attrs["layer_names"] = [b"d"]
    ...     g = f.create_group("d"); g.attrs["weight_names"] = [b"d/kernel:0", b"d/bias:0"]
    ...     _ = g.create_dataset("d/kernel:0", data=np.ones((2, 1), "float32"))
    ...     _ = g.create_dataset("d/bias:0", data=np.zeros((1,), "float32"))
    >>> load_legacy_weights(m, p)
    >>> np.asarray(m.layers[0].kernel.numpy()).ravel().tolist()
    [1.0, 1.0]
"""

import os
import warnings

from kiln.saving import file_safety
from kiln.saving.weights_h5 import read_then_assign


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _names_attr(group, attr, description):
    """A list-of-strings attribute, also when Keras split it into ``attr0``, ``attr1``..."""
    if attr in group.attrs:
        raw = list(group.attrs[attr])
    elif f"{attr}0" in group.attrs:
        raw, i = [], 0
        while f"{attr}{i}" in group.attrs:
            raw.extend(group.attrs[f"{attr}{i}"])
            i += 1
    else:
        return None
    try:
        return [_text(v) for v in raw]
    except UnicodeDecodeError as e:
        raise ValueError(f"load_weights: {description}: the '{attr}' attribute of {group.name} "
                         f"is not UTF-8 text: {e}") from None


def _weights_root(f, filepath):
    """The group holding ``layer_names``: the root, or ``/model_weights`` of a whole-model file."""
    if "layer_names" not in f.attrs and "model_weights" in f:
        f = f["model_weights"]
    if _names_attr(f, "layer_names", filepath) is None:
        raise ValueError(
            f"load_weights: {filepath} is not a legacy Keras `.h5` weights file: its root has no "
            "'layer_names' attribute (a Keras 3 weights file must be named `*.weights.h5`)"
        )
    return f


def _stored_weights(root, layer_name, filepath):
    """The datasets of one layer's group, in the order of its ``weight_names``."""
    import h5py

    group = root.get(layer_name)
    if not isinstance(group, h5py.Group):
        raise ValueError(f"load_weights: {filepath} lists the layer '{layer_name}' in layer_names "
                         "but has no group for it")
    names = _names_attr(group, "weight_names", filepath) or []
    datasets = []
    for name in names:
        item = group.get(name)
        if not isinstance(item, h5py.Dataset):
            raise ValueError(f"load_weights: {filepath}: the weight '{name}' listed for layer "
                             f"'{layer_name}' is missing from {group.name}")
        datasets.append((name, item))
    return datasets


def _model_weights(layer):
    """A layer's weights as Keras 2 ordered them: trainable, then non-trainable."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _pair(layer, variables, stored, filepath, label, skip_mismatch, skipped):
    """``[(variable, dataset)]`` for one layer; mismatches raise or (skip_mismatch) are recorded."""
    if len(variables) != len(stored):
        message = (
            f"load_weights: weight count mismatch for layer {label} in {filepath}: the layer expects "
            f"{len(variables)} weight(s) ({', '.join(_path(v) for v in variables) or 'none'}), the file holds "
            f"{len(stored)} ({', '.join(name for name, _ in stored) or 'none'})"
        )
        if not skip_mismatch:
            raise ValueError(message)
        skipped.append(message)
        return []
    pairs = []
    for variable, (name, dataset) in zip(variables, stored):
        expected, received = tuple(variable.shape), tuple(dataset.shape)
        if expected != received:
            message = (
                f"load_weights: shape mismatch for layer {label}, weight '{_path(variable)}', in {filepath} "
                f"at {dataset.name}: expected shape {expected}, received {received}"
            )
            if not skip_mismatch:
                raise ValueError(message)
            skipped.append(message)
            continue
        pairs.append((variable, dataset))
    return pairs


def _path(variable):
    return getattr(variable, "path", None) or getattr(variable, "name", "?")


def load_legacy_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Load a Keras 2 ``.h5`` weights file into ``model`` (topologically, or ``by_name``).

    Example:
        >>> import os, tempfile, h5py, numpy as np, kiln
        >>> m = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2, name="out")])
        >>> p = os.path.join(tempfile.mkdtemp(), "w.h5")
        >>> with h5py.File(p, "w") as f:
        ...     f.attrs["layer_names"] = [b"out"]
        ...     g = f.create_group("out"); g.attrs["weight_names"] = [b"out/kernel:0", b"out/bias:0"]
        ...     _ = g.create_dataset("out/kernel:0", data=np.zeros((3, 2), "float32"))
        ...     _ = g.create_dataset("out/bias:0", data=np.full((2,), 5.0, "float32"))
        >>> load_legacy_weights(m, p, by_name=True)
        >>> np.asarray(m.layers[0].bias.numpy()).tolist()
        [5.0, 5.0]
    """
    filepath = os.fspath(filepath)
    skipped = []
    assignments = []
    with file_safety.open_h5(filepath, "load_weights") as f:
        root = _weights_root(f, filepath)
        layer_names = _names_attr(root, "layer_names", filepath)
        layers = [layer for layer in model.layers if _model_weights(layer)]
        if by_name:
            for layer in layers:
                if layer.name not in layer_names:
                    continue
                stored = _stored_weights(root, layer.name, filepath)
                assignments.extend(_pair(layer, _model_weights(layer), stored, filepath, f"'{layer.name}'",
                                         skip_mismatch, skipped))
        else:
            stored_layers = [(name, _stored_weights(root, name, filepath)) for name in layer_names]
            stored_layers = [(name, stored) for name, stored in stored_layers if stored]
            if len(stored_layers) != len(layers):
                raise ValueError(
                    f"load_weights: layer count mismatch when loading {filepath} in topological order: the "
                    f"model has {len(layers)} layers with weights ({', '.join(l.name for l in layers)}), the file "
                    f"has {len(stored_layers)} ({', '.join(n for n, _ in stored_layers)}). Pass by_name=True to "
                    "match layers by name."
                )
            for k, (layer, (name, stored)) in enumerate(zip(layers, stored_layers)):
                label = f"#{k} ('{layer.name}' in the model, '{name}' in the file)"
                assignments.extend(_pair(layer, _model_weights(layer), stored, filepath, label,
                                         skip_mismatch, skipped))
        if "top_level_model_weights" in root:
            own = list(getattr(model, "_trainable_variables", [])) + list(
                getattr(model, "_non_trainable_variables", []))
            stored = _stored_weights(root, "top_level_model_weights", filepath)
            if own or stored:
                assignments.extend(_pair(model, own, stored, filepath, f"'{model.name}' (the model's own weights)",
                                         skip_mismatch, skipped))
        read_then_assign(assignments, filepath)
    for message in skipped:
        warnings.warn(f"Skipped while loading (skip_mismatch=True): {message}", stacklevel=2)
