"""``Wrapper``: the base of layers that hold one other layer and change how it runs.

Example:
    >>> import kiln
    >>> inner = kiln.layers.Dense(2)
    >>> wrapper = kiln.layers.Wrapper(inner)
    >>> wrapper.layer is inner
    True
"""

from kiln import tree
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import name_scope
from kiln.layers.layer import Layer
from kiln.saving import serialization_lib


def build_sublayer(layer, input_shape):
    """Build ``layer`` for ``input_shape`` unless it is built already.

    The sub-layer builds under its own name scope inside the caller's, so its
    variables get paths such as ``time_distributed/dense/kernel``, and it
    remembers the shape for its build config, as a first call would.
    """
    if layer.built:
        return
    with name_scope(layer.name, caller=layer):
        layer.build(input_shape)
    layer._build_shapes = input_shape
    layer.built = True


def sublayer_output_shape(layer, input_shape, dtype):
    """The output shape(s) of ``layer`` for ``input_shape``: its ``compute_output_shape``, or,
    for a layer without a shape rule, the shapes of its ``compute_output_spec`` on a
    ``dtype`` KerasTensor.

    Example:
        >>> import kiln
        >>> sublayer_output_shape(kiln.layers.Dense(3), (None, 5), "float32")
        (None, 3)
    """
    try:
        return layer.compute_output_shape(input_shape)
    except NotImplementedError:
        spec = layer.compute_output_spec(KerasTensor(input_shape, dtype=dtype))
        return tree.map_structure(lambda t: tuple(t.shape), spec)


def deserialize_nested(config, keys, default_name, custom_objects=None):
    """A copy of ``config`` whose nested layer envelopes under ``keys`` are layers.

    Layers saved built are rebuilt under the outer layer's name scope, so their
    variable paths sit below the outer layer's name as they did when saved.
    Keys that are absent or None are left as they are.

    Example:
        >>> import kiln
        >>> envelope = kiln.saving.serialize_keras_object(kiln.layers.Dense(2))
        >>> config = deserialize_nested({"name": "w", "layer": envelope}, ("layer",), "wrapper")
        >>> type(config["layer"]).__name__
        'Dense'
    """
    config = dict(config)
    with name_scope(config.get("name") or default_name):
        for key in keys:
            if config.get(key) is not None:
                config[key] = serialization_lib.deserialize_kiln_object(
                    config[key], custom_objects=custom_objects)
    return config


class Wrapper(Layer):
    """Abstract base of wrappers: it owns ``layer`` and serializes it inside its config.

    Subclasses (``TimeDistributed``...) decide how the wrapped layer is applied
    in ``call``. Building the wrapper builds the wrapped layer for the input
    shape, unless it is built already. The config holds the wrapped layer's
    full envelope under ``"layer"``.

    Args:
        layer: the ``kiln.layers.Layer`` instance to wrap.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``).

    Example:
        >>> import kiln
        >>> wrapper = kiln.layers.Wrapper(kiln.layers.Dense(3, name="inner"))
        >>> wrapper.get_config()["layer"]["class_name"]
        'Dense'
        >>> wrapper.get_config()["layer"]["config"]["name"]
        'inner'
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"{type(self).__name__}: `layer` must be a kiln.layers.Layer instance; received "
                f"layer={layer!r} (type {type(layer).__name__})"
            )
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = bool(getattr(layer, "supports_masking", False))

    def build(self, input_shape=None):
        build_sublayer(self.layer, input_shape)
        self.built = True

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialization_lib.serialize_kiln_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = deserialize_nested(config, ("layer",), "wrapper", custom_objects)
        return super().from_config(config)


def is_shape(value):
    """True for one shape (a tuple/list of ints and Nones), False for a structure of shapes.

    Example:
        >>> is_shape((None, 3)), is_shape(((None, 3), (None, 2)))
        (True, False)
    """
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, int) for d in value)
