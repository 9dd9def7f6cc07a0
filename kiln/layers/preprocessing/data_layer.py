"""``DataLayer``: the base of preprocessing layers that run in a model AND in ``tf.data``.

A preprocessing layer written on ``DataLayer`` runs on the active backend
inside a Kiln model, and inside a ``tf.data`` pipeline (``ds.map(layer)``)
whatever the backend: there its inputs are symbolic ``tf.Tensor``s of a
``tf.function`` graph, which the jax, torch and numpy ops cannot take, so the
layer computes with TensorFlow instead.

Contract for subclasses: write ``call`` with ``self.backend`` instead of
``kiln.ops``. ``self.backend`` has these attributes, each with the names and
semantics of the Kiln module it mirrors:

- ``numpy``  — every op of ``kiln.ops.numpy``
- ``nn``     — every op of ``kiln.ops.nn``
- ``image``  — every op of ``kiln.ops.image``
- ``math``   — every op of ``kiln.ops.math``
- ``linalg`` — every op of ``kiln.ops.linalg``
- ``core``   — every op of ``kiln.ops.core`` (``cast``, ``convert_to_tensor``, ``shape``, ``cond``...)
- ``random`` — ``normal``, ``uniform``, ``truncated_normal``, ``randint``, ``dropout``,
  ``shuffle``, ``categorical`` of ``kiln.random``; pass the layer's
  :class:`~kiln.random.SeedGenerator` (or an int, or None) as ``seed``
- ``name``   — ``"tensorflow"`` inside a tf.data graph, else the active backend's name

In a model (and whenever the backend is tensorflow) each attribute IS the
Kiln module (``self.backend.numpy is kiln.ops.numpy``). Inside a tf.data
graph on another backend each is a TensorFlow twin of it: the same op
functions re-bound to ``kiln.backend.tensorflow`` (imported lazily, the first
time a layer runs in tf.data), so they compute with ``tf`` ops and give the
same results. Arguments that are variables or tensors of the active backend
(e.g. a layer's weights) are converted to constant ``tf`` tensors. Random
functions there draw a fresh seed per call from a TensorFlow stateful op
(seeded from the SeedGenerator's seed, so pipelines are reproducible) and
sample with TensorFlow's stateless random ops; in a model they draw from the
SeedGenerator as ``kiln.random`` does.

Helpers for subclasses: :meth:`DataLayer.in_tf_data` (True while ``call``
runs inside tf.data on a non-tensorflow backend), :func:`in_tf_data_graph`
(whether inputs are tf graph tensors of such a pipeline), :meth:`DataLayer.
convert_output` (a NumPy array, tf tensor or list computed on the side, e.g.
by string code, made the right kind of tensor for where the layer runs) and
:func:`tensorflow_backend` (the TensorFlow namespace itself).

Example:
    >>> import kiln
    >>> class AddOne(DataLayer):
    ...     def call(self, x):
    ...         return self.backend.numpy.add(x, 1.0)
    >>> kiln.ops.convert_to_numpy(AddOne()(kiln.ops.zeros((2,)))).tolist()
    [1.0, 1.0]
"""

import contextvars
import functools
import importlib
import inspect
import sys
import types

import numpy as np

from kiln import config, tree
from kiln.backend import current as _current_backend
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.variables import KerasVariable
from kiln.layers.layer import _UNSET, Layer, _call_training

__all__ = ["DataLayer", "in_tf_data_graph", "tensorflow_backend"]

# True while a DataLayer's call runs on TensorFlow inside a tf.data graph (nested layers inherit it).
_TF_DATA_MODE = contextvars.ContextVar("kiln_tf_data_mode", default=False)
# The compute dtype of the mixed-precision DataLayer running in tf.data (None otherwise):
# its float variables are read in that dtype, as Layer.__call__ arranges in a model.
_TF_DATA_AUTOCAST = contextvars.ContextVar("kiln_tf_data_autocast", default=None)
_FLOATS = frozenset({"float16", "bfloat16", "float32", "float64"})

_OPS_MODULES = ("kiln.ops.numpy", "kiln.ops._array_math", "kiln.ops._array_shape",
                "kiln.ops._array_stats", "kiln.ops.core", "kiln.ops.nn", "kiln.ops.math",
                "kiln.ops.linalg", "kiln.ops.image", "kiln.ops.einops", "kiln.random.random")
