"""Turning Kiln objects into Keras-3-shaped JSON envelopes and back.

An envelope is ``{"module": "keras.layers", "class_name": "Dense", "config":
{...}, "registered_name": None}`` (plus ``build_config`` for built layers), the
exact shape Keras 3 writes into ``config.json``, so files move both ways.
Loading only ever instantiates classes Kiln registered (built-ins, or classes
passed in ``custom_objects`` / registered with
``register_keras_serializable``); it never imports a module named in a file.

Example:
    >>> import kiln
    >>> from kiln.saving import serialization_lib as sl
    >>> env = sl.serialize_kiln_object(kiln.initializers.Zeros())
    >>> env["module"], env["class_name"]
    ('keras.initializers', 'Zeros')
    >>> type(sl.deserialize_kiln_object(env)).__name__
    'Zeros'
"""

import contextvars
import importlib
import inspect

# Kiln package -> public Keras module name used in envelopes.
_PUBLIC_MODULES = (
    ("kiln.layers", "keras.layers"),
    ("kiln.initializers", "keras.initializers"),
    ("kiln.regularizers", "keras.regularizers"),
    ("kiln.constraints", "keras.constraints"),
    ("kiln.optimizers.schedules", "keras.optimizers.schedules"),
    ("kiln.optimizers", "keras.optimizers"),
    ("kiln.losses", "keras.losses"),
    ("kiln.metrics", "keras.metrics"),
    ("kiln.activations", "keras.activations"),
    ("kiln.random", "keras.random"),
    ("kiln.dtype_policies", "keras.dtype_policies"),
    ("kiln.callbacks", "keras.callbacks"),
)
# Classes whose envelope module is not their package's.
_SPECIAL_MODULES = {"Sequential": "keras", "DTypePolicy": "keras", "Functional": "keras.src.models.functional",
                    "Model": "keras"}
# Public Kiln packages searched for a class named in an envelope, by Keras module.
_SEARCH_PACKAGES = {
    "keras.layers": ("kiln.layers",),
    "keras.initializers": ("kiln.initializers",),
    "keras.regularizers": ("kiln.regularizers",),
    "keras.constraints": ("kiln.constraints",),
    "keras.optimizers": ("kiln.optimizers",),
    "keras.optimizers.schedules": ("kiln.optimizers.schedules",),
    "keras.losses": ("kiln.losses",),
    "keras.metrics": ("kiln.metrics",),
    "keras.activations": ("kiln.activations",),
    "keras": ("kiln", "kiln.models", "kiln.dtype_policies"),
    "keras.models": ("kiln.models",),
    "keras.src.models.functional": ("kiln.models",),
    "keras.src.models.sequential": ("kiln.models",),
    "keras.random": ("kiln.random",),
    "keras.dtype_policies": ("kiln.dtype_policies",),
}

_CUSTOM_OBJECTS = {}   # registered_name -> class / function
_custom_scope = contextvars.ContextVar("kiln_custom_objects", default=None)
# None: follow the process-wide default (safe unless enable_unsafe_deserialization()).
_safe_mode = contextvars.ContextVar("kiln_safe_mode", default=None)
_UNSAFE_BY_DEFAULT = [False]


def enable_unsafe_deserialization():
    """Make every load outside a SafeModeScope run with safe mode off (trusted files only)."""
    _UNSAFE_BY_DEFAULT[0] = True


def public_module_of(obj):
    """The Keras module name an object's envelope carries, e.g. ``"keras.layers"``.

    Example:
        >>> import kiln
        >>> public_module_of(kiln.initializers.Ones())
        'keras.initializers'
    """
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        module = obj.__module__ or ""
        for prefix, public in _PUBLIC_MODULES:
            if module == prefix or module.startswith(prefix + "."):
                return public
        return module
    cls = obj if inspect.isclass(obj) else type(obj)
    if cls.__name__ in _SPECIAL_MODULES and cls.__module__.startswith("kiln."):
        return _SPECIAL_MODULES[cls.__name__]
    module = cls.__module__
    if module.startswith("kiln.ops."):
        return "keras.src.ops." + module.split(".")[2]
    for prefix, public in _PUBLIC_MODULES:
        if module == prefix or module.startswith(prefix + "."):
            return public
    return module


