"""One identifier-resolution routine for every ``get``/``serialize``/``deserialize`` trio.

``kiln.losses``, ``kiln.metrics``, ``kiln.activations``, ``kiln.initializers``,
``kiln.regularizers``, ``kiln.constraints``, ``kiln.optimizers`` and
``kiln.optimizers.schedules`` each accept the same kinds of identifier (None,
a name, an envelope dict, an object, a class or a function) and differ only in
a few choices: what None means, whether a class found by name is instantiated,
whether names match case-insensitively. Those choices are keyword arguments
here, so the lookup order and the error messages are written once and cannot
drift apart between packages.

Names are looked up in this order: the ``custom_objects`` argument, the active
``custom_object_scope``, objects registered with
``register_keras_serializable``, then the package's own table. User objects
come first so a user can deliberately shadow a built-in, the same order
:mod:`kiln.saving.serialization_lib` uses for envelopes.

A package states its choices once in a :class:`Catalog` and exposes the
catalog's bound ``get``/``serialize``/``deserialize`` as its public functions.

Example:
    >>> from kiln.saving import object_lookup
    >>> def double(x):
    ...     return 2 * x
    >>> table = {"double": double, "twice": double}
    >>> object_lookup.resolve("twice", kind="demo", objects=table) is double
    True
    >>> object_lookup.resolve(None, kind="demo", objects=table, none_result=double) is double
    True
"""

import inspect

from kiln.saving import serialization_lib


def name_table(objects, aliases=None):
    """A package's lookup table: each object under its ``__name__``, plus ``aliases``.

    Keyed by ``__name__`` so a table entry can never disagree with the name
    :func:`serialize` writes for it.

    Example:
        >>> def relu(x):
        ...     return x
        >>> sorted(name_table([relu], {"rectifier": relu}))
        ['rectifier', 'relu']
    """
    table = {obj.__name__: obj for obj in objects}
    table.update(aliases or {})
    return table


def lookup(name, *, kind, objects, custom_objects=None, case_insensitive=False,
           valid_names=None, hint=""):
    """Find the object a string names, or raise ValueError listing the valid names.

    ``objects`` is the package's table (aliases included). With
    ``case_insensitive`` its keys must be lower case and ``name`` is lowered
    before the table is consulted (user registrations stay case-sensitive).
    ``valid_names`` overrides the names listed in the error (default: every
    key of ``objects``); ``hint`` is appended to that message.

    Example:
        >>> lookup("Adam", kind="optimizer", objects={"adam": dict}, case_insensitive=True)
        <class 'dict'>
        >>> lookup("adamx", kind="optimizer", objects={"adam": dict})
        Traceback (most recent call last):
        ...
        ValueError: Unknown optimizer: 'adamx'. Valid names: adam
    """
    found = serialization_lib.get_registered_object(name, custom_objects)
    if found is None:
        found = objects.get(name.lower() if case_insensitive else name)
    if found is None:
        # Listing the names turns a typo into a one-glance fix.
        names = sorted(objects) if valid_names is None else valid_names
        raise ValueError(f"Unknown {kind}: {name!r}. Valid names: {', '.join(names)}{hint}")
    return found


def serialize(obj, *, objects, module=None, names_for_builtins=False):
    """What a config stores for ``obj``: an envelope, or a bare name for built-in functions.

    A built-in function (one that ``objects`` maps its own ``__name__`` to) is
    written as its name when ``names_for_builtins`` is set (activations: Keras
    stores ``"relu"``), or as a function envelope under ``module`` when that is
    given (losses and metrics: Keras records the package the user named it in,
    not the module that defines it, and its own name as ``registered_name``).
    Everything else goes through
    :func:`~kiln.saving.serialization_lib.serialize_kiln_object`.

    Example:
        >>> import kiln
        >>> fn = kiln.losses.mean_squared_error
        >>> serialize(fn, objects={"mean_squared_error": fn}, module="keras.metrics")["module"]
        'keras.metrics'
        >>> serialize(kiln.activations.relu, objects={"relu": kiln.activations.relu},
        ...           names_for_builtins=True)
        'relu'
    """
    name = getattr(obj, "__name__", None)
    # Identity, not just the name, so a user function called "relu" is not mistaken for ours.
    is_builtin_function = (inspect.isfunction(obj) and isinstance(name, str)
                           and objects.get(name) is obj)
    if is_builtin_function and names_for_builtins:
        return name
    if is_builtin_function and module is not None:
        return {"module": module, "class_name": "function", "config": name,
                "registered_name": name}
    return serialization_lib.serialize_kiln_object(obj)


