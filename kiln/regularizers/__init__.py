"""Weight regularizers (``L1``, ``L2``, ``L1L2``...) and their lookup.

Example:
    >>> from kiln import regularizers
    >>> regularizers.get("l2").get_config()
    {'l2': 0.01}
    >>> regularizers.get(None) is None
    True
"""

import inspect

from kiln.regularizers.regularizers import L1, L1L2, L2, OrthogonalRegularizer, Regularizer

l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS_DICT = {
    "Regularizer": Regularizer, "L1": L1, "L2": L2, "L1L2": L1L2,
    "OrthogonalRegularizer": OrthogonalRegularizer, "l1": L1, "l2": L2, "l1_l2": L1L2,
    "orthogonal_regularizer": OrthogonalRegularizer,
}


def serialize(regularizer):
    """The envelope a config stores for ``regularizer``."""
    from kiln.saving import serialization_lib

    return serialization_lib.serialize_kiln_object(regularizer)


def deserialize(config, custom_objects=None):
    """Rebuild a regularizer from an envelope or a name."""
    if isinstance(config, str):
        return _from_name(config, custom_objects)
    from kiln.saving import serialization_lib

    return serialization_lib.deserialize_kiln_object(config, custom_objects=custom_objects)


def get(identifier):
    """Resolve ``identifier`` to a regularizer (None stays None).

    Example:
        >>> type(get({"module": "keras.regularizers", "class_name": "L1", "config": {"l1": 0.1}})).__name__
        'L1'
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        return _from_name(identifier, None)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier() if inspect.isclass(identifier) else identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")


def _from_name(name, custom_objects):
    from kiln.saving import serialization_lib

    found = serialization_lib.get_registered_object(name, custom_objects) or ALL_OBJECTS_DICT.get(name)
    if found is None:
        raise ValueError(f"Unknown regularizer: {name!r}. Valid names are: {sorted(ALL_OBJECTS_DICT)}")
    return found() if inspect.isclass(found) else found
