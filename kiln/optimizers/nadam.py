"""Nadam: Adam with Nesterov momentum and Dozat's momentum schedule.

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0, 2.0], name="w")
    >>> opt = kiln.optimizers.Nadam(learning_rate=0.1)
    >>> opt.apply([kiln.ops.ones((2,))], [w])
    >>> [v.path.split("/")[-1] for v in opt.variables]
    ['iteration', 'learning_rate', 'w_momentum', 'w_velocity', 'u_product']
"""

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments, check_hyperparameters


class Nadam(Optimizer):
    """Nadam (Dozat, 2016). At step ``t`` (1-based), for gradient ``g``:

    ``mu_t = beta_1 * (1 - 0.5 * 0.96^t)``; ``P_t = mu_1 * ... * mu_t`` (the
    ``u_product`` variable, advanced once per step for all variables);
    ``m``/``v`` as in Adam;
    ``m_hat = mu_{t+1} * m / (1 - P_t * mu_{t+1}) + (1 - mu_t) * g / (1 - P_t)``;
    ``v_hat = v / (1 - beta_2^t)``; ``var -= learning_rate * m_hat / (sqrt(v_hat) + epsilon)``.

    Variables after the base ones: ``momentum``, ``velocity`` per variable
    (interleaved), then the scalar ``u_product`` (as Keras 3 orders them).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay rate of the first moment, in [0, 1].
        beta_2: decay rate of the second moment, in [0, 1].
        epsilon: small constant added to the denominator.
        The remaining arguments are those of :class:`Optimizer`.

    Example:
        >>> Nadam().get_config()["beta_1"]
        0.9
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        check_hyperparameters("Nadam", unit_interval=("beta_1", "beta_2"),
                              learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                              epsilon=epsilon)
        super().__init__(**base_arguments(locals()))
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self._momentums = []
        self._velocities = []
        self._u_product = None

    def build(self, variables):
        if self.built:
            return
        dtype = variables[0].dtype if variables else None
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype, name="u_product")

    def _momentum_at(self, step, dtype):
        """``mu`` at ``step`` (a tensor of ``dtype``)."""
        decay = ops.power(ops.cast(0.96, dtype), step)
        return ops.multiply(ops.cast(self.beta_1, dtype), ops.subtract(1, ops.multiply(0.5, decay)))

    def _clip_and_update(self, grads, trainable_variables):
        # Once per step, before the per-variable updates: P_t = P_{t-1} * mu_t.
        product = self._u_product
        step = ops.cast(ops.add(self.iterations.value, 1), product.dtype)
        self.assign(product, ops.multiply(product.value, self._momentum_at(step, product.dtype)))
        super()._clip_and_update(grads, trainable_variables)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(ops.add(self.iterations.value, 1), dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        mu = self._momentum_at(step, dtype)
        mu_next = self._momentum_at(ops.add(step, 1), dtype)
        product = ops.cast(self._u_product.value, dtype)
        product_next = ops.multiply(product, mu_next)
        index = self._get_variable_index(variable)
        m = self._momentums[index]
        v = self._velocities[index]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m.value), ops.subtract(1, beta_1)))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                        ops.subtract(1, beta_2)))
        m_hat = ops.add(
            ops.divide(ops.multiply(mu_next, m.value), ops.subtract(1, product_next)),
            ops.divide(ops.multiply(ops.subtract(1, mu), gradient), ops.subtract(1, product)))
        v_hat = ops.divide(v.value, ops.subtract(1, ops.power(beta_2, step)))
        self.assign_sub(variable, ops.divide(ops.multiply(m_hat, lr),
                                             ops.add(ops.sqrt(v_hat), ops.cast(self.epsilon, dtype))))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": float(self.beta_1), "beta_2": float(self.beta_2),
                       "epsilon": float(self.epsilon)})
        return config
