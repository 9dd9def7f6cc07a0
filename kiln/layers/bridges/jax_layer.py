"""``JaxLayer`` and ``FlaxLayer``: JAX functions and Flax modules as Kiln layers (jax backend).

Example:
    >>> import jax.numpy as jnp, kiln  # doctest: +SKIP
    >>> def call_fn(params, inputs):  # doctest: +SKIP
    ...     return inputs @ params["w"]
    >>> layer = kiln.layers.JaxLayer(call_fn, params={"w": jnp.ones((3, 2))})  # doctest: +SKIP
    >>> layer(jnp.ones((4, 3))).shape  # doctest: +SKIP
    (4, 2)
"""

import inspect

from kiln import tree
from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.variables import KerasVariable
from kiln.layers.bridges import bridge_utils
from kiln.layers.layer import Layer
from kiln.random.seed_generator import SeedGenerator
from kiln.saving import serialization_lib

_CALL_ARGS = ("params", "state", "rng", "inputs", "training")
_INIT_ARGS = ("rng", "inputs", "training")


def _deserialize_entries(config, keys):
    """A copy of ``config`` with the serialized objects (dicts) under ``keys`` deserialized."""
    config = dict(config)
    for key in keys:
        if isinstance(config.get(key), dict):
            config[key] = serialization_lib.deserialize_kiln_object(config[key])
    return config


def _argument_names(fn, allowed, required, owner, what):
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: cannot read the signature of `{what}`") from None
    unknown = [n for n in names if n not in allowed]
    missing = [n for n in required if n not in names]
    if unknown or missing:
        raise ValueError(
            f"{owner}: `{what}` must take arguments named among {allowed} (required: {required}); "
            f"received arguments {names}")
    return names


def _is_leaf_variable(x):
    return isinstance(x, KerasVariable)


