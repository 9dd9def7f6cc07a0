"""Optimizer fast path for the numpy backend (placeholder: written by the lead)."""


def fused_apply(optimizer, grads, variables):
    raise NotImplementedError("optimizer.fused_apply: written by the lead")