def register_keras_serializable(package="Custom", name=None):
    """Register a user class so saved files can name it as ``"package>Name"``.

    Example:
        >>> import kiln
        >>> @register_keras_serializable(package="demo")
        ... class Twice(kiln.layers.Layer):
        ...     def call(self, x):
        ...         return x * 2
        >>> get_registered_name(Twice)
        'demo>Twice'
    """
    def decorator(obj):
        registered = f"{package}>{name or obj.__name__}"
        if registered in _CUSTOM_OBJECTS and _CUSTOM_OBJECTS[registered] is not obj:
            raise ValueError(f"{registered} is already registered to {_CUSTOM_OBJECTS[registered]}")
        _CUSTOM_OBJECTS[registered] = obj
        obj._kiln_registered_name = registered
        return obj

    return decorator


def get_registered_name(obj):
    """The name an object was registered under, or its class name.

    Example:
        >>> get_registered_name(int)
        'int'
    """
    return getattr(obj, "_kiln_registered_name", None) or getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Look ``name`` up in custom_objects, the active scope, the registry, then module_objects.

    Returns None when no table has it. Deserialization adds a check this
    plain lookup cannot make (see :func:`lookup_user_object`).

    Example:
        >>> get_registered_object("Twice", custom_objects={"Twice": int}) is int
        True
        >>> get_registered_object("nothing by this name") is None
        True
    """
    for table in (custom_objects, _custom_scope.get(), _CUSTOM_OBJECTS, module_objects):
        if table and name in table:
            return table[name]
    return None


class CustomObjectScope:
    """Make extra classes/functions visible to deserialization inside a ``with`` block.

    Example:
        >>> with CustomObjectScope({"MyLayer": object}):
        ...     get_registered_object("MyLayer") is object
        True
    """

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        merged = dict(_custom_scope.get() or {})
        merged.update(self.custom_objects)
        self._token = _custom_scope.set(merged)
        return self

    def __exit__(self, *exc):
        _custom_scope.reset(self._token)
        return False


custom_object_scope = CustomObjectScope


class SafeModeScope:
    """Set whether deserialization may run code stored in a file (lambdas, pickles).

    The scope decides over any ``safe_mode`` argument inside it; outside
    every scope, loading is safe unless ``enable_unsafe_deserialization()``
    was called.

    Example:
        >>> with SafeModeScope(False):
        ...     in_safe_mode()
        False
        >>> in_safe_mode()
        True
    """

    def __init__(self, safe_mode=True):
        self.safe_mode = safe_mode

    def __enter__(self):
        self._token = _safe_mode.set(self.safe_mode)
        return self

    def __exit__(self, *exc):
        _safe_mode.reset(self._token)
        return False


def in_safe_mode():
    """True unless inside ``SafeModeScope(False)`` or after ``enable_unsafe_deserialization()``."""
    scoped = _safe_mode.get()
    return (not _UNSAFE_BY_DEFAULT[0]) if scoped is None else scoped


def serialize_kiln_object(obj):
    """Serialize ``obj`` to a Keras-3-shaped envelope (or a plain value).

    Plain Python values pass through; tuples become lists. Functions become
    ``{"module", "class_name": "function", "config": name}``.

    Example:
        >>> serialize_kiln_object((1, 2))
        [1, 2]
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_kiln_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_kiln_object(v) for k, v in obj.items()}
    if hasattr(obj, "dtype") and hasattr(obj, "tolist") and not hasattr(obj, "get_config"):
        return obj.tolist()
    if type(obj).__module__ == "numpy":
        return obj.item()
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        registered = getattr(obj, "_kiln_registered_name", None)
        return {"module": public_module_of(obj) if obj.__module__.startswith("kiln.") else obj.__module__,
                "class_name": "function", "config": obj.__name__,
                "registered_name": registered or "function"}
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it has no get_config()")
    config = obj.get_config()
    module = public_module_of(obj)
    envelope = {
        "module": module,
        "class_name": type(obj).__name__,
        "config": serialize_kiln_object(config),
        # Keras names classes living under keras.src (Functional) by their class name.
        "registered_name": getattr(type(obj), "_kiln_registered_name", None) or (
            type(obj).__name__ if module.startswith("keras.src.") else None),
    }
    if hasattr(obj, "get_build_config"):
        build_config = obj.get_build_config()
        if build_config is not None:
            envelope["build_config"] = serialize_kiln_object(build_config)
    if hasattr(obj, "get_compile_config") and getattr(obj, "compiled", False):
        envelope["compile_config"] = serialize_kiln_object(obj.get_compile_config())
    return envelope


