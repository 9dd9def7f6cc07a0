"""Adam: adaptive moment estimation (and its AMSGrad variant).

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0, 2.0], name="w")
    >>> opt = kiln.optimizers.Adam(learning_rate=0.1)
    >>> opt.apply([kiln.ops.ones((2,))], [w])
    >>> [round(x, 4) for x in w.numpy().tolist()], len(opt.variables)
    ([0.9, 1.9], 4)
"""

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments


class Adam(Optimizer):
    """Adam. At step ``t`` (1-based), for gradient ``g``:

    ``m += (g - m) * (1 - beta_1)``; ``v += (g² - v) * (1 - beta_2)``;
    ``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``;
    ``var -= alpha * m / (sqrt(v) + epsilon)`` (with ``amsgrad``, ``v`` is
    replaced by its running maximum).

    Slots, per variable and interleaved: ``momentum``, ``velocity``; then
    ``velocity_hat`` for every variable when ``amsgrad``.

    Example:
        >>> Adam().get_config()["beta_1"]
        0.9
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_arguments(locals()))
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self._momentums = []
        self._velocities = []
        self._velocity_hats = []

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(variables, "velocity_hat")

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(ops.add(self.iterations.value, 1), dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        beta_1_power = ops.power(beta_1, step)
        beta_2_power = ops.power(beta_2, step)
        index = self._get_variable_index(variable)
        m = self._momentums[index]
        v = self._velocities[index]
        alpha = ops.divide(ops.multiply(lr, ops.sqrt(ops.subtract(1, beta_2_power))),
                           ops.subtract(1, beta_1_power))
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m.value), ops.subtract(1, beta_1)))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                        ops.subtract(1, beta_2)))
        v_value = v.value
        if self.amsgrad:
            v_hat = self._velocity_hats[index]
            self.assign(v_hat, ops.maximum(v_hat.value, v_value))
            v_value = v_hat.value
        self.assign_sub(variable, ops.divide(ops.multiply(m.value, alpha),
                                             ops.add(ops.sqrt(v_value), ops.cast(self.epsilon, dtype))))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": float(self.beta_1), "beta_2": float(self.beta_2),
                       "epsilon": float(self.epsilon), "amsgrad": bool(self.amsgrad)})
        return config


class AdamW(Adam):
    """Adam with decoupled weight decay (default ``weight_decay=0.004``).

    Example:
        >>> AdamW().get_config()["weight_decay"], AdamW().name.startswith("adam_w")
        (0.004, True)
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: `weight_decay` must be a float, received weight_decay=None")
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         **base_arguments(locals()))
