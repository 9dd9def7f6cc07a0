"""``Operation``: the base of everything that can be a node of a functional graph.

Ops (``kiln.ops.add``...) and layers are Operations. Called on real tensors an
Operation runs ``call``; called on KerasTensors it runs
``compute_output_spec`` and records a :class:`~kiln.ops.node.Node`.

The :func:`op` decorator turns a plain function into a public op: it gives
it an Operation class (for functional graphs and saving), a declared symbolic
rule, and an eager fast path that only looks at the arguments' types.

Example:
    >>> import kiln
    >>> class Double(kiln.Operation):
    ...     def call(self, x):
    ...         return x * 2
    ...     def compute_output_spec(self, x):
    ...         return kiln.KerasTensor(x.shape, x.dtype)
    >>> Double()(kiln.KerasTensor((None, 2))).shape
    (None, 2)
"""

import ast
import functools
import inspect
import textwrap

from kiln import tree
from kiln.backend.common import global_state
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.ops.errors import raise_for_op

# (serialization module, class name) -> Operation subclass, for loading graphs.
OPERATION_REGISTRY = {}


def any_symbolic_tensors(args=(), kwargs=None):
    """True if any leaf of ``args``/``kwargs`` is a KerasTensor.

    Example:
        >>> any_symbolic_tensors((1, [KerasTensor((2,))]))
        True
    """
    for leaf in tree.flatten((args, kwargs or {})):
        if isinstance(leaf, KerasTensor):
            return True
    return False


class Operation:
    """A computation that can be called eagerly or symbolically.

    Subclasses implement ``call`` and usually ``compute_output_spec``; without
    the latter Kiln traces ``call`` on placeholders with the backend.

    Example:
        >>> import kiln
        >>> kiln.ops.add.operation_class().name.startswith("add")
        True
    """

    def __init__(self, name=None):
        if name is None:
            name = global_state.unique_name(global_state.to_snake_case(type(self).__name__))
        elif not isinstance(name, str) or "/" in name:
            raise ValueError(f"{type(self).__name__}: name must be a string without '/', got {name!r}")
        self.name = name
        self._inbound_nodes = []
        self._outbound_nodes = []

    def __call__(self, *args, **kwargs):
        if any_symbolic_tensors(args, kwargs):
            return self.symbolic_call(*args, **kwargs)
        return self.call(*args, **kwargs)

    def symbolic_call(self, *args, **kwargs):
        """Infer the outputs of a call on KerasTensors and record the graph node."""
        from kiln.ops.node import Node

        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, call_args=args, call_kwargs=kwargs, outputs=outputs)
        return outputs

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}.call is not implemented")

    def compute_output_spec(self, *args, **kwargs):
        """Return KerasTensors describing the outputs; the default traces ``call``."""
        from kiln.backend import current

        return current.core.compute_output_spec(self.call, *args, **kwargs)

    def get_config(self):
        """Return the constructor arguments as a JSON-friendly dict."""
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        """Create an instance from :meth:`get_config`'s output."""
        return cls(**config)

    # Functional-graph introspection, as in Keras.
    @property
    def input(self):
        return self._single_or_list(self._inbound_nodes[0].input_tensors) if self._inbound_nodes else None

    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError(f"{type(self).__name__} '{self.name}' has never been called, so it has no output")
        return self._single_or_list(self._inbound_nodes[0].outputs)

    @staticmethod
    def _single_or_list(tensors):
        return tensors[0] if len(tensors) == 1 else list(tensors)


def _camel_case(name):
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class _FunctionOperation(Operation):
    """An Operation whose eager computation is a plain function (made by :func:`op`)."""

    _function = None
    _spec = None

    def call(self, *args, **kwargs):
        return type(self)._function(*args, **kwargs)

    def compute_output_spec(self, *args, **kwargs):
        spec = type(self)._spec
        if spec is None:
            return super().compute_output_spec(*args, **kwargs)
        return spec(*args, **kwargs)


def _has_symbolic(values):
    for value in values:
        if isinstance(value, KerasTensor):
            return True
        if type(value) in (list, tuple):
            for item in value:
                if isinstance(item, KerasTensor):
                    return True
    return False


def op(spec=None, *, class_name=None, module="numpy"):
    """Declare a public op from its eager function and its symbolic rule.

    Args:
        spec: ``spec(*args, **kwargs) -> KerasTensor(s)`` computing the output
            shape and dtype from the arguments (KerasTensors or constants). None
            falls back to tracing the function with the backend.
        class_name: the Operation class name (default: CamelCase of the function
            name, e.g. ``not_equal`` -> ``NotEqual``).
        module: ``"numpy"``, ``"nn"``, ``"math"``, ``"core"``, ``"linalg"``...;
            saved graphs name the op ``keras.src.ops.<module>.<ClassName>``.

    The eager path checks only the arguments' types (and one level of lists),
    then calls the function: no tree flattening per call.

    Example:
        >>> import kiln
        >>> from kiln.ops.operation import op
        >>> @op(lambda x: kiln.KerasTensor(x.shape, x.dtype))
        ... def twice(x):
        ...     "Multiply by two."
        ...     return kiln.ops.multiply(x, 2)
        >>> twice(kiln.KerasTensor((None, 3))).shape
        (None, 3)
    """

    def decorate(function):
        name = class_name or _camel_case(function.__name__)
        op_class = type(name, (_FunctionOperation,), {
            "_function": staticmethod(function),
            "_spec": staticmethod(spec) if spec is not None else None,
            "__module__": f"kiln.ops.{module}",
            "__doc__": f"The Operation behind ``kiln.ops.{function.__name__}``.",
            # Saved graphs name op nodes by class (Keras 3 writes registered_name "NotEqual").
            "_kiln_registered_name": name,
        })
        OPERATION_REGISTRY[(f"keras.src.ops.{module}", name)] = op_class

        public = _eager_entry(function, op_class)
        public.operation_class = op_class
        return public

    return decorate