# -- the choke point: what a config may name -----------------------------------------------------
# Nested envelopes deeper than this are refused (a real model nests a few dozen at most).
MAX_ENVELOPE_DEPTH = 64
_depth = contextvars.ContextVar("kiln_deserialize_depth", default=0)
_source = contextvars.ContextVar("kiln_deserialize_source", default=None)
# Constructor arguments that make a class read a file or URL (or unpickle) when it is built,
# by class (any class with this name in its MRO). Refused in safe mode when given as a path
# (a string) or as stored bytes.
_LOAD_TIME_READERS = {
    "IndexLookup": ("vocabulary", "idf_weights"),
    "TextVectorization": ("vocabulary", "idf_weights"),
    "TFSMLayer": ("filepath",),
    "TorchModuleWrapper": ("module",),
}
# Forms that carry code: marshalled bytecode (Lambda) and pickled bytes (TorchModuleWrapper).
_CODE_FORMS = {"__lambda__": "serialized Python bytecode (a Lambda's function)",
               "__bytes__": "pickled bytes (unpickling runs code)"}
_allowed_functions = []


def _serializable_bases():
    from kiln.constraints.constraints import Constraint
    from kiln.dtype_policies.dtype_policy import DTypePolicy
    from kiln.initializers.initializer import Initializer
    from kiln.layers.layer import Layer
    from kiln.losses.loss import Loss
    from kiln.metrics.metric import Metric
    from kiln.ops.operation import Operation
    from kiln.optimizers.base_optimizer import Optimizer
    from kiln.optimizers.schedules.learning_rate_schedule import LearningRateSchedule
    from kiln.random.seed_generator import SeedGenerator
    from kiln.regularizers.regularizers import Regularizer

    return (Layer, Initializer, Regularizer, Constraint, Optimizer, LearningRateSchedule, Loss,
            Metric, DTypePolicy, SeedGenerator, Operation)


def _serializable_functions():
    """Ids of the built-in functions a config may name: activations, loss and metric functions."""
    if not _allowed_functions:
        from kiln import activations, losses, metrics

        ids = {id(fn) for package in (activations, losses, metrics)
               for fn in package.ALL_OBJECTS_DICT.values() if inspect.isfunction(fn)}
        _allowed_functions.append(frozenset(ids))
    return _allowed_functions[0]


def is_serializable_builtin(obj, function=False):
    """Whether a built-in Kiln object may be named by a file: the allow-list.

    Classes must derive from a serializable base (Layer, Initializer,
    Regularizer, Constraint, Optimizer, LearningRateSchedule, Loss, Metric,
    DTypePolicy, SeedGenerator, Operation); functions must be activations or
    loss/metric functions. Loaders, savers, config setters and every other
    callable reachable by name are not on it.

    Example:
        >>> import kiln
        >>> is_serializable_builtin(kiln.layers.Dense)
        True
        >>> is_serializable_builtin(kiln.models.load_model, function=True)
        False
    """
    if function:
        return inspect.isfunction(obj) and id(obj) in _serializable_functions()
    return inspect.isclass(obj) and issubclass(obj, _serializable_bases())


def _entry(config):
    """A short name for the envelope an error is about."""
    module, class_name = config.get("module"), config.get("class_name")
    if class_name == "function":
        name = f"function {config.get('config')!r}"
    else:
        name = repr(class_name)
    registered = config.get("registered_name")
    details = [f"module={module!r}"] if module is not None else []
    if registered not in (None, class_name):
        details.append(f"registered_name={registered!r}")
    return f"{name} ({', '.join(details)})" if details else name


def _refuse(config, reason, where=None):
    from kiln.saving.file_safety import UnsafeFileError

    source = getattr(config, "source", None) or _source.get() or "the config"
    entry = _entry(config) + (f" at {where}" if where else "")
    raise UnsafeFileError(source, entry, reason, "config entry")


