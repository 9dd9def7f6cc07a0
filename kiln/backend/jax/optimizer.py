"""JAX optimizer fast path: an eager ``optimizer.apply`` runs as ONE jitted update.

The generic rule (kiln/optimizers) dispatches a dozen small ops per variable,
each a separate XLA call when run eagerly. Here ``apply`` instead calls
``jax.jit(optimizer.stateless_apply)`` once over every variable and writes the
results back. The compiled function is cached on the optimizer, keyed by its
variables and everything a trace bakes in (its plain hyper-parameters, the
variables' constraints and flags), so changing ``beta_1`` or ``clipnorm``
recompiles instead of running stale code; shapes and dtypes are jit's own
cache key. The fast path needs a built optimizer updating exactly the
variables it was built with, every gradient present, and a learning rate that
is a variable or a schedule (a plain callable could return anything, so it
takes the generic path). Inside a jitted train step the update is already
fused into the step and this hook is not consulted (``stateless_apply`` runs
in a ``StatelessScope``).

Example:
    >>> fused_apply(None, [], [])
    False
"""

import jax

from kiln.backend.common.variables import KerasVariable

_SIMPLE = (bool, int, float, str, type(None))


def _cache_key(optimizer, variables):
    hyper = tuple(sorted((k, v) for k, v in vars(optimizer).items() if isinstance(v, _SIMPLE)))
    flags = tuple((id(v), id(v.constraint), v.overwrite_with_gradient) for v in variables)
    return hyper, flags


def _compiled(optimizer, variables):
    key = _cache_key(optimizer, variables)
    cached = optimizer.__dict__.get("_jax_fused_update")
    if cached is not None and cached[0] == key:
        return cached[1]
    compiled = jax.jit(optimizer.stateless_apply)
    optimizer.__dict__["_jax_fused_update"] = (key, compiled)
    return compiled


def fused_apply(optimizer, grads, variables):
    """Run one jitted ``stateless_apply`` over all ``variables`` and write back; False if not handled."""
    if optimizer is None or not getattr(optimizer, "built", False) or not variables:
        return False
    built = optimizer._trainable_variables
    if len(variables) != len(built) or any(a is not b for a, b in zip(variables, built)):
        return False
    learning_rate = optimizer._learning_rate
    if not isinstance(learning_rate, KerasVariable) and not hasattr(learning_rate, "get_config"):
        return False
    grads = list(grads)
    if any(g is None for g in grads):
        return False
    own = optimizer.variables
    new_trainable, new_own = _compiled(optimizer, variables)(
        [v.value for v in own], grads, [v.value for v in variables])
    for variable, value in zip(variables, new_trainable):
        variable._direct_assign(value)
    for variable, value in zip(own, new_own):
        variable._direct_assign(value)
    return True
