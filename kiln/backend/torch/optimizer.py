"""Torch optimizer fast path: multi-tensor (``torch._foreach_*``) updates.

The generic update rule (kiln/optimizers) runs a dozen small ops per variable;
eager torch pays a dispatch for each. For the plain cases of SGD, Adam, AdamW,
RMSprop, Adagrad, Adamax and Nadam this hook updates every parameter in a handful of
fused calls instead, with the same math — decoupled weight decay included.
Anything unusual (clipping, EMA, gradient accumulation, loss scaling, a
schedule or callable learning rate, amsgrad, constraints, non-float32
values, a subclass) returns False and takes the generic path.

Example:
    >>> fused_apply(object(), [], [])
    False
"""

import math

import numpy as np
import torch

_PLAIN_OFF = ("clipnorm", "clipvalue", "global_clipnorm", "loss_scale_factor",
              "gradient_accumulation_steps")


def _is_plain(optimizer, grads, variables):
    for attr in _PLAIN_OFF:
        if getattr(optimizer, attr, None):
            return False
    if getattr(optimizer, "use_ema", False) or not getattr(optimizer, "built", False):
        return False
    learning_rate = getattr(optimizer, "_learning_rate", None)
    if learning_rate is None or not hasattr(learning_rate, "_value"):
        return False
    for g, v in zip(grads, variables):
        if g is None or v.constraint is not None or v.overwrite_with_gradient:
            return False
        if v.dtype != "float32" or not isinstance(g, torch.Tensor) or g.dtype is not torch.float32:
            return False
    return True


def _decay(optimizer, params, variables, lr):
    """Decoupled weight decay ``p -= p * (wd * lr)`` (in place), grouped by rate."""
    groups = {}
    for p, v in zip(params, variables):
        rate = optimizer._weight_decay_for(v)
        if rate is not None:
            groups.setdefault(rate, []).append(p)
    for rate, group in groups.items():
        factor = float(np.float32(rate) * np.float32(lr))  # the float32 product the rule uses
        torch._foreach_mul_(group, 1.0 - factor)  # p * (1 - f): within an ulp of p - p * f


def _slots(optimizer, attr, variables):
    index = optimizer._get_variable_index
    slots = getattr(optimizer, attr)
    return [slots[index(v)]._value for v in variables]


def _sgd(optimizer, params, grads, variables, lr, step):
    momentum = float(optimizer.momentum)
    if momentum == 0:
        torch._foreach_add_(params, grads, alpha=-lr)
        return
    moms = _slots(optimizer, "momentums", variables)
    torch._foreach_mul_(moms, momentum)
    torch._foreach_add_(moms, grads, alpha=-lr)
    if optimizer.nesterov:
        torch._foreach_add_(params, moms, alpha=momentum)
        torch._foreach_add_(params, grads, alpha=-lr)
    else:
        torch._foreach_add_(params, moms)


def _adam(optimizer, params, grads, variables, lr, step):
    moms = _slots(optimizer, "_momentums", variables)
    vels = _slots(optimizer, "_velocities", variables)
    beta_1, beta_2 = float(optimizer.beta_1), float(optimizer.beta_2)
    alpha = lr * math.sqrt(1.0 - beta_2 ** step) / (1.0 - beta_1 ** step)
    torch._foreach_lerp_(moms, grads, 1.0 - beta_1)
    torch._foreach_mul_(vels, beta_2)
    torch._foreach_addcmul_(vels, grads, grads, value=1.0 - beta_2)
    denom = torch._foreach_sqrt(vels)
    torch._foreach_add_(denom, float(optimizer.epsilon))
    torch._foreach_addcdiv_(params, moms, denom, value=-alpha)


def _rmsprop(optimizer, params, grads, variables, lr, step):
    rho = float(optimizer.rho)
    vels = _slots(optimizer, "_velocities", variables)
    torch._foreach_mul_(vels, rho)
    torch._foreach_addcmul_(vels, grads, grads, value=1.0 - rho)
    if optimizer.centered:
        avgs = _slots(optimizer, "_average_gradients", variables)
        torch._foreach_mul_(avgs, rho)
        torch._foreach_add_(avgs, grads, alpha=1.0 - rho)
        denom = torch._foreach_addcmul(vels, avgs, avgs, value=-1.0)
        torch._foreach_add_(denom, float(optimizer.epsilon))
    else:
        denom = torch._foreach_add(vels, float(optimizer.epsilon))
    torch._foreach_sqrt_(denom)
    if optimizer.momentum > 0:
        moms = _slots(optimizer, "_momentums", variables)
        torch._foreach_mul_(moms, float(optimizer.momentum))
        torch._foreach_addcdiv_(moms, grads, denom, value=lr)
        torch._foreach_sub_(params, moms)
    else:
        torch._foreach_addcdiv_(params, grads, denom, value=-lr)