def deserialize(config, *, kind, objects, custom_objects=None, instantiate_classes=False,
                case_insensitive=False, valid_names=None, hint="", envelopes_only=False,
                match_class_names=False, match_function_names=False):
    """Rebuild an object from a name or an envelope dict.

    A string goes through :func:`lookup`; a class it finds is instantiated
    with no arguments when ``instantiate_classes`` is set. Anything else goes to
    :func:`~kiln.saving.serialization_lib.deserialize_kiln_object`, except:

    * ``envelopes_only``: anything but a dict with ``class_name`` raises
      ValueError (optimizers: a bare name is ambiguous about its config).
    * ``match_class_names``: an envelope whose ``class_name`` is in
      ``objects`` is rebuilt from that table whatever ``module`` it names,
      since Keras writes backend-specific modules (its torch backend saves
      ``Adam`` under ``keras.src.backend.torch.optimizers.torch_adam``).
    * ``match_function_names``: a function envelope whose ``config`` is in
      ``objects`` returns the table entry, so aliases such as ``"mse"`` load.

    In both shortcuts a name the user supplied (argument, scope or registry)
    wins over the table, matching :func:`lookup`.

    Example:
        >>> import kiln
        >>> table = {"adam": kiln.optimizers.Adam}
        >>> env = {"module": "keras.src.backend.torch.optimizers.torch_adam",
        ...        "class_name": "Adam", "config": {"learning_rate": 0.5}}
        >>> opt = deserialize(env, kind="optimizer", objects=table, case_insensitive=True,
        ...                   match_class_names=True)
        >>> type(opt).__name__
        'Adam'
    """
    if isinstance(config, str) and not envelopes_only:
        found = lookup(config, kind=kind, objects=objects, custom_objects=custom_objects,
                       case_insensitive=case_insensitive, valid_names=valid_names, hint=hint)
        return found() if instantiate_classes and inspect.isclass(found) else found
    is_envelope = isinstance(config, dict) and "class_name" in config
    if envelopes_only and not is_envelope:
        raise ValueError(f"Cannot deserialize {kind}: expected an envelope dict with "
                         f"'class_name', received {config!r}")
    if is_envelope and (match_class_names or match_function_names):
        builtin = _builtin_for_envelope(config, objects, custom_objects, case_insensitive,
                                        match_class_names, match_function_names)
        if builtin is not None:
            return builtin
    return serialization_lib.deserialize_kiln_object(config, custom_objects=custom_objects)


def resolve(identifier, *, kind, objects, base_class=None, instantiate_classes=True,
            none_result=None, custom_objects=None, deserializer=None, strict=False,
            case_insensitive=False, valid_names=None, hint=""):
    """Turn any accepted identifier into the object a package's ``get`` returns.

    * an instance of ``base_class`` is returned as is;
    * None gives ``none_result`` (activations: ``linear``), or an error when
      ``strict``;
    * a string goes through :func:`lookup`;
    * a dict goes through ``deserializer`` (the package's own ``deserialize``,
      so its envelope rules apply; default :func:`deserialize`);
    * any other callable is kept, unless ``strict`` (optimizers accept only
      instances, names and envelopes).

    The object obtained must be callable (or, with ``strict``, end up an
    instance of ``base_class``, which ``strict`` therefore requires); otherwise
    ValueError. A class is then instantiated with no arguments when
    ``instantiate_classes`` is set.

    Example:
        >>> import kiln
        >>> table = {"sgd": kiln.optimizers.SGD}
        >>> type(resolve("SGD", kind="optimizer", objects=table, case_insensitive=True,
        ...              base_class=kiln.optimizers.Optimizer, strict=True)).__name__
        'SGD'
        >>> resolve(3, kind="optimizer", objects=table, strict=True,
        ...         base_class=kiln.optimizers.Optimizer)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: Could not interpret optimizer identifier: 3 (expected an Optimizer, ...)
    """
    if base_class is not None and isinstance(identifier, base_class):
        return identifier
    if identifier is None and not strict:
        return none_result
    names = sorted(objects) if valid_names is None else valid_names
    if strict:
        expected = f"{_a(base_class.__name__)}, a name among {', '.join(names)}, or a config dict"
    else:
        expected = ("a name, a config dict, "
                    + (f"{_a(base_class.__name__)}, " if base_class is not None else "")
                    + "a callable or None")
    if isinstance(identifier, str):
        obj = lookup(identifier, kind=kind, objects=objects, custom_objects=custom_objects,
                     case_insensitive=case_insensitive, valid_names=valid_names, hint=hint)
    elif isinstance(identifier, dict):
        if deserializer is None:
            obj = deserialize(identifier, kind=kind, objects=objects,
                              custom_objects=custom_objects)
        else:
            obj = deserializer(identifier, custom_objects=custom_objects)
    elif strict:
        raise ValueError(f"Could not interpret {kind} identifier: {identifier!r} "
                         f"(expected {expected})")
    else:
        obj = identifier
    # Checked before instantiation: a class is callable, and get(SomeClass) has always given
    # SomeClass() whatever that instance is. This also refuses a dict that was not an envelope,
    # which deserialization hands back unchanged.
    if not strict and not callable(obj):
        raise ValueError(f"Could not interpret {kind} identifier: {identifier!r} "
                         f"(expected {expected})")
    if instantiate_classes and inspect.isclass(obj):
        # Keras lets a class stand for its default-configured instance ("get(MaxNorm)").
        obj = obj()
    if strict and not isinstance(obj, base_class):
        raise ValueError(f"Could not interpret {kind} identifier: {identifier!r} "
                         f"(expected {expected})")
    return obj