_NAMESPACES = {"numpy": "kiln.ops.numpy", "nn": "kiln.ops.nn", "image": "kiln.ops.image",
               "math": "kiln.ops.math", "linalg": "kiln.ops.linalg", "core": "kiln.ops.core"}
_RANDOM_NAMES = ("normal", "uniform", "truncated_normal", "randint", "dropout", "shuffle",
                 "categorical")


class _Backend:
    """A plain attribute holder: ``numpy``, ``nn``, ``image``, ``math``, ``linalg``, ``core``, ``random``, ``name``."""

    def __init__(self, **attrs):
        self.__dict__.update(attrs)

    def __repr__(self):
        return f"<DataLayer backend {self.name!r}>"


def _kiln_backend():
    import kiln.ops
    import kiln.random

    modules = {key: importlib.import_module(path) for key, path in _NAMESPACES.items()}
    return _Backend(name=config.backend(), random=kiln.random, **modules)


_KILN_BACKEND = None
_TF_BACKEND = None


def kiln_backend():
    """The namespace of Kiln's own modules (what ``self.backend`` is in a model).

    Example:
        >>> import kiln
        >>> kiln_backend().numpy is kiln.ops.numpy
        True
    """
    global _KILN_BACKEND
    if _KILN_BACKEND is None:
        _KILN_BACKEND = _kiln_backend()
    return _KILN_BACKEND


def tensorflow_backend():
    """The TensorFlow namespace ``self.backend`` is inside a tf.data graph.

    On the tensorflow backend it is :func:`kiln_backend` itself; otherwise the
    ops of ``kiln.ops`` re-bound to ``kiln.backend.tensorflow`` (built once).

    Example:
        >>> import tensorflow as tf
        >>> ns = tensorflow_backend()
        >>> isinstance(ns.numpy.add(tf.constant([1.0]), 1.0), tf.Tensor)
        True
    """
    global _TF_BACKEND
    if config.backend() == "tensorflow":
        return kiln_backend()
    if _TF_BACKEND is None:
        _TF_BACKEND = _Rebinder().build()
    return _TF_BACKEND


