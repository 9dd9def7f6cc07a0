"""Global configuration: backend name, float type, epsilon, image data format.

The backend is chosen once, at import, from (in order) the ``KILN_BACKEND``
environment variable, ``KERAS_BACKEND``, the ``"backend"`` key of
``~/.kiln/kiln.json``, and finally ``"jax"``.

Example:
    >>> import kiln
    >>> kiln.config.backend() in ("jax", "torch", "tensorflow", "numpy")
    True
"""

import json
import os

VALID_BACKENDS = ("jax", "torch", "tensorflow", "numpy")
_DEFAULT_BACKEND = "jax"
_VALID_FLOATX = ("float16", "bfloat16", "float32", "float64")
_VALID_DATA_FORMATS = ("channels_last", "channels_first")


def kiln_home():
    """Return the directory Kiln keeps its settings and caches in.

    ``KILN_HOME`` overrides the default ``~/.kiln``.

    Example:
        >>> kiln_home().endswith(".kiln") or "KILN_HOME" in os.environ
        True
    """
    return os.environ.get("KILN_HOME") or os.path.join(os.path.expanduser("~"), ".kiln")


def _read_settings_file():
    path = os.path.join(kiln_home(), "kiln.json")
    if not os.path.exists(path):
        return {}
    try:
        with open(path) as f:
            settings = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f"Could not read Kiln settings file {path}: {e}") from e
    if not isinstance(settings, dict):
        raise ValueError(f"Kiln settings file {path} must hold a JSON object, got {type(settings).__name__}")
    return settings


def _resolve_backend():
    for var in ("KILN_BACKEND", "KERAS_BACKEND"):
        name = os.environ.get(var)
        if name:
            source = f"environment variable {var}"
            break
    else:
        name = _SETTINGS.get("backend")
        source = f"{os.path.join(kiln_home(), 'kiln.json')}"
        if not name:
            name, source = _DEFAULT_BACKEND, "default"
    name = str(name).strip().lower()
    if name not in VALID_BACKENDS:
        raise ValueError(
            f"Unknown backend {name!r} (from {source}). Valid backends: {', '.join(VALID_BACKENDS)}."
        )
    return name


_SETTINGS = _read_settings_file()
_BACKEND = _resolve_backend()
_FLOATX = _SETTINGS.get("floatx", "float32")
_EPSILON = float(_SETTINGS.get("epsilon", 1e-7))
_IMAGE_DATA_FORMAT = _SETTINGS.get("image_data_format", "channels_last")


def backend():
    """Return the name of the active backend, e.g. ``"jax"``.

    Example:
        >>> backend() in VALID_BACKENDS
        True
    """
    return _BACKEND


def floatx():
    """Return the default float dtype name (``"float32"`` unless changed).

    Example:
        >>> floatx()
        'float32'
    """
    return _FLOATX


def set_floatx(value):
    """Set the default float dtype used for weights and float inputs.

    Example:
        >>> set_floatx("float32")
    """
    global _FLOATX
    value = str(value)
    if value not in _VALID_FLOATX:
        raise ValueError(f"set_floatx: unknown floatx {value!r}; expected one of {_VALID_FLOATX}")
    _FLOATX = value


def epsilon():
    """Return the fuzz factor used to avoid division by zero (default 1e-7).

    Example:
        >>> epsilon()
        1e-07
    """
    return _EPSILON


def set_epsilon(value):
    """Set the fuzz factor returned by :func:`epsilon`.

    Example:
        >>> set_epsilon(1e-7)
    """
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """Return ``"channels_last"`` or ``"channels_first"``.

    Example:
        >>> image_data_format()
        'channels_last'
    """
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Set the default image layout for convolution and pooling layers.

    Example:
        >>> set_image_data_format("channels_last")
    """
    global _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()
    if data_format not in _VALID_DATA_FORMATS:
        raise ValueError(
            f"set_image_data_format: expected one of {_VALID_DATA_FORMATS}, received {data_format!r}"
        )
    _IMAGE_DATA_FORMAT = data_format


def standardize_data_format(data_format):
    """Return ``data_format`` checked, or the global default when it is None.

    Example:
        >>> standardize_data_format(None)
        'channels_last'
    """
    if data_format is None:
        return _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()
    if data_format not in _VALID_DATA_FORMATS:
        raise ValueError(f"data_format must be one of {_VALID_DATA_FORMATS}, received {data_format!r}")
    return data_format


def dtype_policy():
    """Return the global dtype policy layers use by default.

    Example:
        >>> dtype_policy().name
        'float32'
    """
    from kiln import dtype_policies

    return dtype_policies.dtype_policy()


def set_dtype_policy(policy):
    """Set the global dtype policy (a name such as ``"mixed_float16"`` or a DTypePolicy).

    Example:
        >>> set_dtype_policy("float32")
    """
    from kiln import dtype_policies

    dtype_policies.set_dtype_policy(policy)


def enable_unsafe_deserialization():
    """Allow loading code stored in files (lambdas) everywhere, like ``safe_mode=False``.

    Only do this for files whose source you trust.

    Example:
        >>> enable_unsafe_deserialization()  # doctest: +SKIP
    """
    from kiln.saving import serialization_lib

    serialization_lib.enable_unsafe_deserialization()


_MAX_EPOCHS = None
_MAX_STEPS_PER_EPOCH = None


def max_epochs():
    """The cap on epochs every ``fit`` runs (None: no cap).

    Example:
        >>> max_epochs() is None
        True
    """
    return _MAX_EPOCHS


def set_max_epochs(max_epochs):
    """Cap the number of epochs of every ``fit`` call (None removes the cap), e.g. for smoke tests.

    Example:
        >>> set_max_epochs(None)
    """
    global _MAX_EPOCHS
    _MAX_EPOCHS = None if max_epochs is None else int(max_epochs)


def max_steps_per_epoch():
    """The cap on steps per epoch in ``fit`` (None: no cap).

    Example:
        >>> max_steps_per_epoch() is None
        True
    """
    return _MAX_STEPS_PER_EPOCH


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Cap the number of batches per epoch of every ``fit`` call (None removes the cap).

    Example:
        >>> set_max_steps_per_epoch(None)
    """
    global _MAX_STEPS_PER_EPOCH
    _MAX_STEPS_PER_EPOCH = None if max_steps_per_epoch is None else int(max_steps_per_epoch)
