"""Optimizer update rules in plain NumPy: the references the optimizer tests compare against.

Each rule is written by hand from the documented math, one variable at a time:

    rule(w, g, state, t, lr, **hyper) -> new w

``w`` and ``g`` are float64 arrays, ``state`` a dict the rule keeps its slots in
(empty on the first call), ``t`` the 1-based step (the optimizer's
``iterations + 1`` when the update runs) and ``lr`` the learning rate of that
step. ``RULES`` maps a name to its rule; add your own with ``register``.

``run_reference`` wraps a rule in the options every optimizer shares (loss
scale, gradient accumulation, clipping, decoupled weight decay, learning-rate
schedule, EMA) and runs a whole sequence of steps:

    run_reference(rule_name, params, grads_seq, **hyper) -> final params

Example:
    >>> import numpy as np
    >>> out = run_reference("sgd", [np.array([1.0, 2.0])], [[np.array([1.0, 1.0])]] * 2,
    ...                     learning_rate=0.1)
    >>> [round(x, 6) for x in out[0].tolist()]
    [0.8, 1.8]
"""

import math

import numpy as np

__all__ = ["RULES", "DEFAULT_LEARNING_RATES", "register", "run_reference", "cosine_decay_restarts"]


def _slot(state, name, like, fill=0.0):
    if name not in state:
        state[name] = np.full_like(like, fill)
    return state[name]


# -- the update rules --------------------------------------------------------------------------
def sgd(w, g, state, t, lr, momentum=0.0, nesterov=False):
    """``w -= lr*g``; with momentum ``m = momentum*m - lr*g`` then ``w += m`` (Nesterov:
    ``w += momentum*m - lr*g``)."""
    if momentum == 0:
        return w - lr * g
    m = momentum * _slot(state, "momentum", w) - lr * g
    state["momentum"] = m
    return w + (momentum * m - lr * g if nesterov else m)


