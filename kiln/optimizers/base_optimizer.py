"""The ``Optimizer`` base class: state, gradient processing and the stateless API.

An optimizer owns variables, in this order (the order saved files use):
``iteration`` (int32 step counter), ``learning_rate`` (float32; absent when
the learning rate is a schedule), then slot variables created by ``build``:
EMA averages (``use_ema``), gradient accumulators
(``gradient_accumulation_steps``), then the subclass's slots.

A subclass writes its update rule once, with ``kiln.ops``, in
``update_step(gradient, variable, learning_rate)``, changing state only through
``self.assign``/``assign_add``/``assign_sub``. The same rule runs eagerly
(``apply``) and as a pure function (``stateless_apply``, inside a
``StatelessScope``).

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0, 2.0], name="w")
    >>> opt = kiln.optimizers.SGD(learning_rate=0.1)
    >>> opt.apply([kiln.ops.ones((2,))], [w])
    >>> [round(x, 4) for x in w.numpy().tolist()], int(opt.iterations.numpy())
    ([0.9, 1.9], 1)
"""

import numbers
import re
import warnings

from kiln import config, ops
from kiln.backend import current as _backend
from kiln.backend.common import global_state
from kiln.backend.common.scopes import StatelessScope, in_stateless_scope, name_scope
from kiln.backend.common.variables import KerasVariable
from kiln.optimizers.schedules.learning_rate_schedule import LearningRateSchedule

# Set once the backend's fused path said it is not implemented, to skip the try next time.
_FUSED_UNAVAILABLE = []

# The arguments of `Optimizer.__init__` that every optimizer's (explicit, Keras-signature)
# constructor repeats and hands on unchanged.
BASE_ARGUMENTS = ("learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm",
                  "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
                  "gradient_accumulation_steps", "name")


def base_arguments(arguments):
    """The :class:`Optimizer` arguments out of a subclass constructor's ``locals()``.

    Picks :data:`BASE_ARGUMENTS` and adds the constructor's ``**kwargs``, so a
    subclass forwards them with ``super().__init__(**base_arguments(locals()))``.

    Example:
        >>> def init(learning_rate=0.1, beta=0.5, weight_decay=None, clipnorm=None,
        ...          clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
        ...          ema_overwrite_frequency=None, loss_scale_factor=None,
        ...          gradient_accumulation_steps=None, name=None, **kwargs):
        ...     return base_arguments(locals())
        >>> args = init(decay=None)
        >>> args["learning_rate"], "beta" in args, args["decay"]
        (0.1, False, None)
    """
    forwarded = {key: arguments[key] for key in BASE_ARGUMENTS}
    forwarded.update(arguments.get("kwargs") or {})
    return forwarded


def check_hyperparameters(owner, unit_interval=(), **values):
    """Raise ValueError unless every value is a number >= 0 (names in ``unit_interval``: in [0, 1]).

    A ``learning_rate`` that is not a plain number (a schedule, a callable) is not checked.

    Example:
        >>> check_hyperparameters("Adadelta", rho=-0.5)
        Traceback (most recent call last):
        ...
        ValueError: Adadelta: `rho` must be >= 0, received rho=-0.5
    """
    for name, value in values.items():
        is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if name == "learning_rate" and not is_number:
            continue
        if not is_number:
            raise ValueError(f"{owner}: `{name}` must be a number, received {name}={value!r}")
        if name in unit_interval and not 0 <= value <= 1:
            raise ValueError(f"{owner}: `{name}` must be in [0, 1], received {name}={value}")
        if value < 0:
            raise ValueError(f"{owner}: `{name}` must be >= 0, received {name}={value}")