class _Rebinder:
    """Builds TensorFlow twins of the kiln.ops modules.

    Every function defined in a kiln.ops module (public ops and their private
    helpers) is re-created with the same code over a copy of its module's
    globals (and closure cells) in which each object of the active backend
    package is replaced by the object of the same name in
    ``kiln.backend.tensorflow``, and each op by its twin.
    """

    def __init__(self):
        tf_package = importlib.import_module("kiln.backend.tensorflow")
        import tensorflow as tf

        self.tf = tf
        self.tf_package = tf_package
        self.current = _current_backend
        # id(object of the active backend) -> the tensorflow backend's object of the same name.
        self.backend_map = {id(self.current): tf_package}
        prefix = self.current.__name__ + "."
        for name, module in list(sys.modules.items()):
            if not name.startswith(prefix) or module is None:
                continue
            tf_module = importlib.import_module("kiln.backend.tensorflow." + name[len(prefix):])
            self.backend_map[id(module)] = tf_module
            for attr, value in vars(module).items():
                if attr.startswith("__") or not hasattr(tf_module, attr) or id(value) in self.backend_map:
                    continue
                owner = getattr(value, "__module__", None) or ""
                if callable(value) and owner.startswith("kiln.backend."):
                    self.backend_map[id(value)] = getattr(tf_module, attr)
        self.modules = {name: importlib.import_module(name) for name in _OPS_MODULES}
        self.globals_by_id = {id(vars(m)): name for name, m in self.modules.items()}
        self.twin_globals = {name: {} for name in self.modules}
        self.memo = {}

    def translate(self, value):
        key = id(value)
        if key in self.memo:
            return self.memo[key]
        if key in self.backend_map:
            return self.backend_map[key]
        if isinstance(value, types.ModuleType) and value.__name__ in self.modules:
            out = _TwinModule(self.twin_globals[value.__name__])
            self.memo[key] = out
            return out
        function = getattr(value, "__wrapped__", None) if hasattr(value, "operation_class") else None
        if function is None:
            function = value
        if isinstance(function, types.FunctionType) and id(function.__globals__) in self.globals_by_id:
            if id(function) in self.memo:
                return self.memo[id(function)]
            module = self.globals_by_id[id(function.__globals__)]
            closure = None
            if function.__closure__:
                closure = tuple(types.CellType(self.translate(c.cell_contents)) if _cell_full(c)
                                else c for c in function.__closure__)
            twin = types.FunctionType(function.__code__, self.twin_globals[module],
                                      function.__name__, function.__defaults__, closure)
            twin.__kwdefaults__ = function.__kwdefaults__
            twin.__doc__ = function.__doc__
            self.memo[key] = self.memo[id(function)] = twin
            return twin
        return value

    def build(self):
        for name, module in self.modules.items():
            self.twin_globals[name].update(vars(module))
        for name, module in self.modules.items():
            twin = self.twin_globals[name]
            for attr, value in vars(module).items():
                if not attr.startswith("__"):
                    twin[attr] = self.translate(value)
        self.twin_globals["kiln.random.random"]["draw_seed"] = self._draw_seed
        spaces = {}
        for key, path in _NAMESPACES.items():
            module = self.modules[path]
            spaces[key] = _Backend(name=key, **{
                n: self._wrap(self.twin_globals[path][n]) for n in module.__all__})
        random_twin = self.twin_globals["kiln.random.random"]
        spaces["random"] = _Backend(name="random", **{
            n: self._wrap(random_twin[n]) for n in _RANDOM_NAMES})
        return _Backend(name="tensorflow", **spaces)

    def _wrap(self, function):
        convert = self._convert

        @functools.wraps(function)
        def run(*args, **kwargs):
            return function(*[convert(a) for a in args], **{k: convert(v) for k, v in kwargs.items()})

        return run

    def _convert(self, value):
        """Variables and tensors of the active backend -> constant tf tensors."""
        if isinstance(value, KerasVariable):
            out = self.tf.constant(np.asarray(value.numpy()))
            dtype = _TF_DATA_AUTOCAST.get()
            if dtype is not None and getattr(value, "_autocast", True) and value.dtype in _FLOATS:
                out = self.tf.cast(out, dtype)
            return out
        if not isinstance(value, (self.tf.Tensor, np.ndarray)) and self.current.core.is_tensor(value):
            return self.tf.constant(np.asarray(self.current.core.convert_to_numpy(value)))
        if type(value) in (list, tuple):
            return type(value)(self._convert(v) for v in value)
        return value

    def _draw_seed(self, seed):
        """A seed tensor of shape (2,) for tf's stateless random ops inside a tf.data graph."""
        tf = self.tf
        from kiln.random.seed_generator import SeedGenerator

        if isinstance(seed, SeedGenerator):
            # A stateful op draws a fresh seed each time the pipeline runs; its op seed
            # follows the generator's seed and how many draws were traced from it.
            count = getattr(seed, "_tf_data_draws", 0)
            seed._tf_data_draws = count + 1
            op_seed = None if seed._initial_seed is None else seed._initial_seed + 7919 * count
            return tf.random.uniform((2,), 0, 2**31 - 1, dtype=tf.int64, seed=op_seed)
        if seed is None:
            return tf.random.uniform((2,), 0, 2**31 - 1, dtype=tf.int64)
        if isinstance(seed, (int, np.integer)):
            return tf.constant([int(seed), 0], tf.int64)
        return self._convert(seed)


