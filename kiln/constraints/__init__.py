"""Weight constraints (``MaxNorm``, ``MinMaxNorm``, ``NonNeg``, ``UnitNorm``) and their lookup.

Example:
    >>> from kiln import constraints
    >>> type(constraints.get("non_neg")).__name__
    'NonNeg'
    >>> constraints.get(None) is None
    True
"""

import inspect

from kiln.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm

max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

ALL_OBJECTS_DICT = {
    "Constraint": Constraint, "MaxNorm": MaxNorm, "MinMaxNorm": MinMaxNorm, "NonNeg": NonNeg,
    "UnitNorm": UnitNorm, "max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg,
    "unit_norm": UnitNorm,
}


def serialize(constraint):
    """The envelope a config stores for ``constraint``."""
    from kiln.saving import serialization_lib

    return serialization_lib.serialize_kiln_object(constraint)


def deserialize(config, custom_objects=None):
    """Rebuild a constraint from an envelope or a name."""
    if isinstance(config, str):
        return _from_name(config, custom_objects)
    from kiln.saving import serialization_lib

    return serialization_lib.deserialize_kiln_object(config, custom_objects=custom_objects)


def get(identifier):
    """Resolve ``identifier`` to a constraint (None stays None).

    Example:
        >>> get("max_norm").get_config()
        {'max_value': 2, 'axis': 0}
    """
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        return _from_name(identifier, None)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier() if inspect.isclass(identifier) else identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")


def _from_name(name, custom_objects):
    from kiln.saving import serialization_lib

    found = serialization_lib.get_registered_object(name, custom_objects) or ALL_OBJECTS_DICT.get(name)
    if found is None:
        raise ValueError(f"Unknown constraint: {name!r}. Valid names are: {sorted(ALL_OBJECTS_DICT)}")
    return found() if inspect.isclass(found) else found
