"""JAX backend recurrent loop: ``rnn`` over the time axis with ``jax.lax.scan``.

Example:
    >>> import jax.numpy as jnp
    >>> from kiln.backend.jax.rnn import rnn
    >>> step = lambda x, states: (x + states[0], [x + states[0]])
    >>> last, outs, states = rnn(step, jnp.ones((2, 3, 1)), [jnp.zeros((2, 1))])
    >>> outs[:, :, 0].tolist()
    [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
"""

import jax
import jax.numpy as jnp

from kiln.backend.jax.core import convert_to_tensor

_tu = jax.tree_util


def _swap01(x):
    return jnp.swapaxes(x, 0, 1)


def _expand_mask(mask_t, like):
    mask_t = jnp.reshape(mask_t, mask_t.shape + (1,) * (like.ndim - mask_t.ndim))
    return mask_t


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Run ``step_function(input_t, states) -> (output_t, new_states)`` over time.

    Returns ``(last_output, outputs, new_states)``; ``outputs`` is
    ``(batch, time, ...)`` (``(time, batch, ...)`` when ``time_major``), or holds
    only the last step (time length 1) when ``return_all_outputs`` is False.
    """
    inputs = _tu.tree_map(convert_to_tensor, inputs)
    if not time_major:
        inputs = _tu.tree_map(_swap01, inputs)
    first = _tu.tree_leaves(inputs)[0]
    if first.ndim < 2:
        raise ValueError(f"rnn: inputs must have rank >= 2 (batch, time, ...), received {first.shape}")
    constants = tuple(constants) if constants else ()
    states_def = _tu.tree_structure(initial_states)
    initial_leaves = [convert_to_tensor(s) for s in _tu.tree_leaves(initial_states)]
    initial_states = _tu.tree_unflatten(states_def, initial_leaves)

    if mask is not None:
        mask = convert_to_tensor(mask)
        if mask.dtype != jnp.bool_:
            mask = mask.astype(bool)
        if mask.ndim < 2:
            raise ValueError(f"rnn: mask must have shape (batch, time), received {mask.shape}")
        if not time_major:
            mask = _swap01(mask)

    def call_step(x_t, states):
        output_t, new_states = step_function(x_t, tuple(states) + constants
                                             if isinstance(states, (list, tuple)) else states)
        new_leaves = _tu.tree_leaves(new_states)
        if len(new_leaves) != len(initial_leaves):
            raise ValueError(
                f"rnn: step_function returned {len(new_leaves)} states, expected "
                f"{len(initial_leaves)} (as many as initial_states)"
            )
        new_leaves = [n.astype(o.dtype) if n.dtype != o.dtype else n
                      for n, o in zip(new_leaves, initial_leaves)]
        return output_t, _tu.tree_unflatten(states_def, new_leaves)

    x0 = _tu.tree_map(lambda x: x[0], inputs)
    output_spec = jax.eval_shape(lambda x, s: call_step(x, s)[0], x0, initial_states)
    zero_output = _tu.tree_map(lambda s: jnp.zeros(s.shape, s.dtype), output_spec)

    def body(carry, xs):
        states, prev_output = carry
        if mask is None:
            x_t = xs
            output_t, new_states = call_step(x_t, states)
        else:
            x_t, m_t = xs
            output_t, new_states = call_step(x_t, states)
            new_states = _tu.tree_map(lambda n, o: jnp.where(_expand_mask(m_t, n), n, o),
                                      new_states, states)
            fallback = (_tu.tree_map(jnp.zeros_like, output_t) if zero_output_for_mask
                        else prev_output)
            output_t = _tu.tree_map(lambda n, o: jnp.where(_expand_mask(m_t, n), n, o),
                                    output_t, fallback)
        return (new_states, output_t), (output_t if return_all_outputs else None)

    xs = inputs if mask is None else (inputs, mask)
    (final_states, last_output), outputs = jax.lax.scan(
        body, (initial_states, zero_output), xs, reverse=bool(go_backwards),
        unroll=True if unroll else 1,
    )
    if return_all_outputs:
        if go_backwards:
            # scan(reverse=True) stores step outputs at their input positions; Kiln
            # returns them in processing order, as the step function saw them.
            outputs = _tu.tree_map(lambda o: jnp.flip(o, 0), outputs)
    else:
        outputs = _tu.tree_map(lambda o: o[None], last_output)
    if not time_major:
        outputs = _tu.tree_map(_swap01, outputs)
    return last_output, outputs, final_states


UNSUPPORTED = {
    "lstm": "no fused LSTM kernel on jax: the LSTM layer runs the generic rnn loop",
    "gru": "no fused GRU kernel on jax: the GRU layer runs the generic rnn loop",
}


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         return_sequences=False, go_backwards=False, zero_output_for_mask=False):
    """Not available on jax (the LSTM layer falls back to :func:`rnn`)."""
    raise NotImplementedError("lstm: no fused LSTM kernel on the jax backend")


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, return_sequences=False,
        go_backwards=False, zero_output_for_mask=False):
    """Not available on jax (the GRU layer falls back to :func:`rnn`)."""
    raise NotImplementedError("gru: no fused GRU kernel on the jax backend")