class JaxLayer(Layer):
    """Runs a pure JAX function ``call_fn`` with its parameters held as Kiln variables.

    ``call_fn`` takes arguments with these names (order free): ``params``
    (trainable PyTree), ``state`` (optional non-trainable PyTree; then
    ``call_fn`` returns ``(outputs, new_state)``), ``rng`` (optional PRNG key,
    a fresh one per call from the layer's seed), ``inputs`` and ``training``
    (optional bool).

    ``init_fn(rng, inputs, training)`` (names as listed, ``rng`` and
    ``training`` optional) builds the initial ``params`` (or
    ``(params, state)`` when ``call_fn`` has ``state``) from zeros shaped like
    the first input; or pass ``params`` / ``state`` directly.

    Every array leaf becomes a variable named after its PyTree path; float
    leaves take the layer's variable dtype. ``native_serialization_platforms``
    is accepted for API compatibility (it only matters to TensorFlow export).

    Example:
        >>> import jax, jax.numpy as jnp, kiln  # doctest: +SKIP
        >>> def init_fn(rng, inputs):  # doctest: +SKIP
        ...     return {"w": jax.random.normal(rng, (inputs.shape[-1], 2))}
        >>> def call_fn(params, inputs):  # doctest: +SKIP
        ...     return inputs @ params["w"]
        >>> layer = kiln.layers.JaxLayer(call_fn, init_fn, seed=1)  # doctest: +SKIP
        >>> layer(jnp.ones((4, 3))).shape, len(layer.trainable_weights)  # doctest: +SKIP
        ((4, 2), 1)
    """

    _owner_name = "JaxLayer"

    def __init__(self, call_fn, init_fn=None, params=None, state=None, seed=None,
                 native_serialization_platforms=None, **kwargs):
        bridge_utils.require_backend(self._owner_name, "jax")
        super().__init__(**kwargs)
        owner = f"{self._owner_name} '{self.name}'"
        if not callable(call_fn):
            raise ValueError(f"{owner}: `call_fn` must be callable; received {call_fn!r}")
        if init_fn is not None and not callable(init_fn):
            raise ValueError(f"{owner}: `init_fn` must be callable or None; received {init_fn!r}")
        if init_fn is None and params is None and state is None:
            raise ValueError(f"{owner}: pass `init_fn` to create the parameters, or `params` "
                             "(and `state`) holding them")
        self._call_arg_names = _argument_names(call_fn, _CALL_ARGS, ("params", "inputs"), owner,
                                               "call_fn")
        self._init_arg_names = (None if init_fn is None else
                                _argument_names(init_fn, _INIT_ARGS, ("inputs",), owner, "init_fn"))
        self.call_fn = call_fn
        self.init_fn = init_fn
        self.seed = seed
        self.native_serialization_platforms = native_serialization_platforms
        self.has_state = "state" in self._call_arg_names
        self.has_rng = "rng" in self._call_arg_names
        self._initial_params = params
        self._initial_state = state
        self._params_tree = None
        self._state_tree = None
        needs_rng = self.has_rng or (self._init_arg_names is not None and "rng" in self._init_arg_names)
        self.seed_generator = SeedGenerator(seed) if needs_rng else None

    @property
    def params(self):
        """The trainable PyTree, with Kiln variables as leaves (None before build)."""
        return self._params_tree

    @property
    def state(self):
        """The non-trainable PyTree, with Kiln variables as leaves (None before build)."""
        return self._state_tree

    # -- variables ------------------------------------------------------------------------
    def _next_key(self):
        import jax

        seed = self.seed_generator.next()
        return jax.random.fold_in(jax.random.PRNGKey(seed[0]), seed[1])

    def _create_variables(self, values, trainable, taken):
        import jax

        if values is None:
            return None
        leaves, treedef = jax.tree_util.tree_flatten_with_path(values)
        created = []
        for path, leaf in leaves:
            if isinstance(leaf, (bool, int, float)) or hasattr(leaf, "shape") and hasattr(leaf, "dtype"):
                dtype = dtypes.standardize_dtype(leaf.dtype if hasattr(leaf, "dtype") else type(leaf))
                name = bridge_utils.unique_variable_name(
                    jax.tree_util.keystr(path), taken, "param" if trainable else "state")
                created.append(self.add_weight(
                    shape=tuple(getattr(leaf, "shape", ())),
                    dtype=None if dtypes.is_float(dtype) else dtype,
                    initializer=lambda shape, dtype=None, v=leaf: v,
                    trainable=trainable, name=name))
            else:
                created.append(leaf)
        return jax.tree_util.tree_unflatten(treedef, created)

    def build(self, input_shape):
        params, state = self._initial_params, self._initial_state
        if params is None and state is None:
            params, state = self._initialize(input_shape)
        taken = set()
        self._params_tree = self._create_variables(params, True, taken)
        self._state_tree = self._create_variables(state, False, taken)
        self._initial_params = self._initial_state = None
        self.built = True

    def _initialize(self, input_shape):
        import jax.numpy as jnp

        def zeros(shape):
            return jnp.zeros(tuple(1 if d is None else d for d in shape), dtype=self.compute_dtype)

        inputs = _map_shapes(zeros, input_shape)
        kwargs = {}
        for name in self._init_arg_names:
            kwargs[name] = {"rng": self._next_key() if "rng" in self._init_arg_names else None,
                            "inputs": inputs, "training": True}[name]
        result = self.init_fn(**kwargs)
        if self.has_state:
            if not isinstance(result, tuple) or len(result) != 2:
                raise ValueError(f"{self._owner_name} '{self.name}': call_fn takes `state`, so init_fn "
                                 f"must return (params, state); received {type(result).__name__}")
            return result
        return result, None

    # -- calling --------------------------------------------------------------------------
    def call(self, inputs, training=False):
        import jax

        def values(structure):
            return jax.tree_util.tree_map(lambda v: v.value if isinstance(v, KerasVariable) else v,
                                          structure, is_leaf=_is_leaf_variable)

        available = {"inputs": inputs, "training": bool(training)}
        kwargs = {}
        for name in self._call_arg_names:
            if name == "params":
                kwargs[name] = values(self._params_tree)
            elif name == "state":
                kwargs[name] = values(self._state_tree)
            elif name == "rng":
                kwargs[name] = self._next_key()
            else:
                kwargs[name] = available[name]
        outputs = self.call_fn(**kwargs)
        if self.has_state:
            outputs, new_state = outputs
            variables = jax.tree_util.tree_leaves(self._state_tree, is_leaf=_is_leaf_variable)
            for variable, value in zip(variables, jax.tree_util.tree_leaves(new_state)):
                if isinstance(variable, KerasVariable):
                    variable.assign(value)
        return outputs

    def compute_output_spec(self, inputs, training=False):
        if self.autocast:
            # The eager call sees float inputs in the compute dtype; trace the same.
            inputs = tree.map_structure(
                lambda t: KerasTensor(t.shape, dtype=self.compute_dtype)
                if isinstance(t, KerasTensor) and dtypes.is_float(t.dtype) else t, inputs)
        return _backend.core.compute_output_spec(self.call, inputs, training=training)

    # -- config ---------------------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update({
            "call_fn": serialization_lib.serialize_kiln_object(self.call_fn),
            "init_fn": serialization_lib.serialize_kiln_object(self.init_fn),
            "seed": self.seed,
        })
        if self.native_serialization_platforms is not None:
            config["native_serialization_platforms"] = self.native_serialization_platforms
        return config

    @classmethod
    def from_config(cls, config):
        return super().from_config(_deserialize_entries(config, ("call_fn", "init_fn")))


