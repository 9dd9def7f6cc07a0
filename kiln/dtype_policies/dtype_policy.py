"""Dtype policies: the dtype a layer computes in and the dtype it stores its weights in.

A plain policy is named after a dtype (``"float32"``: both dtypes the same) or
is ``"mixed_float16"``/``"mixed_bfloat16"`` (16-bit compute, float32
weights). Quantized policies add a quantization mode to a source policy and
are named ``"<mode>_from_<source>"``, e.g. ``"int8_from_float32"``. The
global policy (:func:`dtype_policy`, :func:`set_dtype_policy`) is what layers
use when given no ``dtype``.

Example:
    >>> p = QuantizedDTypePolicy("int8", "mixed_bfloat16")
    >>> p.name, p.quantization_mode, p.compute_dtype, p.variable_dtype
    ('int8_from_mixed_bfloat16', 'int8', 'bfloat16', 'float32')
"""

from kiln import config
from kiln.backend.common import dtypes

QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")
_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}

_global_policy = None


def _parse_name(name, owner="DTypePolicy"):
    """``(compute_dtype, variable_dtype)`` of a float policy name."""
    if not isinstance(name, str):
        raise TypeError(f"{owner}: the policy name must be a string such as 'mixed_float16', "
                        f"received {name!r} (of type {type(name).__name__})")
    if name in _MIXED:
        return _MIXED[name], "float32"
    try:
        dtype = dtypes.standardize_dtype(name)
    except (ValueError, TypeError):
        hint = ""
        if _is_quantized_name(name):
            hint = f"; for a quantized policy use kiln.dtype_policies.get({name!r})"
        raise ValueError(
            f"{owner}: cannot convert {name!r} to a dtype policy. Valid policies are "
            f"'mixed_float16', 'mixed_bfloat16' and the name of a dtype such as 'float32'{hint}"
        ) from None
    return dtype, dtype


class DTypePolicy:
    """A dtype policy for a layer: its compute dtype and its variable dtype.

    Args:
        name: a dtype name (``"float32"``, ``"bfloat16"``...: both dtypes are
            that dtype), or ``"mixed_float16"``/``"mixed_bfloat16"`` (compute
            in the 16-bit type, variables in float32). None means the global
            policy's name (:func:`dtype_policy`).

    Example:
        >>> p = DTypePolicy("mixed_float16")
        >>> p.compute_dtype, p.variable_dtype, p.quantization_mode
        ('float16', 'float32', None)
        >>> p
        <DTypePolicy "mixed_float16">
    """

    def __init__(self, name=None):
        if name is None:
            name = dtype_policy().name
        self._compute_dtype, self._variable_dtype = _parse_name(name, type(self).__name__)
        self._name = name
        self._quantization_mode = None

    @property
    def name(self):
        """The policy's name, e.g. ``"mixed_bfloat16"``."""
        return self._name

    @property
    def compute_dtype(self):
        """The dtype of a layer's computations (and usually of its outputs)."""
        return self._compute_dtype

    @property
    def variable_dtype(self):
        """The dtype of a layer's weights."""
        return self._variable_dtype

    @property
    def quantization_mode(self):
        """The quantization mode (``"int8"``, ``"float8"``...), None for a float policy."""
        return self._quantization_mode

    def convert_input(self, x, autocast, dtype):
        """``x`` as a tensor, cast to ``dtype`` when ``autocast`` and ``x`` is another float type.

        Example:
            >>> import kiln
            >>> y = DTypePolicy("float16").convert_input(kiln.ops.ones((2,)), True, "float16")
            >>> kiln.backend.standardize_dtype(y.dtype)
            'float16'
        """
        from kiln import ops

        dtype = dtypes.standardize_dtype(dtype)
        if not hasattr(x, "dtype") and not hasattr(x, "__array__"):
            return x
        x = ops.convert_to_tensor(x)
        current = dtypes.standardize_dtype(x.dtype)
        if autocast and dtypes.is_float(current) and current != dtype:
            x = ops.cast(x, dtype)
        return x

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        name = config.get("name")
        if cls is DTypePolicy and _is_quantized_name(name):
            # A quantized policy saved under the plain class (by name only): rebuild the
            # quantized policy that name describes.
            return policy_from_string(name)
        return cls(**config)

    def __eq__(self, other):
        if not isinstance(other, DTypePolicy):
            return NotImplemented
        return type(self) is type(other) and self._name == other._name

    def __hash__(self):
        return hash((type(self).__name__, self._name))

    def __repr__(self):
        return f'<{type(self).__name__} "{self._name}">'


# Keras 3 keeps this name for files written by its first releases; it is the same policy.
FloatDTypePolicy = DTypePolicy