class _TwinModule:
    """A kiln.ops module's twin, read from its (re-bound) globals."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name):
        try:
            return self._namespace[name]
        except KeyError:
            raise AttributeError(name) from None


def _cell_full(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def in_tf_data_graph(inputs):
    """True when ``inputs`` are graph tensors of a tf.data pipeline on a non-tensorflow backend.

    That is: the backend is not tensorflow, TensorFlow is imported, a
    ``tf.function`` (what ``Dataset.map`` traces) is being built, and an input
    is a ``tf.Tensor``.

    Example:
        >>> import numpy as np
        >>> in_tf_data_graph(np.zeros((2,)))
        False
    """
    if config.backend() == "tensorflow" or "tensorflow" not in sys.modules:
        return False
    tf = sys.modules["tensorflow"]
    if not tf.inside_function():
        return False
    return any(isinstance(x, (tf.Tensor, tf.SparseTensor, tf.RaggedTensor))
               for x in tree.flatten(inputs))


class DataLayer(Layer):
    """Base class of preprocessing layers: runs in a model and in ``tf.data`` on every backend.

    Subclasses compute with ``self.backend.<module>.<op>`` (see the module
    docstring for the attributes) and draw random numbers with
    ``self.backend.random.<fn>(..., seed=self.seed_generator)``.

    Example:
        >>> import kiln
        >>> class Double(DataLayer):
        ...     def call(self, x):
        ...         return self.backend.numpy.multiply(x, 2.0)
        >>> kiln.ops.convert_to_numpy(Double()(kiln.ops.ones((1, 2)))).tolist()
        [[2.0, 2.0]]
    """

    # Marks the layer as an AutoGraph artifact: ``Dataset.map`` then calls it as plain Python
    # instead of re-writing every op it reaches (slow, and the ops need no conversion).
    autograph_info__ = frozenset()

    @property
    def backend(self):
        """The ops namespace to compute with (Kiln's in a model, TensorFlow's inside tf.data)."""
        if _TF_DATA_MODE.get():
            return tensorflow_backend()
        return kiln_backend()

    def in_tf_data(self):
        """True while ``call`` runs on TensorFlow inside a tf.data graph on a non-tensorflow backend.

        Example:
            >>> DataLayer().in_tf_data()
            False
        """
        return _TF_DATA_MODE.get()

    def convert_output(self, value, dtype=None):
        """A result computed on the side (NumPy array, tf tensor, list) as the tensor the caller expects.

        Inside tf.data it becomes a ``tf.Tensor``; in a model, a tensor of the
        active backend.

        Example:
            >>> import numpy as np
            >>> import kiln
            >>> kiln.ops.shape(DataLayer().convert_output(np.zeros((2, 3))))
            (2, 3)
        """
        if _TF_DATA_MODE.get() or (config.backend() == "tensorflow" and _is_tf(value)):
            import tensorflow as tf

            out = tf.convert_to_tensor(value)
            return out if dtype is None else tf.cast(out, dtype)
        from kiln import ops

        if _is_tf(value):
            value = value.numpy()
        return ops.convert_to_tensor(value, dtype=dtype)

    def __call__(self, inputs, *args, **kwargs):
        if self._has_training_arg and kwargs.get("training") is None and _call_training.get() is _UNSET:
            # Like Keras: with no training value given or inherited, call's own default applies.
            kwargs["training"] = _training_default(type(self))
        if not isinstance(inputs, KerasTensor) and (_TF_DATA_MODE.get() or in_tf_data_graph(inputs)):
            return self._call_in_tf_data(inputs, *args, **kwargs)
        return super().__call__(inputs, *args, **kwargs)

    def _call_in_tf_data(self, inputs, *args, **kwargs):
        token = _TF_DATA_MODE.set(True)
        policy = self.dtype_policy
        mixed = self.autocast and policy.compute_dtype != policy.variable_dtype
        cast_token = _TF_DATA_AUTOCAST.set(policy.compute_dtype if mixed else None)
        try:
            if not self.built:
                self._maybe_build((inputs,) + args, kwargs)
            elif self.input_spec is not None:
                from kiln.layers.input_spec import assert_input_compatibility

                assert_input_compatibility(self.input_spec, inputs, self)
            if not self._has_training_arg and not self._call_has_var_kwargs:
                kwargs.pop("training", None)
            if self.autocast:
                inputs = self._tf_autocast(inputs)
            return self.call(inputs, *args, **kwargs)
        finally:
            _TF_DATA_AUTOCAST.reset(cast_token)
            _TF_DATA_MODE.reset(token)

    def _tf_autocast(self, x):
        import tensorflow as tf

        if isinstance(x, tf.Tensor) and x.dtype.is_floating and x.dtype.name != self.compute_dtype:
            return tf.cast(x, self.compute_dtype)
        return x


@functools.lru_cache(maxsize=None)
def _training_default(cls):
    parameter = inspect.signature(cls.call).parameters.get("training")
    if parameter is None or parameter.default is inspect.Parameter.empty:
        return None
    return parameter.default


def _is_tf(value):
    tf = sys.modules.get("tensorflow")
    return tf is not None and isinstance(value, tf.Tensor)
