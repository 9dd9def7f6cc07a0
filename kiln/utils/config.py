"""``Config``: a dict of named settings with attribute access, freezing and JSON export.

Example:
    >>> config = Config(learning_rate=0.1)
    >>> config.seed = 7
    >>> config["learning_rate"], config.seed
    (0.1, 7)
"""

import json

# Names that are the class's own (methods, properties), never entries of the config.
_OWN = ("_entries", "_frozen")


class Config:
    """A dict-like container for named values (e.g. an experiment's hyperparameters).

    Compared with a plain dict it offers:

    - setting and reading entries as attributes (``config.seed = 1``; ``config.seed``)
      as well as items (``config["seed"]``);
    - ``freeze()``: after it, any change raises a ValueError until ``unfreeze()``;
    - ``to_json()``: the whole config as a JSON string (``as_dict()`` gives a dict).

    It also behaves like a mapping: ``keys()``, ``values()``, ``items()``, ``get()``,
    ``pop()``, ``update()``, ``len()``, ``in`` and iteration (over sorted keys).

    Args:
        **kwargs: the initial entries.

    Example:
        >>> config = Config(learning_rate=0.1, momentum=0.9)
        >>> config.use_ema = True
        >>> config["seed"] = 123
        >>> config.seed, config["use_ema"], len(config)
        (123, True, 4)
        >>> config.freeze()
        >>> config.frozen
        True
        >>> config.seed = 1
        Traceback (most recent call last):
            ...
        ValueError: Config: cannot set 'seed': the config is frozen (call unfreeze() to change it)
        >>> config.unfreeze(); config.seed = 1
        >>> config.to_json()
        '{"learning_rate": 0.1, "momentum": 0.9, "use_ema": true, "seed": 1}'
    """

    def __init__(self, **kwargs):
        object.__setattr__(self, "_entries", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    # -- freezing ----------------------------------------------------------------------
    @property
    def frozen(self):
        """Whether the config refuses changes."""
        return self._frozen

    def freeze(self):
        """Refuse any further change (set, delete, pop, update) until ``unfreeze()``."""
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self):
        """Allow changes again."""
        object.__setattr__(self, "_frozen", False)

    def _check_mutable(self, what):
        if self._frozen:
            raise ValueError(f"Config: cannot {what}: the config is frozen (call unfreeze() to change it)")

    # -- export ------------------------------------------------------------------------
    def as_dict(self):
        """A (shallow) copy of the entries as a plain dict."""
        return dict(self._entries)

    def to_json(self):
        """The entries as a JSON string (values must be JSON-serializable)."""
        return json.dumps(self._entries)

    # -- attribute access --------------------------------------------------------------
    def __getattr__(self, name):
        # Only called when normal lookup fails: methods and properties win over entries.
        if name in _OWN or name.startswith("__"):
            raise AttributeError(name)
        entries = self._entries
        if name in entries:
            return entries[name]
        raise AttributeError(f"Config has no entry {name!r}; entries: {sorted(entries)}")

    def __setattr__(self, name, value):
        if name in _OWN or hasattr(type(self), name):
            raise AttributeError(f"Config: {name!r} is a method or property of Config, not an entry; "
                                 f"set it as config[{name!r}] = ...")
        self._check_mutable(f"set {name!r}")
        self._entries[name] = value

    def __delattr__(self, name):
        self._check_mutable(f"delete {name!r}")
        if name not in self._entries:
            raise AttributeError(f"Config has no entry {name!r}")
        del self._entries[name]

    # -- mapping -----------------------------------------------------------------------
    def __getitem__(self, key):
        return self._entries[key]

    def __setitem__(self, key, value):
        self._check_mutable(f"set {key!r}")
        self._entries[key] = value

    def __delitem__(self, key):
        self._check_mutable(f"delete {key!r}")
        del self._entries[key]

    def __contains__(self, key):
        return key in self._entries

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        return iter(sorted(self._entries))

    def keys(self):
        return self._entries.keys()

    def values(self):
        return self._entries.values()

    def items(self):
        return self._entries.items()

    def get(self, keyname, value=None):
        return self._entries.get(keyname, value)

    def pop(self, *args):
        self._check_mutable("pop an entry")
        return self._entries.pop(*args)

    def update(self, *args, **kwargs):
        self._check_mutable("update entries")
        self._entries.update(*args, **kwargs)

    def __repr__(self):
        return f"<Config {self._entries}>"
