"""``Lambda``: wraps a plain function (or Python lambda) as a layer.

Named functions serialize by name (register them with
``kiln.saving.register_keras_serializable`` or pass them in ``custom_objects``
when loading). A Python ``lambda`` serializes as Keras 3 does, as marshalled
bytecode inside a ``{"class_name": "__lambda__"}`` envelope; loading that
runs code from the file, so ``from_config`` refuses it while safe mode is on
(``kiln.saving.serialization_lib.SafeModeScope(False)`` / ``safe_mode=False`` /
``kiln.config.enable_unsafe_deserialization()`` allow it for trusted files).

Example:
    >>> import kiln
    >>> double = kiln.layers.Lambda(lambda x: x * 2)
    >>> kiln.ops.convert_to_numpy(double(kiln.ops.ones((1, 2)))).tolist()
    [[2.0, 2.0]]
"""

import base64
import builtins
import inspect
import marshal
import types

from kiln import tree
from kiln.backend import current as _backend
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.layer import Layer
from kiln.saving import serialization_lib


def _is_python_lambda(fn):
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def _lambda_envelope(fn):
    """``{"class_name": "__lambda__", "config": {code, defaults, closure}}`` for a Python lambda."""
    closure = None
    if fn.__closure__:
        closure = tuple(cell.cell_contents for cell in fn.__closure__)
    return {
        "class_name": "__lambda__",
        "config": {
            "code": base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii"),
            "defaults": fn.__defaults__,
            "closure": closure,
        },
    }


def _lambda_globals():
    import numpy

    import kiln

    # The names a saved lambda body most often refers to; "keras" maps to Kiln's
    # Keras-compatible API so lambdas saved by Keras 3 run too.
    return {"__builtins__": builtins, "kiln": kiln, "keras": kiln, "ops": kiln.ops, "np": numpy}


def _load_lambda(config):
    code = marshal.loads(base64.decodebytes(config["code"].encode("ascii")))
    defaults = config.get("defaults")
    closure = config.get("closure")
    cells = None
    if closure is not None:
        cells = tuple(types.CellType(value) for value in closure)
    return types.FunctionType(code, _lambda_globals(), code.co_name,
                              tuple(defaults) if defaults is not None else None, cells)


class Lambda(Layer):
    """Calls ``function(inputs, **arguments)`` as a layer's computation.

    Args:
        function: the callable; it may also take ``mask`` and ``training``
            keyword arguments, which the layer then passes on.
        output_shape: output shape without the batch axis (a tuple, a
            structure of tuples, or a function of the full input shape);
            None infers it by tracing ``function``.
        mask: the output mask: a function ``mask(inputs, previous_mask)`` or a
            fixed value; None means the layer produces no mask.
        arguments: extra keyword arguments for ``function``.

    Lambdas are for stateless functions: weights created inside ``function``
    are not tracked; write a ``Layer`` subclass for that.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.Lambda(lambda x, k: x[:, :k], output_shape=(2,), arguments={"k": 2})
        >>> layer(kiln.KerasTensor((None, 5))).shape
        (None, 2)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda '{self.name}': `function` must be callable; "
                             f"received function={function!r}")
        if arguments is not None and not isinstance(arguments, dict):
            raise ValueError(f"Lambda '{self.name}': `arguments` must be a dict of keyword arguments "
                             f"for the function; received arguments={arguments!r}")
        if output_shape is not None and not callable(output_shape):
            output_shape = tree.lists_to_tuples(output_shape)
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
        self.function = function
        self.arguments = arguments or {}
        self.mask = mask
        self._output_shape = output_shape
        self.supports_masking = mask is not None
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_takes_mask = "mask" in params
        self._fn_takes_training = "training" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            specs = _map_shapes(lambda s: KerasTensor(s, dtype=self.compute_dtype), input_shape)
            try:
                out = _backend.core.compute_output_spec(self.call, specs)
            except Exception as e:
                raise NotImplementedError(
                    f"Lambda '{self.name}': could not infer the output shape of the function "
                    f"({e}); pass `output_shape` to the Lambda layer") from e
            return tree.map_structure(lambda t: t.shape, out)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = _first_dim(input_shape)
        return _map_shapes(lambda s: (batch,) + tuple(s), self._output_shape)

    def compute_output_spec(self, inputs, mask=None, training=None):
        if self._output_shape is None:
            return _backend.core.compute_output_spec(self.call, inputs, mask=mask, training=training)
        shapes = self.compute_output_shape(tree.map_structure(lambda t: t.shape, inputs))
        return _map_shapes(lambda s: KerasTensor(s, dtype=self.compute_dtype), shapes)

    # -- serialization ---------------------------------------------------------------------
    @staticmethod
    def _serialize_function(fn):
        if _is_python_lambda(fn):
            return _lambda_envelope(fn)
        return serialization_lib.serialize_kiln_object(fn)

    def get_config(self):
        config = super().get_config()
        config["function"] = self._serialize_function(self.function)
        if self._output_shape is not None:
            config["output_shape"] = (self._serialize_function(self._output_shape)
                                      if callable(self._output_shape) else self._output_shape)
        if self.mask is not None:
            config["mask"] = (self._serialize_function(self.mask) if callable(self.mask)
                              else serialization_lib.serialize_kiln_object(self.mask))
        config["arguments"] = serialization_lib.serialize_kiln_object(self.arguments)
        return config

    @classmethod
    def _deserialize_function(cls, value, arg_name, custom_objects, safe_mode):
        if isinstance(value, dict) and value.get("class_name") == "__lambda__":
            if safe_mode:
                raise ValueError(
                    f"Lambda: the `{arg_name}` of this Lambda layer was saved as a Python lambda "
                    "(marshalled bytecode); loading it would run code from the file, which safe_mode "
                    "forbids. If you trust the file, load it with safe_mode=False (or inside "
                    "kiln.saving.serialization_lib.SafeModeScope(False), or call "
                    "kiln.config.enable_unsafe_deserialization())."
                )
            return _load_lambda(value["config"])
        if isinstance(value, dict) and "class_name" in value:
            return serialization_lib.deserialize_kiln_object(value, custom_objects=custom_objects)
        return value

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        config = dict(config)
        if safe_mode is None:
            safe_mode = serialization_lib.in_safe_mode()
        config["function"] = cls._deserialize_function(config["function"], "function",
                                                       custom_objects, safe_mode)
        if config.get("output_shape") is not None:
            config["output_shape"] = cls._deserialize_function(config["output_shape"], "output_shape",
                                                               custom_objects, safe_mode)
        if config.get("mask") is not None:
            config["mask"] = cls._deserialize_function(config["mask"], "mask", custom_objects,
                                                       safe_mode)
        if config.get("arguments"):
            config["arguments"] = serialization_lib.deserialize_kiln_object(
                config["arguments"], custom_objects=custom_objects)
        return super().from_config(config)


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, int) for d in value)


def _map_shapes(fn, structure):
    """Apply ``fn`` to each shape (a tuple of ints/None) in a structure of shapes."""
    if _is_shape(structure):
        return fn(tuple(structure))
    if isinstance(structure, dict):
        return {k: _map_shapes(fn, v) for k, v in structure.items()}
    return type(structure)(_map_shapes(fn, s) for s in structure)


def _first_dim(structure):
    if _is_shape(structure):
        return structure[0] if structure else None
    values = structure.values() if isinstance(structure, dict) else structure
    for s in values:
        return _first_dim(s)
    return None
