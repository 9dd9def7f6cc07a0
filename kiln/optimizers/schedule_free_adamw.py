"""Schedule-Free AdamW: interpolation and iterate averaging instead of a learning-rate schedule.

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0, 2.0], name="w")
    >>> opt = kiln.optimizers.ScheduleFreeAdamW(learning_rate=0.1, name="sf")
    >>> opt.apply([kiln.ops.ones((2,))], [w])
    >>> [v.path for v in opt.variables]
    ['sf/iteration', 'sf/learning_rate', 'sf/w_momentum', 'sf/w_velocity']
"""

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments


class ScheduleFreeAdamW(Optimizer):
    """Schedule-Free AdamW (Defazio et al., 2024).

    Three sequences: ``z`` (the ``momentum`` slot, where the Adam-normalized
    gradient steps land), ``x`` (the running average of ``z``, the weights to
    evaluate with) and ``y = (1 - beta_1) * z + beta_1 * x`` (where gradients
    are taken). As in Keras, the model variables hold ``y`` while training and
    ``x`` is not stored: it is recovered as ``(y - (1 - beta_1) * z) / beta_1``.

    At step ``t`` (1-based), with ``lr`` scaled by ``min(t / warmup_steps, 1)``
    when ``warmup_steps > 0``:
    ``v = beta_2 * v + (1 - beta_2) * g²``;
    ``z -= lr * g / (sqrt(v / (1 - beta_2^t)) + epsilon)``;
    ``x = (1 - 1/t) * x_old + (1/t) * z``; ``var = y = (1 - beta_1) * z + beta_1 * x``.
    ``z`` starts equal to the variable. ``weight_decay`` is the base class's
    decoupled decay of the variable before the step.

    Slots, per variable interleaved: ``momentum`` (``z``), ``velocity`` (``v``).

    Call :meth:`swap_to_eval` (alias :meth:`eval`) before evaluating or
    saving for inference — the variables then hold ``x`` — and
    :meth:`swap_to_train` (alias :meth:`train`) before training again.

    Args:
        learning_rate: float, schedule or callable (default 0.0025).
        beta_1: interpolation between ``z`` and ``x``.
        beta_2: decay rate of the squared-gradient average.
        epsilon: added to the denominator.
        warmup_steps: linear learning-rate warmup length (0: none).
        The remaining arguments are those of :class:`Optimizer`.

    Example:
        >>> ScheduleFreeAdamW(warmup_steps=10).get_config()["warmup_steps"]
        10
    """

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8, warmup_steps=0,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_arguments(locals()))
        if not isinstance(warmup_steps, int) or isinstance(warmup_steps, bool) or warmup_steps < 0:
            raise ValueError(f"ScheduleFreeAdamW: `warmup_steps` must be an int >= 0, received "
                             f"{warmup_steps!r}")
        if not 0 < beta_1 <= 1:
            raise ValueError(f"ScheduleFreeAdamW: `beta_1` must be in (0, 1], received {beta_1!r}")
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps
        self._momentums = []
        self._velocities = []

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = [], []
        for variable in variables:
            start = variable.value

            def copy_of(shape, dtype=None, start=start):
                return ops.cast(ops.copy(start), dtype)

            self._momentums.append(self.add_variable_from_reference(variable, "momentum", copy_of))
            self._velocities.append(self.add_variable_from_reference(variable, "velocity"))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(ops.add(self.iterations.value, 1), dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        if self.warmup_steps > 0:
            lr = ops.multiply(lr, ops.minimum(ops.divide(step, ops.cast(self.warmup_steps, dtype)),
                                              ops.cast(1, dtype)))
        index = self._get_variable_index(variable)
        z, v = self._momentums[index], self._velocities[index]
        # Every new value is computed before any assignment: torch/TF variables hand out their
        # live storage, which an assignment overwrites.
        z_old = z.value
        one_minus_beta_1 = ops.subtract(1, beta_1)
        x_old = ops.divide(ops.subtract(variable.value, ops.multiply(one_minus_beta_1, z_old)), beta_1)
        new_v = ops.add(v.value, ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                              ops.subtract(1, beta_2)))
        denominator = ops.add(ops.sqrt(ops.divide(new_v, ops.subtract(1, ops.power(beta_2, step)))),
                              ops.cast(self.epsilon, dtype))
        new_z = ops.subtract(z_old, ops.divide(ops.multiply(lr, gradient), denominator))
        self.assign(v, new_v)
        self.assign(z, new_z)
        weight = ops.divide(ops.cast(1, dtype), step)
        x_new = ops.add(ops.multiply(ops.subtract(1, weight), x_old), ops.multiply(weight, new_z))
        self.assign(variable, ops.add(ops.multiply(one_minus_beta_1, new_z),
                                      ops.multiply(beta_1, x_new)))

    def _swap(self, to_eval):
        if not self.built:
            return
        for variable, z in zip(self._trainable_variables, self._momentums):
            beta_1 = ops.cast(self.beta_1, variable.dtype)
            mixed = ops.multiply(ops.subtract(1, beta_1), z.value)
            if to_eval:  # y -> x
                value = ops.divide(ops.subtract(variable.value, mixed), beta_1)
            else:  # x -> y
                value = ops.add(mixed, ops.multiply(beta_1, variable.value))
            self.assign(variable, value)

    def swap_to_train(self):
        """Set the variables to the training point ``y`` (they must hold ``x``).

        Example:
            >>> import kiln
            >>> w = kiln.Variable([1.0], name="w")
            >>> opt = ScheduleFreeAdamW(0.5)
            >>> opt.apply([kiln.ops.ones((1,))], [w])
            >>> y = float(w.numpy()[0]); opt.swap_to_eval(); opt.swap_to_train()
            >>> abs(float(w.numpy()[0]) - y) < 1e-6
            True
        """
        self._swap(to_eval=False)

    def swap_to_eval(self):
        """Set the variables to the averaged point ``x`` (they must hold ``y``)."""
        self._swap(to_eval=True)

    def train(self):
        """Alias of :meth:`swap_to_train`."""
        self.swap_to_train()

    def eval(self):
        """Alias of :meth:`swap_to_eval`."""
        self.swap_to_eval()

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "warmup_steps": self.warmup_steps})
        return config
