"""The backend registry: picks the backend package named by ``kiln.config`` at import.

``kiln.backend.current`` is the active backend package (for example
``kiln.backend.torch``); its modules implement :mod:`kiln.backend.interface`.
Only the selected backend's framework is imported.

Example:
    >>> import kiln
    >>> kiln.backend.backend() == kiln.config.backend()
    True
"""

import importlib

from kiln import config
from kiln.backend.common import (
    KerasTensor,
    KerasVariable,
    StatelessScope,
    SymbolicScope,
    dtypes,
    get_stateless_scope,
    in_stateless_scope,
    in_symbolic_scope,
    is_keras_tensor,
    name_scope,
    result_type,
    standardize_dtype,
)
from kiln.config import epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format

current = importlib.import_module(f"kiln.backend.{config.backend()}")
Variable = current.core.Variable


def backend():
    """Return the active backend's name (``"jax"``, ``"torch"``, ``"tensorflow"`` or ``"numpy"``).

    Example:
        >>> backend() in ("jax", "torch", "tensorflow", "numpy")
        True
    """
    return config.backend()


def is_float_dtype(dtype):
    """True for floating dtypes.

    Example:
        >>> is_float_dtype("float32")
        True
    """
    return dtypes.is_float(dtype)


def is_int_dtype(dtype):
    """True for integer dtypes.

    Example:
        >>> is_int_dtype("int8")
        True
    """
    return dtypes.is_int(dtype)


def clear_session(free_memory=True):
    """Reset automatic naming so new layers start again at ``dense``, ``dense_1``...

    Example:
        >>> clear_session()
    """
    from kiln.backend.common import global_state

    global_state.reset_names()
