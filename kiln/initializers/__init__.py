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
from kiln.initializers.stft_initializer import STFT
from kiln.saving import object_lookup

_CLASSES = (
    Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, LecunNormal,
    LecunUniform, Ones, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling, Zeros, STFT,
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
stft = STFT
STFTInitializer = STFT
zeros = Zeros

ALL_OBJECTS_DICT = object_lookup.name_table(_CLASSES, {
    "constant": Constant, "glorot_normal": GlorotNormal, "glorot_uniform": GlorotUniform,
    "he_normal": HeNormal, "he_uniform": HeUniform, "identity": Identity,
    "IdentityInitializer": Identity, "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    "ones": Ones, "one": Ones, "orthogonal": Orthogonal, "random_normal": RandomNormal,
    "normal": RandomNormal, "random_uniform": RandomUniform, "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling, "zeros": Zeros,
    "zero": Zeros, "stft": STFT, "STFTInitializer": STFT,
})


# A name gives a default-configured instance from get() and deserialize() alike: a layer
# argument such as kernel_initializer="..." needs an object to call.
_CATALOG = object_lookup.Catalog("initializer", ALL_OBJECTS_DICT, base_class=Initializer,
                                 names_give_instances=True)
get, deserialize = _CATALOG.get, _CATALOG.deserialize


def serialize(initializer):
    """The JSON-friendly form of ``initializer`` that :func:`deserialize` turns back into it.

    Example:
        >>> from kiln import initializers
        >>> initializers.serialize(initializers.Ones())["class_name"]
        'Ones'
    """
    return _CATALOG.serialize(initializer)