class QuantizedDTypePolicy(DTypePolicy):
    """A dtype policy for quantized layers: a quantization mode on top of a float policy.

    The compute and variable dtypes are the source policy's (they apply to the
    layer's non-quantized weights and computations); the name is
    ``"<mode>_from_<source_name>"``.

    Args:
        mode: the quantization mode, one of ``"int8"``, ``"float8"``, ``"int4"``,
            ``"gptq"``, ``"awq"``.
        source_name: the float policy it derives from; None means the global
            policy's name.

    Example:
        >>> p = QuantizedDTypePolicy("int8", "float32")
        >>> p.name, p.quantization_mode, p.get_config()
        ('int8_from_float32', 'int8', {'mode': 'int8', 'source_name': 'float32'})
    """

    def __init__(self, mode, source_name=None):
        if source_name is None:
            source_name = dtype_policy().name
        owner = type(self).__name__
        self._compute_dtype, self._variable_dtype = _parse_name(source_name, owner)
        self._check_quantization_mode(mode, self._compute_dtype)
        self._name = f"{mode}_from_{source_name}"
        self._source_name = source_name
        self._quantization_mode = mode

    def _check_quantization_mode(self, mode, compute_dtype):
        owner = type(self).__name__
        if mode not in QUANTIZATION_MODES:
            raise ValueError(f"{owner}: invalid quantization mode; expected one of "
                             f"{QUANTIZATION_MODES}, received mode={mode!r}")
        if compute_dtype == "float16" and mode == "int8":
            raise ValueError(f"{owner}: quantization mode 'int8' does not work well with "
                             "compute_dtype 'float16'; use a float32 or bfloat16 source policy")

    def __eq__(self, other):
        if not isinstance(other, DTypePolicy):
            return NotImplemented
        return (type(self) is type(other) and self._name == other._name
                and self.get_config() == other.get_config())

    def __hash__(self):
        return hash((type(self).__name__, self._name))

    def get_config(self):
        return {"mode": self._quantization_mode, "source_name": self._source_name}


class QuantizedFloat8DTypePolicy(QuantizedDTypePolicy):
    """A quantized policy for float8 training, with the length of its amax history.

    Args:
        mode: must be ``"float8"``.
        source_name: the float policy it derives from (None: the global policy).
        amax_history_length: how many past absolute maxima the scaling keeps.

    Example:
        >>> p = QuantizedFloat8DTypePolicy("float8", "mixed_bfloat16", amax_history_length=16)
        >>> p.name, p.amax_history_length
        ('float8_from_mixed_bfloat16', 16)
    """

    default_amax_history_length = 1024

    def __init__(self, mode, source_name=None, amax_history_length=1024):
        if mode != "float8":
            raise ValueError(f"QuantizedFloat8DTypePolicy: mode must be 'float8', received "
                             f"mode={mode!r}")
        super().__init__(mode=mode, source_name=source_name)
        if isinstance(amax_history_length, bool) or not isinstance(amax_history_length, int):
            raise TypeError("QuantizedFloat8DTypePolicy: `amax_history_length` must be an "
                            f"integer, received amax_history_length={amax_history_length!r}")
        self._amax_history_length = amax_history_length

    @property
    def amax_history_length(self):
        """How many past absolute maxima (amax) the float8 scaling keeps."""
        return self._amax_history_length

    def get_config(self):
        config = super().get_config()
        config["amax_history_length"] = self._amax_history_length
        return config


def _split_mode(mode, owner, fields, expected):
    """The integer fields of a ``"name/<a>/<b>"`` mode string."""
    parts = mode.split("/") if isinstance(mode, str) else []
    if len(parts) != len(fields) + 1 or parts[0] != expected.split("/")[0]:
        raise ValueError(f"{owner}: invalid mode {mode!r}; expected the format '{expected}'")
    try:
        return [int(part) for part in parts[1:]]
    except ValueError:
        raise ValueError(f"{owner}: invalid mode {mode!r}: {' and '.join(fields)} must be "
                         f"integers in the format '{expected}'") from None


def _check_group(owner, what, value, mode):
    if value < -1 or value == 0:
        raise ValueError(f"{owner}: invalid {what} {value} in mode {mode!r}; expected -1 "
                         "(per channel) or a positive integer")


class Int4DTypePolicy(QuantizedDTypePolicy):
    """A quantized policy for int4 sub-channel quantization.

    Args:
        mode: ``"int4/<block_size>"``; ``block_size`` -1 quantizes per channel,
            a positive value in groups of that many input elements.
        source_name: the float policy it derives from (None: the global policy).

    Example:
        >>> p = Int4DTypePolicy("int4/128", "float32")
        >>> p.name, p.quantization_mode, p.block_size
        ('int4/128_from_float32', 'int4', 128)
    """

    def __init__(self, mode, source_name=None):
        (block_size,) = _split_mode(mode, "Int4DTypePolicy", ["block_size"], "int4/<block_size>")
        _check_group("Int4DTypePolicy", "block_size", block_size, mode)
        super().__init__(mode="int4", source_name=source_name)
        self._name = f"{mode}_from_{self._source_name}"
        self.block_size = block_size

    def get_config(self):
        config = super().get_config()
        config["mode"] = f"int4/{self.block_size}"
        return config


