"""A model's architecture as a JSON string: ``model.to_json()`` and ``model_from_json``.

The string is the model's envelope, the object ``config.json`` holds inside a
``.keras`` file (weights are not included). Reading it back goes through the
checks of :mod:`kiln.saving.file_safety` and :mod:`kiln.saving.serialization_lib`,
as ``load_model`` does: classes resolve only through the registry (plus
``custom_objects``) and bytecode is refused unless the caller is inside
``SafeModeScope(False)``.

Example:
    >>> import kiln
    >>> model = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)], name="tiny")
    >>> model_from_json(model.to_json()).name
    'tiny'
"""

import json


def model_to_json(model, **kwargs):
    """The JSON text of ``model``'s envelope (with its compile settings); ``kwargs`` go to ``json.dumps``.

    Example:
        >>> import kiln
        >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> model_to_json(m, indent=None).startswith('{"module": "keras", "class_name": "Sequential"')
        True
    """
    from kiln.saving.saving_api import _serialize_compile_config
    from kiln.saving.serialization_lib import serialize_kiln_object

    config = serialize_kiln_object(model)
    if getattr(model, "compiled", False):
        # The compile settings exactly as config.json of a `.keras` file records them.
        config["compile_config"] = _serialize_compile_config(model)
    return json.dumps(config, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """Build a model (new weights) from the JSON text of :meth:`Model.to_json`.

    Args:
        json_string: the JSON text (``str`` or UTF-8 ``bytes``).
        custom_objects: optional dict mapping names to user classes or
            functions the configuration refers to.

    Returns:
        The model, compiled as the original was when the text records its
        compile settings.

    Example:
        >>> import kiln
        >>> x = kiln.Input((3,), name="x")
        >>> model = kiln.Model(x, kiln.layers.Dense(2, name="out")(x))
        >>> copy = kiln.models.model_from_json(model.to_json())
        >>> [layer.name for layer in copy.layers], copy.output.shape
        (['x', 'out'], (None, 2))
    """
    if isinstance(json_string, (bytes, bytearray)):
        try:
            json_string = json_string.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"model_from_json: `json_string` is not UTF-8 text: {e}") from None
    if not isinstance(json_string, str):
        raise TypeError(f"model_from_json: `json_string` must be a str, received "
                        f"{type(json_string).__name__}")
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"model_from_json: `custom_objects` must be a dict or None, received "
                        f"{type(custom_objects).__name__}")
    from kiln.saving import file_safety

    # The checks config.json gets inside a file: size, nesting depth, strict JSON.
    config = file_safety.parse_json(json_string, "the JSON string given to model_from_json", None)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("model_from_json: expected the JSON object of a model envelope (with "
                         f"'class_name' and 'config'), received {type(config).__name__} "
                         f"{str(config)[:80]}")
    return deserialize_model(config, custom_objects=custom_objects)


def deserialize_model(envelope, custom_objects=None):
    """Rebuild an object from its envelope and compile it from its ``compile_config``.

    The object itself comes from
    :func:`~kiln.saving.serialization_lib.deserialize_kiln_object` (the
    registry-only, safe-mode-aware path); a non-empty ``compile_config`` is
    then applied with the same rules ``load_model`` uses.

    Example:
        >>> import kiln
        >>> m = kiln.Sequential([kiln.Input((2,)), kiln.layers.Dense(1)])
        >>> m.compile(optimizer="sgd", loss="mse")
        >>> from kiln.saving.serialization_lib import serialize_kiln_object
        >>> deserialize_model(serialize_kiln_object(m)).compiled
        True
    """
    from kiln.saving.serialization_lib import deserialize_kiln_object

    envelope = dict(envelope)
    compile_config = envelope.pop("compile_config", None)
    obj = deserialize_kiln_object(envelope, custom_objects=custom_objects)
    if compile_config and hasattr(obj, "compile"):
        from kiln.saving.saving_api import _deserialize_compile_config

        obj.compile(**_deserialize_compile_config(compile_config, custom_objects))
    return obj
