"""Weight constraints (``MaxNorm``, ``MinMaxNorm``, ``NonNeg``, ``UnitNorm``) and their lookup.

Example:
    >>> from kiln import constraints
    >>> type(constraints.get("non_neg")).__name__
    'NonNeg'
    >>> constraints.get(None) is None
    True
"""

from kiln.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from kiln.saving import object_lookup

max_norm = MaxNorm
min_max_norm = MinMaxNorm
non_neg = NonNeg
unit_norm = UnitNorm

ALL_OBJECTS_DICT = object_lookup.name_table((Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm), {
    "max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm})


# A name gives a default-configured instance from get() and deserialize() alike: a layer
# argument such as kernel_constraint="..." needs an object to call.
_CATALOG = object_lookup.Catalog("constraint", ALL_OBJECTS_DICT, base_class=Constraint,
                                 names_give_instances=True)
get, deserialize = _CATALOG.get, _CATALOG.deserialize


def serialize(constraint):
    """The JSON-friendly form of ``constraint`` that :func:`deserialize` turns back into it.

    Example:
        >>> from kiln import constraints
        >>> constraints.serialize(constraints.NonNeg())["class_name"]
        'NonNeg'
    """
    return _CATALOG.serialize(constraint)
