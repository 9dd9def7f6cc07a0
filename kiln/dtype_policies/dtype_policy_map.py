"""``DTypePolicyMap``: a dict-like policy that gives each layer path its own policy.

Example:
    >>> from kiln.dtype_policies import DTypePolicy, DTypePolicyMap
    >>> m = DTypePolicyMap(DTypePolicy("float32"), {"model/dense": DTypePolicy("bfloat16")})
    >>> m["model/dense"].name, m["model/other"].name
    ('bfloat16', 'float32')
"""

import re
from collections.abc import MutableMapping

from kiln.dtype_policies.dtype_policy import DTypePolicy


class DTypePolicyMap(DTypePolicy, MutableMapping):
    """Dict-like mapping from layer paths (``Layer.path``) to dtype policies.

    A key is looked up exactly first; failing that, every key is tried as a
    regular expression searched in the queried path (``re.search``). Exactly
    one match gives its policy, several raise ValueError, none gives the
    default policy. As a policy itself, the map reports its default policy's
    dtypes and quantization mode, and is named ``"map_<default name>"``.

    Args:
        default_policy: the policy of paths no key matches (a policy or
            anything ``dtype_policies.get`` accepts; not a DTypePolicyMap).
            None means the global policy, and the saved config then defers
            the names of the mapped policies to the global policy at load time.
        policy_map: an optional dict of path (or regex) -> policy.

    Example:
        >>> from kiln.dtype_policies import DTypePolicy, QuantizedDTypePolicy
        >>> m = DTypePolicyMap(default_policy="mixed_bfloat16")
        >>> m["encoder/.*/dense"] = QuantizedDTypePolicy("int8", "mixed_bfloat16")
        >>> m["encoder/block_0/dense"].quantization_mode, m["decoder/dense"].name
        ('int8', 'mixed_bfloat16')
        >>> m.compute_dtype, m.name, len(m)
        ('bfloat16', 'map_mixed_bfloat16', 1)
    """

    def __init__(self, default_policy=None, policy_map=None):
        from kiln import dtype_policies

        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("DTypePolicyMap: `default_policy` cannot be a DTypePolicyMap")
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError(f"DTypePolicyMap: `policy_map` must be a dict if given, received "
                            f"{policy_map!r} (of type {type(policy_map).__name__})")
        self._default_policy_arg = default_policy
        self._default_policy = dtype_policies.get(default_policy)
        self._policy_map = {}
        for key, policy in (policy_map or {}).items():
            self[key] = policy

    # -- as a policy: the default's dtypes ------------------------------------------------
    @property
    def default_policy(self):
        """The policy of paths that match no key."""
        return self._default_policy

    @property
    def name(self):
        return "map_" + self._default_policy.name

    @property
    def _name(self):
        return self.name

    @property
    def _compute_dtype(self):
        return self._default_policy.compute_dtype

    @property
    def _variable_dtype(self):
        return self._default_policy.variable_dtype

    @property
    def _quantization_mode(self):
        return self._default_policy.quantization_mode

    # -- as a mapping ---------------------------------------------------------------------
    def __getitem__(self, key):
        """The policy for layer path ``key`` (exact key, else the one regex key it matches)."""
        if key in self._policy_map:
            return self._policy_map[key]
        matching = [pattern for pattern in self._policy_map if re.search(pattern, key)]
        if len(matching) > 1:
            raise ValueError(
                f"DTypePolicyMap: path {key!r} matches several keys {matching}; each path must "
                "match at most one key of the map")
        if matching:
            return self._policy_map[matching[0]]
        return self._default_policy

    def __setitem__(self, key, policy):
        from kiln import dtype_policies

        if key in self._policy_map:
            raise ValueError(f"DTypePolicyMap: key {key!r} already maps to "
                             f"{self._policy_map[key]!r}; delete it first to replace it")
        if not isinstance(key, str):
            raise TypeError(f"DTypePolicyMap: keys are layer paths (strings), received {key!r}")
        try:
            policy = dtype_policies.get(policy)
        except (TypeError, ValueError) as error:
            raise ValueError(f"DTypePolicyMap: cannot interpret the value assigned to {key!r} "
                             f"as a dtype policy: {policy!r} ({error})") from None
        self._policy_map[key] = policy

    def __delitem__(self, key):
        return self._policy_map.pop(key)

    def __contains__(self, key):
        return key in self._policy_map

    def __iter__(self):
        return iter(self._policy_map)

    def __len__(self):
        return len(self._policy_map)

    def __eq__(self, other):
        if not isinstance(other, DTypePolicyMap):
            return NotImplemented
        return (self._default_policy == other._default_policy
                and self._policy_map == other._policy_map)

    def __hash__(self):
        return id(self)

    # -- config -----------------------------------------------------------------------------
    def get_config(self):
        from kiln import dtype_policies

        policy_map = {}
        for key, policy in self._policy_map.items():
            entry = dtype_policies.serialize(policy)
            if self._default_policy_arg is None:
                # Saved without names: loading then takes them from the global policy of
                # the loading program (how Keras defers a map without a default).
                inner = dict(entry["config"])
                inner["source_name" if "source_name" in inner else "name"] = None
                entry = dict(entry, config=inner)
            policy_map[key] = entry
        default = self._default_policy_arg
        if isinstance(default, DTypePolicy):
            default = dtype_policies.serialize(default)
        return {"default_policy": default, "policy_map": policy_map}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from kiln import dtype_policies

        config = dict(config)
        policy_map = config.get("policy_map") or {}
        config["policy_map"] = {key: dtype_policies.deserialize(value, custom_objects)
                                for key, value in policy_map.items()}
        if isinstance(config.get("default_policy"), dict):
            config["default_policy"] = dtype_policies.deserialize(config["default_policy"],
                                                                  custom_objects)
        return cls(**config)

    def __repr__(self):
        mapping = [(key, policy.name) for key, policy in self._policy_map.items()]
        return (f"<DTypePolicyMap at {hex(id(self))} default_policy={self._default_policy.name}, "
                f"mapping={mapping}>")
