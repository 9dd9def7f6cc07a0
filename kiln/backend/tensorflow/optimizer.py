"""TensorFlow optimizer fast path: an eager ``optimizer.apply`` runs as one ``tf.function``.

Eager TensorFlow pays a dispatch for each of the dozen small ops the generic
rule (kiln/optimizers) runs per variable. Here an eager ``apply`` calls a
``tf.function`` of the same ``apply`` instead (the variables are
``tf.Variable``s, updated in place by the graph), cached on the optimizer
(``Optimizer._compiled_update``: keyed by its variables and the
hyper-parameters a trace bakes in). Inside a ``tf.function`` — the train
step — the update is already part of the graph and this hook declines.

Example:
    >>> fused_apply(None, [], [])
    False
"""

import tensorflow as tf


def _graph_apply(optimizer):
    variables = list(optimizer._trainable_variables)
    return tf.function(lambda grads: optimizer.apply(grads, variables))


def fused_apply(optimizer, grads, variables):
    """Run the update as one cached ``tf.function`` call; False if not handled."""
    if optimizer is None or not tf.executing_eagerly():
        return False
    grads = list(grads)
    compiled = optimizer._compiled_update(grads, variables, _graph_apply)
    if compiled is None:
        return False
    compiled([tf.convert_to_tensor(g) for g in grads])
    return True