def _scan(value, custom_objects, safe):
    """Check every envelope nested anywhere in ``value`` before anything is built.

    Some classes resolve the envelopes in their config themselves (a
    layer's dtype policy, say); this pass makes sure none of those can be a
    ``registered_name`` hijack and, in safe mode, that no code-carrying form
    (bytecode, pickle) is anywhere in the config. Errors give the entry's
    path in the config.
    """
    stack = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            class_name = item.get("class_name")
            if isinstance(class_name, str):
                if safe and class_name in _CODE_FORMS:
                    _refuse(item, f"{_CODE_FORMS[class_name]}; loading it would run code from the "
                            "file. Pass safe_mode=False only if you trust its source.",
                            path or "the top level")
                try:
                    _check_nested(item, class_name, custom_objects)
                except ValueError as e:
                    if not path or not hasattr(e, "reason"):
                        raise
                    _refuse(item, e.reason, path)
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(item))


def _check_nested(item, class_name, custom_objects):
    """Hijack check for any envelope; allow-list check for a function envelope naming a built-in."""
    registered = item.get("registered_name")
    function = class_name == "function"
    name = item.get("config") if function else class_name
    if not isinstance(name, str):
        return
    found = None
    if isinstance(registered, str) and registered != name or function:
        found = _lookup_user(name, registered, item, custom_objects)
    if function and found is None:
        # Code that resolves function envelopes itself cannot be led to a gadget either.
        _lookup_builtin(item.get("module"), name, item, True)


def _lookup_user(name, registered_name, config, custom_objects):
    """A user-supplied object (argument, scope, registry) for the envelope, checking hijacks."""
    for key in (registered_name, name):
        if not isinstance(key, str) or not key:
            continue
        found = get_registered_object(key, custom_objects)
        if found is None:
            continue
        if key != name and getattr(found, "__name__", None) != name:
            _refuse(config, f"registered_name {key!r} resolves to {found!r}, not to {name!r} as "
                    "the entry says (a registered_name hijack)")
        module = config.get("module")
        if (key != name and module in _SEARCH_PACKAGES
                and not str(getattr(found, "__module__", "")).startswith("kiln.")):
            _refuse(config, f"registered_name {key!r} resolves to the user object {found!r}, but "
                    f"the entry claims the built-in module {module!r} (a registered_name hijack)")
        return found
    return None


def lookup_user_object(config, custom_objects=None):
    """The user-supplied class or function an envelope names, or None; refuses hijacks.

    Looks ``registered_name`` then ``class_name`` (``config`` for a function
    envelope) up in ``custom_objects``, the active scope and the registry,
    as deserialization does. An object found under ``registered_name``
    must carry the name the entry states, so a file cannot relabel a
    registered object as a built-in (a ``registered_name`` hijack). Any code
    that resolves envelopes itself must use this rather than
    :func:`get_registered_object`.

    Example:
        >>> lookup_user_object({"class_name": "Dense", "config": {}}) is None
        True
    """
    function = config.get("class_name") == "function"
    name = config.get("config") if function else config.get("class_name")
    return _lookup_user(name, config.get("registered_name"), config, custom_objects)


def _lookup_builtin(module, name, config, function):
    from kiln.ops.operation import OPERATION_REGISTRY

    if not function and (module, name) in OPERATION_REGISTRY:
        return OPERATION_REGISTRY[(module, name)]
    if module not in _SEARCH_PACKAGES:
        return None
    for package in _SEARCH_PACKAGES[module]:
        candidate = getattr(importlib.import_module(package), name, None)
        if candidate is None:
            continue
        if not is_serializable_builtin(candidate, function):
            kind = "function" if function else "class"
            _refuse(config, f"{package}.{name} is not a serializable {kind} (only layers, "
                    "initializers, regularizers, constraints, optimizers, schedules, losses, "
                    "metrics, activations and dtype policies can be named by a file)")
        return candidate
    return None


def _check_arguments(cls, inner, config):
    """Refuse, in safe mode, constructor arguments that read a file, a URL or pickled bytes."""
    if not isinstance(inner, dict):
        return
    for klass in inspect.getmro(cls):
        for argument in _LOAD_TIME_READERS.get(klass.__name__, ()):
            value = inner.get(argument)
            if isinstance(value, (str, bytes, dict)):
                _refuse(config, f"constructor argument {argument}={_short(value)} would be read "
                        "from a file, URL or pickle when the object is built; safe_mode forbids it "
                        "(pass the data itself, or load with safe_mode=False if you trust the "
                        "file)")


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _resolve_safe_mode(safe_mode):
    scoped = _safe_mode.get()
    if scoped is not None:
        return bool(scoped)
    if _UNSAFE_BY_DEFAULT[0]:
        return False
    return safe_mode is not False


