"""Torch optimizer fast path (multi-tensor updates); see fused_apply."""


def fused_apply(optimizer, grads, variables):
    """Return False: use the generic update rule."""
    return False
