"""The backend-neutral part of ``kiln.Variable``.

Each backend subclasses :class:`KerasVariable` in its ``core`` module and
supplies storage: ``_initialize(value)``, ``_direct_assign(value)`` and
``_convert_to_tensor(value, dtype)``. Everything else — stateless reads and
writes, paths, operators — is written once here.

Example:
    >>> import kiln
    >>> v = kiln.Variable([1.0, 2.0], name="w")
    >>> v.assign_add([1.0, 1.0]).tolist() if hasattr(v.value, "tolist") else None  # doctest: +SKIP
    >>> v.numpy().tolist()
    [2.0, 3.0]
"""

import contextvars

import numpy as np

from kiln.backend.common import dtypes, global_state
from kiln.backend.common.operators import TensorOperators, ops as _ops
from kiln.backend.common.scopes import _stateless_scope, current_path

# How many variables carry a regularizer: when none do, Layer.losses skips its scan,
# which otherwise runs on every training step.
REGULARIZED_VARIABLES = [0]

# The compute dtype of the mixed-precision layer whose ``call`` is running (None
# outside one): reading a float variable created with ``autocast=True`` then gives
# its value in that dtype, so layers read weights without casting by hand.
AUTOCAST_DTYPE = contextvars.ContextVar("kiln_autocast_dtype", default=None)
_AUTOCAST_SOURCE_DTYPES = frozenset({"float16", "bfloat16", "float32", "float64"})


def autocast_value(variable, value):
    """``value`` cast to the running layer's compute dtype when ``variable`` autocasts.

    Example:
        >>> import kiln
        >>> v = kiln.Variable([1.0], name="w")
        >>> token = AUTOCAST_DTYPE.set("float16")
        >>> str(v.value.dtype).endswith("float16")
        True
        >>> AUTOCAST_DTYPE.reset(token)
    """
    dtype = AUTOCAST_DTYPE.get()
    if (dtype is None or not variable._autocast or variable._dtype == dtype
            or variable._dtype not in _AUTOCAST_SOURCE_DTYPES):
        return value
    return variable._convert_to_tensor(value, dtype=dtype)


