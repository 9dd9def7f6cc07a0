"""``ExportArchive``: write TensorFlow SavedModel artifacts from Kiln layers and models.

SavedModel is TensorFlow's format, so this module imports TensorFlow (lazily,
when an archive is made). The backend supplies two hooks in its ``export``
module: ``tf_variables`` (the ``tf.Variable`` behind each Kiln variable: its own
on tensorflow, a copy on jax) and ``tf_function`` (a Kiln function as a function
of TF tensors: itself on tensorflow, converted by jax2tf on jax). torch and numpy
have none; ``Model.export`` rebuilds their models on tensorflow instead.
"""

import importlib.util
import keyword

from kiln import backend as _backend
from kiln import tree
from kiln.backend.common.variables import KerasVariable


def _tensorflow(what):
    if importlib.util.find_spec("tensorflow") is None:
        raise ImportError(f"{what} writes a TensorFlow SavedModel and needs the 'tensorflow' "
                          "package (pip install tensorflow); it is not installed.")
    import tensorflow as tf

    return tf


def standardize_spec(value, where="input_signature"):
    """One input description as a ``kiln.InputSpec`` with a shape and a dtype.

    Accepted: ``kiln.InputSpec`` (with a shape), ``kiln.KerasTensor``,
    ``tf.TensorSpec`` and any tensor or array (its shape and dtype).

    Example:
        >>> import kiln
        >>> spec = standardize_spec(kiln.KerasTensor((None, 3)))
        >>> spec.shape, spec.dtype
        ((None, 3), 'float32')
    """
    from kiln.backend.common.dtypes import standardize_dtype
    from kiln.layers.input_spec import InputSpec

    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is None or (isinstance(value, InputSpec) and value.shape is None):
        raise TypeError(f"{where}: each entry must be a kiln.InputSpec with a shape, a "
                        f"KerasTensor, a tf.TensorSpec or a tensor; received {value!r}")
    if hasattr(shape, "as_list"):  # tf.TensorShape
        shape = shape.as_list()
    name = getattr(dtype, "name", None)
    dtype = standardize_dtype(name if isinstance(name, str) else dtype)
    spec_name = getattr(value, "name", None)
    return InputSpec(shape=tuple(None if d is None else int(d) for d in shape), dtype=dtype,
                     name=spec_name if isinstance(spec_name, str) else None)


