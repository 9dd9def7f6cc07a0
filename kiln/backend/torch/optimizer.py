"""Torch optimizer fast path: multi-tensor (``torch._foreach_*``) SGD and Adam updates.

The generic update rule (kiln/optimizers) runs a dozen small ops per variable;
eager torch pays a dispatch for each. For the common plain cases this hook
updates every parameter in a handful of fused calls instead, with the same
math. Anything unusual (clipping, weight decay, EMA, schedules, amsgrad,
constraints, mixed dtypes) returns False and takes the generic path.

Example:
    >>> fused_apply(object(), [], [])
    False
"""

import math

import torch

_PLAIN_OFF = ("clipnorm", "clipvalue", "global_clipnorm", "weight_decay", "loss_scale_factor",
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
        if v.dtype != "float32" or g.dtype is not torch.float32:
            return False
    return True


def fused_apply(optimizer, grads, variables):
    """Apply one SGD/Adam step to ``variables`` with fused torch kernels; False if not handled."""
    kind = type(optimizer).__name__
    if kind not in ("SGD", "Adam") or not variables or not _is_plain(optimizer, grads, variables):
        return False
    if kind == "Adam" and getattr(optimizer, "amsgrad", False):
        return False
    params = [v._value for v in variables]
    grads = list(grads)
    lr = float(optimizer._learning_rate._value)
    with torch.no_grad():
        if kind == "SGD":
            momentum = float(optimizer.momentum)
            if momentum == 0:
                torch._foreach_add_(params, grads, alpha=-lr)
            else:
                index = optimizer._get_variable_index
                moms = [optimizer.momentums[index(v)]._value for v in variables]
                torch._foreach_mul_(moms, momentum)
                torch._foreach_add_(moms, grads, alpha=-lr)
                if optimizer.nesterov:
                    torch._foreach_add_(params, moms, alpha=momentum)
                    torch._foreach_add_(params, grads, alpha=-lr)
                else:
                    torch._foreach_add_(params, moms)
        else:
            index = optimizer._get_variable_index
            moms = [optimizer._momentums[index(v)]._value for v in variables]
            vels = [optimizer._velocities[index(v)]._value for v in variables]
            step = int(optimizer._iterations._value) + 1
            beta_1, beta_2 = float(optimizer.beta_1), float(optimizer.beta_2)
            alpha = lr * math.sqrt(1.0 - beta_2 ** step) / (1.0 - beta_1 ** step)
            torch._foreach_lerp_(moms, grads, 1.0 - beta_1)
            torch._foreach_mul_(vels, beta_2)
            torch._foreach_addcmul_(vels, grads, grads, value=1.0 - beta_2)
            denom = torch._foreach_sqrt(vels)
            torch._foreach_add_(denom, float(optimizer.epsilon))
            torch._foreach_addcdiv_(params, moms, denom, value=-alpha)
        optimizer._iterations._value.add_(1)
    return True
