"""Weight regularizers (``L1``, ``L2``, ``L1L2``...) and their lookup.

Example:
    >>> from kiln import regularizers
    >>> regularizers.get("l2").get_config()
    {'l2': 0.01}
    >>> regularizers.get(None) is None
    True
"""

from kiln.regularizers.regularizers import L1, L1L2, L2, OrthogonalRegularizer, Regularizer
from kiln.saving import object_lookup

l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS_DICT = object_lookup.name_table((Regularizer, L1, L2, L1L2, OrthogonalRegularizer), {
    "l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer})


# A name gives a default-configured instance from get() and deserialize() alike: a layer
# argument such as kernel_regularizer="..." needs an object to call.
_CATALOG = object_lookup.Catalog("regularizer", ALL_OBJECTS_DICT, base_class=Regularizer,
                                 names_give_instances=True)
get, deserialize = _CATALOG.get, _CATALOG.deserialize


def serialize(regularizer):
    """The JSON-friendly form of ``regularizer`` that :func:`deserialize` turns back into it.

    Example:
        >>> from kiln import regularizers
        >>> regularizers.serialize(regularizers.L2(0.1))["config"]
        {'l2': 0.1}
    """
    return _CATALOG.serialize(regularizer)
