"""JAX backend optimizer fast path (placeholder: the lead writes this module)."""


def fused_apply(optimizer, grads, variables):
    raise NotImplementedError("optimizer.fused_apply: written by the lead")