class Optimizer:
    """Base class of optimizers.

    Args:
        learning_rate: a float, a ``LearningRateSchedule``, or a zero-argument
            callable returning the rate.
        weight_decay: decoupled weight decay: each step, before the update,
            ``var -= var * weight_decay * learning_rate``.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients together to this global L2 norm.
            At most one of the three clipping arguments may be set.
        use_ema: keep an exponential moving average of the variables.
        ema_momentum: the EMA momentum.
        ema_overwrite_frequency: every this many steps, overwrite the variables
            with their averages (None: only in ``finalize_variable_values``).
        loss_scale_factor: gradients are divided by it (use ``scale_loss`` to
            multiply the loss by it).
        gradient_accumulation_steps: apply the averaged gradients once every
            this many steps (accumulating in between).
        name: the optimizer's name (default: snake_case of the class name).

    Example:
        >>> import kiln
        >>> opt = kiln.optimizers.Adam(learning_rate=0.01, name="opt")
        >>> [v.path for v in opt.variables]
        ['opt/iteration', 'opt/learning_rate']
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        cls_name = type(self).__name__
        if kwargs.pop("decay", None) is not None:
            warnings.warn(f"{cls_name}: argument `decay` is no longer supported and is ignored; "
                          "use a learning-rate schedule instead.", stacklevel=2)
        if "lr" in kwargs:
            raise ValueError(f"{cls_name}: argument `lr` is not supported; use `learning_rate`.")
        if kwargs:
            raise ValueError(f"{cls_name}: argument(s) not recognized: {sorted(kwargs)}")
        if name is None:
            name = global_state.unique_name(global_state.to_snake_case(cls_name))
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"{cls_name}: `name` must be a non-empty string without '/', "
                             f"received name={name!r}")
        self.name = name
        set_clips = [n for n, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                    ("global_clipnorm", global_clipnorm)) if v is not None]
        if len(set_clips) > 1:
            raise ValueError(
                f"{cls_name}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                f"set; received clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm), ("weight_decay", weight_decay),
                           ("loss_scale_factor", loss_scale_factor)):
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
                raise ValueError(f"{cls_name}: `{arg}` must be a number or None, received {value!r}")
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError(f"{cls_name}: `ema_momentum` must be in [0, 1], received "
                                 f"ema_momentum={ema_momentum}")
            if ema_overwrite_frequency is not None and (
                    not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
                raise ValueError(f"{cls_name}: `ema_overwrite_frequency` must be an int >= 1 or "
                                 f"None, received {ema_overwrite_frequency!r}")
        if gradient_accumulation_steps is not None and (
                not isinstance(gradient_accumulation_steps, int) or gradient_accumulation_steps < 2):
            raise ValueError(f"{cls_name}: `gradient_accumulation_steps` must be an int >= 2, "
                             f"received {gradient_accumulation_steps!r}")
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._variable_index = {}
        self._model_variables_moving_average = []
        self._accumulated_gradients = []
        self._exclude_from_weight_decay_ids = set()
        self._exclude_from_weight_decay_names = []
        self._excluded_by_name_ids = set()
        self._iterations = self._make_variable(0, "iteration", "int32")
        self._learning_rate = self._build_learning_rate(learning_rate)

    # -- variables ------------------------------------------------------------------------
    def _make_variable(self, initial_value, name, dtype, shape=None):
        # Paths are "<optimizer name>/<name>" whatever scope the optimizer is built in.
        with name_scope(self.name, caller=self, override_parent=""):
            variable = _backend.core.Variable(initial_value, shape=shape, dtype=dtype,
                                              trainable=False, name=name)
        self._variables.append(variable)
        return variable

    def _build_learning_rate(self, learning_rate):
        if isinstance(learning_rate, LearningRateSchedule) or (
                callable(learning_rate) and not isinstance(learning_rate, KerasVariable)):
            return learning_rate
        try:
            value = float(learning_rate)
        except (TypeError, ValueError):
            raise ValueError(
                f"{type(self).__name__}: `learning_rate` must be a float, a LearningRateSchedule "
                f"or a callable, received {learning_rate!r}"
            ) from None
        return self._make_variable(value, "learning_rate", "float32")

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none", name=None):
        """Create an optimizer variable (path ``<optimizer name>/<name>``) and track it."""
        dtype = dtype or config.floatx()
        shape = tuple(shape)
        if initializer == "zeros":
            value = ops.zeros(shape, dtype=dtype)
        elif initializer == "ones":
            value = ops.ones(shape, dtype=dtype)
        elif callable(initializer):
            value = initializer(shape, dtype=dtype)
        else:
            from kiln import initializers

            value = initializers.get(initializer)(shape, dtype=dtype)
        return self._make_variable(value, name or "variable", dtype, shape=shape)

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """Create a slot shaped like ``reference_variable``, named after its path.

        The slot's path is ``<optimizer name>/<reference path with "/" -> "_">_<name>``,
        e.g. ``adam/dense_kernel_momentum``.
        """
        slot_name = f"{reference_variable.path.replace('/', '_')}_{name}"
        return self.add_variable(reference_variable.shape, initializer=initializer,
                                 dtype=reference_variable.dtype, name=slot_name)

    def add_optimizer_variables(self, trainable_variables, names, initializer="zeros"):
        """For each variable, one slot per name (interleaved); returns one list per name."""
        single = isinstance(names, str)
        names = [names] if single else list(names)
        out = [[] for _ in names]
        for variable in trainable_variables:
            for slot_list, slot_name in zip(out, names):
                slot_list.append(self.add_variable_from_reference(variable, slot_name, initializer))
        return out[0] if single else out

    @property
    def variables(self):
        """All optimizer variables in save order: iteration, learning_rate, slots."""
        return list(self._variables)

    @property
    def iterations(self):
        """The step counter variable (number of updates applied)."""
        return self._iterations

    def build(self, variables):
        """Create the slot variables for ``variables`` (the model's trainable variables).

        Subclasses call ``super().build(variables)`` first, then create their slots.
        """
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(
                variables, "gradient_accumulator")
        self._trainable_variables = list(variables)
        self._variable_index = {id(v): i for i, v in enumerate(self._trainable_variables)}
        # exclude_from_weight_decay() is refused once built, so the name patterns are matched
        # once here rather than on every step.
        self._excluded_by_name_ids = {id(v) for v in self._trainable_variables
                                      if self._excluded_by_name(v)}
        self.built = True

    def _get_variable_index(self, variable):
        index = self._variable_index.get(id(variable))
        if index is None:
            raise KeyError(
                f"Optimizer '{self.name}': variable '{getattr(variable, 'path', variable)}' was not "
                "in the list the optimizer was built with."
            )
        return index

    # -- learning rate --------------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate: the variable, or the schedule's value at ``iterations``."""
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if isinstance(learning_rate, LearningRateSchedule) or (
                callable(learning_rate) and not isinstance(learning_rate, KerasVariable)):
            if isinstance(self._learning_rate, KerasVariable):
                self._variables = [v for v in self._variables if v is not self._learning_rate]
            self._learning_rate = learning_rate
            return
        if not isinstance(self._learning_rate, KerasVariable):
            raise TypeError(
                f"Optimizer '{self.name}' was created with a learning-rate schedule or callable "
                "as `learning_rate`, so its learning rate cannot be set to a number."
            )
        self._learning_rate.assign(learning_rate)

    def _get_current_learning_rate(self):
        if isinstance(self._learning_rate, LearningRateSchedule):
            return self._learning_rate(self._iterations)
        if isinstance(self._learning_rate, KerasVariable):
            return self._learning_rate
        if callable(self._learning_rate):
            return self._learning_rate()
        return self._learning_rate

    # -- state changes (route through the variables so StatelessScope records them) -------
    def assign(self, variable, value):
        """``variable.assign(value)``; the only way ``update_step`` should write state."""
        variable.assign(value)

    def assign_add(self, variable, value):
        """``variable.assign_add(value)``."""
        variable.assign_add(value)

    def assign_sub(self, variable, value):
        """``variable.assign_sub(value)``."""
        variable.assign_sub(value)

    def update_step(self, gradient, variable, learning_rate):
        """Update one variable from its gradient; implemented by each optimizer."""
        raise NotImplementedError(f"{type(self).__name__} does not implement update_step()")

    # -- applying gradients ---------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Apply ``[(gradient, variable), ...]``; returns the ``iterations`` variable.

        Example:
            >>> import kiln
            >>> w = kiln.Variable([1.0], name="w")
            >>> _ = kiln.optimizers.SGD(1.0).apply_gradients([(kiln.ops.ones((1,)), w)])
            >>> w.numpy().tolist()
            [0.0]
        """
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Update ``trainable_variables`` from ``grads`` (same order) and count a step.

        Without ``trainable_variables`` the optimizer must already be built; it
        then updates the variables it was built with.
        """
        grads = list(grads)
        if not grads:
            return
        passed = trainable_variables is not None
        trainable_variables = self._variables_to_update(trainable_variables)
        if passed:
            for v in trainable_variables:
                if id(v) not in self._variable_index:
                    raise ValueError(
                        f"Optimizer '{self.name}': unknown variable '{getattr(v, 'path', v)}'. "
                        "The optimizer was built with a different list of variables; create a "
                        "new optimizer for these variables."
                    )
        self._check_gradient_count(grads, trainable_variables)
        if not in_stateless_scope() and self._try_fused_apply(grads, trainable_variables):
            return
        grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        grads, trainable_variables = self._overwrite_variables_with_gradients(
            grads, trainable_variables)
        if self.loss_scale_factor is not None:
            grads = [ops.divide(g, self.loss_scale_factor) for g in grads]
        if grads:
            self._apply_processed_gradients(grads, trainable_variables)
        if self.use_ema:
            self._update_model_variables_moving_average()
        self._iterations.assign_add(1)
        for variable in trainable_variables:
            if variable.constraint is not None:
                variable.assign(variable.constraint(variable.value))

    def _variables_to_update(self, trainable_variables):
        """``apply``'s variables as a list (None: those built with), building on first use."""
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    f"Optimizer '{self.name}': apply() received gradients without variables, but "
                    "the optimizer is not built. Pass `trainable_variables` or call "
                    "`optimizer.build(trainable_variables)` first."
                )
            return self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
            self.built = True
        return trainable_variables

    def _check_gradient_count(self, grads, trainable_variables):
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Optimizer '{self.name}': received {len(grads)} gradients for "
                f"{len(trainable_variables)} variables"
            )

    def _try_fused_apply(self, grads, trainable_variables):
        if _FUSED_UNAVAILABLE:
            return False
        fused = getattr(getattr(_backend, "optimizer", None), "fused_apply", None)
        if fused is None:
            _FUSED_UNAVAILABLE.append(True)
            return False
        try:
            return bool(fused(self, grads, trainable_variables))
        except NotImplementedError:
            _FUSED_UNAVAILABLE.append(True)
            return False

    def _compiled_update(self, grads, variables, compile_fn):
        """For a backend's fast path: ``compile_fn(self)``'s result, cached; None if ineligible.

        A whole update can be compiled once (``jax.jit``/``tf.function`` of
        ``stateless_apply``/``apply``) when the optimizer is built, updates
        exactly the variables it was built with, has every gradient, and its
        learning rate is a variable or a schedule (a plain callable may return
        anything). The cache key holds everything a trace bakes in — the plain
        hyper-parameters, the variables' constraints and flags — so setting
        ``clipnorm`` after a step recompiles rather than running stale code.
        """
        if not self.built or not variables or len(variables) != len(self._trainable_variables):
            return None
        if any(a is not b for a, b in zip(variables, self._trainable_variables)):
            return None
        if any(g is None for g in grads):
            return None
        lr = self._learning_rate
        if not isinstance(lr, (KerasVariable, LearningRateSchedule)):
            return None
        simple = (bool, int, float, str, type(None))
        key = (tuple(sorted((k, v) for k, v in vars(self).items() if isinstance(v, simple))),
               tuple((id(v), id(v.constraint), v.overwrite_with_gradient) for v in variables))
        cached = self.__dict__.get("_compiled_update_cache")
        if cached is None or cached[0] != key:
            cached = (key, compile_fn(self))
            self.__dict__["_compiled_update_cache"] = cached
        return cached[1]

    def _filter_empty_gradients(self, grads, variables):
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError(
                f"Optimizer '{self.name}': no gradients provided for any variable "
                f"({[getattr(v, 'path', v) for v in variables]})."
            )
        if len(kept) < len(grads):
            missing = [getattr(v, "path", v) for g, v in zip(grads, variables) if g is None]
            warnings.warn(f"Optimizer '{self.name}': gradients do not exist for variables {missing} "
                          "when minimizing the loss; they are not updated.", stacklevel=3)
        return [g for g, _ in kept], [v for _, v in kept]

    def _is_update_step(self):
        steps = self.gradient_accumulation_steps
        return ops.equal(ops.mod(ops.add(self._iterations.value, 1), steps), 0)

    def _overwrite_variables_with_gradients(self, grads, variables):
        """Variables flagged ``overwrite_with_gradient`` take the gradient as their value."""
        kept_grads, kept_vars = [], []
        for g, v in zip(grads, variables):
            if not getattr(v, "overwrite_with_gradient", False):
                kept_grads.append(g)
                kept_vars.append(v)
                continue
            g = ops.cast(g, v.dtype)
            if self.gradient_accumulation_steps:
                # Accumulate with a running maximum; write on the update step only.
                acc = self._accumulated_gradients[self._get_variable_index(v)]
                is_update = self._is_update_step()
                merged = ops.maximum(g, acc.value)
                self.assign(v, ops.where(is_update, merged, v.value))
                self.assign(acc, ops.where(is_update, ops.zeros_like(merged), merged))
            else:
                self.assign(v, g)
        return kept_grads, kept_vars

    def _apply_processed_gradients(self, grads, trainable_variables):
        if not self.gradient_accumulation_steps:
            self._clip_and_update(grads, trainable_variables)
            return
        # Accumulate; every `steps` steps apply the mean of the accumulated gradients. Both
        # outcomes are computed and selected with `where`, so this is branch-free and traces
        # the same way under jit.
        steps = self.gradient_accumulation_steps
        is_update = self._is_update_step()
        accumulators = [self._accumulated_gradients[self._get_variable_index(v)]
                        for v in trainable_variables]
        totals = [ops.add(ops.cast(g, acc.dtype), acc.value) for g, acc in zip(grads, accumulators)]
        accumulator_ids = {id(a) for a in self._accumulated_gradients}
        watched = [v for v in list(trainable_variables) + self._variables
                   if v is not self._iterations and id(v) not in accumulator_ids]
        # Copies: torch/TF variables hand out their live storage, which the update mutates.
        before = [ops.copy(v.value) for v in watched]
        self._clip_and_update([ops.divide(t, steps) for t in totals], trainable_variables)
        for v, old in zip(watched, before):
            self.assign(v, ops.where(is_update, v.value, old))
        for acc, total in zip(accumulators, totals):
            self.assign(acc, ops.where(is_update, ops.zeros_like(total), total))

    def _clip_and_update(self, grads, trainable_variables):
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(trainable_variables)
        learning_rate = self._get_current_learning_rate()
        for grad, variable in zip(grads, trainable_variables):
            self.update_step(grad, variable, learning_rate)

    # -- gradient processing --------------------------------------------------------------
    def _clip_gradients(self, grads):
        if self.clipnorm is not None and self.clipnorm > 0:
            return [_clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm is not None and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue is not None and self.clipvalue > 0:
            return [ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempt variables (objects, or name substrings/regexes) from weight decay.

        Must be called before the optimizer is built.
        """
        if self.built:
            raise ValueError(
                f"Optimizer '{self.name}': exclude_from_weight_decay() must be called before the "
                "optimizer is built (before its first apply() or build())."
            )
        if var_list:
            self._exclude_from_weight_decay_ids.update(id(v) for v in var_list)
        if var_names:
            self._exclude_from_weight_decay_names.extend(var_names)

    def _excluded_by_name(self, variable):
        return any(re.search(pattern, variable.name)
                   for pattern in self._exclude_from_weight_decay_names)

    def _use_weight_decay(self, variable):
        key = id(variable)
        if key in self._exclude_from_weight_decay_ids:
            return False
        if key in self._variable_index:
            return key not in self._excluded_by_name_ids
        return not self._excluded_by_name(variable)

    def _weight_decay_for(self, variable):
        """The decoupled weight-decay rate of ``variable`` (None: not decayed).

        Optimizers with several decay rates (Muon) override this.
        """
        if self.weight_decay is None or not self._use_weight_decay(variable):
            return None
        return self.weight_decay

    def _apply_weight_decay(self, variables):
        learning_rate = None
        for variable in variables:
            decay = self._weight_decay_for(variable)
            if decay is None:
                continue
            if learning_rate is None:
                learning_rate = self._get_current_learning_rate()
            lr = ops.cast(learning_rate, variable.dtype)
            wd = ops.cast(decay, variable.dtype)
            self.assign(variable, ops.subtract(
                variable.value, ops.multiply(variable.value, ops.multiply(wd, lr))))

    # -- EMA ------------------------------------------------------------------------------
    def _update_model_variables_moving_average(self):
        first_step = ops.equal(self._iterations.value, 0)
        for variable, average in zip(self._trainable_variables, self._model_variables_moving_average):
            momentum = ops.where(first_step, ops.zeros((), variable.dtype),
                                 ops.cast(self.ema_momentum, variable.dtype))
            new_average = ops.add(ops.multiply(momentum, average.value),
                                  ops.multiply(ops.subtract(1, momentum), variable.value))
            self.assign(average, new_average)
        if self.ema_overwrite_frequency:
            overwrite = ops.equal(
                ops.mod(ops.add(self._iterations.value, 1), self.ema_overwrite_frequency), 0)
            for variable, average in zip(self._trainable_variables,
                                         self._model_variables_moving_average):
                self.assign(variable, ops.where(overwrite, average.value, variable.value))

    def finalize_variable_values(self, var_list):
        """At the end of training, replace the variables with their EMA (when ``use_ema``)."""
        if self.use_ema and self._model_variables_moving_average:
            for variable in var_list:
                index = self._variable_index.get(id(variable))
                if index is not None:
                    variable.assign(self._model_variables_moving_average[index].value)

    def scale_loss(self, loss):
        """Multiply ``loss`` by ``loss_scale_factor`` (when set) before taking gradients."""
        if self.loss_scale_factor is not None:
            return ops.multiply(loss, self.loss_scale_factor)
        return loss

    # -- stateless API --------------------------------------------------------------------
    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """Pure ``apply``: returns ``(new_trainable_values, new_optimizer_values)``.

        ``optimizer_variables`` are values for ``self.variables`` and
        ``trainable_variables`` values for the variables the optimizer was built
        with, both in order. Neither the optimizer's nor the model's variables
        change.

        Example:
            >>> import kiln
            >>> w = kiln.Variable([1.0], name="w")
            >>> opt = kiln.optimizers.SGD(0.5)
            >>> opt.build([w])
            >>> tv, ov = opt.stateless_apply([v.value for v in opt.variables], [kiln.ops.ones((1,))], [w.value])
            >>> kiln.ops.convert_to_numpy(tv[0]).tolist(), int(ov[0]), w.numpy().tolist()
            ([0.5], 1, [1.0])
        """
        if not self.built:
            raise ValueError(
                f"Optimizer '{self.name}': stateless_apply needs a built optimizer (its slot "
                "variables must exist). Call `optimizer.build(trainable_variables)` first."
            )
        own = self.variables
        optimizer_variables = list(optimizer_variables)
        trainable_variables = list(trainable_variables)
        if len(optimizer_variables) != len(own):
            raise ValueError(
                f"Optimizer '{self.name}': stateless_apply expected {len(own)} optimizer variable "
                f"values (one per entry of `optimizer.variables`), received {len(optimizer_variables)}"
            )
        if len(trainable_variables) != len(self._trainable_variables):
            raise ValueError(
                f"Optimizer '{self.name}': stateless_apply expected {len(self._trainable_variables)} "
                f"trainable variable values, received {len(trainable_variables)}"
            )
        mapping = list(zip(self._trainable_variables, trainable_variables)) + list(
            zip(own, optimizer_variables))
        with StatelessScope(state_mapping=mapping) as scope:
            self.apply(grads)
        new_trainable = []
        for variable, old in zip(self._trainable_variables, trainable_variables):
            value = scope.get_current_value(variable)
            new_trainable.append(old if value is None else value)
        new_optimizer = []
        for variable, old in zip(own, optimizer_variables):
            value = scope.get_current_value(variable)
            new_optimizer.append(old if value is None else value)
        return new_trainable, new_optimizer

    # -- saving ---------------------------------------------------------------------------
    def save_own_variables(self, store):
        """Write the variables to ``store`` under keys ``"0"``, ``"1"``..."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        """Read variables written by :meth:`save_own_variables` (warns on a count mismatch)."""
        variables = self.variables
        if len(store.keys()) != len(variables):
            msg = (f"Skipping variable loading for optimizer '{self.name}': it has "
                   f"{len(variables)} variables but the saved optimizer has {len(store.keys())}.")
            if not self.built:
                msg += " The optimizer is not built yet; build it before loading."
            warnings.warn(msg, stacklevel=2)
            return
        for i, variable in enumerate(variables):
            variable.assign(store[str(i)])

    # -- config ---------------------------------------------------------------------------
    def get_config(self):
        """All hyper-parameters, in Keras 3's order; subclasses append their own."""
        from kiln.saving import serialization_lib

        lr = self._learning_rate
        if isinstance(lr, KerasVariable):
            learning_rate = float(lr.numpy())
        elif isinstance(lr, LearningRateSchedule):
            learning_rate = serialization_lib.serialize_kiln_object(lr)
        elif callable(lr):
            learning_rate = serialization_lib.serialize_kiln_object(lr)
        else:
            learning_rate = float(lr)
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": _float_or_none(self.weight_decay),
            "clipnorm": _float_or_none(self.clipnorm),
            "global_clipnorm": _float_or_none(self.global_clipnorm),
            "clipvalue": _float_or_none(self.clipvalue),
            "use_ema": self.use_ema,
            "ema_momentum": _float_or_none(self.ema_momentum),
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": _float_or_none(self.loss_scale_factor),
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the optimizer from :meth:`get_config`'s output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            from kiln.optimizers import schedules

            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _float_or_none(value):
    return None if value is None else float(value)


def _clip_by_norm(values, clipnorm):
    """Scale ``values`` down so its L2 norm is at most ``clipnorm``."""
    squared = ops.sum(ops.square(values))
    positive = ops.greater(squared, 0)
    norm = ops.where(positive, ops.sqrt(ops.where(positive, squared, ops.ones_like(squared))),
                     squared)
    clip = ops.cast(clipnorm, norm.dtype)
    return ops.divide(ops.multiply(values, clip), ops.maximum(norm, clip))


def clip_by_global_norm(values, clipnorm):
    """Scale a list of tensors together so their global L2 norm is at most ``clipnorm``.

    Example:
        >>> import kiln
        >>> out = clip_by_global_norm([kiln.ops.convert_to_tensor([3.0]), kiln.ops.convert_to_tensor([4.0])], 1.0)
        >>> [round(float(v[0]), 3) for v in out]
        [0.6, 0.8]
    """
    total = None
    for v in values:
        s = ops.cast(ops.sum(ops.square(v)), "float32")
        total = s if total is None else ops.add(total, s)
    norm = ops.sqrt(total)
    clip = ops.cast(clipnorm, "float32")
    scale = ops.divide(clip, ops.maximum(norm, clip))
    return [ops.multiply(v, ops.cast(scale, v.dtype)) for v in values]
