"""LossScaleOptimizer: dynamic loss scaling around another optimizer (for float16 training).

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0], name="w")
    >>> opt = kiln.optimizers.LossScaleOptimizer(kiln.optimizers.SGD(0.5), initial_scale=8.0)
    >>> float(opt.scale_loss(2.0))
    16.0
    >>> opt.apply([kiln.ops.convert_to_tensor([8.0])], [w])   # unscaled: 1.0
    >>> w.numpy().tolist()
    [0.5]
"""

from kiln import ops
from kiln.backend.common.scopes import in_stateless_scope
from kiln.optimizers.base_optimizer import Optimizer

# Base-optimizer arguments older configs carry; accepted only at their default values.
_BASE_DEFAULTS = {"learning_rate": None, "weight_decay": None, "clipnorm": None,
                  "global_clipnorm": None, "clipvalue": None, "use_ema": False,
                  "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                  "loss_scale_factor": None, "gradient_accumulation_steps": None}


def _concrete_bool(value):
    """``bool(value)`` when it is a concrete (eager) value, else None (traced or stateless)."""
    if in_stateless_scope():
        return None
    try:
        return bool(value)
    except TypeError:  # a symbolic tf.Tensor in a tf.function, or a JAX tracer
        return None


class LossScaleOptimizer(Optimizer):
    """Dynamic loss scaling around ``inner_optimizer``.

    Multiply the loss by the current scale (:meth:`scale_loss`) before taking
    gradients; :meth:`apply` divides the gradients by it and then:

    - if every gradient is finite, the inner optimizer takes its step, and
      after ``dynamic_growth_steps`` finite steps in a row the scale doubles;
    - otherwise the step is skipped — neither the variables nor the inner
      optimizer's state (its ``iterations`` included) change — and the
      scale halves.

    The choice is branch-free (``ops.where``) inside ``stateless_apply``
    (so it works under ``jax.jit``) and in traced TensorFlow functions; an
    eager call simply skips the inner step.

    Variables, in order: ``iteration`` and ``learning_rate`` (kept for the
    Keras file layout; :attr:`iterations` and :attr:`learning_rate` are the
    inner optimizer's), ``step_counter`` (finite steps since the scale last
    changed), ``dynamic_scale`` (the current scale), then every variable of
    the inner optimizer.

    Args:
        inner_optimizer: the ``Optimizer`` to wrap (its ``loss_scale_factor``
            is cleared, so gradients are not unscaled twice).
        initial_scale: the starting loss scale (default 2**15).
        dynamic_growth_steps: finite steps before the scale doubles.
        name: the optimizer's name.

    Example:
        >>> import kiln
        >>> opt = LossScaleOptimizer(kiln.optimizers.Adam(), dynamic_growth_steps=100)
        >>> sorted(opt.get_config())
        ['dynamic_growth_steps', 'initial_scale', 'inner_optimizer', 'name']
    """

    def __init__(self, inner_optimizer, initial_scale=32768.0, dynamic_growth_steps=2000, name=None,
                 **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer: `dynamic=False` is not supported; set "
                             "`loss_scale_factor` on the inner optimizer for a fixed scale.")
        for arg, default in _BASE_DEFAULTS.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(f"LossScaleOptimizer: argument `{arg}` is not supported; set it "
                                 "on the `inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer: argument(s) not recognized: {sorted(kwargs)}")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError("LossScaleOptimizer: `inner_optimizer` must be a kiln Optimizer "
                            f"instance, received {inner_optimizer!r}")
        if not isinstance(initial_scale, (int, float)) or isinstance(initial_scale, bool) or \
                initial_scale <= 0:
            raise ValueError(f"LossScaleOptimizer: `initial_scale` must be a positive number, "
                             f"received {initial_scale!r}")
        if not isinstance(dynamic_growth_steps, int) or isinstance(dynamic_growth_steps, bool) or \
                dynamic_growth_steps < 1:
            raise ValueError(f"LossScaleOptimizer: `dynamic_growth_steps` must be an int >= 1, "
                             f"received {dynamic_growth_steps!r}")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        inner_optimizer.loss_scale_factor = None
        self.step_counter = None
        self.dynamic_scale = None

    def build(self, variables):
        if self.built:
            return
        self.step_counter = self.add_variable((), initializer="zeros", dtype="int32",
                                              name="step_counter")
        scale = float(self.initial_scale)
        self.dynamic_scale = self.add_variable(
            (), initializer=lambda shape, dtype=None: ops.full(shape, scale, dtype=dtype),
            dtype="float32", name="dynamic_scale")
        self.inner_optimizer.build(variables)
        super().build(variables)

    @property
    def variables(self):
        """Own variables (iteration, learning_rate, step_counter, dynamic_scale), then inner ones."""
        return list(self._variables) + list(self.inner_optimizer.variables)

    @property
    def iterations(self):
        """The inner optimizer's step counter (skipped steps do not count)."""
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        """The inner optimizer's learning rate."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self.inner_optimizer.learning_rate = learning_rate

    def scale_loss(self, loss):
        """``loss`` times the current scale (``initial_scale`` before the first build)."""
        if not self.built:
            return ops.multiply(loss, self.initial_scale)
        scale = self.dynamic_scale.value
        loss = ops.convert_to_tensor(loss)
        return ops.multiply(loss, ops.cast(scale, loss.dtype))

    def check_finite(self, grads):
        """A scalar bool tensor: True when every (non-None) gradient is finite."""
        flags = [ops.all(ops.isfinite(g)) for g in grads if g is not None]
        if not flags:
            return ops.convert_to_tensor(True)
        return ops.all(ops.stack(flags))

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        trainable_variables = self._variables_to_update(trainable_variables)
        self._check_gradient_count(grads, trainable_variables)
        if not grads:
            return
        finite = self.check_finite(grads)
        scale = self.dynamic_scale.value
        unscaled = []
        for g, v in zip(grads, trainable_variables):
            if g is not None and not v.overwrite_with_gradient:
                g = ops.divide(g, scale)  # float16 gradients promote to float32, as in Keras
            unscaled.append(g)
        eager_finite = _concrete_bool(finite)
        if eager_finite is None:
            self._apply_where(finite, unscaled, trainable_variables)
        elif eager_finite:
            self.inner_optimizer.apply(unscaled, trainable_variables)
        self._update_scale(finite)

    def _apply_where(self, finite, grads, trainable_variables):
        """Run the inner step, then keep its results only where ``finite`` (branch-free)."""
        safe = [None if g is None else ops.where(finite, g, ops.zeros_like(g)) for g in grads]
        watched = list(trainable_variables) + list(self.inner_optimizer.variables)
        # Copies: torch/TF variables hand out their live storage, which the update mutates.
        before = [ops.copy(v.value) for v in watched]
        self.inner_optimizer.apply(safe, trainable_variables)
        for variable, old in zip(watched, before):
            self.assign(variable, ops.where(finite, variable.value, old))

    def _update_scale(self, finite):
        counter = self.step_counter.value
        scale = self.dynamic_scale.value
        grow = ops.logical_and(finite, ops.equal(counter, self.dynamic_growth_steps - 1))
        zero = ops.zeros_like(counter)
        self.assign(self.step_counter,
                    ops.where(finite, ops.where(grow, zero, ops.add(counter, 1)), zero))
        self.assign(self.dynamic_scale,
                    ops.where(finite, ops.where(grow, ops.multiply(scale, 2.0), scale),
                              ops.divide(scale, 2.0)))

    def finalize_variable_values(self, var_list):
        """Delegate to the inner optimizer (EMA weights, if any)."""
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        from kiln.saving import serialization_lib

        return {"name": self.name,
                "inner_optimizer": serialization_lib.serialize_kiln_object(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from kiln import optimizers

        config = dict(config)
        inner = optimizers.deserialize(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner, **config)
