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
    """Look a name up in custom_objects, the active custom-object scope, then the registry."""
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
    """Set whether deserialization may run code stored in a file (lambdas)."""

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
    envelope = {
        "module": public_module_of(obj),
        "class_name": type(obj).__name__,
        "config": serialize_kiln_object(config),
        "registered_name": getattr(type(obj), "_kiln_registered_name", None),
    }
    if hasattr(obj, "get_build_config"):
        build_config = obj.get_build_config()
        if build_config is not None:
            envelope["build_config"] = serialize_kiln_object(build_config)
    if hasattr(obj, "get_compile_config") and getattr(obj, "compiled", False):
        envelope["compile_config"] = serialize_kiln_object(obj.get_compile_config())
    return envelope


def _find_class(module, class_name, registered_name, custom_objects):
    for name in (registered_name, class_name):
        if name:
            found = get_registered_object(name, custom_objects)
            if found is not None:
                return found
    from kiln.ops.operation import OPERATION_REGISTRY

    if (module, class_name) in OPERATION_REGISTRY:
        return OPERATION_REGISTRY[(module, class_name)]
    for package in _SEARCH_PACKAGES.get(module, ()):
        candidate = getattr(importlib.import_module(package), class_name, None)
        if candidate is not None:
            return candidate
    return None


def deserialize_kiln_object(config, custom_objects=None, **kwargs):
    """Rebuild an object from its envelope (or return plain values unchanged).

    Raises ValueError naming the module and class when the class is unknown;
    never imports modules named by the file.

    Example:
        >>> type(deserialize_kiln_object(
        ...     {"module": "keras.initializers", "class_name": "Ones", "config": {}})).__name__
        'Ones'
    """
    if config is None or isinstance(config, (bool, int, float, str)):
        return config
    if isinstance(config, list):
        return [deserialize_kiln_object(c, custom_objects) for c in config]
    if not isinstance(config, dict):
        raise TypeError(f"Cannot deserialize {type(config).__name__}: expected a dict envelope")
    if "class_name" not in config:
        return config
    class_name = config["class_name"]
    module = config.get("module")
    inner = config.get("config")
    if class_name == "__lambda__":
        if in_safe_mode():
            raise ValueError(
                "Refusing to load a lambda (marshalled Python bytecode) from the file: that would "
                "execute code from the file. Pass safe_mode=False only if you trust its source."
            )
        raise NotImplementedError("Loading lambda functions is not supported yet")
    if class_name == "function":
        found = get_registered_object(config.get("registered_name"), custom_objects) or \
            get_registered_object(inner, custom_objects)
        if found is None and module in _SEARCH_PACKAGES:
            for package in _SEARCH_PACKAGES[module]:
                found = getattr(importlib.import_module(package), inner, None)
                if found is not None:
                    break
        if found is None:
            raise ValueError(f"Unknown function '{inner}' (module {module!r}) in the saved config; "
                             "pass it in custom_objects")
        return found
    cls = _find_class(module, class_name, config.get("registered_name"), custom_objects)
    if cls is None:
        raise ValueError(
            f"Unknown object: module={module!r}, class_name={class_name!r}. If it is a custom "
            "class, pass it in custom_objects or register it with "
            "kiln.saving.register_keras_serializable()."
        )
    if not hasattr(cls, "from_config"):
        raise TypeError(f"{class_name} cannot be rebuilt: it has no from_config()")
    if custom_objects:
        with CustomObjectScope(custom_objects):
            obj = cls.from_config(inner if inner is not None else {})
    else:
        obj = cls.from_config(inner if inner is not None else {})
    build_config = config.get("build_config")
    if build_config and hasattr(obj, "build_from_config") and not getattr(obj, "built", True):
        obj.build_from_config(build_config)
    return obj