def deserialize_kiln_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Rebuild an object from its envelope (or return plain values unchanged).

    The one choke point every loader goes through (``load_model``,
    ``from_config``, ``clone_model``, ``model_from_json``): names resolve only
    to objects the caller supplied (``custom_objects``, a
    ``custom_object_scope``, ``register_keras_serializable``) or to Kiln's
    allow-list of serializable built-ins (:func:`is_serializable_builtin`); no
    module named in a config is ever imported. Refused with an error naming
    the file (when the config came from one) and the entry: unknown
    objects, built-ins off the allow-list, ``registered_name`` hijacks,
    nesting deeper than ``MAX_ENVELOPE_DEPTH``, and, in safe mode, bytecode,
    pickles and constructor arguments read from files or URLs.

    ``safe_mode`` counts as True unless it is exactly False; an enclosing
    ``SafeModeScope`` (``load_model(safe_mode=...)``) or
    ``enable_unsafe_deserialization()`` decides instead when present.

    Example:
        >>> type(deserialize_kiln_object(
        ...     {"module": "keras.initializers", "class_name": "Ones", "config": {}})).__name__
        'Ones'
        >>> deserialize_kiln_object({"module": "keras.models", "class_name": "function",
        ...                          "config": "load_model"})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        kiln.saving.file_safety.UnsafeFileError: Refusing the config: config entry function ...
    """
    if config is None or isinstance(config, (bool, int, float, str)):
        return config
    safe = _resolve_safe_mode(safe_mode)
    if isinstance(config, list):
        with SafeModeScope(safe):
            return [deserialize_kiln_object(c, custom_objects) for c in config]
    if not isinstance(config, dict):
        raise TypeError(f"Cannot deserialize {type(config).__name__}: expected a dict envelope")
    if "class_name" not in config:
        return config
    depth = _depth.get()
    if depth >= MAX_ENVELOPE_DEPTH:
        _refuse(config, f"envelopes nested deeper than {MAX_ENVELOPE_DEPTH} levels")
    source = getattr(config, "source", None)
    tokens = [_depth.set(depth + 1), _safe_mode.set(safe)]
    if source is not None:
        tokens.append(_source.set(source))
    try:
        if depth == 0:
            _scan(config, custom_objects, safe)
        return _deserialize_envelope(config, custom_objects, safe)
    finally:
        for token in reversed(tokens):
            token.var.reset(token)


def _deserialize_envelope(config, custom_objects, safe):
    class_name = config["class_name"]
    module = config.get("module")
    inner = config.get("config")
    registered_name = config.get("registered_name")
    if not isinstance(class_name, str):
        _refuse(config, "class_name must be a string")
    if class_name in _CODE_FORMS:
        if safe:
            _refuse(config, f"{_CODE_FORMS[class_name]}; loading it would run code from the file. "
                    "Pass safe_mode=False only if you trust its source.")
        raise NotImplementedError(f"deserialize_keras_object: a bare {class_name!r} entry is only "
                                  "loaded by the layer that wrote it (Lambda, TorchModuleWrapper)")
    function = class_name == "function"
    name = inner if function else class_name
    if not isinstance(name, str):
        _refuse(config, "a function entry must name the function as a string")
    found = _lookup_user(name, registered_name, config, custom_objects)
    if found is None:
        found = _lookup_builtin(module, name, config, function)
    if found is None:
        what = "function" if function else "class"
        where = (f"Kiln has no {what} {name!r} in {module!r}" if module in _SEARCH_PACKAGES
                 else f"module {module!r} is never imported")
        _refuse(config, f"unknown {what} ({where}). If it is a custom {what}, pass it in "
                "custom_objects or register it with kiln.saving.register_keras_serializable()")
    if function:
        if inspect.isclass(found) or not callable(found):
            _refuse(config, f"a function entry resolves to {found!r}, which is not a function")
        return found
    if not inspect.isclass(found) or not hasattr(found, "from_config"):
        _refuse(config, f"{found!r} cannot be rebuilt: it is not a class with from_config()")
    if safe:
        _check_arguments(found, inner, config)
    if custom_objects:
        with CustomObjectScope(custom_objects):
            obj = found.from_config(inner if inner is not None else {})
    else:
        obj = found.from_config(inner if inner is not None else {})
    build_config = config.get("build_config")
    if build_config and hasattr(obj, "build_from_config") and not getattr(obj, "built", True):
        obj.build_from_config(build_config)
    return obj
