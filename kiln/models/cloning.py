"""``clone_model``: a copy of a model with the same structure and new weights.

A Sequential or functional model is copied layer by layer (each layer rebuilt
from its config by default, so its weights are freshly initialized) and the
graph is replayed on new inputs. Any other model goes through its own
``get_config``/``from_config``. Every rebuild from a config passes through
:mod:`kiln.saving.serialization_lib`, the path ``load_model`` uses: classes
resolve through the registry only, and code stored as bytecode (a Python
``lambda`` in a ``Lambda`` layer) is refused unless the caller is inside
``SafeModeScope(False)``.

Example:
    >>> import kiln
    >>> model = kiln.Sequential([kiln.Input((3,)), kiln.layers.Dense(2)])
    >>> copy = clone_model(model)
    >>> copy.layers[0] is model.layers[0], copy.layers[0].name == model.layers[0].name
    (False, True)
"""

import inspect

from kiln import tree
from kiln.backend.common.keras_tensor import KerasTensor


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """Copy ``model``'s architecture into a new model with newly initialized weights.

    Args:
        model: a ``Model`` (Sequential, functional, or a subclass with
            ``get_config``/``from_config``).
        input_tensors: optional ``kiln.Input`` tensors (a structure matching
            ``model.input``; one tensor for a Sequential) to build the copy
            on. New inputs of the same shape, dtype and name otherwise.
        clone_function: ``fn(layer) -> layer`` giving the layer to use in
            the copy for each layer of the original (inputs excepted). The
            default rebuilds the layer from its config (new weights);
            returning ``layer`` itself shares it, and its weights, with the
            original. Sequential and functional models only.
        call_function: ``fn(layer, *args, **kwargs) -> outputs`` used to
            call each copied layer while the functional graph is replayed,
            e.g. to insert a layer after another. Functional models only.
        recursive: when True, Sequential and functional models nested in
            ``model`` are cloned with ``clone_model`` and the same functions
            (``call_function`` is not passed to Sequential ones); when False
            they are handed to ``clone_function`` like any other layer.

    Returns:
        The new model. A layer used at several places of the original is
        cloned once and used at the same places in the copy.

    Example:
        >>> import kiln
        >>> x = kiln.Input((4,), name="features")
        >>> model = kiln.Model(x, kiln.layers.Dense(1, name="score")(x))
        >>> wider = clone_model(model, clone_function=lambda layer: kiln.layers.Dense(
        ...     3, name=layer.name) if isinstance(layer, kiln.layers.Dense) else layer)
        >>> wider.output.shape, wider.get_layer("score") is model.get_layer("score")
        ((None, 3), False)
    """
    from kiln.models.functional import Functional
    from kiln.models.sequential import Sequential

    cache = kwargs.pop("cache", None)
    if kwargs:
        raise ValueError(f"clone_model: unexpected keyword argument(s) {sorted(kwargs)}; "
                         "expected input_tensors, clone_function, call_function, recursive")
    if not _is_model(model):
        raise ValueError(f"clone_model: expected a kiln Model as `model`, received "
                         f"{type(model).__name__}: {model!r}")
    if clone_function is not None and not callable(clone_function):
        raise ValueError(f"clone_model: `clone_function` must be callable, received {clone_function!r}")
    if call_function is not None and not callable(call_function):
        raise ValueError(f"clone_model: `call_function` must be callable, received {call_function!r}")
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError(
                f"clone_model: `call_function` is not supported for Sequential models (model "
                f"'{model.name}'): their layers are listed, not called, when the model is built. "
                "Use it with functional models.")
        layer_fn = _clone_function_with_cache(clone_function, None, recursive, cache)
        return _clone_sequential(model, layer_fn, input_tensors)
    default_config = type(model).get_config is Functional.get_config
    if isinstance(model, Functional) and (default_config or clone_function is not None
                                          or input_tensors is not None):
        layer_fn = _clone_function_with_cache(clone_function, call_function, recursive, cache)
        return _clone_functional(model, layer_fn, input_tensors, call_function)
    if clone_function is not None or input_tensors is not None:
        raise ValueError(
            f"clone_model: `clone_function` and `input_tensors` are only supported for Sequential "
            f"and functional models; received a {type(model).__name__} (model '{model.name}') with "
            f"clone_function={clone_function!r}, input_tensors={input_tensors!r}")
    if call_function is not None:
        raise ValueError(
            f"clone_model: `call_function` is only supported for functional models; received a "
            f"{type(model).__name__} (model '{model.name}')")
    return _rebuild_from_config(model)


def _is_model(obj):
    from kiln.models.model import Model

    return isinstance(obj, Model)


def _rebuild_from_config(obj):
    """A new object from ``obj``'s envelope, through the registry-only, safe-mode-aware path.

    ``obj``'s own class is offered as a custom object (it is a live class, not
    a name read from a file), so unregistered user classes clone too; every
    object nested in its config resolves through the registry as on load.
    The envelope's ``build_config`` is dropped so the copy builds where it is
    used (inside the new model), as a freshly constructed layer would.
    """
    from kiln.models.json_io import deserialize_model
    from kiln.saving.serialization_lib import serialize_kiln_object

    envelope = serialize_kiln_object(obj)
    if not _is_model(obj):
        envelope.pop("build_config", None)
    cls = type(obj)
    custom = {cls.__name__: cls}
    registered = getattr(cls, "_kiln_registered_name", None)
    if registered:
        custom[registered] = cls
    return deserialize_model(envelope, custom_objects=custom)


