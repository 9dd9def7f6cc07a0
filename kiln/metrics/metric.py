"""The ``Metric`` base class: state in variables, plus its pure (stateless) twin.

A metric accumulates statistics in non-trainable variables (``update_state``),
reports a value computed from them (``result``) and can be zeroed
(``reset_state``). The ``stateless_*`` methods do the same as pure functions of
explicit variable values, which is what jitted training steps need.

Example:
    >>> import kiln
    >>> m = kiln.metrics.Mean()
    >>> m.update_state([1.0, 3.0])
    >>> float(m.result())
    2.0
    >>> values = m.stateless_update_state([v.value for v in m.variables], [5.0])
    >>> float(m.stateless_result(values)), float(m.result())
    (3.0, 2.0)
"""

from kiln import config, ops
from kiln.backend import current as _backend
from kiln.backend.common import dtypes, global_state
from kiln.backend.common.scopes import StatelessScope, name_scope


def _initial_value(initializer, shape, dtype):
    if isinstance(initializer, str):
        if initializer == "zeros":
            return ops.zeros(shape, dtype=dtype)
        if initializer == "ones":
            return ops.ones(shape, dtype=dtype)
        from kiln import initializers

        initializer = initializers.get(initializer)
    if callable(initializer):
        return initializer(shape, dtype=dtype)
    return ops.cast(ops.convert_to_tensor(initializer), dtype)


class Metric:
    """Base class of metrics.

    Subclasses create their state with :meth:`add_variable` in ``__init__`` and
    implement ``update_state(...)`` and ``result()``; ``reset_state`` zeroes
    every variable unless overridden.

    Args:
        dtype: the dtype of the state and the result (default ``floatx()``).
        name: the metric's name (default: snake_case of the class name, made unique
            per process: ``auc``, ``auc_1``, ...).

    Example:
        >>> import kiln
        >>> class Count(kiln.metrics.Metric):
        ...     def __init__(self, name="count"):
        ...         super().__init__(name=name)
        ...         self.n = self.add_variable((), "zeros", name="n")
        ...     def update_state(self, values):
        ...         self.n.assign_add(kiln.ops.cast(kiln.ops.size(values), self.dtype))
        ...     def result(self):
        ...         return self.n.value
        >>> float(Count()([1, 2, 3]))
        3.0
    """

    def __init__(self, dtype=None, name=None):
        # As Keras: a default name is made unique per process (a second AUC() is "auc_1"), so two
        # metrics of one class compiled together log under different keys.
        self.name = name or global_state.unique_name(global_state.to_snake_case(type(self).__name__))
        if dtype is not None and not isinstance(dtype, str):
            dtype = getattr(dtype, "compute_dtype", None) or getattr(dtype, "name", dtype)
        self._dtype = dtypes.standardize_dtype(dtype or config.floatx())
        self._variables = []
        self._metrics = []

    def __setattr__(self, name, value):
        # Sub-metrics held as attributes contribute their variables.
        if isinstance(value, Metric) and "_metrics" in self.__dict__ and value is not self:
            if not any(m is value for m in self._metrics):
                self._metrics.append(value)
        super().__setattr__(name, value)

    @property
    def dtype(self):
        """The dtype of the metric's state and result."""
        return self._dtype

    # -- state ----------------------------------------------------------------------------
    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """Create a non-trainable state variable (path ``<metric name>/<name>``) and track it.

        ``initializer`` is ``"zeros"``, ``"ones"``, another initializer name or
        object, or an initial value.
        """
        dtype = dtypes.standardize_dtype(dtype or self._dtype)
        shape = tuple(shape) if shape is not None else ()
        value = _initial_value(initializer, shape, dtype)
        scope_name = self.name.replace("/", ">") or "metric"
        with name_scope(scope_name, caller=self):
            variable = _backend.core.Variable(value, shape=shape, dtype=dtype, trainable=False,
                                              aggregation=aggregation, name=name or "variable")
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Alias of :meth:`add_variable` (zeros by default)."""
        return self.add_variable(shape, initializer or "zeros", dtype=dtype, name=name)

    @property
    def variables(self):
        """The state variables: this metric's in creation order, then its sub-metrics'."""
        out = list(self._variables)
        for metric in self._metrics:
            out.extend(metric.variables)
        return out

    # -- stateful API ---------------------------------------------------------------------
    def update_state(self, *args, **kwargs):
        """Accumulate statistics from a batch; override in subclasses."""
        raise NotImplementedError(f"Metric '{self.name}' ({type(self).__name__}) does not implement update_state()")

    def result(self):
        """The metric's current value; override in subclasses."""
        raise NotImplementedError(f"Metric '{self.name}' ({type(self).__name__}) does not implement result()")

    def reset_state(self):
        """Set every state variable back to zero."""
        for variable in self._variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))
        for metric in self._metrics:
            metric.reset_state()

    def __call__(self, *args, **kwargs):
        """Update the state with one batch and return the new result."""
        self.update_state(*args, **kwargs)
        return self.result()

    # -- stateless API --------------------------------------------------------------------
    def _check_values(self, metric_variables, method):
        own = self.variables
        if len(metric_variables) != len(own):
            raise ValueError(
                f"{method} on metric '{self.name}' ({type(self).__name__}): expected "
                f"{len(own)} variable values (one per entry of `metric.variables`), "
                f"received {len(metric_variables)}"
            )
        return own

    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """Pure ``update_state``: returns the new variable values; the metric is unchanged.

        Example:
            >>> import kiln
            >>> m = kiln.metrics.Sum()
            >>> new = m.stateless_update_state([v.value for v in m.variables], [1.0, 2.0])
            >>> float(new[0]), float(m.result())
            (3.0, 0.0)
        """
        own = self._check_values(metric_variables, "stateless_update_state")
        with StatelessScope(state_mapping=list(zip(own, metric_variables))) as scope:
            self.update_state(*args, **kwargs)
        out = []
        for variable, old in zip(own, metric_variables):
            value = scope.get_current_value(variable)
            out.append(old if value is None else value)
        return out

    def stateless_result(self, metric_variables):
        """Pure ``result``: the value the metric would report with these variable values."""
        own = self._check_values(metric_variables, "stateless_result")
        with StatelessScope(state_mapping=list(zip(own, metric_variables))):
            return self.result()

    def stateless_reset_state(self):
        """Pure ``reset_state``: the fresh variable values; the metric is unchanged."""
        own = self.variables
        with StatelessScope() as scope:
            self.reset_state()
        out = []
        for variable in own:
            value = scope.get_current_value(variable)
            out.append(variable.value if value is None else value)
        return out

    # -- config ---------------------------------------------------------------------------
    def get_config(self):
        """``{"name", "dtype"}``; subclasses add their own arguments."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        """Rebuild the metric from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
