"""Adadelta: step sizes from running averages of squared gradients and squared updates.

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0, 2.0], name="w")
    >>> opt = kiln.optimizers.Adadelta(learning_rate=1.0)
    >>> opt.apply([kiln.ops.ones((2,))], [w])
    >>> [v.path.split("/")[-1] for v in opt.variables][2:]
    ['w_accumulated_grad', 'w_accumulated_delta_var']
"""

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments, check_hyperparameters


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012). For gradient ``g``, with ``rms(x) = sqrt(x + epsilon)``:

    ``Eg = rho * Eg + (1 - rho) * g²``; ``delta = -rms(Edx) / rms(Eg) * g``;
    ``Edx = rho * Edx + (1 - rho) * delta²``; ``var += learning_rate * delta``.

    Slots, per variable and interleaved: ``accumulated_grad`` (``Eg``),
    ``accumulated_delta_var`` (``Edx``).

    Args:
        learning_rate: float, schedule or callable (default 0.001; the original
            method uses 1.0).
        rho: decay rate of both running averages.
        epsilon: small constant inside the square roots.
        The remaining arguments are those of :class:`Optimizer`.

    Example:
        >>> Adadelta().get_config()["rho"]
        0.95
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        check_hyperparameters("Adadelta", learning_rate=learning_rate, rho=rho, epsilon=epsilon)
        super().__init__(**base_arguments(locals()))
        self.rho = rho
        self.epsilon = epsilon
        self._accumulated_grads = []
        self._accumulated_delta_vars = []

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        rho = ops.cast(self.rho, dtype)
        epsilon = ops.cast(self.epsilon, dtype)
        index = self._get_variable_index(variable)
        grad_average = self._accumulated_grads[index]
        delta_average = self._accumulated_delta_vars[index]
        new_grad_average = ops.add(ops.multiply(rho, grad_average.value),
                                   ops.multiply(ops.subtract(1, rho), ops.square(gradient)))
        self.assign(grad_average, new_grad_average)
        delta = ops.negative(ops.divide(
            ops.multiply(ops.sqrt(ops.add(delta_average.value, epsilon)), gradient),
            ops.sqrt(ops.add(new_grad_average, epsilon))))
        self.assign(delta_average, ops.add(ops.multiply(rho, delta_average.value),
                                           ops.multiply(ops.subtract(1, rho), ops.square(delta))))
        self.assign_add(variable, ops.multiply(lr, delta))

    def get_config(self):
        config = super().get_config()
        config.update({"rho": float(self.rho), "epsilon": float(self.epsilon)})
        return config