def _clone_function_with_cache(clone_function, call_function, recursive, cache):
    """Wrap ``clone_function``: one clone per original layer, recursion into nested models."""
    from kiln.models.functional import Functional
    from kiln.models.sequential import Sequential

    base = clone_function or _rebuild_from_config
    cache = {} if cache is None else cache

    def clone_layer(layer):
        if id(layer) in cache:
            return cache[id(layer)]
        if recursive and isinstance(layer, Sequential):
            new = clone_model(layer, clone_function=clone_function, recursive=True, cache=cache)
        elif recursive and isinstance(layer, Functional):
            new = clone_model(layer, clone_function=clone_function, call_function=call_function,
                              recursive=True, cache=cache)
        else:
            new = base(layer)
        cache[id(layer)] = new
        return new

    return clone_layer


def _clone_sequential(model, clone_layer, input_tensors):
    from kiln.layers.core.input_layer import Input
    from kiln.models.sequential import Sequential

    new_layers = [clone_layer(layer) for layer in model.layers]
    reference = model._input_layer
    if input_tensors is not None:
        if isinstance(input_tensors, (list, tuple)):
            if len(input_tensors) != 1:
                raise ValueError(
                    f"clone_model: a Sequential model (model '{model.name}') takes a single input "
                    f"tensor in `input_tensors`, received {len(input_tensors)}")
            input_tensors = input_tensors[0]
        if not isinstance(input_tensors, KerasTensor):
            raise ValueError(
                f"clone_model: `input_tensors` must be a KerasTensor (from kiln.Input) for "
                f"Sequential model '{model.name}', received {type(input_tensors).__name__}: "
                f"{input_tensors!r}")
        history = input_tensors._keras_history
        if history is None or not history.operation._inbound_nodes[history.node_index].is_input:
            raise ValueError(
                f"clone_model: the tensor in `input_tensors` for Sequential model '{model.name}' "
                "must come from kiln.Input (a Sequential model starts at an input layer)")
        new_layers = [input_tensors] + new_layers
    elif reference is not None:
        new_layers = [Input(batch_shape=reference.batch_shape, dtype=reference.dtype,
                            name=reference.name)] + new_layers
    return Sequential(new_layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, clone_layer, input_tensors, call_function):
    from kiln.layers.core.input_layer import Input
    from kiln.models.functional import Functional

    if input_tensors is None:
        input_tensors = tree.map_structure(
            lambda t: Input(batch_shape=t.shape, dtype=t.dtype, name=_input_name(t)), model.input)
    else:
        bad = [t for t in tree.flatten(input_tensors) if not isinstance(t, KerasTensor)]
        if bad:
            raise ValueError(f"clone_model: every entry of `input_tensors` must be a KerasTensor "
                             f"(from kiln.Input); received {bad!r} for model '{model.name}'")
        try:
            tree.assert_same_structure(input_tensors, model.input)
        except (ValueError, TypeError) as e:
            raise ValueError(
                f"clone_model: `input_tensors` must have the structure of model.input of model "
                f"'{model.name}': expected {model.input}, received {input_tensors}") from e
    values = {id(old): new for old, new in zip(model.inputs, tree.flatten(input_tensors))}

    def fetch(value):
        return values[id(value)] if isinstance(value, KerasTensor) else value

    for node in model._nodes:
        if node.is_input:
            continue
        operation = clone_layer(node.operation)
        args = tree.map_structure(fetch, node.call_args)
        kwargs = tree.map_structure(fetch, node.call_kwargs)
        if call_function is not None:
            outputs = call_function(operation, *args, **kwargs)
        else:
            outputs = operation(*args, **kwargs)
        new_outputs = [t for t in tree.flatten(outputs) if isinstance(t, KerasTensor)]
        if len(new_outputs) != len(node.outputs):
            raise ValueError(
                f"clone_model: the copy of '{node.operation.name}' in model '{model.name}' returned "
                f"{len(new_outputs)} tensor(s) where the original returned {len(node.outputs)}")
        for old, new in zip(node.outputs, new_outputs):
            values[id(old)] = new
    outputs = tree.pack_sequence_as(model.output, [values[id(t)] for t in model.outputs])
    cls = type(model)
    if cls is Functional or _takes_inputs_and_outputs(cls):
        return cls(input_tensors, outputs, name=model.name)
    return Functional(input_tensors, outputs, name=model.name)


def _input_name(tensor):
    history = tensor._keras_history
    return history.operation.name if history is not None else tensor.name


def _takes_inputs_and_outputs(cls):
    """Whether a Functional subclass is constructed as ``cls(inputs, outputs, ...)``."""
    try:
        params = list(inspect.signature(cls.__init__).parameters)
    except (TypeError, ValueError):
        return False
    return params[1:3] == ["inputs", "outputs"]
