"""RMSprop: divide the gradient by a running root mean square of recent gradients.

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0], name="w")
    >>> opt = kiln.optimizers.RMSprop(learning_rate=0.01)
    >>> opt.apply([kiln.ops.ones((1,))], [w])
    >>> opt.name.startswith("rm_sprop"), len(opt.variables)
    (True, 3)
"""

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments


class RMSprop(Optimizer):
    """RMSprop. For gradient ``g``: ``v = rho * v + (1 - rho) * g²``; with
    ``centered``, ``a = rho * a + (1 - rho) * g`` and the denominator is
    ``v - a² + epsilon`` (else ``v + epsilon``); ``inc = lr * g / sqrt(denominator)``;
    with momentum ``m = momentum * m + inc; var -= m``, else ``var -= inc``.

    Slots, grouped by kind: every ``velocity``, then every ``momentum`` (if
    momentum > 0), then every ``average_gradient`` (if centered).

    Example:
        >>> RMSprop().get_config()["rho"]
        0.9
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_arguments(locals()))
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
        self._velocities = []
        self._momentums = []
        self._average_gradients = []

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(variables, "momentum")
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(variables, "average_gradient")

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        index = self._get_variable_index(variable)
        rho = ops.cast(self.rho, dtype)
        one_minus_rho = ops.subtract(1, rho)
        velocity = self._velocities[index]
        new_velocity = ops.add(ops.multiply(rho, velocity.value),
                               ops.multiply(one_minus_rho, ops.square(gradient)))
        self.assign(velocity, new_velocity)
        epsilon = ops.cast(self.epsilon, dtype)
        if self.centered:
            average = self._average_gradients[index]
            new_average = ops.add(ops.multiply(rho, average.value), ops.multiply(one_minus_rho, gradient))
            self.assign(average, new_average)
            denominator = ops.add(ops.subtract(new_velocity, ops.square(new_average)), epsilon)
        else:
            denominator = ops.add(new_velocity, epsilon)
        increment = ops.divide(ops.multiply(lr, gradient), ops.sqrt(denominator))
        if self.momentum > 0:
            m = self._momentums[index]
            new_m = ops.add(ops.multiply(ops.cast(self.momentum, dtype), m.value), increment)
            self.assign(m, new_m)
            self.assign_sub(variable, new_m)
        else:
            self.assign_sub(variable, increment)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": float(self.rho), "momentum": float(self.momentum),
                       "epsilon": float(self.epsilon), "centered": bool(self.centered)})
        return config
