"""Adafactor: Adam-like steps with factored (row/column) second-moment estimates.

Example:
    >>> import kiln
    >>> w = kiln.Variable(kiln.ops.ones((4, 3)), name="kernel")
    >>> opt = kiln.optimizers.Adafactor(learning_rate=0.1)
    >>> opt.build([w])
    >>> [tuple(v.shape) for v in opt.variables[2:]]  # r, c, then the full-shape v
    [(4,), (3,), (4, 3)]
"""

import numbers

from kiln import config as kiln_config
from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments, check_hyperparameters


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018). At step ``t`` (1-based), for gradient ``g``:

    ``rho = min(learning_rate, 1 / sqrt(t))``; ``alpha = max(epsilon_2, rms(var)) * rho``;
    ``G = g² + epsilon_1``; ``beta_2 = 1 - t^beta_2_decay``. For variables of rank >= 2
    the last two axes are factored: ``r = beta_2 * r + (1 - beta_2) * mean(G, axis=-1)``,
    ``c = beta_2 * c + (1 - beta_2) * mean(G, axis=-2)`` and
    ``v = (r / mean(r, axis=-1))[..., None] * c[..., None, :]``; lower ranks keep
    ``v = beta_2 * v + (1 - beta_2) * G``. Then ``u = g / sqrt(v)``,
    ``u /= max(1, rms(u) / clip_threshold)`` and ``var -= alpha * u``.

    Slots, per variable: ``r``, ``c``, ``v`` (for rank < 2, ``r`` and ``c`` are unused
    float scalars, kept so the variable list has Keras 3's layout).

    Args:
        learning_rate: float, schedule or callable (default 0.001); it is capped at
            ``1 / sqrt(t)``.
        beta_2_decay: exponent of the second-moment decay schedule.
        epsilon_1: added to the squared gradient.
        epsilon_2: lower bound of the variable's RMS in the step size.
        clip_threshold: largest RMS of the normalized update.
        relative_step: kept for configuration compatibility; the ``1 / sqrt(t)``
            cap above applies either way (as in Keras 3).
        The remaining arguments are those of :class:`Optimizer`.

    Example:
        >>> Adafactor().get_config()["beta_2_decay"]
        -0.8
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        check_hyperparameters("Adafactor", learning_rate=learning_rate, epsilon_1=epsilon_1,
                              epsilon_2=epsilon_2, clip_threshold=clip_threshold)
        if isinstance(beta_2_decay, bool) or not isinstance(beta_2_decay, numbers.Real) \
                or beta_2_decay > 0:
            raise ValueError("Adafactor: `beta_2_decay` must be a number <= 0, received "
                             f"beta_2_decay={beta_2_decay!r}")
        if clip_threshold == 0:
            raise ValueError("Adafactor: `clip_threshold` must be > 0, received clip_threshold=0")
        super().__init__(**base_arguments(locals()))
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step
        self._r = []
        self._c = []
        self._v = []

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._r, self._c, self._v = [], [], []
        for variable in variables:
            prefix = variable.path.replace("/", "_")
            shape = tuple(variable.shape)
            if len(shape) < 2:
                r_shape = c_shape = ()
                dtype = kiln_config.floatx()
            else:
                r_shape, c_shape = shape[:-1], shape[:-2] + shape[-1:]
                dtype = variable.dtype
            self._r.append(self.add_variable(r_shape, dtype=dtype, name=f"{prefix}_r"))
            self._c.append(self.add_variable(c_shape, dtype=dtype, name=f"{prefix}_c"))
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    @staticmethod
    def _rms(x):
        return ops.sqrt(ops.mean(ops.square(x)))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(ops.add(self.iterations.value, 1), dtype)
        index = self._get_variable_index(variable)
        r, c, v = self._r[index], self._c[index], self._v[index]
        rho = ops.minimum(lr, ops.divide(1, ops.sqrt(step)))
        alpha = ops.multiply(ops.maximum(ops.cast(self.epsilon_2, dtype), self._rms(variable.value)),
                             rho)
        squared = ops.add(ops.square(gradient), ops.cast(self.epsilon_1, dtype))
        beta_2 = ops.subtract(1, ops.power(step, ops.cast(self.beta_2_decay, dtype)))
        one_minus_beta_2 = ops.subtract(1, beta_2)
        if len(variable.shape) >= 2:
            new_r = ops.add(ops.multiply(beta_2, r.value),
                            ops.multiply(one_minus_beta_2, ops.mean(squared, axis=-1)))
            new_c = ops.add(ops.multiply(beta_2, c.value),
                            ops.multiply(one_minus_beta_2, ops.mean(squared, axis=-2)))
            self.assign(r, new_r)
            self.assign(c, new_c)
            row_factor = ops.divide(new_r, ops.mean(new_r, axis=-1, keepdims=True))
            new_v = ops.multiply(ops.expand_dims(row_factor, -1), ops.expand_dims(new_c, -2))
        else:
            new_v = ops.add(ops.multiply(beta_2, v.value), ops.multiply(one_minus_beta_2, squared))
        self.assign(v, new_v)
        update = ops.divide(gradient, ops.sqrt(new_v))
        clip = ops.maximum(ops.cast(1, dtype),
                           ops.divide(self._rms(update), ops.cast(self.clip_threshold, dtype)))
        self.assign_sub(variable, ops.multiply(alpha, ops.divide(update, clip)))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_2_decay": float(self.beta_2_decay), "epsilon_1": float(self.epsilon_1),
                       "epsilon_2": float(self.epsilon_2),
                       "clip_threshold": float(self.clip_threshold),
                       "relative_step": bool(self.relative_step)})
        return config