class _BitsAndGroupPolicy(QuantizedDTypePolicy):
    """Shared by GPTQ and AWQ: a ``"<algorithm>/<weight_bits>/<group_size>"`` mode."""

    _ALGORITHM = None
    _WEIGHT_BITS = ()

    def __init__(self, mode, source_name=None):
        owner = type(self).__name__
        expected = f"{self._ALGORITHM}/<weight_bits>/<group_size>"
        weight_bits, group_size = _split_mode(mode, owner, ["weight_bits", "group_size"], expected)
        if weight_bits not in self._WEIGHT_BITS:
            raise ValueError(f"{owner}: invalid weight_bits {weight_bits} in mode {mode!r}; "
                             f"supported values are {self._WEIGHT_BITS}")
        _check_group(owner, "group_size", group_size, mode)
        super().__init__(mode=self._ALGORITHM, source_name=source_name)
        self._name = f"{mode}_from_{self._source_name}"
        self.mode = self._ALGORITHM
        self.weight_bits = weight_bits
        self.group_size = group_size

    def get_config(self):
        config = super().get_config()
        config["mode"] = f"{self._ALGORITHM}/{self.weight_bits}/{self.group_size}"
        return config


class GPTQDTypePolicy(_BitsAndGroupPolicy):
    """A quantized policy carrying GPTQ settings (to reload GPTQ-quantized models).

    Args:
        mode: ``"gptq/<weight_bits>/<group_size>"``; ``weight_bits`` in 2, 3, 4,
            8; ``group_size`` -1 (whole tensor) or a positive integer.
        source_name: the float policy it derives from (None: the global policy).

    Example:
        >>> p = GPTQDTypePolicy("gptq/4/128", "float32")
        >>> p.name, p.quantization_mode, p.weight_bits, p.group_size
        ('gptq/4/128_from_float32', 'gptq', 4, 128)
    """

    _ALGORITHM = "gptq"
    _WEIGHT_BITS = (2, 3, 4, 8)


class AWQDTypePolicy(_BitsAndGroupPolicy):
    """A quantized policy carrying AWQ settings (to reload AWQ-quantized models).

    Args:
        mode: ``"awq/<weight_bits>/<group_size>"``; AWQ supports 4 bits only;
            ``group_size`` -1 (per channel) or a positive integer.
        source_name: the float policy it derives from (None: the global policy).

    Example:
        >>> p = AWQDTypePolicy("awq/4/64", "bfloat16")
        >>> p.name, p.quantization_mode, p.compute_dtype
        ('awq/4/64_from_bfloat16', 'awq', 'bfloat16')
    """

    _ALGORITHM = "awq"
    _WEIGHT_BITS = (4,)


def _is_quantized_name(name):
    return isinstance(name, str) and name.startswith(QUANTIZATION_MODES)


def policy_from_string(name):
    """The policy a string names: a float policy, or a quantized one (``"<mode>_from_<source>"``).

    Example:
        >>> type(policy_from_string("float8_from_float32")).__name__
        'QuantizedFloat8DTypePolicy'
        >>> policy_from_string("gptq/4/128_from_float32").weight_bits
        4
    """
    if not _is_quantized_name(name):
        return DTypePolicy(name)
    parts = name.split("_from_")
    if len(parts) != 2:
        raise ValueError(f"Cannot split the dtype policy {name!r} into '<mode>_from_<source>' "
                         "(e.g. 'int8_from_float32')")
    mode, source_name = parts
    if mode.startswith("gptq"):
        return GPTQDTypePolicy(mode, source_name)
    if mode.startswith("awq"):
        return AWQDTypePolicy(mode, source_name)
    if mode.startswith("int4/"):
        return Int4DTypePolicy(mode, source_name)
    if mode.startswith("float8"):
        return QuantizedFloat8DTypePolicy(mode, source_name)
    return QuantizedDTypePolicy(mode, source_name)


def dtype_policy():
    """The global dtype policy, used by layers given no ``dtype`` (default: ``floatx()``).

    Example:
        >>> dtype_policy().name
        'float32'
    """
    return _global_policy or DTypePolicy(config.floatx())


def set_dtype_policy(policy):
    """Set the global dtype policy: a policy name (``"mixed_float16"``...) or a DTypePolicy.

    Layers created afterwards without a ``dtype`` use it.

    Example:
        >>> set_dtype_policy("mixed_bfloat16")
        >>> dtype_policy().compute_dtype
        'bfloat16'
        >>> set_dtype_policy("float32")
    """
    global _global_policy
    if not isinstance(policy, DTypePolicy):
        if not isinstance(policy, str):
            raise ValueError(
                "set_dtype_policy: invalid `policy`; expected a policy name (such as "
                f"'mixed_float16') or a DTypePolicy, received {policy!r} "
                f"(of type {type(policy).__name__})")
        policy = policy_from_string(policy)
    _global_policy = policy
