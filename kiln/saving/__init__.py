"""Saving: Keras-3-compatible weights files and object serialization.

Example:
    >>> import kiln
    >>> callable(kiln.saving.serialize_keras_object)
    True
"""

from kiln.saving.serialization_lib import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_kiln_object,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_kiln_object,
)

from kiln.saving.saving_api import load_model, save_model
from kiln.saving.saving_api import load_weights, save_weights
from kiln.saving.file_editor import KerasFileEditor

# Keras 3 spellings of the same functions.
serialize_keras_object = serialize_kiln_object
deserialize_keras_object = deserialize_kiln_object


def get_custom_objects():
    """The live, process-wide dict of custom objects: registered name -> class or function.

    ``register_keras_serializable`` adds to it (under ``"package>Name"``);
    entries added by hand (e.g. under a class name) are found by loading
    too. Objects given in ``custom_object_scope`` or ``custom_objects=``
    arguments are not added to it.

    Example:
        >>> import kiln
        >>> def swish2(x):
        ...     return x * kiln.ops.sigmoid(2 * x)
        >>> kiln.saving.get_custom_objects()["swish2"] = swish2
        >>> kiln.saving.get_registered_object("swish2") is swish2
        True
        >>> del kiln.saving.get_custom_objects()["swish2"]
    """
    from kiln.saving import serialization_lib

    return serialization_lib._CUSTOM_OBJECTS