# Argument types that can be or hold a KerasTensor: one set lookup per argument on the fast path.
_MAYBE_SYMBOLIC = frozenset((KerasTensor, list, tuple))


def _is_symbolic(value):
    kind = type(value)
    return kind is KerasTensor or ((kind is list or kind is tuple) and _has_symbolic(value))


def _generic_entry(function, op_class):
    @functools.wraps(function)
    def public(*args, **kwargs):
        for value in args:
            kind = type(value)
            if kind is KerasTensor or ((kind is list or kind is tuple) and _has_symbolic(value)):
                return op_class()(*args, **kwargs)
        if kwargs and _has_symbolic(kwargs.values()):
            return op_class()(*args, **kwargs)
        try:
            return function(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - re-raised naming the op
            arguments = dict(zip(inspect.signature(function).parameters, args), **kwargs)
            raise_for_op(function.__name__, error, arguments)

    return public


def _eager_entry(function, op_class):
    """The public function of an op: symbolic arguments go to the Operation, others to ``function``.

    This is the hot path of every eager op, so for plain signatures (no
    ``*args``/``**kwargs``) it is generated with the op's own parameter list:
    one ``type()`` check per parameter, no argument packing and no loop. A failure is
    re-raised by :func:`kiln.ops.errors.raise_for_op`, naming the op and its arguments
    (``try`` costs nothing on Python 3.11 until something is raised).
    """
    params = list(inspect.signature(function).parameters.values())
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY) for p in params):
        return _generic_entry(function, op_class)
    namespace = {"_function": function, "_op_class": op_class, "_KerasTensor": KerasTensor,
                 "_has_symbolic": _has_symbolic, "_list": list, "_tuple": tuple,
                 "_raise_for_op": raise_for_op, "_suspect": _MAYBE_SYMBOLIC, "_symbolic": _is_symbolic}
    signature, suspects, checks, call = [], [], [], []
    keyword_only_started = False
    for index, p in enumerate(params):
        if p.kind is p.KEYWORD_ONLY and not keyword_only_started:
            signature.append("*")
            keyword_only_started = True
        if p.default is p.empty:
            signature.append(p.name)
        else:
            namespace[f"_default{index}"] = p.default
            signature.append(f"{p.name}=_default{index}")
        suspects.append(f"type({p.name}) in _suspect")
        checks.append(f"_symbolic({p.name})")
        call.append(p.name if p.kind is p.POSITIONAL_OR_KEYWORD else f"{p.name}={p.name}")
    forward = _plain_forward(function, {p.name for p in params})
    if forward is not None:  # the op only forwards its arguments: call the backend directly
        namespace["_forward"], forward_call = forward
    source = (
        f"def {function.__name__}({', '.join(signature)}):\n"
        f"    if ({' or '.join(suspects) or 'False'}) and ({' or '.join(checks) or 'False'}):\n"
        f"        return _op_class()({', '.join(call)})\n"
        f"    try:\n"
        + (f"        return _forward({forward_call})\n" if forward is not None
           else f"        return _function({', '.join(call)})\n") +
        f"    except Exception as error:\n"
        f"        _raise_for_op({function.__name__!r}, error, {{{', '.join(f'{p.name!r}: {p.name}' for p in params)}}})\n"
    )
    exec(compile(source, f"<kiln op {function.__name__}>", "exec"), namespace)  # noqa: S102
    return functools.update_wrapper(namespace[function.__name__], function)


def _plain_forward(function, param_names):
    """``(backend_function, call_text)`` when ``function``'s body is only ``return
    <backend module>.<name>(<its own parameters>)``, else None.

    Such an op's eager entry calls the backend function itself: one Python frame
    fewer on every eager call, with the same arguments passed the same way.
    """
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None
    body = tree.body[0].body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if len(body) != 1 or not isinstance(body[0], ast.Return) or not isinstance(body[0].value, ast.Call):
        return None
    call = body[0].value
    target = call.func
    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
        return None
    module = function.__globals__.get(target.value.id)
    if type(module).__name__ != "module" or not module.__name__.startswith("kiln.backend."):
        return None
    positional = [a.id for a in call.args if isinstance(a, ast.Name) and a.id in param_names]
    keywords = [(k.arg, k.value.id) for k in call.keywords
                if k.arg and isinstance(k.value, ast.Name) and k.value.id in param_names]
    if len(positional) != len(call.args) or len(keywords) != len(call.keywords):
        return None  # an argument is computed, not forwarded
    backend_function = getattr(module, target.attr, None)
    if backend_function is None:
        return None
    return backend_function, ", ".join(positional + [f"{k}={v}" for k, v in keywords])
