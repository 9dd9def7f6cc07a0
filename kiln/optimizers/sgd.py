"""Stochastic gradient descent, with optional (Nesterov) momentum.

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0], name="w")
    >>> opt = kiln.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    >>> opt.apply([kiln.ops.ones((1,))], [w])
    >>> round(float(w.numpy()[0]), 4), len(opt.variables)
    (0.9, 3)
"""

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments


class SGD(Optimizer):
    """Gradient descent: ``var -= learning_rate * grad``, or with momentum ``m``:

    ``m = momentum * m - learning_rate * grad``; then ``var += m``, or with
    ``nesterov=True`` ``var += momentum * m - learning_rate * grad``.

    Args:
        learning_rate: float, schedule or callable (default 0.01).
        momentum: float in [0, 1] (default 0: no slot variables).
        nesterov: use Nesterov momentum.
        The remaining arguments are those of :class:`Optimizer`.

    Example:
        >>> SGD().get_config()["momentum"]
        0.0
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_arguments(locals()))
        if not isinstance(momentum, (int, float)) or isinstance(momentum, bool) or not 0 <= momentum <= 1:
            raise ValueError(f"SGD: `momentum` must be a float in [0, 1], received momentum={momentum!r}")
        self.momentum = momentum
        self.nesterov = nesterov
        self.momentums = []

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        step = ops.multiply(gradient, lr)
        if self.momentum == 0:
            self.assign_sub(variable, step)
            return
        m = self.momentums[self._get_variable_index(variable)]
        momentum = ops.cast(self.momentum, variable.dtype)
        new_m = ops.subtract(ops.multiply(m.value, momentum), step)
        self.assign(m, new_m)
        if self.nesterov:
            self.assign_add(variable, ops.subtract(ops.multiply(new_m, momentum), step))
        else:
            self.assign_add(variable, new_m)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": float(self.momentum), "nesterov": bool(self.nesterov)})
        return config
