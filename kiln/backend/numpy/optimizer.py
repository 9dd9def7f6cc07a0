"""NumPy optimizer fast path: none (the numpy backend does not train, but ops-based updates work).

Example:
    >>> fused_apply(None, [], [])
    False
"""


def fused_apply(optimizer, grads, variables):
    """Return False: use the generic update rule."""
    return False