class ExportArchive:
    """Writes a SavedModel artifact with the endpoints (serving functions) you choose.

    ``track(layer)`` registers the variables of a built layer or model;
    ``add_endpoint(name, fn, input_signature)`` traces ``fn`` for inputs described by
    ``input_signature`` (a list with one entry per positional argument, each a
    ``kiln.InputSpec``, ``tf.TensorSpec``, ``KerasTensor`` or nested structure of them);
    ``add_variable_collection`` saves named lists of variables; ``write_out(path)``
    writes the artifact, which ``tf.saved_model.load`` reloads with every endpoint as
    a method. Works on the tensorflow and jax backends (jax through jax2tf).

    Example:
        >>> import kiln, numpy as np, tempfile, os  # doctest: +SKIP
        >>> model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])  # doctest: +SKIP
        >>> archive = ExportArchive()  # doctest: +SKIP
        >>> archive.track(model)  # doctest: +SKIP
        >>> spec = kiln.InputSpec(shape=(None, 3), dtype="float32")  # doctest: +SKIP
        >>> serve = lambda x: model(x, training=False)  # doctest: +SKIP
        >>> _ = archive.add_endpoint("serve", serve, [spec])  # doctest: +SKIP
        >>> archive.write_out(os.path.join(tempfile.mkdtemp(), "served"))  # doctest: +SKIP
    """

    def __init__(self):
        hooks = _backend.current.export
        if not hasattr(hooks, "tf_function"):
            raise NotImplementedError(
                f"ExportArchive is not supported by the {_backend.current.NAME} backend: there is "
                "no in-process converter to TensorFlow. Use the tensorflow or jax backend, or "
                "model.export(path), which rebuilds the model on tensorflow."
            )
        self._tf = _tensorflow("ExportArchive")
        self._hooks = hooks
        self._variables = []      # Kiln variables, in tracking order
        self._tf_by_id = {}       # id(Kiln variable) -> its tf.Variable
        self._endpoints = {}      # name -> tf.function
        self._collections = {}    # name -> list of tf.Variable

    @property
    def variables(self):
        """Every tracked variable's ``tf.Variable``."""
        return [self._tf_by_id[id(v)] for v in self._variables]

    @property
    def trainable_variables(self):
        return [self._tf_by_id[id(v)] for v in self._variables if v.trainable]

    @property
    def non_trainable_variables(self):
        return [self._tf_by_id[id(v)] for v in self._variables if not v.trainable]

    def _track_variables(self, variables):
        new = [v for v in variables if id(v) not in self._tf_by_id]
        for variable, tf_var in zip(new, self._hooks.tf_variables(new)):
            self._tf_by_id[id(variable)] = tf_var
            self._variables.append(variable)

    def track(self, resource):
        """Register the variables of ``resource`` (a built Kiln layer or model)."""
        from kiln.layers.layer import Layer

        if not isinstance(resource, Layer):
            raise TypeError("ExportArchive.track: expected a Kiln Layer or Model, received "
                            f"{type(resource).__name__}")
        if not resource.built:
            raise ValueError(f"ExportArchive.track: the layer '{resource.name}' is not built; call "
                             "it on data (or build it) before tracking it")
        if hasattr(resource, "_sync_backend_state"):
            resource._sync_backend_state()
        self._track_variables(resource.variables)

    def _check_name(self, method, name, taken):
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"ExportArchive.{method}: name must be a Python identifier, received "
                             f"{name!r}")
        if name in taken or name in ("variables", "trainable_variables", "non_trainable_variables"):
            raise ValueError(f"ExportArchive.{method}: the name {name!r} is already used")

    def add_endpoint(self, name, fn, input_signature=None, **kwargs):
        """Register ``fn`` as the endpoint ``name``, traced for ``input_signature``.

        ``input_signature`` lists one (nested) input description per positional argument
        of ``fn``; a ``tf.function`` runs as it is (and may carry its own signature).
        jax backend options: ``is_static`` (False when ``fn`` updates variables, e.g.
        seeds) and ``jax2tf_kwargs`` (passed to ``jax2tf.convert``). Returns the
        ``tf.function``.
        """
        self._check_name("add_endpoint", name, set(self._endpoints) | set(self._collections))
        if not callable(fn):
            raise TypeError(f"ExportArchive.add_endpoint: fn must be callable, received "
                            f"{type(fn).__name__}")
        if input_signature is None:  # a tf.function made with an input_signature carries its own
            input_signature = getattr(fn, "input_signature", None)
        if input_signature is None:
            raise ValueError(f"ExportArchive.add_endpoint('{name}'): input_signature is required, "
                             "e.g. [kiln.InputSpec(shape=(None, 3), dtype='float32')]")
        if not isinstance(input_signature, (list, tuple)):
            input_signature = [input_signature]
        tf = self._tf
        where = f"ExportArchive.add_endpoint('{name}')"
        specs = [tree.map_structure(lambda v: self._tensor_spec(standardize_spec(v, where)), entry)
                 for entry in input_signature]
        if hasattr(fn, "get_concrete_function"):  # a tf.function is TF code already
            body = fn
        else:
            variables = list(self._variables)
            body = self._hooks.tf_function(fn, variables,
                                           [self._tf_by_id[id(v)] for v in variables], specs,
                                           **kwargs)
        endpoint = tf.function(body, input_signature=specs, autograph=False)
        endpoint.get_concrete_function()  # trace now: errors surface here, not at write_out
        self._endpoints[name] = endpoint
        return endpoint

    def _tensor_spec(self, spec):
        return self._tf.TensorSpec(spec.shape, spec.dtype, name=spec.name)

    def track_and_add_endpoint(self, name, resource, input_signature, **kwargs):
        """``track(resource)`` then ``add_endpoint(name, resource.__call__, input_signature)``."""
        self.track(resource)
        return self.add_endpoint(name, resource.__call__, input_signature, **kwargs)

    def add_variable_collection(self, name, variables):
        """Save ``variables`` (Kiln or TF variables) in the artifact as the list ``name``."""
        self._check_name("add_variable_collection", name,
                         set(self._endpoints) | set(self._collections))
        if not isinstance(variables, (list, tuple, set)):
            raise TypeError("ExportArchive.add_variable_collection: variables must be a list of "
                            f"variables, received {type(variables).__name__}")
        kiln_variables = [v for v in variables if isinstance(v, KerasVariable)]
        others = [v for v in variables if not isinstance(v, (KerasVariable, self._tf.Variable))]
        if others:
            raise TypeError("ExportArchive.add_variable_collection: expected kiln or tf variables, "
                            f"received {type(others[0]).__name__}")
        self._track_variables(kiln_variables)
        self._collections[name] = [self._tf_by_id[id(v)] if isinstance(v, KerasVariable) else v
                                   for v in variables]

    def write_out(self, filepath, options=None, verbose=True):
        """Write the SavedModel to the directory ``filepath``.

        ``options`` is a ``tf.saved_model.SaveOptions``. The first endpoint is also the
        ``serving_default`` signature when its inputs are a flat list of tensors.
        """
        import os

        if not self._endpoints:
            raise ValueError("ExportArchive.write_out: no endpoint was added; call add_endpoint() "
                             "first")
        tf = self._tf
        root = tf.Module()
        root._kiln_variables = self.variables
        for name, variables in self._collections.items():
            setattr(root, name, list(variables))
        for name, endpoint in self._endpoints.items():
            setattr(root, name, endpoint)
        signatures = {}
        for name, endpoint in self._endpoints.items():
            if all(isinstance(s, tf.TensorSpec) for s in endpoint.input_signature):
                if not signatures:
                    signatures["serving_default"] = endpoint.get_concrete_function()
                signatures[name] = endpoint.get_concrete_function()
        tf.saved_model.save(root, os.fspath(filepath), signatures=signatures or None,
                            options=options)
        if verbose:
            lines = [f"Saved artifact at '{os.fspath(filepath)}'. Endpoints:"]
            for name, endpoint in self._endpoints.items():
                specs = ", ".join(str(s) for s in tree.flatten(endpoint.input_signature))
                lines.append(f"* {name}({specs})")
            print("\n".join(lines))
