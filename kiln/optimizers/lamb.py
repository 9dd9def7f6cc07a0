"""Lamb: Adam's direction rescaled per variable by a trust ratio (large-batch training).

Example:
    >>> import kiln
    >>> w = kiln.Variable([3.0, 4.0], name="w")
    >>> opt = kiln.optimizers.Lamb(learning_rate=0.1)
    >>> opt.apply([kiln.ops.ones((2,))], [w])
    >>> [round(x, 3) for x in w.numpy().tolist()]
    [2.646, 3.646]
"""

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments, check_hyperparameters


class Lamb(Optimizer):
    """Lamb (You et al., 2019). At step ``t`` (1-based), for gradient ``g``:

    ``m`` and ``v`` as in Adam; ``update = (m / (1 - beta_1^t)) /
    (sqrt(v / (1 - beta_2^t)) + epsilon)``; ``ratio = ||var|| / ||update||`` (1 when
    either norm is 0); ``var -= ratio * learning_rate * update``.

    Slots, per variable and interleaved: ``momentum``, ``velocity``.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay rate of the first moment, in [0, 1].
        beta_2: decay rate of the second moment, in [0, 1].
        epsilon: small constant added to the denominator.
        The remaining arguments are those of :class:`Optimizer`.

    Example:
        >>> Lamb().get_config()["epsilon"]
        1e-07
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        check_hyperparameters("Lamb", unit_interval=("beta_1", "beta_2"),
                              learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                              epsilon=epsilon)
        super().__init__(**base_arguments(locals()))
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self._momentums = []
        self._velocities = []

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(ops.add(self.iterations.value, 1), dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        index = self._get_variable_index(variable)
        m = self._momentums[index]
        v = self._velocities[index]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m.value), ops.subtract(1, beta_1)))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                        ops.subtract(1, beta_2)))
        m_hat = ops.divide(m.value, ops.subtract(1, ops.power(beta_1, step)))
        v_hat = ops.divide(v.value, ops.subtract(1, ops.power(beta_2, step)))
        update = ops.divide(m_hat, ops.add(ops.sqrt(v_hat), ops.cast(self.epsilon, dtype)))
        var_norm = ops.sqrt(ops.sum(ops.square(variable.value)))
        update_norm = ops.sqrt(ops.sum(ops.square(update)))
        both_positive = ops.logical_and(ops.greater(var_norm, 0), ops.greater(update_norm, 0))
        # The inner where keeps the division finite where it is not selected (no NaN gradients).
        safe_update_norm = ops.where(both_positive, update_norm, ops.ones_like(update_norm))
        ratio = ops.where(both_positive, ops.divide(var_norm, safe_update_norm),
                          ops.ones_like(var_norm))
        self.assign_sub(variable, ops.multiply(ops.multiply(ratio, lr), update))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": float(self.beta_1), "beta_2": float(self.beta_2),
                       "epsilon": float(self.epsilon)})
        return config
