"""Dtype policies: which dtype a layer computes in and which it stores weights in.

Example:
    >>> from kiln import dtype_policies
    >>> p = dtype_policies.DTypePolicy("mixed_float16")
    >>> p.compute_dtype, p.variable_dtype
    ('float16', 'float32')
"""

from kiln import config
from kiln.backend.common import dtypes


class DTypePolicy:
    """A named dtype policy: ``"float32"``, ``"float16"``, ``"mixed_float16"``, ``"mixed_bfloat16"``...

    Args:
        name: the policy name; None means ``kiln.config.floatx()``.

    Example:
        >>> DTypePolicy().name
        'float32'
    """

    def __init__(self, name=None):
        if name is None:
            name = config.floatx()
        if not isinstance(name, str):
            raise TypeError(f"DTypePolicy: name must be a string, received {name!r}")
        if name.startswith("mixed_"):
            compute = dtypes.standardize_dtype(name[len("mixed_"):])
            if compute not in ("float16", "bfloat16"):
                raise ValueError(f"DTypePolicy: unknown mixed policy {name!r}; use mixed_float16 or mixed_bfloat16")
            variable = "float32"
        else:
            try:
                compute = variable = dtypes.standardize_dtype(name)
            except ValueError:
                raise ValueError(
                    f"DTypePolicy: unknown policy {name!r}; expected a dtype name or "
                    "'mixed_float16'/'mixed_bfloat16'"
                ) from None
        self._name = name
        self._compute_dtype = compute
        self._variable_dtype = variable

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        return self._compute_dtype

    @property
    def variable_dtype(self):
        return self._variable_dtype

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


FloatDTypePolicy = DTypePolicy
_global_policy = None


def get(identifier):
    """Return a DTypePolicy from a name, a config dict, a policy or None (the global policy).

    Example:
        >>> get("float16").compute_dtype
        'float16'
    """
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return DTypePolicy.from_config(identifier.get("config", identifier))
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    return DTypePolicy(dtypes.standardize_dtype(identifier))


def dtype_policy():
    """The global policy (default: ``floatx()``).

    Example:
        >>> dtype_policy().name
        'float32'
    """
    return _global_policy or DTypePolicy(config.floatx())


def set_dtype_policy(policy):
    """Set the global policy used by layers created afterwards.

    Example:
        >>> set_dtype_policy("float32")
    """
    global _global_policy
    _global_policy = get(policy)
