"""JAX optimizer fast path: none needed — the update is fused into the jitted train step.

Example:
    >>> fused_apply(None, [], [])
    False
"""


def fused_apply(optimizer, grads, variables):
    """Return False: eager JAX updates use the generic (ops-based) rule."""
    return False
