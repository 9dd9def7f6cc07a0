"""Lion: sign updates from an interpolation of momentum and gradient.

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0, 2.0], name="w")
    >>> opt = kiln.optimizers.Lion(learning_rate=0.1)
    >>> opt.apply([kiln.ops.convert_to_tensor([0.5, -3.0])], [w])
    >>> [round(x, 4) for x in w.numpy().tolist()]
    [0.9, 2.1]
"""

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments, check_hyperparameters


class Lion(Optimizer):
    """Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms").

    For gradient ``g``: ``var -= learning_rate * sign(beta_1 * m + (1 - beta_1) * g)``,
    then ``m = beta_2 * m + (1 - beta_2) * g``. Every element moves by exactly the
    learning rate (or not at all), so Lion usually wants a 3-10x smaller learning
    rate than Adam.

    Slots, one per variable: ``momentum``.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        beta_1: interpolation weight of the momentum in the update, in (0, 1]
            (0 would make Lion plain sign descent).
        beta_2: decay rate of the momentum, in [0, 1].
        The remaining arguments are those of :class:`Optimizer`.

    Example:
        >>> Lion().get_config()["beta_2"]
        0.99
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        check_hyperparameters("Lion", unit_interval=("beta_1", "beta_2"),
                              learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2)
        if beta_1 == 0:
            raise ValueError("Lion: `beta_1` must be in (0, 1] (with 0 Lion degenerates to sign "
                             f"gradient descent), received beta_1={beta_1}")
        super().__init__(**base_arguments(locals()))
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self._momentums = []

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        m = self._momentums[self._get_variable_index(variable)]
        direction = ops.sign(ops.add(ops.multiply(m.value, beta_1),
                                     ops.multiply(gradient, ops.subtract(1, beta_1))))
        self.assign_sub(variable, ops.multiply(lr, direction))
        self.assign(m, ops.add(ops.multiply(m.value, beta_2),
                               ops.multiply(gradient, ops.subtract(1, beta_2))))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": float(self.beta_1), "beta_2": float(self.beta_2)})
        return config
