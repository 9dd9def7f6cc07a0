"""Adagrad: per-parameter learning rates scaled by the accumulated squared gradients.

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0], name="w")
    >>> opt = kiln.optimizers.Adagrad(learning_rate=0.1)
    >>> opt.apply([kiln.ops.ones((1,))], [w])
    >>> len(opt.variables)
    3
"""

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments


class Adagrad(Optimizer):
    """Adagrad: ``acc += g²``; ``var -= lr * g / sqrt(acc + epsilon)``.

    The ``accumulator`` slots start at ``initial_accumulator_value``.

    Example:
        >>> Adagrad().get_config()["initial_accumulator_value"]
        0.1
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(**base_arguments(locals()))
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon
        self._accumulators = []

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        start = self.initial_accumulator_value
        self._accumulators = self.add_optimizer_variables(
            variables, "accumulator",
            initializer=lambda shape, dtype=None: ops.full(shape, start, dtype=dtype))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        accumulator = self._accumulators[self._get_variable_index(variable)]
        new_acc = ops.add(accumulator.value, ops.square(gradient))
        self.assign(accumulator, new_acc)
        self.assign_sub(variable, ops.divide(ops.multiply(lr, gradient),
                                             ops.sqrt(ops.add(new_acc, ops.cast(self.epsilon, dtype)))))

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": float(self.initial_accumulator_value),
                       "epsilon": float(self.epsilon)})
        return config
