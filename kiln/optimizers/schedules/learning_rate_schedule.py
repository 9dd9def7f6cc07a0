"""Learning-rate schedules: the learning rate as a function of the optimizer step.

A schedule is called with the step (the optimizer's ``iterations``, a tensor or
an int) and returns the learning rate as a float32 tensor; it is written with
``kiln.ops`` so it also runs inside jitted steps.

Example:
    >>> import kiln
    >>> s = kiln.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> round(float(s(10)), 4), round(float(s(5)), 4)
    (0.05, 0.0707)
"""

import math

from kiln import ops


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``.

    Example:
        >>> class InverseStep(LearningRateSchedule):
        ...     def __call__(self, step):
        ...         return ops.divide(1.0, ops.add(1.0, ops.cast(step, "float32")))
        ...     def get_config(self):
        ...         return {}
        >>> float(InverseStep()(3))
        0.25
    """

    def __call__(self, step):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(step)")

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} must implement get_config()")

    @classmethod
    def from_config(cls, config):
        """Rebuild the schedule from :meth:`get_config`'s output."""
        return cls(**config)


def _step(step, dtype="float32"):
    return ops.cast(step, dtype)


class _StepDecay(LearningRateSchedule):
    """Shared arguments of the schedules that decay with ``step / decay_steps``."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        if decay_steps <= 0:
            raise ValueError(f"{type(self).__name__}: `decay_steps` must be > 0, received {decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _progress(self, step):
        """``step / decay_steps`` as float32, floored when ``staircase``."""
        p = ops.divide(_step(step), ops.cast(self.decay_steps, "float32"))
        return ops.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_StepDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is floored, so the rate drops in steps.

    Example:
        >>> float(ExponentialDecay(1.0, 2, 0.5, staircase=True)(3))
        0.5
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return ops.multiply(ops.cast(self.initial_learning_rate, "float32"),
                            ops.power(ops.cast(self.decay_rate, "float32"), self._progress(step)))


class InverseTimeDecay(_StepDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (floored if staircase).

    Example:
        >>> float(InverseTimeDecay(1.0, 1, 1.0)(1))
        0.5
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        denominator = ops.add(1.0, ops.multiply(ops.cast(self.decay_rate, "float32"), self._progress(step)))
        return ops.divide(ops.cast(self.initial_learning_rate, "float32"), denominator)


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` up to ``boundaries[1]``, ...

    Example:
        >>> s = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
        >>> [round(float(s(x)), 4) for x in (10, 11, 25)]
        [1.0, 0.5, 0.1]
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                "PiecewiseConstantDecay: `values` must have one more element than `boundaries`; "
                f"received {len(boundaries)} boundaries and {len(values)} values")
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name

    def __call__(self, step):
        step = _step(step)
        result = ops.cast(self.values[-1], "float32")
        for boundary, value in reversed(list(zip(self.boundaries, self.values[:-1]))):
            result = ops.where(ops.less_equal(step, ops.cast(boundary, "float32")),
                               ops.cast(value, "float32"), result)
        return result

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end``, step capped at decay_steps.

    With ``cycle=True`` ``decay_steps`` grows to the next multiple above ``step`` instead.

    Example:
        >>> float(PolynomialDecay(1.0, 10, end_learning_rate=0.0)(5))
        0.5
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        if decay_steps <= 0:
            raise ValueError(f"PolynomialDecay: `decay_steps` must be > 0, received {decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        step = _step(step)
        decay_steps = ops.cast(self.decay_steps, "float32")
        if self.cycle:
            multiplier = ops.where(ops.equal(step, 0), ops.ones_like(step),
                                   ops.ceil(ops.divide(step, decay_steps)))
            decay_steps = ops.multiply(decay_steps, multiplier)
        else:
            step = ops.minimum(step, decay_steps)
        fraction = ops.subtract(1.0, ops.divide(step, decay_steps))
        initial = ops.cast(self.initial_learning_rate, "float32")
        end = ops.cast(self.end_learning_rate, "float32")
        return ops.add(ops.multiply(ops.subtract(initial, end),
                                    ops.power(fraction, ops.cast(self.power, "float32"))), end)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power,
                "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from the initial (or warm-up target) rate to ``alpha`` times it.

    Without warm-up: ``lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) /
    decay_steps)) + alpha)``. With ``warmup_target`` and ``warmup_steps`` the rate first
    rises linearly from ``initial_learning_rate`` to ``warmup_target``, then decays
    from there over ``decay_steps``.

    Example:
        >>> round(float(CosineDecay(1.0, 10)(5)), 4)
        0.5
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        if decay_steps <= 0:
            raise ValueError(f"CosineDecay: `decay_steps` must be > 0, received {decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, start, step):
        decay_steps = ops.cast(self.decay_steps, "float32")
        step = ops.minimum(step, decay_steps)
        cosine = ops.multiply(0.5, ops.add(1.0, ops.cos(ops.multiply(math.pi, ops.divide(step, decay_steps)))))
        alpha = ops.cast(self.alpha, "float32")
        return ops.multiply(start, ops.add(ops.multiply(ops.subtract(1.0, alpha), cosine), alpha))

    def __call__(self, step):
        step = _step(step)
        initial = ops.cast(self.initial_learning_rate, "float32")
        if self.warmup_target is None or not self.warmup_steps:
            return self._decay(initial, step)
        warmup_steps = ops.cast(self.warmup_steps, "float32")
        target = ops.cast(self.warmup_target, "float32")
        warm = ops.add(initial, ops.multiply(ops.subtract(target, initial),
                                             ops.divide(step, warmup_steps)))
        decayed = self._decay(target, ops.subtract(step, warmup_steps))
        return ops.where(ops.less(step, warmup_steps), warm, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2017).

    The multiplier of ``initial_learning_rate`` falls from 1 to ``alpha`` along a
    half cosine over ``first_decay_steps`` steps, then restarts: period ``i``
    (from 0) lasts ``first_decay_steps * t_mul**i`` steps and starts ``m_mul**i``
    times as high. Within period ``i`` at fraction ``x`` of it the rate is
    ``initial_learning_rate * ((1 - alpha) * m_mul**i * 0.5 * (1 + cos(pi * x)) + alpha)``.

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: length of the first period, > 0.
        t_mul: how much longer each period is than the one before.
        m_mul: how much lower each restart starts than the one before.
        alpha: the floor, as a fraction of ``initial_learning_rate``.
        name: the schedule's name.

    Example:
        >>> s = CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
        >>> [round(float(s(x)), 4) for x in (0, 5, 10, 20)]
        [1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        if first_decay_steps <= 0:
            raise ValueError("CosineDecayRestarts: `first_decay_steps` must be > 0, received "
                             f"first_decay_steps={first_decay_steps}")
        if t_mul <= 0:
            raise ValueError(f"CosineDecayRestarts: `t_mul` must be > 0, received t_mul={t_mul}")
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        fraction = ops.divide(_step(step), ops.cast(self.first_decay_steps, "float32"))
        t_mul = ops.cast(self._t_mul, "float32")
        if self._t_mul == 1.0:
            period = ops.floor(fraction)
            fraction = ops.subtract(fraction, period)
        else:
            # Periods 0..i-1 span (1 - t_mul**i) / (1 - t_mul) first periods; solve for i.
            period = ops.floor(ops.divide(
                ops.log(ops.subtract(1.0, ops.multiply(fraction, ops.subtract(1.0, t_mul)))),
                ops.log(t_mul)))
            elapsed = ops.divide(ops.subtract(1.0, ops.power(t_mul, period)),
                                 ops.subtract(1.0, t_mul))
            fraction = ops.divide(ops.subtract(fraction, elapsed), ops.power(t_mul, period))
        restart_scale = ops.power(ops.cast(self._m_mul, "float32"), period)
        cosine = ops.multiply(ops.multiply(0.5, restart_scale),
                              ops.add(1.0, ops.cos(ops.multiply(math.pi, fraction))))
        alpha = ops.cast(self.alpha, "float32")
        return ops.multiply(ops.cast(self.initial_learning_rate, "float32"),
                            ops.add(ops.multiply(ops.subtract(1.0, alpha), cosine), alpha))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}
