"""Dtype policies (``kiln.dtype_policies``): which dtype a layer computes in and stores weights in.

``get`` turns a name, a config or None (the global policy) into a policy;
``serialize``/``deserialize`` write and read the envelopes Keras 3 stores in
saved configs (``DTypePolicy`` under module ``"keras"``, the other classes
under ``"keras.dtype_policies"``).

Example:
    >>> from kiln import dtype_policies
    >>> p = dtype_policies.DTypePolicy("mixed_float16")
    >>> p.compute_dtype, p.variable_dtype
    ('float16', 'float32')
    >>> dtype_policies.get("int8_from_float32").quantization_mode
    'int8'
"""

from kiln.backend.common import dtypes
from kiln.dtype_policies.dtype_policy import (
    QUANTIZATION_MODES,
    AWQDTypePolicy,
    DTypePolicy,
    FloatDTypePolicy,
    GPTQDTypePolicy,
    Int4DTypePolicy,
    QuantizedDTypePolicy,
    QuantizedFloat8DTypePolicy,
    dtype_policy,
    policy_from_string,
    set_dtype_policy,
)
from kiln.dtype_policies.dtype_policy_map import DTypePolicyMap

ALL_OBJECTS = (DTypePolicy, QuantizedDTypePolicy, QuantizedFloat8DTypePolicy, Int4DTypePolicy,
               GPTQDTypePolicy, AWQDTypePolicy, DTypePolicyMap)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT["FloatDTypePolicy"] = FloatDTypePolicy  # how the first Keras 3 releases saved it
# The module Keras 3 writes in each class's envelope (the first public name it exports).
_ENVELOPE_MODULES = {"DTypePolicy": "keras"}


def get(identifier):
    """Return a dtype policy for ``identifier``.

    Accepted: None (the global policy, :func:`dtype_policy`), a policy (returned
    as is), a policy name (``"mixed_bfloat16"``, ``"int8_from_float32"``,
    ``"gptq/4/128_from_float32"``...), a config envelope, or a dtype object.

    Example:
        >>> get("float16").compute_dtype
        'float16'
        >>> type(get({"class_name": "DTypePolicy", "config": {"name": "bfloat16"}})).__name__
        'DTypePolicy'
    """
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return policy_from_string(identifier)
    try:
        return DTypePolicy(dtypes.standardize_dtype(identifier))
    except (TypeError, ValueError):
        raise ValueError(
            "dtype_policies.get: cannot interpret the `dtype` argument; expected a policy name "
            f"(e.g. 'float32', 'mixed_float16'), a DTypePolicy or a config dict, received "
            f"{identifier!r} (of type {type(identifier).__name__})") from None


def serialize(dtype_policy):
    """The config envelope of a policy, as Keras 3 writes it.

    Example:
        >>> serialize(DTypePolicy("mixed_float16"))
        {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'mixed_float16'}, 'registered_name': None}
        >>> serialize(QuantizedDTypePolicy("int8", "float32"))["module"]
        'keras.dtype_policies'
    """
    if not isinstance(dtype_policy, DTypePolicy):
        raise TypeError(f"dtype_policies.serialize: expected a DTypePolicy, received "
                        f"{dtype_policy!r} (of type {type(dtype_policy).__name__})")
    name = type(dtype_policy).__name__
    if ALL_OBJECTS_DICT.get(name) is not type(dtype_policy):
        # A user subclass: the generic envelope, with its registered name.
        from kiln.saving import serialization_lib

        return serialization_lib.serialize_kiln_object(dtype_policy)
    return {"module": _ENVELOPE_MODULES.get(name, "keras.dtype_policies"), "class_name": name,
            "config": dtype_policy.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """Rebuild a policy from :func:`serialize`'s envelope (or a policy name).

    The class is found by its name among ``custom_objects``, registered
    classes, then the built-in policies, whatever module the envelope names.

    Example:
        >>> p = deserialize(serialize(GPTQDTypePolicy("gptq/4/128", "float32")))
        >>> type(p).__name__, p.name
        ('GPTQDTypePolicy', 'gptq/4/128_from_float32')
    """
    from kiln.saving import serialization_lib

    if isinstance(config, DTypePolicy):
        return config
    if isinstance(config, str):
        return policy_from_string(config)
    if not isinstance(config, dict):
        raise TypeError(f"dtype_policies.deserialize: expected a config dict or a policy name, "
                        f"received {config!r} (of type {type(config).__name__})")
    if "class_name" not in config:
        if "name" in config:  # a bare DTypePolicy config
            return DTypePolicy.from_config(config)
        raise ValueError(f"dtype_policies.deserialize: expected an envelope with 'class_name' "
                         f"and 'config', received {config!r}")
    class_name = config["class_name"]
    # The shared lookup, which refuses a registered_name that relabels another object.
    cls = serialization_lib.lookup_user_object(config, custom_objects)
    if cls is None:
        cls = ALL_OBJECTS_DICT.get(class_name)
    if cls is None:
        raise ValueError(f"dtype_policies.deserialize: unknown dtype policy class {class_name!r}. "
                         f"Valid names: {', '.join(sorted(ALL_OBJECTS_DICT))}")
    inner = config.get("config") or {}
    if cls is DTypePolicyMap or issubclass(cls, DTypePolicyMap):
        return cls.from_config(inner, custom_objects=custom_objects)
    return cls.from_config(inner)


__all__ = [
    "DTypePolicy", "FloatDTypePolicy", "DTypePolicyMap", "QuantizedDTypePolicy",
    "QuantizedFloat8DTypePolicy", "Int4DTypePolicy", "GPTQDTypePolicy", "AWQDTypePolicy",
    "QUANTIZATION_MODES", "get", "serialize", "deserialize", "dtype_policy", "set_dtype_policy",
]
