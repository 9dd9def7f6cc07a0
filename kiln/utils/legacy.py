"""The Keras 2 ("legacy") object serialization format: ``{"class_name": ..., "config": ...}``.

Keras 3 keeps these two functions for code and files written for Keras 2. Unlike
``kiln.saving.serialize_keras_object`` they write no ``module`` or ``registered_name`` keys,
and reading resolves a class name only in the tables the caller provides
(``custom_objects``, ``module_objects``), the active ``custom_object_scope`` and the
registered objects: nothing named in a config is ever imported.

Example:
    >>> import kiln
    >>> config = serialize_keras_object(kiln.initializers.Constant(2.0))
    >>> config["class_name"], config["config"]
    ('Constant', {'value': 2.0})
    >>> objects = {"Constant": kiln.initializers.Constant}
    >>> deserialize_keras_object(config, module_objects=objects).value
    2.0
"""

import inspect

from kiln.saving.serialization_lib import CustomObjectScope
from kiln.saving.serialization_lib import get_registered_name
from kiln.saving.serialization_lib import get_registered_object

# Marks a nested config that serialize_keras_object wrote for a non-dict value.
_PASSIVE = "__passive_serialization__"


def serialize_keras_object(instance):
    """Serialize a Kiln object into the Keras 2 JSON-compatible representation.

    An object with ``get_config()`` becomes ``{"class_name": <registered name>, "config":
    {...}}``, each non-string config value being serialized the same way where possible
    (marked so that deserialization rebuilds it); a function or class becomes its
    registered name; None stays None.

    Args:
        instance: the object to serialize.

    Returns:
        A dict (or a name) that ``deserialize_keras_object`` turns back into the object.

    Example:
        >>> import kiln
        >>> serialize_keras_object(kiln.activations.relu)
        'relu'
        >>> serialize_keras_object(kiln.regularizers.L2(0.5))["config"]
        {'l2': 0.5}
    """
    if instance is None:
        return None
    if hasattr(instance, "get_config") and not inspect.isclass(instance):
        config = instance.get_config()
        serialized = {}
        for key, item in config.items():
            if isinstance(item, str):
                serialized[key] = item
                continue
            try:
                value = serialize_keras_object(item)
            except ValueError:
                value = item
            if isinstance(value, dict) and not isinstance(item, dict):
                value[_PASSIVE] = True
            serialized[key] = value
        return {"class_name": get_registered_name(type(instance)), "config": serialized}
    if hasattr(instance, "__name__"):
        return get_registered_name(instance)
    raise ValueError(f"serialize_keras_object: cannot serialize {instance!r}: it has no get_config() "
                     "method and is not a named function or class")


def _class_and_config(config, module_objects, custom_objects, printable_module_name):
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(f"deserialize_keras_object: improper config format for {config!r}; expected "
                         "a dict with the keys 'class_name' and 'config'")
    class_name = config["class_name"]
    cls = get_registered_object(class_name, custom_objects, module_objects)
    if cls is None:
        raise ValueError(
            f"deserialize_keras_object: unknown {printable_module_name}: {class_name!r}. Pass it in "
            "`custom_objects` or `module_objects`, register it with "
            "kiln.saving.register_keras_serializable, or use kiln.utils.custom_object_scope")
    cls_config = config["config"]
    if not isinstance(cls_config, dict):
        return cls, cls_config
    cls_config = dict(cls_config)
    for key, item in cls_config.items():
        if key == "name":
            continue
        if isinstance(item, dict) and _PASSIVE in item:
            item = {k: v for k, v in item.items() if k != _PASSIVE}
            cls_config[key] = deserialize_keras_object(
                item, module_objects=module_objects, custom_objects=custom_objects,
                printable_module_name="config_item")
        elif isinstance(item, str):
            found = get_registered_object(item, custom_objects)
            if inspect.isfunction(found):
                cls_config[key] = found
    return cls, cls_config


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """Turn the Keras 2 representation back into an object.

    A dict ``{"class_name", "config"}`` is rebuilt with the class's ``from_config`` (or its
    constructor); a string names a function (returned as is) or a class (instantiated
    without arguments); a function is returned as is. Names resolve in
    ``custom_objects``, the active custom object scope, the registered objects, then
    ``module_objects``.

    Args:
        identifier: the serialized form (dict, string or function).
        module_objects: dict of names to the classes and functions of the module the
            object belongs to (e.g. ``{"Dense": kiln.layers.Dense}``).
        custom_objects: dict of names to user classes and functions.
        printable_module_name: what the object is called in error messages.

    Returns:
        The deserialized object.

    Example:
        >>> import kiln
        >>> config = {"class_name": "L2", "config": {"l2": 0.5}}
        >>> deserialize_keras_object(config, custom_objects={"L2": kiln.regularizers.L2}).l2
        0.5
        >>> deserialize_keras_object("relu", module_objects={"relu": kiln.activations.relu}).__name__
        'relu'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls, cls_config = _class_and_config(identifier, module_objects, custom_objects, printable_module_name)
        custom_objects = custom_objects or {}
        from_config = getattr(cls, "from_config", None)
        if from_config is not None:
            if "custom_objects" in inspect.signature(from_config).parameters:
                from kiln.saving import get_custom_objects

                return from_config(cls_config, custom_objects={**get_custom_objects(), **custom_objects})
            with CustomObjectScope(custom_objects):
                return from_config(cls_config)
        with CustomObjectScope(custom_objects):
            return cls(**cls_config)
    if isinstance(identifier, str):
        found = get_registered_object(identifier, custom_objects, module_objects)
        if found is None:
            raise ValueError(
                f"deserialize_keras_object: unknown {printable_module_name}: {identifier!r}. Pass it in "
                "`custom_objects` or `module_objects`, register it with "
                "kiln.saving.register_keras_serializable, or use kiln.utils.custom_object_scope")
        return found() if inspect.isclass(found) else found
    if inspect.isfunction(identifier):
        return identifier
    raise ValueError(f"deserialize_keras_object: could not interpret serialized "
                     f"{printable_module_name}: {identifier!r}")