class KerasVariable(TensorOperators):
    """A mutable tensor-valued state: a layer weight, an optimizer slot, a counter.

    Args:
        initializer: an initial value (array-like) or a callable
            ``initializer(shape, dtype)`` such as ``kiln.initializers.GlorotUniform()``.
        shape: required when ``initializer`` is callable.
        dtype: dtype name; defaults to the initial value's dtype, else ``floatx()``.
        trainable: whether gradients are taken with respect to it.
        autocast: whether mixed-precision layers may cast it when reading.
        aggregation, synchronization: distribution hints, kept in the config.
        name: the variable's name; ``path`` is the enclosing name scopes plus it.

    Example:
        >>> import kiln
        >>> v = kiln.Variable(kiln.initializers.Zeros(), shape=(2,), name="bias")
        >>> v.shape, v.dtype, v.path
        ((2,), 'float32', 'bias')
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None, **kwargs):
        kwargs.pop("layout", None)
        if kwargs:
            raise TypeError(f"Variable: unexpected keyword arguments {sorted(kwargs)}")
        if name is None:
            name = global_state.unique_name("variable")
        if not isinstance(name, str) or "/" in name:
            raise ValueError(f"Variable: name must be a string without '/', received {name!r}")
        self._name = name
        parent = current_path()
        self._path = f"{parent}/{name}" if parent else name
        self._trainable = bool(trainable)
        self._autocast = bool(autocast)
        self._aggregation = aggregation
        self._synchronization = synchronization
        self._overwrite_with_gradient = False
        self._regularizer = None
        self.constraint = None
        if callable(initializer):
            if shape is None:
                raise ValueError(
                    f"Variable '{name}': a callable initializer needs `shape`, received shape=None"
                )
            self._dtype = dtypes.standardize_dtype(dtype)
            self._shape = tuple(int(d) for d in shape)
            value = initializer(self._shape, dtype=self._dtype)
        else:
            if dtype is None:
                dtype = _infer_dtype(initializer)
            self._dtype = dtypes.standardize_dtype(dtype)
            value = initializer
        value = self._convert_to_tensor(value, dtype=self._dtype)
        value_shape = tuple(value.shape)
        if shape is not None and tuple(shape) != value_shape:
            raise ValueError(
                f"Variable '{name}': initial value has shape {value_shape}, expected {tuple(shape)}"
            )
        self._shape = value_shape
        self._initialize(value)

    # -- storage hooks a backend implements -------------------------------------------
    def _initialize(self, value):
        raise NotImplementedError

    def _direct_assign(self, value):
        raise NotImplementedError

    def _convert_to_tensor(self, value, dtype=None):
        raise NotImplementedError

    # -- reading ----------------------------------------------------------------------
    @property
    def value(self):
        """The current value (the scope's value inside a :class:`StatelessScope`).

        Inside a mixed-precision layer's call, float variables read in the
        layer's compute dtype (see :data:`AUTOCAST_DTYPE`).
        """
        scope = _stateless_scope.get()
        if scope is not None:
            mapped = scope.get_current_value(self)
            if mapped is not None:
                return autocast_value(self, mapped) if AUTOCAST_DTYPE.get() else mapped
        if AUTOCAST_DTYPE.get() is not None:
            return autocast_value(self, self._value)
        return self._value

    def numpy(self):
        """Return the value as a NumPy array."""
        from kiln.backend import current

        return current.core.convert_to_numpy(self.value)

    def __array__(self, dtype=None, copy=None):
        array = np.asarray(self.numpy())
        return array if dtype is None else array.astype(dtype)

    # -- writing ----------------------------------------------------------------------
    def assign(self, value):
        """Set the variable to ``value`` (same shape); returns the new value."""
        value = self._convert_to_tensor(value, dtype=self._dtype)
        if tuple(value.shape) != self._shape:
            raise ValueError(
                f"Variable '{self.path}': cannot assign a value of shape {tuple(value.shape)} "
                f"to a variable of shape {self._shape}"
            )
        scope = _stateless_scope.get()
        if scope is not None:
            scope.add_update(self, value)
        else:
            self._direct_assign(value)
        return value

    def assign_add(self, value):
        """Add ``value`` to the variable in place; returns the new value."""
        return self.assign(_ops().add(self.value, value))

    def assign_sub(self, value):
        """Subtract ``value`` from the variable in place; returns the new value."""
        return self.assign(_ops().subtract(self.value, value))

    # -- attributes -------------------------------------------------------------------
    @property
    def regularizer(self):
        """A callable giving this variable's penalty (added to ``Layer.losses``), or None."""
        return self._regularizer

    @regularizer.setter
    def regularizer(self, value):
        if value is not None and self._regularizer is None:
            REGULARIZED_VARIABLES[0] += 1
        elif value is None and self._regularizer is not None:
            REGULARIZED_VARIABLES[0] -= 1
        self._regularizer = value

    @property
    def name(self):
        return self._name

    @property
    def path(self):
        """Name scopes at creation plus the name, e.g. ``"sequential/dense/kernel"``."""
        return self._path

    @property
    def dtype(self):
        """The stored dtype, or the compute dtype while a mixed-precision layer reads it autocast."""
        dtype = AUTOCAST_DTYPE.get()
        if (dtype is not None and self._autocast and self._dtype != dtype
                and self._dtype in _AUTOCAST_SOURCE_DTYPES):
            return dtype
        return self._dtype

    @property
    def shape(self):
        return self._shape

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        self._on_trainable_change()

    def _on_trainable_change(self):
        pass

    @property
    def autocast(self):
        return self._autocast

    @property
    def aggregation(self):
        return self._aggregation

    @property
    def synchronization(self):
        return self._synchronization

    @property
    def overwrite_with_gradient(self):
        """If True, the optimizer replaces the value with the gradient instead of updating it."""
        return self._overwrite_with_gradient

    @overwrite_with_gradient.setter
    def overwrite_with_gradient(self, value):
        self._overwrite_with_gradient = bool(value)

    def __repr__(self):
        return (f"<Variable path={self.path}, shape={self._shape}, dtype={self._dtype}, "
                f"value={self.numpy()!r}>")

    def __len__(self):
        return self._shape[0]

    def __bool__(self):
        raise TypeError("A Variable's truth value is ambiguous; compare its value explicitly")

    def __int__(self):
        return int(self.numpy())

    def __float__(self):
        return float(self.numpy())

    def _operand(self):
        return self.value


def _infer_dtype(value):
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        return dtypes.standardize_dtype(dtype)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int32"
    if isinstance(value, (list, tuple)):
        array = np.asarray(value)
        if array.dtype.kind in "iu":
            return "int32"
        if array.dtype.kind == "b":
            return "bool"
    return None
