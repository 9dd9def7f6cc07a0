"""Activation functions and the lookup used by ``activation=`` arguments.

``get`` turns a name (``"relu"``), a callable, a serialized envelope or None
(the identity, ``linear``) into a function; ``serialize`` gives back the name
Keras 3 configs store.

Example:
    >>> from kiln import activations
    >>> activations.get("relu") is activations.relu, activations.get(None) is activations.linear
    (True, True)
    >>> activations.serialize(activations.gelu)
    'gelu'
"""

from kiln.activations.activations import (
    celu,
    elu,
    exponential,
    gelu,
    glu,
    hard_shrink,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    leaky_relu,
    linear,
    log_sigmoid,
    log_softmax,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
    squareplus,
    swish,
    tanh,
    tanh_shrink,
    threshold,
)

_FUNCTIONS = (
    celu, elu, exponential, gelu, glu, hard_shrink, hard_sigmoid, hard_silu, hard_tanh,
    leaky_relu, linear, log_sigmoid, log_softmax, mish, relu, relu6, selu, sigmoid, silu,
    soft_shrink, softmax, softplus, softsign, sparse_plus, sparse_sigmoid, sparsemax,
    squareplus, tanh, tanh_shrink, threshold,
)
# name -> function; aliases map to the same function (serialized under its own name).
ALL_OBJECTS_DICT = {fn.__name__: fn for fn in _FUNCTIONS}
ALL_OBJECTS_DICT.update({"swish": silu, "hard_swish": hard_silu})
_NAMES = {id(fn): fn.__name__ for fn in _FUNCTIONS}


def serialize(activation):
    """Return what a config stores for ``activation``: its name for built-ins.

    Other callables (registered functions, activation layers) become envelopes.

    Example:
        >>> serialize(relu)
        'relu'
    """
    name = _NAMES.get(id(activation))
    if name is not None:
        return name
    from kiln.saving import serialization_lib

    return serialization_lib.serialize_kiln_object(activation)


def deserialize(config, custom_objects=None):
    """Rebuild an activation from a name or an envelope.

    Example:
        >>> deserialize("tanh") is tanh
        True
    """
    if isinstance(config, str):
        found = _lookup(config, custom_objects)
        if found is None:
            raise _unknown(config)
        return found
    from kiln.saving import serialization_lib

    return serialization_lib.deserialize_kiln_object(config, custom_objects=custom_objects)


def get(identifier):
    """Resolve ``identifier`` to an activation function.

    None gives :func:`linear`; a string is looked up by name (an unknown name
    raises ValueError listing the valid ones); a callable is returned as is; a
    dict is deserialized.

    Example:
        >>> get("softmax") is softmax
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        found = _lookup(identifier, None)
        if found is None:
            raise _unknown(identifier)
        return found
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation identifier: {identifier!r} (expected a name, a "
        "callable, a serialized dict or None)"
    )


def _lookup(name, custom_objects):
    from kiln.saving import serialization_lib

    found = serialization_lib.get_registered_object(name, custom_objects)
    if found is not None:
        return found
    return ALL_OBJECTS_DICT.get(name)


def _unknown(name):
    return ValueError(
        f"Unknown activation function: {name!r}. Valid names are: {sorted(ALL_OBJECTS_DICT)}"
    )
