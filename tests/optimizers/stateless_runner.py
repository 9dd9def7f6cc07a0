"""``run_stateless``: thread ``stateless_apply`` through a sequence of gradients.

The way a functional training loop uses an optimizer: values in, new values out,
step after step, with one ``jax.jit``-compiled step on jax (so the tests also cover
tracing). The optimizer must be built; neither its variables nor ``variables`` move.
"""

import kiln


def run_stateless(optimizer, variables, grads_seq):
    """Return ``(trainable_values, optimizer_values)`` after one step per entry of ``grads_seq``."""
    step = optimizer.stateless_apply
    if kiln.backend.backend() == "jax":
        import jax

        step = jax.jit(step)
    trainable = [v.value for v in variables]
    optimizer_values = [v.value for v in optimizer.variables]
    for grads in grads_seq:
        trainable, optimizer_values = step(optimizer_values, grads, trainable)
    return trainable, optimizer_values
