"""Scopes that change how variables and ops behave, held in ``contextvars``.

- :class:`StatelessScope`: reading a variable returns the value mapped for it,
  assigning one records the new value instead of applying it. This makes a
  layer call a pure function of explicit state (``stateless_call``, JAX steps).
- :class:`SymbolicScope`: set while Kiln traces a function on placeholder
  tensors to infer output shapes.
- :func:`name_scope`: prefixes the ``path`` of variables created inside it.

Because the state lives in ``contextvars``, threads and asyncio tasks each see
their own scopes.

Example:
    >>> import kiln
    >>> v = kiln.Variable(1.0)
    >>> with kiln.StatelessScope(state_mapping=[(v, 5.0)]) as scope:
    ...     float(v.value)
    5.0
"""

import contextlib
import contextvars

_stateless_scope = contextvars.ContextVar("kiln_stateless_scope", default=None)
_symbolic_scope = contextvars.ContextVar("kiln_symbolic_scope", default=None)
_name_scope_path = contextvars.ContextVar("kiln_name_scope_path", default=())


class StatelessScope:
    """Run code without touching variables: reads come from a mapping, writes go to it.

    Args:
        state_mapping: iterable of ``(variable, value)`` pairs giving the values
            variables read as inside the scope.
        collect_losses: when True, losses added with ``Layer.add_loss`` are
            collected in ``scope.losses`` instead of stored on the layer.
        initialize_variables: kept for API compatibility; variables created in
            the scope are initialized at once.

    Example:
        >>> import kiln
        >>> v = kiln.Variable(1.0)
        >>> with kiln.StatelessScope() as scope:
        ...     _ = v.assign(3.0)
        ...     new = scope.get_current_value(v)
        >>> float(v.numpy()), float(new)
        (1.0, 3.0)
    """

    def __init__(self, state_mapping=None, collect_losses=False, initialize_variables=True):
        from kiln.backend.common.variables import KerasVariable

        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self.losses = []
        self._values = {}
        for variable, value in state_mapping or ():
            if not isinstance(variable, KerasVariable):
                raise ValueError(
                    "StatelessScope: every key of state_mapping must be a kiln.Variable, "
                    f"received {type(variable).__name__}"
                )
            self._values[id(variable)] = value
        self._token = None

    def __enter__(self):
        self._token = _stateless_scope.set(self)
        return self

    def __exit__(self, *exc):
        _stateless_scope.reset(self._token)
        return False

    def add_update(self, variable, value):
        """Record ``value`` as the new value of ``variable`` for this scope."""
        self._values[id(variable)] = value

    def get_current_value(self, variable):
        """Return the value ``variable`` has in this scope, or None if it was never mapped."""
        return self._values.get(id(variable))

    def add_loss(self, loss):
        """Collect a loss added while the scope is active."""
        self.losses.append(loss)


def get_stateless_scope():
    """Return the innermost active :class:`StatelessScope`, or None."""
    return _stateless_scope.get()


def in_stateless_scope():
    """True inside a :class:`StatelessScope`."""
    return _stateless_scope.get() is not None


class SymbolicScope:
    """Marks that ops are being traced on placeholders to infer shapes and dtypes.

    Example:
        >>> with SymbolicScope():
        ...     in_symbolic_scope()
        True
    """

    def __enter__(self):
        self._token = _symbolic_scope.set(self)
        return self

    def __exit__(self, *exc):
        _symbolic_scope.reset(self._token)
        return False


def in_symbolic_scope():
    """True inside a :class:`SymbolicScope`."""
    return _symbolic_scope.get() is not None


@contextlib.contextmanager
def name_scope(name, caller=None, deduplicate=True, override_parent=None):
    """Prefix the paths of variables created inside with ``name``.

    ``override_parent`` replaces the whole current path instead of extending it.
    With ``deduplicate``, entering the scope that is already innermost does not
    repeat it (a layer building itself from inside its own scope).

    Example:
        >>> import kiln
        >>> with kiln.name_scope("block"):
        ...     kiln.Variable(1.0, name="w").path
        'block/w'
    """
    if not isinstance(name, str) or not name or "/" in name:
        raise ValueError(f"name_scope: expected a non-empty name without '/', received {name!r}")
    path = _name_scope_path.get()
    if override_parent is not None:
        path = tuple(p for p in override_parent.split("/") if p)
    if not (deduplicate and path and path[-1] == name):
        path = path + (name,)
    token = _name_scope_path.set(path)
    try:
        yield path
    finally:
        _name_scope_path.reset(token)


def current_path():
    """Return the active name-scope path as a ``/``-joined string ('' at top level)."""
    return "/".join(_name_scope_path.get())
