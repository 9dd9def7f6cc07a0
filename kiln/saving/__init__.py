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

# Keras 3 spellings of the same functions.
serialize_keras_object = serialize_kiln_object
deserialize_keras_object = deserialize_kiln_object
