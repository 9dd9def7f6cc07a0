"""Weight initializers and the lookup used by ``*_initializer=`` arguments.

``get`` accepts an Initializer, a name (``"glorot_uniform"``, ``"zeros"``,
``"he_normal"``, a class name like ``"GlorotUniform"``), an envelope dict, a
callable or None.

Example:
    >>> from kiln import initializers
    >>> type(initializers.get("he_normal")).__name__
    'HeNormal'
    >>> initializers.serialize(initializers.Zeros())["class_name"]
    'Zeros'
"""

import inspect

from kiln.initializers.constant_initializers import Constant, Identity, Ones, Zeros
from kiln.initializers.initializer import Initializer
from kiln.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomInitializer,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    compute_fans,
)

_CLASSES = (
    Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, LecunNormal,
    LecunUniform, Ones, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling, Zeros,
)
# Lower-case aliases, as Keras exports them (``kiln.initializers.glorot_uniform`` is a class).
constant = Constant
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform
he_normal = HeNormal
he_uniform = HeUniform
identity = Identity
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
ones = Ones
orthogonal = Orthogonal
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
zeros = Zeros

ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({
    "constant": Constant, "glorot_normal": GlorotNormal, "glorot_uniform": GlorotUniform,
    "he_normal": HeNormal, "he_uniform": HeUniform, "identity": Identity,
    "IdentityInitializer": Identity, "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    "ones": Ones, "one": Ones, "orthogonal": Orthogonal, "random_normal": RandomNormal,
    "normal": RandomNormal, "random_uniform": RandomUniform, "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling, "zeros": Zeros,
    "zero": Zeros,
})


def serialize(initializer):
    """The envelope a config stores for ``initializer``.

    Example:
        >>> serialize(Ones())
        {'module': 'keras.initializers', 'class_name': 'Ones', 'config': {}, 'registered_name': None}
    """
    from kiln.saving import serialization_lib

    return serialization_lib.serialize_kiln_object(initializer)


def deserialize(config, custom_objects=None):
    """Rebuild an initializer from an envelope or a name.

    Example:
        >>> type(deserialize("zeros")).__name__
        'Zeros'
    """
    if isinstance(config, str):
        return _from_name(config, custom_objects)
    from kiln.saving import serialization_lib

    return serialization_lib.deserialize_kiln_object(config, custom_objects=custom_objects)


def get(identifier):
    """Resolve ``identifier`` to an initializer (None stays None).

    An unknown name raises ValueError listing the valid names.

    Example:
        >>> type(get("glorot_uniform")).__name__
        'GlorotUniform'
    """
    if identifier is None or isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        return _from_name(identifier, None)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier() if inspect.isclass(identifier) else identifier
    raise ValueError(
        f"Could not interpret initializer identifier: {identifier!r} (expected a name, an "
        "Initializer, a callable, a serialized dict or None)"
    )


def _from_name(name, custom_objects):
    from kiln.saving import serialization_lib

    found = serialization_lib.get_registered_object(name, custom_objects) or ALL_OBJECTS_DICT.get(name)
    if found is None:
        raise ValueError(
            f"Unknown initializer: {name!r}. Valid names are: {sorted(ALL_OBJECTS_DICT)}"
        )
    return found() if inspect.isclass(found) else found