def rmsprop(w, g, state, t, lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    """Mean square ``v``; centered subtracts the squared mean gradient; optional momentum."""
    v = rho * _slot(state, "velocity", w) + (1 - rho) * g * g
    state["velocity"] = v
    denominator = v + epsilon
    if centered:
        a = rho * _slot(state, "average_gradient", w) + (1 - rho) * g
        state["average_gradient"] = a
        denominator = v - a * a + epsilon
    increment = lr * g / np.sqrt(denominator)
    if momentum > 0:
        m = momentum * _slot(state, "momentum", w) + increment
        state["momentum"] = m
        return w - m
    return w - increment


def adam(w, g, state, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    """Bias-corrected first/second moments; amsgrad uses the running max of ``v``."""
    m = beta_1 * _slot(state, "momentum", w) + (1 - beta_1) * g
    v = beta_2 * _slot(state, "velocity", w) + (1 - beta_2) * g * g
    state["momentum"], state["velocity"] = m, v
    if amsgrad:
        v = np.maximum(_slot(state, "velocity_hat", w), v)
        state["velocity_hat"] = v
    step_size = lr * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return w - step_size * m / (np.sqrt(v) + epsilon)


def adagrad(w, g, state, t, lr, initial_accumulator_value=0.1, epsilon=1e-7):
    """``acc += g²``; ``w -= lr*g/sqrt(acc + epsilon)``."""
    acc = _slot(state, "accumulator", w, initial_accumulator_value) + g * g
    state["accumulator"] = acc
    return w - lr * g / np.sqrt(acc + epsilon)


def adadelta(w, g, state, t, lr, rho=0.95, epsilon=1e-7):
    """Zeiler (2012): running means of g² and of the squared updates set the step size."""
    eg2 = rho * _slot(state, "accumulated_grad", w) + (1 - rho) * g * g
    state["accumulated_grad"] = eg2
    dx2 = _slot(state, "accumulated_delta_var", w)
    delta = -np.sqrt(dx2 + epsilon) / np.sqrt(eg2 + epsilon) * g
    state["accumulated_delta_var"] = rho * dx2 + (1 - rho) * delta * delta
    return w + lr * delta


def adafactor(w, g, state, t, lr, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
              clip_threshold=1.0, relative_step=True):
    """Shazeer & Stern (2018), as Keras 3 does it: rank >= 2 variables keep row means ``r`` and
    column means ``c`` of ``g² + epsilon_1`` over the last two axes and rebuild
    ``v = r/mean(r) ⊗ c``; lower ranks keep a full ``v``. Step size
    ``max(epsilon_2, rms(w)) * min(lr, 1/sqrt(t))``; the update ``g/sqrt(v)`` is scaled down
    to RMS ``clip_threshold``. (``relative_step`` only caps lr at ``1/sqrt(t)``, which that
    ``min`` does anyway.)"""
    rms = lambda x: math.sqrt(float(np.mean(np.square(x))))  # noqa: E731
    rho = min(lr, 1 / math.sqrt(t))
    alpha = max(epsilon_2, rms(w)) * rho
    g2 = g * g + epsilon_1
    beta_2 = 1 - t ** beta_2_decay
    if w.ndim >= 2:
        r = beta_2 * _slot(state, "r", g2.mean(axis=-1)) + (1 - beta_2) * g2.mean(axis=-1)
        c = beta_2 * _slot(state, "c", g2.mean(axis=-2)) + (1 - beta_2) * g2.mean(axis=-2)
        state["r"], state["c"] = r, c
        v = (r / r.mean(axis=-1, keepdims=True))[..., :, None] * c[..., None, :]
    else:
        v = beta_2 * _slot(state, "v", w) + (1 - beta_2) * g2
    state["v"] = v
    u = g / np.sqrt(v)
    u = u / max(1.0, rms(u) / clip_threshold)
    return w - alpha * u


def adamax(w, g, state, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Adam with the infinity norm: ``u = max(beta_2*u, |g|)``."""
    m = beta_1 * _slot(state, "momentum", w) + (1 - beta_1) * g
    u = np.maximum(beta_2 * _slot(state, "norm", w), np.abs(g))
    state["momentum"], state["norm"] = m, u
    return w - lr * m / ((1 - beta_1 ** t) * (u + epsilon))


def ftrl(w, g, state, t, lr, learning_rate_power=-0.5, initial_accumulator_value=0.1,
         l1_regularization_strength=0.0, l2_regularization_strength=0.0,
         l2_shrinkage_regularization_strength=0.0, beta=0.0):
    """FTRL-Proximal (McMahan et al. 2013) in TensorFlow's ApplyFtrlV2 form, plus ``beta``."""
    n = _slot(state, "accumulator", w, initial_accumulator_value)
    z = _slot(state, "linear", w)
    n_new = n + g * g
    sigma = (n_new ** -learning_rate_power - n ** -learning_rate_power) / lr
    z = z + g + 2 * l2_shrinkage_regularization_strength * w - sigma * w
    state["accumulator"], state["linear"] = n_new, z
    l1 = l1_regularization_strength
    quadratic = n_new ** -learning_rate_power / lr + beta / lr + 2 * l2_regularization_strength
    return np.where(np.abs(z) > l1, (np.sign(z) * l1 - z) / quadratic, 0.0)


def nadam(w, g, state, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Dozat (2016): momentum schedule ``mu_t = beta_1 (1 - 0.5 * 0.96^t)``, products of it
    for the bias corrections, Nesterov look-ahead on ``m``."""
    mu = lambda step: beta_1 * (1 - 0.5 * 0.96 ** step)  # noqa: E731
    product = state.get("u_product", 1.0) * mu(t)
    state["u_product"] = product
    m = beta_1 * _slot(state, "momentum", w) + (1 - beta_1) * g
    v = beta_2 * _slot(state, "velocity", w) + (1 - beta_2) * g * g
    state["momentum"], state["velocity"] = m, v
    m_hat = mu(t + 1) * m / (1 - product * mu(t + 1)) + (1 - mu(t)) * g / (1 - product)
    v_hat = v / (1 - beta_2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + epsilon)


def lion(w, g, state, t, lr, beta_1=0.9, beta_2=0.99):
    """Chen et al. (2023): ``w -= lr * sign(beta_1*m + (1-beta_1)*g)``; then
    ``m = beta_2*m + (1-beta_2)*g``."""
    m = _slot(state, "momentum", w)
    new_w = w - lr * np.sign(beta_1 * m + (1 - beta_1) * g)
    state["momentum"] = beta_2 * m + (1 - beta_2) * g
    return new_w


def lamb(w, g, state, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """You et al. (2019): the Adam direction scaled by the trust ratio ``|w| / |update|``
    (1 when either norm is 0)."""
    m = beta_1 * _slot(state, "momentum", w) + (1 - beta_1) * g
    v = beta_2 * _slot(state, "velocity", w) + (1 - beta_2) * g * g
    state["momentum"], state["velocity"] = m, v
    update = (m / (1 - beta_1 ** t)) / (np.sqrt(v / (1 - beta_2 ** t)) + epsilon)
    w_norm, u_norm = np.linalg.norm(w), np.linalg.norm(update)
    ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
    return w - ratio * lr * update


RULES = {"sgd": sgd, "rmsprop": rmsprop, "adam": adam, "adamw": adam, "adagrad": adagrad,
         "adadelta": adadelta, "adafactor": adafactor, "adamax": adamax, "ftrl": ftrl,
         "nadam": nadam, "lion": lion, "lamb": lamb}
DEFAULT_LEARNING_RATES = {"sgd": 0.01}  # every other built-in defaults to 0.001
# Defaults of the shared options that differ per optimizer (AdamW decays by default).
_DEFAULT_OPTIONS = {"adamw": {"weight_decay": 0.004}}


def register(name, rule, learning_rate=0.001, **default_options):
    """Add a rule (same signature as the built-ins) so ``run_reference(name, ...)`` can run it.

    Example:
        >>> register("halving", lambda w, g, state, t, lr: w / 2)
        >>> run_reference("halving", [np.ones(2)], [[np.zeros(2)]] * 3)[0].tolist()
        [0.125, 0.125]
    """
    RULES[name] = rule
    DEFAULT_LEARNING_RATES[name] = learning_rate
    if default_options:
        _DEFAULT_OPTIONS[name] = default_options


# -- the shared options ------------------------------------------------------------------------
def _clip(grads, clipnorm, clipvalue, global_clipnorm):
    if clipnorm:
        return [g * clipnorm / max(np.linalg.norm(g), clipnorm) for g in grads]
    if global_clipnorm:
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        return [g * (global_clipnorm / max(norm, global_clipnorm)) for g in grads]
    if clipvalue:
        return [np.clip(g, -clipvalue, clipvalue) for g in grads]
    return grads


def run_reference(rule_name, params, grads_seq, learning_rate=None, weight_decay=None,
                  exclude_from_weight_decay=(), clipnorm=None, clipvalue=None,
                  global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                  ema_overwrite_frequency=None, loss_scale_factor=None,
                  gradient_accumulation_steps=None, return_state=False, **hyper):
    """Run ``len(grads_seq)`` optimizer steps in float64 and return the final params.

    Args:
        rule_name: a key of ``RULES`` (``"adam"``, ``"ftrl"``, ...).
        params: the starting arrays (not modified).
        grads_seq: one list of gradients (one per param) per step.
        learning_rate: a float, or ``f(iterations) -> float`` for a schedule (called with the
            0-based step count, as an optimizer calls its schedule). Default: the rule's.
        weight_decay: decoupled decay ``w -= w * weight_decay * lr`` before each update,
            skipping the params whose indices are in ``exclude_from_weight_decay``.
        clipnorm, clipvalue, global_clipnorm: gradient clipping (at most one).
        use_ema, ema_momentum, ema_overwrite_frequency: the moving average of the params
            (updated after every step, momentum 0 on the first), copied into the params every
            ``ema_overwrite_frequency`` steps.
        loss_scale_factor: gradients are divided by it first.
        gradient_accumulation_steps: accumulate; every this many steps update with the mean.
        return_state: also return ``{"averages": [...], "slots": [dict per param],
            "iterations": n}``.
        **hyper: the rule's own hyper-parameters (``beta_1=...``).

    Returns:
        the list of final params (float64), or ``(params, state)`` with ``return_state``.
    """
    rule = RULES[rule_name]
    if learning_rate is None:
        learning_rate = DEFAULT_LEARNING_RATES.get(rule_name, 0.001)
    if weight_decay is None:
        weight_decay = _DEFAULT_OPTIONS.get(rule_name, {}).get("weight_decay")
    ws = [np.array(p, dtype="float64") for p in params]
    slots = [{} for _ in ws]
    averages = [w.copy() for w in ws]
    accumulators = [np.zeros_like(w) for w in ws]
    for iterations, grads in enumerate(grads_seq):
        grads = [np.asarray(g, dtype="float64") for g in grads]
        if loss_scale_factor is not None:
            grads = [g / loss_scale_factor for g in grads]
        update = True
        if gradient_accumulation_steps:
            accumulators = [a + g for a, g in zip(accumulators, grads)]
            update = (iterations + 1) % gradient_accumulation_steps == 0
            if update:
                grads = [a / gradient_accumulation_steps for a in accumulators]
                accumulators = [np.zeros_like(a) for a in accumulators]
        if update:
            lr = float(learning_rate(iterations) if callable(learning_rate) else learning_rate)
            grads = _clip(grads, clipnorm, clipvalue, global_clipnorm)
            if weight_decay:
                ws = [w if i in exclude_from_weight_decay else w - w * weight_decay * lr
                      for i, w in enumerate(ws)]
            ws = [rule(w, g, slots[i], iterations + 1, lr, **hyper)
                  for i, (w, g) in enumerate(zip(ws, grads))]
        if use_ema:
            momentum = 0.0 if iterations == 0 else ema_momentum
            averages = [momentum * a + (1 - momentum) * w for a, w in zip(averages, ws)]
            if ema_overwrite_frequency and (iterations + 1) % ema_overwrite_frequency == 0:
                ws = [a.copy() for a in averages]
    if return_state:
        return ws, {"averages": averages, "slots": slots, "iterations": len(grads_seq)}
    return ws


def cosine_decay_restarts(step, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                          alpha=0.0):
    """SGDR (Loshchilov & Hutter 2017) learning rate at ``step``, in float64.

    Period ``i`` lasts ``first_decay_steps * t_mul**i`` steps and starts at
    ``m_mul**i`` times the initial rate; within a period the multiplier follows a
    half cosine, floored at ``alpha``: ``(1 - alpha) * m_mul**i * 0.5 * (1 + cos(pi*x)) + alpha``.

    Example:
        >>> round(cosine_decay_restarts(5, 1.0, 10), 6), cosine_decay_restarts(10, 1.0, 10)
        (0.5, 1.0)
    """
    fraction = step / first_decay_steps
    if t_mul == 1.0:
        period = math.floor(fraction)
        fraction -= period
    else:
        period = math.floor(math.log(1 - fraction * (1 - t_mul)) / math.log(t_mul))
        start = (1 - t_mul ** period) / (1 - t_mul)
        fraction = (fraction - start) / t_mul ** period
    cosine = 0.5 * m_mul ** period * (1 + math.cos(math.pi * fraction))
    return initial_learning_rate * ((1 - alpha) * cosine + alpha)
