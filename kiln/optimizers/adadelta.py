"""Adadelta: step sizes from running averages of squared gradients and squared updates.

Also home of ``check_hyperparameters``, the argument check the optimizers of this
family share.

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0, 2.0], name="w")
    >>> opt = kiln.optimizers.Adadelta(learning_rate=1.0)
    >>> opt.apply([kiln.ops.ones((2,))], [w])
    >>> [v.path.split("/")[-1] for v in opt.variables][2:]
    ['w_accumulated_grad', 'w_accumulated_delta_var']
"""

import numbers

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer


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
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps,
                         name=name, **kwargs)
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
