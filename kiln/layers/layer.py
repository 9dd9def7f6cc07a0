"""``Layer``: the building block of every model.

A layer owns variables (created in ``build``, on the first call, from the
input shape), sub-layers (tracked automatically when assigned as attributes,
also inside lists and dicts), losses added with ``add_loss``, and a ``call``
method. On the torch backend every Layer is also a ``torch.nn.Module`` whose
variables are registered ``nn.Parameter``s, so ``model.parameters()`` and
``torch.optim`` work directly.

Example:
    >>> import kiln
    >>> class Scale(kiln.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
    ...     def call(self, x):
    ...         return x * self.w
    >>> layer = Scale()
    >>> layer(kiln.ops.ones((2, 3))).shape
    (2, 3)
    >>> [v.path for v in layer.weights]
    ['scale/w']
"""

import contextvars
import inspect

from kiln import tree
from kiln import dtype_policies
from kiln.backend import current as _backend
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import StatelessScope, get_stateless_scope, name_scope
from kiln.backend.common.variables import AUTOCAST_DTYPE, REGULARIZED_VARIABLES, KerasVariable
from kiln.layers.input_spec import assert_input_compatibility
from kiln.ops import shape_rules
from kiln.ops.operation import Operation, _has_symbolic

# The `training` value of the enclosing layer call (None outside any call), so
# nested layers inherit it when their caller did not pass one.
_UNSET = object()
_call_training = contextvars.ContextVar("kiln_call_training", default=_UNSET)

_CALL_SIGNATURE_CACHE = {}
# Layers holding losses from an eager call; cleared when the next outermost call starts.
_LAYERS_WITH_LOSSES = set()


def _call_signature(cls):
    info = _CALL_SIGNATURE_CACHE.get(cls)
    if info is None:
        params = inspect.signature(cls.call).parameters
        training = params.get("training")
        default = None if training is None or training.default is inspect.Parameter.empty else training.default
        info = ("training" in params, "mask" in params,
                any(p.kind is p.VAR_KEYWORD for p in params.values()), default)
        _CALL_SIGNATURE_CACHE[cls] = info
    return info


class _TrackedList(list):
    """A list that tells its owning layer about layers/variables appended later."""

    def __init__(self, values, owner):
        super().__init__(values)
        self._owner = owner

    def append(self, value):
        super().append(value)
        self._owner._track_value(value)

    def extend(self, values):
        values = list(values)
        super().extend(values)
        for value in values:
            self._owner._track_value(value)

    def insert(self, index, value):
        super().insert(index, value)
        self._owner._track_value(value)

    def __setitem__(self, index, value):
        super().__setitem__(index, value)
        for v in (value if isinstance(index, slice) else [value]):
            self._owner._track_value(v)


class _TrackedDict(dict):
    """A dict that tells its owning layer about layers/variables stored later."""

    def __init__(self, values, owner):
        super().__init__(values)
        self._owner = owner

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self._owner._track_value(value)