class FlaxLayer(JaxLayer):
    """Runs a ``flax.linen.Module`` with its variables held as Kiln variables.

    The ``"params"`` collection becomes trainable variables; every other
    collection (``batch_stats``...) is non-trainable state updated by each call
    (``apply`` runs with every collection but ``params`` mutable). The module
    method (``method``: None for ``__call__``, a method name, or a function
    taking the module first) receives ``inputs`` and, if it has that argument,
    ``training``. Random streams ``"params"`` and ``"dropout"`` come from the
    layer's seed. ``variables`` holds already-initialized module variables.

    For ``get_config`` the module must be serializable (a class registered with
    ``kiln.saving.register_keras_serializable`` with ``get_config``/``from_config``).

    Example:
        >>> import flax.linen as nn, jax.numpy as jnp, kiln  # doctest: +SKIP
        >>> layer = kiln.layers.FlaxLayer(nn.Dense(3))  # doctest: +SKIP
        >>> layer(jnp.ones((2, 4))).shape, [w.shape for w in layer.get_weights()]  # doctest: +SKIP
        ((2, 3), [(3,), (4, 3)])
    """

    _owner_name = "FlaxLayer"

    def __init__(self, module, method=None, variables=None, **kwargs):
        bridge_utils.require_backend("FlaxLayer", "jax")
        if not (hasattr(module, "apply") and hasattr(module, "init")):
            raise ValueError("FlaxLayer: `module` must be a flax.linen.Module (with init and apply); "
                             f"received {type(module).__name__}")
        self.module = module
        self.method = method
        if method is None:
            bound = module.__call__
        elif isinstance(method, str):
            bound = getattr(module, method, None)
            if bound is None:
                raise ValueError(f"FlaxLayer: the module has no method {method!r}")
        elif callable(method):
            bound = method
        else:
            raise ValueError(f"FlaxLayer: `method` must be None, a method name or a callable; "
                             f"received {method!r}")
        takes_training = "training" in inspect.signature(bound).parameters
        apply_method = bound if callable(method) and not isinstance(method, str) else method
        # Modules are hashable values: one compiled init/apply per (module, method, shapes),
        # shared by every FlaxLayer wrapping an equal module.
        static = (module, apply_method, takes_training)

        def call_fn(params, state, rng, inputs, training):
            return _flax_jitted("apply")(*static, params, state, rng, inputs, bool(training))

        def init_fn(rng, inputs, training):
            return _flax_jitted("init")(*static, rng, inputs, bool(training))

        params, state = (None, None) if variables is None else _split_variables(variables)
        super().__init__(call_fn=call_fn, init_fn=init_fn, params=params, state=state, **kwargs)

    def get_config(self):
        config = Layer.get_config(self)
        method = self.method
        if callable(method) and getattr(method, "__self__", None) is self.module:
            method = method.__name__
        config.update({"module": serialization_lib.serialize_kiln_object(self.module),
                       "method": method if method is None or isinstance(method, str)
                       else serialization_lib.serialize_kiln_object(method),
                       "seed": self.seed})
        return config

    @classmethod
    def from_config(cls, config):
        return Layer.from_config.__func__(cls, _deserialize_entries(config, ("module", "method")))


def _flax_apply(module, method, takes_training, params, state, rng, inputs, training):
    import jax
    from flax.core.scope import DenyList

    keys = jax.random.split(rng)
    kwargs = {"training": training} if takes_training else {}
    outputs, mutated = module.apply(
        {"params": params, **state}, inputs, rngs={"params": keys[0], "dropout": keys[1]},
        method=method, mutable=DenyList(["params"]), **kwargs)
    return outputs, dict(mutated)


def _flax_init(module, method, takes_training, rng, inputs, training):
    import jax

    keys = jax.random.split(rng)
    kwargs = {"training": training} if takes_training else {}
    variables = module.init({"params": keys[0], "dropout": keys[1]}, inputs, method=method, **kwargs)
    return _split_variables(variables)


_FLAX_JITTED = {}


def _flax_jitted(kind):
    """``jax.jit`` of :func:`_flax_apply` / :func:`_flax_init` (module, method, flags static)."""
    fn = _FLAX_JITTED.get(kind)
    if fn is None:
        import jax

        if kind == "apply":
            fn = jax.jit(_flax_apply, static_argnums=(0, 1, 2, 7))
        else:
            fn = jax.jit(_flax_init, static_argnums=(0, 1, 2, 5))
        _FLAX_JITTED[kind] = fn
    return fn


def _split_variables(variables):
    """Flax variables -> (the "params" collection, a dict of the other collections)."""
    params = variables.get("params", {}) if hasattr(variables, "get") else variables["params"]
    state = {k: v for k, v in dict(variables).items() if k != "params"}
    return params, state


def _map_shapes(fn, structure):
    if isinstance(structure, (tuple, list)) and all(d is None or isinstance(d, int) for d in structure):
        return fn(tuple(structure))
    if isinstance(structure, dict):
        return {k: _map_shapes(fn, v) for k, v in structure.items()}
    return type(structure)(_map_shapes(fn, s) for s in structure)
