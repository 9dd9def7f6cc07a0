"""JAX backend recurrent loop: ``rnn`` over the time axis with ``jax.lax.scan``.

Example:
    >>> import jax.numpy as jnp
    >>> from kiln.backend.jax.rnn import rnn
    >>> step = lambda x, states: (x + states[0], [x + states[0]])
    >>> last, outs, states = rnn(step, jnp.ones((2, 3, 1)), [jnp.zeros((2, 1))])
    >>> outs[:, :, 0].tolist()
    [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
"""

import functools

import jax
import jax.numpy as jnp

from kiln.backend.common import rnn_steps
from kiln.backend.jax.core import convert_to_tensor

_tu = jax.tree_util


def _swap01(x):
    return jnp.swapaxes(x, 0, 1)


def _expand_mask(mask_t, like):
    mask_t = jnp.reshape(mask_t, mask_t.shape + (1,) * (like.ndim - mask_t.ndim))
    return mask_t


# Eager calls on sequences up to this length run as a Python loop instead of lax.scan.
_EAGER_LOOP_MAX_STEPS = 64


def _python_scan(body, carry, xs, steps, reverse, keep_outputs):
    """``lax.scan``'s result computed step by step in Python (for concrete, short inputs)."""
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    collected = []
    for t in order:
        carry, out = body(carry, _tu.tree_map(lambda x: x[t], xs))
        if keep_outputs:
            collected.append(out)
    if not keep_outputs:
        return carry, None
    if reverse:
        collected.reverse()  # scan(reverse=True) stores each output at its input position
    return carry, _tu.tree_map(lambda *o: jnp.stack(o, 0), *collected)


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
    steps = first.shape[0]
    if steps <= _EAGER_LOOP_MAX_STEPS and not any(
            isinstance(leaf, jax.core.Tracer) for leaf in _tu.tree_leaves((xs, initial_states))):
        # Called eagerly on a short sequence: a Python loop dispatches each op at once, where
        # lax.scan would first compile the step (a new closure on every call, so never cached).
        (final_states, last_output), outputs = _python_scan(
            body, (initial_states, zero_output), xs, steps, bool(go_backwards), return_all_outputs)
    else:
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



# -- Fused LSTM / GRU -------------------------------------------------------------------------
# One jitted function per configuration (cached across layers and calls): the input
# projection of every step is one matmul before the scan, which then does only the
# recurrent matmul. Masks follow the generic loop exactly (states hold, outputs repeat
# or zero), so any mask and go_backwards are supported.


def _masked_scan(step, xs, carry0, out0, mask, go_backwards, zero_output_for_mask):
    """Scan ``step(carry, x_t) -> (carry, out_t)`` over time-major ``xs`` with Keras masking."""
    def body(state, inputs):
        carry, prev_out = state
        if mask is None:
            new_carry, out = step(carry, inputs)
        else:
            x_t, m_t = inputs
            new_carry, out = step(carry, x_t)
            m = m_t[:, None]
            new_carry = tuple(jnp.where(m, n, o) for n, o in zip(new_carry, carry))
            out = jnp.where(m, out, jnp.zeros_like(out) if zero_output_for_mask else prev_out)
        return (new_carry, out), out

    inputs = xs if mask is None else (xs, jnp.swapaxes(mask, 0, 1))
    (carry, last), outs = jax.lax.scan(body, (carry0, out0), inputs, reverse=go_backwards)
    if go_backwards:
        outs = jnp.flip(outs, 0)
    return carry, last, jnp.swapaxes(outs, 0, 1)


@functools.partial(jax.jit, static_argnums=(7, 8, 9))
def _lstm_jit(inputs, h0, c0, mask, kernel, recurrent_kernel, bias, return_sequences,
              go_backwards, zero_output_for_mask):
    x_proj = jnp.matmul(inputs, kernel)
    if bias is not None:
        x_proj = x_proj + bias

    step = rnn_steps.lstm_step(jnp.matmul, jnp.split, jax.nn.sigmoid, jnp.tanh, recurrent_kernel)

    (h, c), last, outs = _masked_scan(step, jnp.swapaxes(x_proj, 0, 1), (h0, c0),
                                      jnp.zeros_like(h0), mask, go_backwards, zero_output_for_mask)
    return last, outs if return_sequences else last[:, None], [h, c]


@functools.partial(jax.jit, static_argnums=(6, 7, 8))
def _gru_jit(inputs, h0, mask, kernel, recurrent_kernel, bias, return_sequences, go_backwards,
             zero_output_for_mask):
    x_proj = jnp.matmul(inputs, kernel)
    if bias is not None:
        x_proj = x_proj + bias[0]

    step = rnn_steps.gru_step(jnp.matmul, jnp.split, jax.nn.sigmoid, jnp.tanh, recurrent_kernel,
                              None if bias is None else bias[1])

    (h,), last, outs = _masked_scan(step, jnp.swapaxes(x_proj, 0, 1), (h0,), jnp.zeros_like(h0),
                                    mask, go_backwards, zero_output_for_mask)
    return last, outs if return_sequences else last[:, None], h


def _mask_or_none(mask):
    if mask is None:
        return None
    mask = convert_to_tensor(mask)
    if mask.ndim > 2:
        mask = mask.reshape(mask.shape[:2])
    return mask if mask.dtype == jnp.bool_ else mask.astype(bool)


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         return_sequences=False, go_backwards=False, zero_output_for_mask=False):
    """A tanh/sigmoid LSTM over ``inputs`` ``(batch, time, features)`` in one jitted scan.

    Keras layout (gates i, f, c, o); returns ``(last_output, outputs, [h, c])``
    with the generic loop's masking semantics.

    Example:
        >>> import jax.numpy as jnp
        >>> x, h0 = jnp.ones((2, 3, 4)), jnp.zeros((2, 5))
        >>> last, seq, (h, c) = lstm(x, h0, h0, None, jnp.zeros((4, 20)), jnp.zeros((5, 20)), None)
        >>> tuple(last.shape), tuple(seq.shape)
        ((2, 5), (2, 1, 5))
    """
    return _lstm_jit(convert_to_tensor(inputs), convert_to_tensor(initial_state_h),
                     convert_to_tensor(initial_state_c), _mask_or_none(mask),
                     convert_to_tensor(kernel), convert_to_tensor(recurrent_kernel),
                     None if bias is None else convert_to_tensor(bias),
                     bool(return_sequences), bool(go_backwards), bool(zero_output_for_mask))


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, return_sequences=False,
        go_backwards=False, zero_output_for_mask=False):
    """A reset_after tanh/sigmoid GRU over ``inputs`` in one jitted scan (Keras layout z, r, h).

    Example:
        >>> import jax.numpy as jnp
        >>> x, h0 = jnp.ones((2, 3, 4)), jnp.zeros((2, 5))
        >>> last, seq, h = gru(x, h0, None, jnp.zeros((4, 15)), jnp.zeros((5, 15)), None, True)
        >>> tuple(seq.shape)
        (2, 3, 5)
    """
    return _gru_jit(convert_to_tensor(inputs), convert_to_tensor(initial_state),
                    _mask_or_none(mask), convert_to_tensor(kernel),
                    convert_to_tensor(recurrent_kernel),
                    None if bias is None else convert_to_tensor(bias),
                    bool(return_sequences), bool(go_backwards), bool(zero_output_for_mask))
