"""Adamax: Adam with the infinity norm in place of the second moment.

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0, 2.0], name="w")
    >>> opt = kiln.optimizers.Adamax(learning_rate=0.1)
    >>> opt.apply([kiln.ops.ones((2,))], [w])
    >>> [round(x, 4) for x in w.numpy().tolist()]
    [0.9, 1.9]
"""

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments, check_hyperparameters


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2015, section 7). At step ``t`` (1-based), for gradient ``g``:

    ``m = beta_1 * m + (1 - beta_1) * g``; ``u = max(beta_2 * u, |g|)``;
    ``var -= learning_rate * m / ((1 - beta_1^t) * (u + epsilon))``.

    Slots, per variable and interleaved: ``momentum`` (``m``), ``norm`` (``u``).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: decay rate of the first moment, in [0, 1].
        beta_2: decay rate of the infinity norm, in [0, 1].
        epsilon: small constant added to the norm.
        The remaining arguments are those of :class:`Optimizer`.

    Example:
        >>> Adamax().get_config()["beta_2"]
        0.999
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        check_hyperparameters("Adamax", unit_interval=("beta_1", "beta_2"),
                              learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                              epsilon=epsilon)
        super().__init__(**base_arguments(locals()))
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self._m = []
        self._u = []

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._m, self._u = self.add_optimizer_variables(variables, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(ops.add(self.iterations.value, 1), dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        index = self._get_variable_index(variable)
        m = self._m[index]
        u = self._u[index]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m.value), ops.subtract(1, beta_1)))
        self.assign(u, ops.maximum(ops.multiply(ops.cast(self.beta_2, dtype), u.value),
                                   ops.abs(gradient)))
        denominator = ops.multiply(ops.subtract(1, ops.power(beta_1, step)),
                                   ops.add(u.value, ops.cast(self.epsilon, dtype)))
        self.assign_sub(variable, ops.divide(ops.multiply(lr, m.value), denominator))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": float(self.beta_1), "beta_2": float(self.beta_2),
                       "epsilon": float(self.epsilon)})
        return config
