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
from kiln.saving import object_lookup

_FUNCTIONS = (
    celu, elu, exponential, gelu, glu, hard_shrink, hard_sigmoid, hard_silu, hard_tanh,
    leaky_relu, linear, log_sigmoid, log_softmax, mish, relu, relu6, selu, sigmoid, silu,
    soft_shrink, softmax, softplus, softsign, sparse_plus, sparse_sigmoid, sparsemax,
    squareplus, tanh, tanh_shrink, threshold,
)
# name -> function; aliases map to the same function (serialized under its own name,
# because serialize() only writes a name the table maps back to that very function).
ALL_OBJECTS_DICT = object_lookup.name_table(_FUNCTIONS, {"swish": silu, "hard_swish": hard_silu})


# None means "no activation" (linear); classes are kept as given, since an activation class is
# a callable the caller chose; built-ins are stored as bare names, as Keras 3 configs do.
_CATALOG = object_lookup.Catalog("activation function", ALL_OBJECTS_DICT,
                                 instantiate_classes=False, none_result=linear,
                                 names_for_builtins=True)
get, deserialize = _CATALOG.get, _CATALOG.deserialize


def serialize(activation):
    """The JSON-friendly form of ``activation`` that :func:`deserialize` turns back into it.

    Example:
        >>> from kiln import activations
        >>> activations.serialize(activations.relu)
        'relu'
    """
    return _CATALOG.serialize(activation)
