"""TensorFlow optimizer fast path: none — the update runs inside the tf.function step.

Example:
    >>> fused_apply(None, [], [])
    False
"""


def fused_apply(optimizer, grads, variables):
    """Return False: TensorFlow uses the generic (ops-based) update rule."""
    return False