class Layer(_backend.layer.BackendLayer, Operation):
    """Base class of layers: state (weights) plus a computation (``call``).

    Args:
        activity_regularizer: optional regularizer applied to the outputs; its
            value is added to ``losses``.
        trainable: whether the layer's variables receive gradient updates.
        dtype: a dtype name or ``DTypePolicy`` (compute and variable dtype).
        autocast: cast floating inputs to the compute dtype.
        name: the layer's name (unique default from the class name).
        input_shape, input_dim, batch_size: let a layer be the first of a
            ``Sequential`` without an explicit ``Input``.

    Example:
        >>> import kiln
        >>> dense = kiln.layers.Dense(4)
        >>> dense.built, dense(kiln.ops.ones((1, 2))).shape, dense.built
        (False, (1, 4), True)
    """

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True,
                 name=None, **kwargs):
        self._backend_init()
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if kwargs:
            raise ValueError(
                f"{type(self).__name__}: unrecognized keyword arguments {sorted(kwargs)}"
            )
        Operation.__init__(self, name=name)
        self._layers = []
        self._trainable_variables = []
        self._non_trainable_variables = []
        self._seed_generators = []
        self._losses = []
        self._tracked_ids = set()
        self._dtype_policy = dtype_policies.get(dtype)
        self.autocast = autocast
        self._trainable = bool(trainable)
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self._build_shapes = None
        self._activity_regularizer = None
        if activity_regularizer is not None:
            from kiln import regularizers

            self._activity_regularizer = regularizers.get(activity_regularizer)
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._input_shape_arg = tuple(batch_input_shape)
        elif input_shape is not None:
            self._input_shape_arg = (batch_size,) + tuple(input_shape)
        else:
            self._input_shape_arg = None
        (self._has_training_arg, self._has_mask_arg, self._call_has_var_kwargs,
         self._call_training_default) = _call_signature(type(self))
        self._build_overridden = type(self).build is not Layer.build
        self._computes_masks = type(self).compute_mask is not Layer.compute_mask
        self._autocast_ok_dtype = None

    # -- tracking -------------------------------------------------------------------------
    # Bookkeeping attributes that must never be scanned for layers/variables.
    _INTERNAL_ATTRS = frozenset({
        "_layers", "_trainable_variables", "_non_trainable_variables", "_seed_generators",
        "_losses", "_tracked_ids", "_inbound_nodes", "_outbound_nodes", "_build_shapes",
        "_input_shape_arg", "input_spec", "_autocast_ok_dtype", "_computes_masks",
        "_call_training_default",
    })

    def __setattr__(self, name, value):
        if name in self._INTERNAL_ATTRS or "_tracked_ids" not in self.__dict__:
            super().__setattr__(name, value)
            return
        if isinstance(value, KerasVariable):
            object.__setattr__(self, name, value)
            self._track_variable(value)
            return
        if not name.startswith("_"):
            if type(value) is list:
                value = _TrackedList(value, self)
            elif type(value) is dict:
                value = _TrackedDict(value, self)
        super().__setattr__(name, value)
        self._track_value(value, attr_name=name)

    def _track_value(self, value, attr_name=None):
        from kiln.random.seed_generator import SeedGenerator

        if isinstance(value, Layer):
            if value is not self and id(value) not in self._tracked_ids:
                self._tracked_ids.add(id(value))
                self._layers.append(value)
                if attr_name is None:
                    self._backend_track_sublayer(value.name, value)
        elif isinstance(value, KerasVariable):
            self._track_variable(value)
        elif isinstance(value, SeedGenerator):
            if id(value) not in self._tracked_ids:
                self._tracked_ids.add(id(value))
                self._seed_generators.append(value)
                self._backend_track_variable(value.state)
        elif isinstance(value, (list, tuple)):
            for item in value:
                self._track_value(item)
        elif isinstance(value, dict):
            for item in value.values():
                self._track_value(item)

    def _track_variable(self, variable):
        if id(variable) in self._tracked_ids:
            return
        self._tracked_ids.add(id(variable))
        if variable.trainable:
            self._trainable_variables.append(variable)
        else:
            self._non_trainable_variables.append(variable)
        self._backend_track_variable(variable)

    def _flatten_layers(self, include_self=True, recursive=True):
        """All layers in this one's tree, depth first, each once."""
        seen, out = set(), []
        stack = [self] if include_self else list(reversed(self._layers))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive or layer is self:
                stack.extend(reversed(layer._layers))
        return out

    # -- weights ------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, autocast=True,
                   regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None):
        """Create a variable owned by this layer and track it.

        ``initializer`` may be a name (``"zeros"``, ``"glorot_uniform"``...), an
        Initializer, a callable or None (Glorot uniform for floats, zeros
        otherwise). The variable's path is ``<layer name>/<name>`` under the
        enclosing scopes.

        Example:
            >>> import kiln
            >>> layer = kiln.layers.Layer(name="demo")
            >>> layer.add_weight(shape=(2,), initializer="zeros", name="b").path
            'demo/b'
        """
        from kiln import constraints, initializers, regularizers

        dtype = dtypes.standardize_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtypes.is_float(dtype) else "zeros"
        initializer = initializers.get(initializer)
        shape = () if shape is None else tuple(shape)
        for d in shape:
            if d is None or (isinstance(d, int) and d < 0):
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}): add_weight '{name}' needs a fully "
                    f"known, non-negative shape; received {shape}"
                )
        with name_scope(self.name, caller=self):
            variable = _backend.core.Variable(
                initializer, shape=shape, dtype=dtype, trainable=trainable, autocast=autocast,
                aggregation=aggregation, name=name or "variable",
            )
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        variable.overwrite_with_gradient = overwrite_with_gradient
        self._track_variable(variable)
        return variable

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        for layer in self._flatten_layers():
            layer._trainable = bool(value)

    @property
    def trainable_variables(self):
        """Variables updated by training, this layer's first, then its sub-layers'."""
        if not self._trainable:
            return []
        out, seen = [], set()
        for layer in self._flatten_layers():
            if not layer._trainable:
                continue
            for v in layer._trainable_variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def non_trainable_variables(self):
        """All other variables: frozen weights, statistics, seed-generator states."""
        trainable_ids = {id(v) for v in self.trainable_variables}
        out, seen = [], set()
        for layer in self._flatten_layers():
            for v in layer._trainable_variables + layer._non_trainable_variables + [
                    g.state for g in layer._seed_generators]:
                if id(v) not in trainable_ids and id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def variables(self):
        return self.trainable_variables + self.non_trainable_variables

    @property
    def trainable_weights(self):
        return self.trainable_variables

    @property
    def non_trainable_weights(self):
        seeds = {id(g.state) for layer in self._flatten_layers() for g in layer._seed_generators}
        return [v for v in self.non_trainable_variables if id(v) not in seeds]

    @property
    def weights(self):
        """Every weight, layer by layer as Keras 3 lists them (seed-generator states excluded).

        Each layer gives its own trainable then non-trainable variables, then
        its sub-layers' (depth first), so ``get_weights()`` lists interchange
        with Keras even for wrappers that hold state of their own.
        """
        out, seen = [], set()
        for layer in self._flatten_layers():
            for v in layer._trainable_variables + layer._non_trainable_variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    def get_weights(self):
        """Return the weights as a list of NumPy arrays."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Set the weights from a list of arrays, in the order of :attr:`weights`."""
        own = self.weights
        if len(own) != len(weights):
            raise ValueError(
                f"Layer '{self.name}': set_weights expected {len(own)} arrays, received {len(weights)}"
            )
        for variable, value in zip(own, weights):
            if tuple(variable.shape) != tuple(getattr(value, "shape", ())):
                raise ValueError(
                    f"Layer '{self.name}': weight '{variable.path}' has shape {variable.shape}, "
                    f"received an array of shape {tuple(getattr(value, 'shape', ()))}"
                )
            variable.assign(value)

    def count_params(self):
        """Number of scalars in all weights."""
        total = 0
        for v in self.weights:
            n = 1
            for d in v.shape:
                n *= d
            total += n
        return total

    # -- dtypes -------------------------------------------------------------------------
    @property
    def dtype_policy(self):
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        self._dtype_policy = dtype_policies.get(value)

    @property
    def dtype(self):
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self):
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self):
        return self._dtype_policy.variable_dtype

    # -- building -----------------------------------------------------------------------
    def build(self, input_shape):
        """Create the layer's weights from the input shape; override in subclasses."""
        self.built = True

    def _maybe_build(self, args, kwargs):
        first = args[0] if args else next(iter(kwargs.values()), None)
        shapes = tree.map_structure(
            lambda x: tuple(shape_rules.shape_of(x)) if hasattr(x, "shape") else None, first)
        assert_input_compatibility(self.input_spec, first, self)
        if self._build_overridden:
            with name_scope(self.name, caller=self):
                try:
                    self.build(shapes)
                except Exception as e:
                    if isinstance(e, ValueError) and self.name in str(e):
                        raise
                    raise type(e)(
                        f"Error while building layer '{self.name}' ({type(self).__name__}) "
                        f"for input shape {shapes}: {e}"
                    ) from e
        self._build_shapes = shapes
        self.built = True
        self._backend_after_build()

    def _backend_after_build(self):
        for layer in self._flatten_layers():
            for attr, value in list(vars(layer).items()):
                if isinstance(value, (_TrackedList, _TrackedDict, list, tuple, dict)) and not attr.startswith("_"):
                    items = value.values() if isinstance(value, dict) else value
                    for item in items:
                        if isinstance(item, Layer):
                            layer._backend_track_sublayer(f"{attr}_{item.name}", item)

    def get_build_config(self):
        """What ``build`` was called with, for saving: ``{"input_shape": ...}``."""
        if self._build_shapes is None:
            return None
        return {"input_shape": tree.lists_to_tuples(self._build_shapes)}

    def build_from_config(self, config):
        """Build from :meth:`get_build_config`'s output (used when loading)."""
        if config and config.get("input_shape") is not None:
            shape = config["input_shape"]
            with name_scope(self.name, caller=self):
                self.build(tuple(shape) if isinstance(shape, list) and shape and not isinstance(shape[0], list) else shape)
            self._build_shapes = shape
            self.built = True
            self._backend_after_build()

    # -- calling ------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        symbolic = _has_symbolic(args) or (bool(kwargs) and _has_symbolic(kwargs.values()))
        if not self.built:
            self._maybe_build(args, kwargs)
            # Sub-layers first built inside this call get paths under this layer's name.
            with name_scope(self.name, caller=self):
                return self.__call__(*args, **kwargs)
        elif self.input_spec is not None and args:
            assert_input_compatibility(self.input_spec, args[0], self)
        outer = _call_training.get()
        if outer is _UNSET and _LAYERS_WITH_LOSSES:
            self._clear_losses()
        if self._has_training_arg:
            training = kwargs.get("training")
            if training is None:
                # Not passed: the enclosing call's value, else the call signature's default.
                training = self._call_training_default if outer is _UNSET or outer is None else outer
                if training is not None:  # nothing to pass (and nothing recorded in a graph node)
                    kwargs["training"] = training
        else:
            training = kwargs.pop("training", None) if not self._call_has_var_kwargs else kwargs.get("training")
            if training is None and outer is not _UNSET:
                training = outer
        if self.autocast and args and not symbolic:
            first = args[0]
            first_dtype = getattr(first, "dtype", None)
            if first_dtype is not None:
                if first_dtype is not self._autocast_ok_dtype:
                    args = (self._autocast_input(first),) + args[1:]
            elif isinstance(first, (list, tuple, dict)):
                # Several inputs (merging layers...): each float one takes the compute dtype.
                args = (tree.map_structure(self._autocast_input, first),) + args[1:]
            if len(args) > 1 or kwargs:
                policy = self._dtype_policy
                if policy._compute_dtype != policy._variable_dtype:
                    # Mixed precision: the other tensor arguments (value, key...) too.
                    args = args[:1] + tuple(tree.map_structure(self._autocast_input, args[1:]))
                    kwargs = {k: (v if k in ("training", "mask") else
                                  tree.map_structure(self._autocast_input, v))
                              for k, v in kwargs.items()}
        previous_mask = None
        # Eager pass-through layers (Dense...) skip the lookup: it would cost every call, and
        # Sequential/functional models hand masks over explicitly anyway.
        if args and (self._has_mask_arg or self._computes_masks or (symbolic and self.supports_masking)):
            previous_mask = kwargs.get("mask") if self._has_mask_arg else None
            if previous_mask is None:
                previous_mask = _get_mask(args[0])
                if previous_mask is not None and self._has_mask_arg:
                    kwargs["mask"] = previous_mask
        token = _call_training.set(training)
        # Mixed precision: float variables read in the compute dtype while this layer runs;
        # a full-precision layer nested in a mixed one reads them unchanged.
        policy = self._dtype_policy
        if self.autocast and policy._compute_dtype != policy._variable_dtype:
            autocast_token = AUTOCAST_DTYPE.set(policy._compute_dtype)
        elif AUTOCAST_DTYPE.get() is not None:
            autocast_token = AUTOCAST_DTYPE.set(None)
        else:
            autocast_token = None
        try:
            if symbolic:
                outputs = self._symbolic_call(args, kwargs)
            else:
                outputs = self.call(*args, **kwargs)
            if args and (self._computes_masks or (self.supports_masking and previous_mask is not None)):
                _set_mask(outputs, self.compute_mask(args[0], previous_mask))
            if self._activity_regularizer is not None and not symbolic:
                from kiln import ops

                for out in tree.flatten(outputs):
                    self.add_loss(self._activity_regularizer(out) / ops.cast(ops.shape(out)[0], out.dtype))
        finally:
            _call_training.reset(token)
            if autocast_token is not None:
                AUTOCAST_DTYPE.reset(autocast_token)
        return outputs

    def _symbolic_call(self, args, kwargs):
        """Infer the outputs from KerasTensors cast as ``call`` would see them; record the node."""
        from kiln.ops.node import Node

        spec_args, spec_kwargs = args, kwargs
        if self.autocast:
            compute = self._dtype_policy._compute_dtype

            def cast(x):
                if (isinstance(x, KerasTensor) and x.dtype != compute
                        and x.dtype in dtypes.FLOAT_TYPES):
                    return KerasTensor(x.shape, dtype=compute, sparse=x.sparse, record_history=False)
                return x

            spec_args = tree.map_structure(cast, args)
            spec_kwargs = {k: (v if k in ("training", "mask") else tree.map_structure(cast, v))
                           for k, v in kwargs.items()}
        outputs = self.compute_output_spec(*spec_args, **spec_kwargs)
        Node(self, call_args=args, call_kwargs=kwargs, outputs=outputs)
        return outputs

    def _autocast_input(self, x):
        from kiln import ops

        dtype = getattr(x, "dtype", None)
        if dtype is None or isinstance(x, KerasTensor):
            return x
        name = dtypes.standardize_dtype(dtype)
        if name in dtypes.FLOAT_TYPES and name != self.compute_dtype:
            return ops.cast(x, self.compute_dtype)
        # Remember a dtype object that needs no cast, so later calls skip this check.
        object.__setattr__(self, "_autocast_ok_dtype", dtype)
        return x

    def call(self, *args, **kwargs):
        """The layer's computation; override in subclasses."""
        raise NotImplementedError(f"Layer '{self.name}' ({type(self).__name__}) does not implement call()")

    def compute_mask(self, inputs, previous_mask):
        """The mask of the outputs: the input's mask when ``supports_masking``, else None.

        Layers that create or change masks (``Embedding(mask_zero=True)``,
        pooling over time) override this.

        Example:
            >>> import kiln
            >>> kiln.layers.Dense(2).compute_mask(None, "mask")
            'mask'
        """
        return previous_mask if self.supports_masking else None

    def compute_output_shape(self, *args, **kwargs):
        """Output shape from the input shape; override when the default tracing is not enough."""
        raise NotImplementedError

    def compute_output_spec(self, *args, **kwargs):
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            first = args[0] if args else next(iter(kwargs.values()))
            shapes = tree.map_structure(lambda x: x.shape if isinstance(x, KerasTensor) else None, first)
            output_shape = self.compute_output_shape(shapes)
            if isinstance(output_shape, tuple) and all(d is None or isinstance(d, int) for d in output_shape):
                return KerasTensor(output_shape, dtype=self.compute_dtype)
            return tree.map_structure(
                lambda s: KerasTensor(s, dtype=self.compute_dtype),
                tree.lists_to_tuples(output_shape) if isinstance(output_shape, list) else output_shape,
            )
        return _backend.core.compute_output_spec(self.call, *args, **kwargs)

    # -- losses -------------------------------------------------------------------------
    def add_loss(self, loss):
        """Add a scalar loss (e.g. a regularization term) computed during ``call``.

        Example:
            >>> import kiln
            >>> layer = kiln.layers.Layer()
            >>> layer.add_loss(kiln.ops.convert_to_tensor(0.5))
            >>> len(layer.losses)
            1
        """
        scope = get_stateless_scope()
        if scope is not None and scope.collect_losses:
            scope.add_loss(loss)
        else:
            self._losses.append(loss)
            _LAYERS_WITH_LOSSES.add(self)

    @staticmethod
    def _clear_losses():
        for layer in _LAYERS_WITH_LOSSES:
            layer._losses.clear()
        _LAYERS_WITH_LOSSES.clear()

    @property
    def losses(self):
        """Losses added by ``add_loss`` during the last call, plus weight-regularization penalties."""
        out = []
        if _LAYERS_WITH_LOSSES:
            for layer in self._flatten_layers():
                out.extend(layer._losses)
        return out + self._regularization_losses()

    def _regularization_losses(self):
        if not REGULARIZED_VARIABLES[0]:
            return []
        out = []
        for v in self.trainable_variables:
            if v.regularizer is not None:
                out.append(v.regularizer(v.value))
        return out

    # -- stateless API ------------------------------------------------------------------
    def stateless_call(self, trainable_variables, non_trainable_variables, *args,
                       return_losses=False, **kwargs):
        """Call the layer as a pure function of explicit variable values.

        Returns ``(outputs, non_trainable_variables)`` with the updated values of
        the non-trainable variables (e.g. batch-norm statistics, seed states),
        plus the list of losses when ``return_losses=True``. The layer's own
        variables are not modified.

        Example:
            >>> import kiln
            >>> dense = kiln.layers.Dense(1, kernel_initializer="ones")
            >>> dense.build((None, 2))
            >>> tv = [kiln.ops.zeros((2, 1)), kiln.ops.zeros((1,))]
            >>> y, _ = dense.stateless_call(tv, [], kiln.ops.ones((1, 2)))
            >>> float(kiln.ops.sum(y))
            0.0
        """
        own_trainable = self.trainable_variables
        own_non_trainable = self.non_trainable_variables
        if len(trainable_variables) != len(own_trainable):
            raise ValueError(
                f"stateless_call on '{self.name}': expected {len(own_trainable)} trainable "
                f"variables, received {len(trainable_variables)}"
            )
        if len(non_trainable_variables) != len(own_non_trainable):
            raise ValueError(
                f"stateless_call on '{self.name}': expected {len(own_non_trainable)} non-trainable "
                f"variables, received {len(non_trainable_variables)}"
            )
        mapping = list(zip(own_trainable, trainable_variables)) + list(
            zip(own_non_trainable, non_trainable_variables))
        with StatelessScope(state_mapping=mapping, collect_losses=return_losses) as scope:
            outputs = self(*args, **kwargs)
            losses = list(scope.losses) + self._regularization_losses() if return_losses else None
        new_non_trainable = []
        for v, old in zip(own_non_trainable, non_trainable_variables):
            value = scope.get_current_value(v)
            new_non_trainable.append(old if value is None else value)
        if return_losses:
            return outputs, new_non_trainable, losses
        return outputs, new_non_trainable

    # -- config -------------------------------------------------------------------------
    def get_config(self):
        """Constructor arguments as a dict; subclasses extend it."""
        config = {"name": self.name, "trainable": self.trainable}
        config["dtype"] = _serialize_policy(self._dtype_policy)
        own_init = type(self).__init__
        if own_init is not Layer.__init__ and type(self).get_config is Layer.get_config:
            params = [p for p in inspect.signature(own_init).parameters.values()
                      if p.name not in ("self", "kwargs", "name", "trainable", "dtype")
                      and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
            if params:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} has arguments {[p.name for p in params]} in "
                    "__init__ and must override get_config() to be serializable."
                )
        return config

    @classmethod
    def from_config(cls, config):
        """Create the layer from :meth:`get_config`'s output."""
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = dtype_policies.get(config["dtype"])
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(
                f"{cls.__name__}.from_config could not rebuild the layer from {config}: {e}"
            ) from e

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


def _get_mask(x):
    """The ``_keras_mask`` a tensor carries, if any (KerasTensors always have the slot)."""
    # getattr, not try/except: torch.compile does not trace an AttributeError handler.
    return getattr(x, "_keras_mask", None)


def _set_mask(outputs, mask):
    """Attach ``mask`` to each output that can hold attributes (not e.g. JAX arrays)."""
    if mask is None:
        return
    if (isinstance(outputs, (list, tuple)) and isinstance(mask, (list, tuple))
            and len(outputs) == len(mask)):
        # One mask per output (e.g. an RNN's sequence mask, then None for each state).
        for out, out_mask in zip(outputs, mask):
            _set_mask(out, out_mask)
        return
    for out in tree.flatten(outputs):
        try:
            out._keras_mask = mask
        except (AttributeError, TypeError):
            pass


def _serialize_policy(policy):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": policy.name},
            "registered_name": None}