class Catalog:
    """One package's lookup choices, with its public ``get``/``serialize``/``deserialize``.

    Keyword arguments are those of :func:`resolve`, :func:`serialize` and
    :func:`deserialize`; each method forwards the ones it understands, so
    ``get`` and ``deserialize`` cannot disagree on the kind, the table, the
    valid names listed in errors or the case rule. ``names_give_instances``
    makes ``deserialize("name")`` return a default instance rather than the
    class (initializers, regularizers, constraints: Kiln has always done so).
    ``unlisted`` names stay resolvable but are left out of error messages
    (base classes that cannot be built without arguments).

    Example:
        >>> import kiln
        >>> from kiln.constraints import Constraint, NonNeg
        >>> catalog = Catalog("constraint", {"non_neg": NonNeg}, base_class=Constraint,
        ...                   names_give_instances=True)
        >>> type(catalog.get("non_neg")).__name__, catalog.get(None)
        ('NonNeg', None)
    """

    def __init__(self, kind, objects, *, base_class=None, unlisted=(), hint="",
                 case_insensitive=False, instantiate_classes=True, none_result=None,
                 strict=False, names_give_instances=False, envelopes_only=False,
                 match_class_names=False, match_function_names=False, module=None,
                 names_for_builtins=False):
        self.kind = kind
        self.objects = objects
        valid_names = sorted(name for name in objects if name not in unlisted)
        self._names = {"kind": kind, "objects": objects, "valid_names": valid_names,
                       "hint": hint, "case_insensitive": case_insensitive}
        self._get = {"base_class": base_class, "instantiate_classes": instantiate_classes,
                     "none_result": none_result, "strict": strict}
        self._deserialize = {"instantiate_classes": names_give_instances,
                             "envelopes_only": envelopes_only,
                             "match_class_names": match_class_names,
                             "match_function_names": match_function_names}
        self._serialize = {"module": module, "names_for_builtins": names_for_builtins}

    def get(self, identifier):
        """Resolve ``identifier`` (None, a name, an envelope, an object) as :func:`resolve` does.

        Example:
            >>> import kiln
            >>> kiln.regularizers.get("l2").get_config()
            {'l2': 0.01}
        """
        return resolve(identifier, deserializer=self.deserialize, **self._get, **self._names)

    def serialize(self, obj):
        """What a config stores for ``obj`` (see :func:`serialize`).

        Example:
            >>> import kiln
            >>> kiln.activations.serialize(kiln.activations.silu)
            'silu'
        """
        return serialize(obj, objects=self.objects, **self._serialize)

    def deserialize(self, config, custom_objects=None):
        """Rebuild an object from a name or an envelope (see :func:`deserialize`).

        Example:
            >>> import kiln
            >>> kiln.losses.deserialize("mse") is kiln.losses.mean_squared_error
            True
        """
        return deserialize(config, custom_objects=custom_objects, **self._deserialize,
                           **self._names)


def _a(noun):
    """``noun`` with its indefinite article, for readable error messages."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _builtin_for_envelope(config, objects, custom_objects, case_insensitive, match_class_names,
                          match_function_names):
    """The table's object for an envelope, or None to fall back to the generic path."""
    class_name = config["class_name"]
    is_function = class_name == "function"
    if is_function and not match_function_names or not is_function and not match_class_names:
        return None
    name = config.get("config") if is_function else class_name
    if not isinstance(name, str):
        return None
    for user_name in (config.get("registered_name"), name):
        if user_name and serialization_lib.get_registered_object(user_name, custom_objects):
            return None  # a user-supplied object of that name takes precedence
    found = objects.get(name.lower() if case_insensitive else name)
    if found is None or is_function:
        return found
    inner = config.get("config") or {}
    # Same scope the generic path opens, so nested envelopes see the caller's custom objects.
    if custom_objects:
        with serialization_lib.CustomObjectScope(custom_objects):
            return found.from_config(inner)
    return found.from_config(inner)
