"""Optimizers (``kiln.optimizers``): SGD, Adam, AdamW, RMSprop, Adagrad and schedules.

Example:
    >>> import kiln
    >>> type(kiln.optimizers.get("adam")).__name__
    'Adam'
    >>> kiln.optimizers.serialize(kiln.optimizers.SGD())["class_name"]
    'SGD'
"""

from kiln.optimizers import schedules
from kiln.optimizers.adagrad import Adagrad
from kiln.optimizers.adam import Adam, AdamW
from kiln.optimizers.base_optimizer import Optimizer
from kiln.optimizers.rmsprop import RMSprop
from kiln.optimizers.sgd import SGD

_CLASSES = (Adam, AdamW, SGD, RMSprop, Adagrad)
# Lower-cased class name -> class: "adam", "sgd", "rmsprop", "adamw", "adagrad".
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in _CLASSES}


def serialize(optimizer):
    """The optimizer's envelope (``module`` ``keras.optimizers``, config = ``get_config()``)."""
    from kiln.saving import serialization_lib

    return serialization_lib.serialize_kiln_object(optimizer)


def deserialize(config, custom_objects=None):
    """Rebuild an optimizer from its envelope.

    Built-in class names are matched case-insensitively and whatever module the
    envelope names (Keras' torch backend saves ``Adam`` under a backend module).
    """
    from kiln.saving import serialization_lib

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"optimizers.deserialize: expected an envelope dict with 'class_name', "
                         f"received {config!r}")
    name = config["class_name"]
    if not (custom_objects and name in custom_objects):
        cls = ALL_OBJECTS_DICT.get(str(name).lower())
        if cls is not None:
            return cls.from_config(config.get("config") or {}, custom_objects=custom_objects)
    return serialization_lib.deserialize_kiln_object(config, custom_objects=custom_objects)


def get(identifier):
    """Resolve an optimizer identifier: an Optimizer, a name (``"adam"``...) or an envelope.

    Example:
        >>> get("sgd").get_config()["learning_rate"]
        0.009999999776482582
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        cls = ALL_OBJECTS_DICT.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"Could not interpret optimizer identifier: {identifier!r}. Valid names: "
                f"{', '.join(sorted(ALL_OBJECTS_DICT))}"
            )
        obj = cls()
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r} (expected an Optimizer, a name "
        f"among {', '.join(sorted(ALL_OBJECTS_DICT))}, or a config dict)"
    )


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "schedules", "get",
           "serialize", "deserialize"]
