"""Losses (``kiln.losses``): Loss classes, per-sample loss functions, ``get``/``serialize``.

Example:
    >>> import kiln
    >>> kiln.losses.get("mse") is kiln.losses.mean_squared_error
    True
    >>> type(kiln.losses.get("BinaryCrossentropy")).__name__
    'BinaryCrossentropy'
"""

import inspect

from kiln.losses.loss import Loss, reduce_weighted_values, squeeze_or_expand_to_same_rank
from kiln.losses.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)

_CLASSES = (Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy)
_FUNCTIONS = (mean_squared_error, mean_absolute_error, binary_crossentropy,
              categorical_crossentropy, sparse_categorical_crossentropy)

ALL_OBJECTS_DICT = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
ALL_OBJECTS_DICT.update({
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
})
# Names `get` resolves; base classes that need arguments are left out.
_GETTABLE = sorted(k for k in ALL_OBJECTS_DICT if k not in ("Loss", "LossFunctionWrapper"))


def serialize(loss):
    """Serialize a loss object or built-in loss function to a Keras-3-shaped envelope.

    Example:
        >>> serialize(MeanSquaredError())["class_name"]
        'MeanSquaredError'
    """
    from kiln.saving import serialization_lib

    if inspect.isfunction(loss) and ALL_OBJECTS_DICT.get(loss.__name__) is loss:
        return {"module": "keras.losses", "class_name": "function", "config": loss.__name__,
                "registered_name": loss.__name__}
    return serialization_lib.serialize_kiln_object(loss)


def deserialize(name, custom_objects=None):
    """Rebuild a loss from a name (``"mse"``, ``"BinaryCrossentropy"``...) or an envelope.

    Example:
        >>> deserialize("mae") is mean_absolute_error
        True
    """
    from kiln.saving import serialization_lib

    if isinstance(name, str):
        found = serialization_lib.get_registered_object(name, custom_objects, ALL_OBJECTS_DICT)
        if found is None:
            raise ValueError(f"Unknown loss {name!r}. Valid names: {', '.join(_GETTABLE)}")
        return found
    if isinstance(name, dict) and name.get("class_name") == "function" and \
            isinstance(name.get("config"), str) and name["config"] in ALL_OBJECTS_DICT and \
            not (custom_objects and name["config"] in custom_objects):
        return ALL_OBJECTS_DICT[name["config"]]
    return serialization_lib.deserialize_kiln_object(name, custom_objects=custom_objects)


def get(identifier):
    """Resolve a loss identifier: None, a name, a config dict, a Loss, or a callable.

    A string names a loss class (which is instantiated with defaults), a loss
    function (returned as is) or an alias (``"mse"``, ``"mae"``, ``"bce"``).

    Example:
        >>> get("sparse_categorical_crossentropy") is sparse_categorical_crossentropy
        True
        >>> get(None) is None
        True
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            from kiln.saving import serialization_lib

            obj = serialization_lib.get_registered_object(identifier)
        if obj is None:
            raise ValueError(
                f"Could not interpret loss identifier: {identifier!r}. "
                f"Valid names: {', '.join(_GETTABLE)}"
            )
    else:
        obj = identifier
    if callable(obj):
        if inspect.isclass(obj):
            obj = obj()
        return obj
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r} (expected a string, a dict, a Loss "
        "or a callable)"
    )


__all__ = [
    "Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "mean_squared_error",
    "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "get", "serialize", "deserialize",
    "reduce_weighted_values", "squeeze_or_expand_to_same_rank",
]
