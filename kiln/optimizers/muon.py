"""Muon: momentum orthogonalized by Newton-Schulz, with an AdamW step for the rest.

Each 2D weight (a dense kernel, say) follows SGD momentum whose direction is
replaced by an approximately orthogonal matrix of the same shape (a few
Newton-Schulz iterations); every other variable — any variable that is not
2D, embeddings (``exclude_embeddings``) and variables whose path matches one
of ``exclude_layers`` — takes a plain AdamW step.

Example:
    >>> import kiln
    >>> w = kiln.Variable([[1.0, 0.0], [0.0, 1.0]], name="kernel")
    >>> b = kiln.Variable([0.0, 0.0], name="bias")
    >>> opt = kiln.optimizers.Muon(learning_rate=0.1, name="mu")
    >>> opt.apply([kiln.ops.ones((2, 2)), kiln.ops.ones((2,))], [w, b])
    >>> [v.path for v in opt.variables]
    ['mu/iteration', 'mu/learning_rate', 'mu/kernel_momentum', 'mu/bias_momentum', 'mu/bias_velocity']
"""

import re

from kiln import ops
from kiln.optimizers.base_optimizer import Optimizer, base_arguments


class Muon(Optimizer):
    """The Muon optimizer (AdamW for the variables it should not orthogonalize).

    Muon step, for a 2D variable with gradient ``g`` and momentum slot ``m``:
    ``m = momentum * m + g``; the direction is ``g + momentum * m`` with
    ``nesterov`` (else ``m``); it is normalized by its Frobenius norm (plus
    1e-7), transposed when it has more rows than columns, and iterated
    ``ns_steps`` times with ``A = X Xᵀ``, ``X = muon_a X + (muon_b A + muon_c A²) X``
    (transposed back); then ``var -= lr * X * sqrt(max(rows, cols)) * rms_rate``
    (no scaling when ``rms_rate`` is None).

    AdamW step (the ``momentum`` and ``velocity`` slots, Adam's update with
    ``adam_beta_1``, ``adam_beta_2``, ``epsilon`` and the learning rate times
    ``adam_lr_ratio``) for: every variable that is not 2D, every variable whose
    path contains "embedding" when ``exclude_embeddings``, and every variable
    whose path matches (``re.search``) an entry of ``exclude_layers``.

    Weight decay is decoupled, before the step: ``var -= var * wd * lr`` with
    ``wd = weight_decay`` for Muon variables and ``adam_weight_decay`` for the
    AdamW ones (either may be None: no decay for that group).

    Slots, per variable in order: ``momentum``, then ``velocity`` for AdamW
    variables only.

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        adam_beta_1, adam_beta_2: Adam's moment decay rates.
        adam_weight_decay: weight decay of the AdamW variables.
        epsilon: Adam's epsilon.
        exclude_layers: list of regular expressions; matching variable paths use AdamW.
        exclude_embeddings: embedding variables use AdamW.
        muon_a, muon_b, muon_c: the Newton-Schulz polynomial's coefficients.
        adam_lr_ratio: AdamW learning rate / Muon learning rate.
        momentum: Muon's momentum.
        ns_steps: Newton-Schulz iterations.
        nesterov: use Nesterov momentum.
        rms_rate: update RMS matching factor (None: off).
        The remaining arguments are those of :class:`Optimizer`.

    Example:
        >>> Muon(exclude_layers=["head"]).get_config()["exclude_layers"]
        ['head']
    """

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999,
                 adam_weight_decay=0.004, epsilon=1e-7, weight_decay=0.004, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None,
                 exclude_embeddings=True, muon_a=3.4445, muon_b=-4.775, muon_c=2.0315,
                 adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True, rms_rate=0.2,
                 **kwargs):
        super().__init__(**base_arguments(locals()))
        if adam_weight_decay is not None and (not isinstance(adam_weight_decay, (int, float))
                                              or isinstance(adam_weight_decay, bool)):
            raise ValueError(f"Muon: `adam_weight_decay` must be a number or None, received "
                             f"{adam_weight_decay!r}")
        if not isinstance(ns_steps, int) or isinstance(ns_steps, bool) or ns_steps < 0:
            raise ValueError(f"Muon: `ns_steps` must be an int >= 0, received {ns_steps!r}")
        if isinstance(exclude_layers, str):
            raise TypeError("Muon: `exclude_layers` must be a list of strings, received the "
                            f"string {exclude_layers!r}; wrap it in a list")
        if not 0 <= momentum < 1:
            raise ValueError(f"Muon: `momentum` must be in [0, 1), received momentum={momentum}")
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.adam_weight_decay = adam_weight_decay
        self.epsilon = epsilon
        self.exclude_layers = list(exclude_layers or [])
        self.exclude_embeddings = exclude_embeddings
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.rms_rate = rms_rate
        self._momentums = []
        self._velocities = []
        self._adamw_flags = []

    def _should_use_adamw(self, variable):
        """True when ``variable`` takes the AdamW step rather than the Muon step."""
        if len(variable.shape) != 2:
            return True
        path = variable.path
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = [], []
        self._adamw_flags = [self._should_use_adamw(v) for v in variables]
        for variable, adamw in zip(variables, self._adamw_flags):
            momentum = velocity = None
            if not variable.overwrite_with_gradient:
                momentum = self.add_variable_from_reference(variable, "momentum")
                if adamw:
                    velocity = self.add_variable_from_reference(variable, "velocity")
            self._momentums.append(momentum)
            self._velocities.append(velocity)

    def update_step(self, gradient, variable, learning_rate):
        index = self._get_variable_index(variable)
        dtype = variable.dtype
        gradient = ops.cast(gradient, dtype)
        if self._adamw_flags[index]:
            lr = ops.multiply(ops.cast(learning_rate, dtype), ops.cast(self.adam_lr_ratio, dtype))
            self._adamw_step(gradient, variable, lr, self._momentums[index],
                             self._velocities[index])
        else:
            self._muon_step(gradient, variable, ops.cast(learning_rate, dtype),
                            self._momentums[index])

    def _muon_step(self, gradient, variable, lr, m):
        dtype = variable.dtype
        momentum = ops.cast(self.momentum, dtype)
        new_m = ops.add(ops.multiply(momentum, m.value), gradient)
        self.assign(m, new_m)
        direction = ops.add(gradient, ops.multiply(momentum, new_m)) if self.nesterov else new_m
        update = self.zeropower_via_newtonschulz5(direction, self.ns_steps)
        update = ops.multiply(lr, update)
        if self.rms_rate is not None:
            rows, cols = variable.shape[-2], variable.shape[-1]
            scale = float(max(rows, cols)) ** 0.5 * float(self.rms_rate)
            update = ops.multiply(update, ops.cast(scale, dtype))
        self.assign_sub(variable, update)

    def _adamw_step(self, gradient, variable, lr, m, v):
        dtype = variable.dtype
        step = ops.cast(ops.add(self.iterations.value, 1), dtype)
        beta_1 = ops.cast(self.adam_beta_1, dtype)
        beta_2 = ops.cast(self.adam_beta_2, dtype)
        alpha = ops.divide(ops.multiply(lr, ops.sqrt(ops.subtract(1, ops.power(beta_2, step)))),
                           ops.subtract(1, ops.power(beta_1, step)))
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m.value), ops.subtract(1, beta_1)))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                        ops.subtract(1, beta_2)))
        denominator = ops.add(ops.sqrt(v.value), ops.cast(self.epsilon, dtype))
        self.assign_sub(variable, ops.divide(ops.multiply(m.value, alpha), denominator))

    @staticmethod
    def _swap_last_axes(x):
        axes = list(range(len(x.shape)))
        axes[-2], axes[-1] = axes[-1], axes[-2]
        return ops.transpose(x, axes)

    def zeropower_via_newtonschulz5(self, x, steps):
        """Approximately orthogonalize the last two axes of ``x`` (``steps`` iterations).

        Example:
            >>> import kiln
            >>> q = Muon().zeropower_via_newtonschulz5(kiln.ops.eye(2) * 3.0, 5)
            >>> [round(float(v), 2) for v in kiln.ops.diagonal(q)]
            [1.11, 1.11]
        """
        if len(x.shape) < 2:
            raise ValueError(f"Muon: Newton-Schulz needs a tensor of rank >= 2, received shape "
                             f"{tuple(x.shape)}")
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = self._swap_last_axes(x)
        norm = ops.sqrt(ops.sum(ops.square(x), axis=(-2, -1), keepdims=True))
        x = ops.divide(x, ops.add(norm, ops.cast(1e-7, x.dtype)))
        a, b, c = (ops.cast(k, x.dtype) for k in (self.muon_a, self.muon_b, self.muon_c))
        for _ in range(steps):
            gram = ops.matmul(x, self._swap_last_axes(x))
            poly = ops.add(ops.multiply(b, gram), ops.multiply(c, ops.matmul(gram, gram)))
            x = ops.add(ops.multiply(a, x), ops.matmul(poly, x))
        return self._swap_last_axes(x) if tall else x

    def _weight_decay_for(self, variable):
        if not self._use_weight_decay(variable):
            return None
        index = self._variable_index.get(id(variable))
        adamw = self._should_use_adamw(variable) if index is None else self._adamw_flags[index]
        return self.adam_weight_decay if adamw else self.weight_decay

    def get_config(self):
        config = super().get_config()
        config.update({
            "adam_beta_1": self.adam_beta_1,
            "adam_beta_2": self.adam_beta_2,
            "epsilon": self.epsilon,
            "exclude_layers": list(self.exclude_layers),
            "muon_a": self.muon_a,
            "muon_b": self.muon_b,
            "muon_c": self.muon_c,
            "adam_lr_ratio": self.adam_lr_ratio,
            "momentum": self.momentum,
            "ns_steps": self.ns_steps,
            "nesterov": self.nesterov,
            "exclude_embeddings": self.exclude_embeddings,
            "adam_weight_decay": self.adam_weight_decay,
            "rms_rate": self.rms_rate,
        })
        return config
