"""The learned ``gamma`` (scale) / ``beta`` (offset) pair the normalization layers share
(``BaseAffineNormalization``), and their float32 computation of half-precision inputs.

Example:
    >>> import kiln
    >>> layer = kiln.layers.GroupNormalization(groups=2)
    >>> isinstance(layer, BaseAffineNormalization), sorted(layer._affine_config())[:2]
    (True, ['beta_constraint', 'beta_initializer'])
"""

from kiln import constraints, initializers, ops, regularizers
from kiln.layers.layer import Layer
from kiln.saving import serialization_lib

LOW_PRECISION = ("float16", "bfloat16")


def serialized(layer, *names):
    """``{name: serialized attribute}`` for each name, in the order given."""
    return {name: serialization_lib.serialize_kiln_object(getattr(layer, name)) for name in names}


class BaseAffineNormalization(Layer):
    """A normalization layer with an optional learned ``gamma`` (if ``scale``) and ``beta``
    (if ``center``): the constructor resolves their six initializer/regularizer/constraint
    arguments, :meth:`_add_affine_weights` creates them in ``build``, :meth:`_affine_config`
    gives their config entries. Masks pass through; the output shape is the input shape.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.LayerNormalization(center=False, name="ln")
        >>> layer.build((None, 4))
        >>> [v.path for v in layer.weights]
        ['ln/gamma']
    """

    def __init__(self, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = None
        self.beta = None
        self.supports_masking = True

    def _add_affine_weights(self, shape, scale, center):
        """Create ``gamma`` (if ``scale``) then ``beta`` (if ``center``), Keras' order.

        They are read unconverted under a mixed policy (``autocast=False``): the
        layers normalize half-precision inputs in float32.
        """
        if scale:
            self.gamma = self.add_weight(
                name="gamma", shape=shape, initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
                trainable=True, autocast=False)
        if center:
            self.beta = self.add_weight(
                name="beta", shape=shape, initializer=self.beta_initializer,
                regularizer=self.beta_regularizer, constraint=self.beta_constraint,
                trainable=True, autocast=False)

    def _affine_config(self):
        """The six gamma/beta config entries, in the order LayerNormalization-style configs use."""
        return serialized(self, "beta_initializer", "gamma_initializer", "beta_regularizer",
                          "gamma_regularizer", "beta_constraint", "gamma_constraint")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


def to_float32(inputs):
    """``(inputs in float32 if half precision, the original dtype)``."""
    dtype = ops.dtype(inputs)
    return (ops.cast(inputs, "float32") if dtype in LOW_PRECISION else inputs), dtype


def restore_dtype(outputs, dtype):
    """Cast ``outputs`` back to a half-precision input ``dtype``."""
    return ops.cast(outputs, dtype) if dtype in LOW_PRECISION else outputs
