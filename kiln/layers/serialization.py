"""``kiln.layers.serialize`` / ``deserialize``: a layer to its Keras 3 envelope and back.

Example:
    >>> import kiln
    >>> envelope = kiln.layers.serialize(kiln.layers.Dense(3, name="d"))
    >>> envelope["module"], envelope["class_name"], envelope["config"]["units"]
    ('keras.layers', 'Dense', 3)
    >>> kiln.layers.deserialize(envelope).units
    3
"""

from kiln.saving import serialization_lib


def serialize(layer):
    """The JSON-friendly envelope ``{"module", "class_name", "config", ...}`` of ``layer``.

    Example:
        >>> import kiln
        >>> serialize(kiln.layers.Identity(name="same"))["config"]["name"]
        'same'
    """
    return serialization_lib.serialize_kiln_object(layer)


def deserialize(config, custom_objects=None):
    """Rebuild a layer from :func:`serialize`'s envelope.

    An envelope without ``"module"`` (older files) is looked up among the
    layers. ``custom_objects`` maps names to user classes/functions. Raises
    ValueError when the envelope does not describe a layer.

    Example:
        >>> deserialize({"class_name": "RepeatVector", "config": {"n": 2}}).n
        2
    """
    from kiln.layers.layer import Layer

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("kiln.layers.deserialize: `config` must be a dict with 'class_name' and "
                         f"'config' keys (the output of kiln.layers.serialize); received {config!r}")
    if config.get("module") is None:
        config = dict(config, module="keras.layers")
    layer = serialization_lib.deserialize_kiln_object(config, custom_objects=custom_objects)
    if not isinstance(layer, Layer):
        raise ValueError("kiln.layers.deserialize: the config does not describe a layer; it gave "
                         f"{type(layer).__name__} from {config.get('class_name')!r}")
    return layer
