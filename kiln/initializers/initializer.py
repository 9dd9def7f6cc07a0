"""``Initializer``: the base class of weight initializers.

An initializer is called as ``init(shape, dtype=None)`` and returns a tensor
of that shape (``dtype`` None means ``kiln.config.floatx()``).

Example:
    >>> import kiln
    >>> class Twos(kiln.initializers.Initializer):
    ...     def __call__(self, shape, dtype=None):
    ...         return kiln.ops.full(shape, 2.0, dtype=dtype)
    >>> kiln.ops.convert_to_numpy(Twos()((2,))).tolist()
    [2.0, 2.0]
"""


class Initializer:
    """Base class: subclasses implement ``__call__(shape, dtype=None)`` and ``get_config``.

    Example:
        >>> Initializer().get_config()
        {}
    """

    def __init__(self, *args, **kwargs):
        # Keras' signature for the argument-less initializers is (*args, **kwargs); none is accepted.
        if args or kwargs:
            raise TypeError(
                f"{type(self).__name__}: takes no arguments; received args={args}, "
                f"kwargs={sorted(kwargs)}"
            )

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(f"Initializer {type(self).__name__} must implement __call__")

    def get_config(self):
        """The constructor arguments as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Create an initializer from :meth:`get_config`'s output."""
        return cls(**config)

    def clone(self):
        """A new initializer with the same configuration."""
        return type(self).from_config(self.get_config())

    def __repr__(self):
        return f"<{type(self).__name__} {self.get_config()}>"
