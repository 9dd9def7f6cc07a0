"""JAX optimizer fast path: an eager ``optimizer.apply`` runs as ONE jitted update.

The generic rule (kiln/optimizers) dispatches a dozen small ops per variable,
each a separate XLA call when run eagerly. Here ``apply`` instead calls
``jax.jit(optimizer.stateless_apply)`` once over every variable and writes the
results back. The compiled function is cached on the optimizer
(``Optimizer._compiled_update``: keyed by its variables and the
hyper-parameters a trace bakes in; shapes and dtypes are jit's own key).
Inside a jitted train step the update is already fused into the step and this
hook is not consulted (``stateless_apply`` runs in a ``StatelessScope``).

Example:
    >>> fused_apply(None, [], [])
    False
"""

import jax


def fused_apply(optimizer, grads, variables):
    """Run one jitted ``stateless_apply`` over all ``variables`` and write back; False if not handled."""
    if optimizer is None:
        return False
    grads = list(grads)
    compiled = optimizer._compiled_update(grads, variables,
                                          lambda opt: jax.jit(opt.stateless_apply))
    if compiled is None:
        return False
    own = optimizer.variables
    new_trainable, new_own = compiled([v.value for v in own], grads, [v.value for v in variables])
    for variable, value in zip(variables, new_trainable):
        variable._direct_assign(value)
    for variable, value in zip(own, new_own):
        variable._direct_assign(value)
    return True
