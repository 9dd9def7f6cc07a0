"""Ftrl: Follow The Regularized Leader, with L1/L2 and L2-shrinkage regularization.

Example:
    >>> import kiln
    >>> w = kiln.Variable([1.0, 2.0], name="w")
    >>> opt = kiln.optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=20.0)
    >>> opt.apply([kiln.ops.ones((2,))], [w])
    >>> w.numpy().tolist()  # a strong L1 pulls every weight to exactly zero
    [0.0, 0.0]
"""

import numbers

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments, check_hyperparameters


class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013), in the form of TensorFlow's ``ApplyFtrlV2``.

    With ``p = -learning_rate_power`` and, for gradient ``g``,
    ``g_s = g + 2 * l2_shrinkage_regularization_strength * var``:

    ``n_new = n + g²``; ``z += g_s - (n_new^p - n^p) / learning_rate * var``;
    ``n = n_new``; then ``var = 0`` where ``|z| <= l1`` and elsewhere
    ``var = (sign(z) * l1 - z) / (n_new^p / learning_rate + beta / learning_rate + 2 * l2)``.

    Slots, per variable and interleaved: ``accumulator`` (``n``, starting at
    ``initial_accumulator_value``) and ``linear`` (``z``).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        learning_rate_power: <= 0; how the per-coordinate rate decays with the
            accumulator (-0.5: with its square root).
        initial_accumulator_value: >= 0, the accumulators' starting value.
        l1_regularization_strength: >= 0.
        l2_regularization_strength: >= 0 (the stabilization penalty).
        l2_shrinkage_regularization_strength: >= 0 (a magnitude penalty added to
            the gradient).
        beta: the ``beta`` of the per-coordinate learning-rate schedule.
        The remaining arguments are those of :class:`Optimizer`.

    Example:
        >>> Ftrl().get_config()["learning_rate_power"]
        -0.5
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        check_hyperparameters(
            "Ftrl", learning_rate=learning_rate, initial_accumulator_value=initial_accumulator_value,
            l1_regularization_strength=l1_regularization_strength,
            l2_regularization_strength=l2_regularization_strength,
            l2_shrinkage_regularization_strength=l2_shrinkage_regularization_strength, beta=beta)
        if isinstance(learning_rate_power, bool) or not isinstance(learning_rate_power, numbers.Real) \
                or learning_rate_power > 0:
            raise ValueError("Ftrl: `learning_rate_power` must be a number <= 0, received "
                             f"learning_rate_power={learning_rate_power!r}")
        super().__init__(**base_arguments(locals()))
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta
        self._accumulators = []
        self._linears = []

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        start = self.initial_accumulator_value
        self._accumulators, self._linears = [], []
        for variable in variables:
            self._accumulators.append(self.add_variable_from_reference(
                variable, "accumulator",
                initializer=lambda shape, dtype=None: ops.full(shape, start, dtype=dtype)))
            self._linears.append(self.add_variable_from_reference(variable, "linear"))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        index = self._get_variable_index(variable)
        accumulator = self._accumulators[index]
        linear = self._linears[index]
        power = ops.cast(-self.learning_rate_power, dtype)
        value = variable.value
        shrunk_gradient = ops.add(gradient, ops.multiply(
            ops.cast(2 * self.l2_shrinkage_regularization_strength, dtype), value))
        old_accumulator = accumulator.value
        new_accumulator = ops.add(old_accumulator, ops.square(gradient))
        new_root = ops.power(new_accumulator, power)
        sigma = ops.divide(ops.subtract(new_root, ops.power(old_accumulator, power)), lr)
        new_linear = ops.add(linear.value, ops.subtract(shrunk_gradient, ops.multiply(sigma, value)))
        self.assign(linear, new_linear)
        quadratic = ops.add(ops.divide(ops.add(new_root, ops.cast(self.beta, dtype)), lr),
                            ops.cast(2 * self.l2_regularization_strength, dtype))
        l1 = ops.cast(self.l1_regularization_strength, dtype)
        # clip(z, -l1, l1) - z is 0 where |z| <= l1 and sign(z) * l1 - z elsewhere.
        self.assign(variable, ops.divide(ops.subtract(ops.clip(new_linear, -l1, l1), new_linear),
                                         quadratic))
        self.assign(accumulator, new_accumulator)

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate_power": float(self.learning_rate_power),
            "initial_accumulator_value": float(self.initial_accumulator_value),
            "l1_regularization_strength": float(self.l1_regularization_strength),
            "l2_regularization_strength": float(self.l2_regularization_strength),
            "l2_shrinkage_regularization_strength": float(self.l2_shrinkage_regularization_strength),
            "beta": float(self.beta),
        })
        return config
