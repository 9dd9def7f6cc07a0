"""The learned ``gamma`` (scale) / ``beta`` (offset) pair the normalization layers share.

Example:
    >>> from kiln.layers.layer import Layer
    >>> layer = Layer(name="norm")
    >>> init_affine(layer, "zeros", "ones", None, None, None, None)
    >>> sorted(affine_config(layer))[:2]
    ['beta_constraint', 'beta_initializer']
"""

from kiln import constraints, initializers, ops, regularizers
from kiln.saving import serialization_lib

LOW_PRECISION = ("float16", "bfloat16")


def init_affine(layer, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                beta_constraint, gamma_constraint):
    """Resolve and store the six gamma/beta arguments on ``layer`` (weights come in build)."""
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)
    layer.gamma = None
    layer.beta = None


def add_affine_weights(layer, shape, scale, center):
    """Create ``gamma`` (if ``scale``) then ``beta`` (if ``center``), Keras' order.

    They are read unconverted under a mixed policy (``autocast=False``): the
    layers normalize half-precision inputs in float32.
    """
    if scale:
        layer.gamma = layer.add_weight(
            name="gamma", shape=shape, initializer=layer.gamma_initializer,
            regularizer=layer.gamma_regularizer, constraint=layer.gamma_constraint,
            trainable=True, autocast=False)
    if center:
        layer.beta = layer.add_weight(
            name="beta", shape=shape, initializer=layer.beta_initializer,
            regularizer=layer.beta_regularizer, constraint=layer.beta_constraint,
            trainable=True, autocast=False)


def serialized(layer, *names):
    """``{name: serialized attribute}`` for each name, in the order given."""
    return {name: serialization_lib.serialize_kiln_object(getattr(layer, name)) for name in names}


def affine_config(layer):
    """The six gamma/beta config entries, in the order LayerNormalization-style configs use."""
    return serialized(layer, "beta_initializer", "gamma_initializer", "beta_regularizer",
                      "gamma_regularizer", "beta_constraint", "gamma_constraint")


def to_float32(inputs):
    """``(inputs in float32 if half precision, the original dtype)``."""
    dtype = ops.dtype(inputs)
    return (ops.cast(inputs, "float32") if dtype in LOW_PRECISION else inputs), dtype


def restore_dtype(outputs, dtype):
    """Cast ``outputs`` back to a half-precision input ``dtype``."""
    return ops.cast(outputs, dtype) if dtype in LOW_PRECISION else outputs