def _adagrad(optimizer, params, grads, variables, lr, step):
    accs = _slots(optimizer, "_accumulators", variables)
    torch._foreach_addcmul_(accs, grads, grads)
    denom = torch._foreach_add(accs, float(optimizer.epsilon))
    torch._foreach_sqrt_(denom)
    torch._foreach_addcdiv_(params, grads, denom, value=-lr)


def _adamax(optimizer, params, grads, variables, lr, step):
    moms = _slots(optimizer, "_m", variables)
    norms = _slots(optimizer, "_u", variables)
    beta_1 = float(optimizer.beta_1)
    torch._foreach_lerp_(moms, grads, 1.0 - beta_1)
    torch._foreach_mul_(norms, float(optimizer.beta_2))
    torch._foreach_maximum_(norms, torch._foreach_abs(grads))
    denom = torch._foreach_add(norms, float(optimizer.epsilon))
    torch._foreach_mul_(denom, 1.0 - beta_1 ** step)
    torch._foreach_addcdiv_(params, moms, denom, value=-lr)


def _nadam_momentum(beta_1, step):
    """``mu_t = beta_1 * (1 - 0.5 * 0.96^t)`` in float32, as the rule computes it."""
    f32 = torch.float32
    decay = torch.pow(torch.tensor(0.96, dtype=f32), torch.tensor(float(step), dtype=f32))
    return torch.tensor(beta_1, dtype=f32) * (1 - 0.5 * decay)


def _nadam(optimizer, params, grads, variables, lr, step):
    moms = _slots(optimizer, "_momentums", variables)
    vels = _slots(optimizer, "_velocities", variables)
    beta_1, beta_2 = float(optimizer.beta_1), float(optimizer.beta_2)
    mu = _nadam_momentum(beta_1, step)
    mu_next = _nadam_momentum(beta_1, step + 1)
    product = optimizer._u_product._value
    product.mul_(mu)  # once per step, before the per-variable updates
    product_next = product * mu_next
    coef_m = float(mu_next / (1 - product_next))
    coef_g = float((1 - mu) / (1 - product))
    torch._foreach_lerp_(moms, grads, 1.0 - beta_1)
    torch._foreach_mul_(vels, beta_2)
    torch._foreach_addcmul_(vels, grads, grads, value=1.0 - beta_2)
    denom = torch._foreach_div(vels, 1.0 - beta_2 ** step)
    torch._foreach_sqrt_(denom)
    torch._foreach_add_(denom, float(optimizer.epsilon))
    torch._foreach_addcdiv_(params, moms, denom, value=-lr * coef_m)
    torch._foreach_addcdiv_(params, grads, denom, value=-lr * coef_g)


# Exact kiln classes only (a subclass may change the rule): class name -> multi-tensor update.
_RULES = {"SGD": _sgd, "Adam": _adam, "AdamW": _adam, "RMSprop": _rmsprop, "Adagrad": _adagrad,
          "Adamax": _adamax, "Nadam": _nadam}


def fused_apply(optimizer, grads, variables):
    """One step of ``optimizer`` on ``variables`` with fused torch kernels; False if not handled."""
    cls = type(optimizer)
    rule = _RULES.get(cls.__name__)
    if rule is None or not cls.__module__.startswith("kiln.optimizers.") or not variables:
        return False
    grads = list(grads)
    if not _is_plain(optimizer, grads, variables):
        return False
    if cls.__name__ in ("Adam", "AdamW") and optimizer.amsgrad:
        return False
    params = [v._value for v in variables]
    lr = float(optimizer._learning_rate._value)
    step = int(optimizer._iterations._value) + 1
    with torch.no_grad():
        if optimizer.weight_decay is not None:
            _decay(optimizer, params, variables, lr)
        rule(optimizer, params, grads, variables, lr, step)
        optimizer._iterations._value.add_(1)
    return True
