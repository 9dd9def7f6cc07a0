"""The recurrent loop on TensorFlow: a Python loop eagerly (or with ``unroll``),
a ``tf.while_loop`` inside ``tf.function``.

Example:
    >>> import tensorflow as tf
    >>> step = lambda x, states: (x + states[0], [x + states[0]])
    >>> last, outs, states = rnn(step, tf.ones((2, 3, 1)), [tf.zeros((2, 1))])
    >>> last.numpy().ravel().tolist(), outs.shape.as_list()
    ([3.0, 3.0], [2, 3, 1])
"""

import tensorflow as tf

from kiln import tree
from kiln.backend.common import rnn_steps
from kiln.backend.tensorflow.core import convert_to_tensor


def _time_major(x):
    rank = x.shape.rank
    return tf.transpose(x, [1, 0] + list(range(2, rank)))


def _expand_mask(mask_t, like):
    """Reshape a (batch,) bool mask so it broadcasts against ``like``."""
    rank = like.shape.rank
    return tf.reshape(mask_t, tf.concat([tf.shape(mask_t), tf.ones([rank - 1], tf.int32)], 0)) \
        if rank and rank > 1 else mask_t


def _bool_mask(mask):
    """A ``(batch, time)`` or ``(batch, time, 1)`` mask as a bool ``(batch, time)`` tensor."""
    mask = convert_to_tensor(mask)
    if mask.dtype is not tf.bool:
        mask = tf.cast(mask, tf.bool)
    if mask.shape.rank == 3:
        mask = mask[..., 0]
    return mask


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    flat_inputs = [convert_to_tensor(x) for x in tree.flatten(inputs)]
    if not time_major:
        flat_inputs = [_time_major(x) for x in flat_inputs]
    if go_backwards:
        flat_inputs = [tf.reverse(x, [0]) for x in flat_inputs]
    if mask is not None:
        mask = tf.transpose(_bool_mask(mask))  # (time, batch)
        if go_backwards:
            mask = tf.reverse(mask, [0])
    constants = list(constants) if constants else []
    states = tuple(initial_states) if isinstance(initial_states, (list, tuple)) else (initial_states,)
    flat_states = [convert_to_tensor(s) for s in tree.flatten(states)]
    time_steps = flat_inputs[0].shape[0]

    def step_at(inputs_t, flat_prev_states):
        step_inputs = tree.pack_sequence_as(inputs, inputs_t)
        prev_states = tree.pack_sequence_as(states, flat_prev_states)
        output, new_states = step_function(step_inputs, tuple(prev_states) + tuple(constants))
        if not isinstance(new_states, (list, tuple)):
            new_states = [new_states]
        return output, [convert_to_tensor(s) for s in tree.flatten(new_states)]

    def masked(mask_t, new, old):
        return tf.where(_expand_mask(mask_t, new), new, old)

    # First step, outside any loop: gives the output structure and shapes.
    inputs_0 = [x[0] for x in flat_inputs]
    output_0, states_0 = step_at(inputs_0, flat_states)
    flat_out_0 = [convert_to_tensor(o) for o in tree.flatten(output_0)]
    if mask is not None:
        zero_out = [tf.zeros_like(o) for o in flat_out_0]
        flat_out_0 = [masked(mask[0], o, z) for o, z in zip(flat_out_0, zero_out)]
        states_0 = [masked(mask[0], n, o) for n, o in zip(states_0, flat_states)]

    use_python_loop = unroll or tf.executing_eagerly()
    if use_python_loop and time_steps is None:
        time_steps = int(tf.shape(flat_inputs[0])[0]) if tf.executing_eagerly() else None
        use_python_loop = time_steps is not None

    if use_python_loop:
        outputs = [flat_out_0]
        prev_out, cur_states = flat_out_0, states_0
        for t in range(1, time_steps):
            out_t, new_states = step_at([x[t] for x in flat_inputs], cur_states)
            out_t = [convert_to_tensor(o) for o in tree.flatten(out_t)]
            if mask is not None:
                fill = [tf.zeros_like(o) for o in out_t] if zero_output_for_mask else prev_out
                out_t = [masked(mask[t], o, f) for o, f in zip(out_t, fill)]
                new_states = [masked(mask[t], n, o) for n, o in zip(new_states, cur_states)]
            if return_all_outputs:
                outputs.append(out_t)
            else:
                outputs = [out_t]
            prev_out, cur_states = out_t, new_states
        stacked = [tf.stack([o[i] for o in outputs]) for i in range(len(flat_out_0))]
        last = prev_out
        final_states = cur_states
    else:
        n_steps = tf.shape(flat_inputs[0])[0]
        arrays = [tf.TensorArray(o.dtype, size=n_steps if return_all_outputs else 1,
                                 element_shape=o.shape) for o in flat_out_0]
        arrays = [a.write(0, o) for a, o in zip(arrays, flat_out_0)]

        def body(t, prev_out, cur_states, arrays):
            out_t, new_states = step_at([x[t] for x in flat_inputs], list(cur_states))
            out_t = [convert_to_tensor(o) for o in tree.flatten(out_t)]
            if mask is not None:
                fill = [tf.zeros_like(o) for o in out_t] if zero_output_for_mask else prev_out
                out_t = [masked(mask[t], o, f) for o, f in zip(out_t, fill)]
                new_states = [masked(mask[t], n, o) for n, o in zip(new_states, cur_states)]
            index = t if return_all_outputs else 0
            arrays = [a.write(index, o) for a, o in zip(arrays, out_t)]
            new_states = [tf.ensure_shape(n, o.shape) for n, o in zip(new_states, cur_states)]
            return t + 1, out_t, new_states, arrays

        _, last, final_states, arrays = tf.while_loop(
            lambda t, *_: t < n_steps, body, (tf.constant(1), flat_out_0, states_0, arrays))
        stacked = [a.stack() for a in arrays]
        last, final_states = list(last), list(final_states)

    if not time_major:
        stacked = [_time_major(o) for o in stacked]
    outputs = tree.pack_sequence_as(output_0, stacked)
    last_output = tree.pack_sequence_as(output_0, last)
    new_states = tree.pack_sequence_as(states, final_states)
    return last_output, outputs, list(new_states) if isinstance(new_states, tuple) else new_states



# -- Fused LSTM / GRU -------------------------------------------------------------------------
# The input projection of every step is one matmul before a ``tf.scan`` that does only the
# recurrent matmul (the native TensorFlow way to write it). Masks follow the generic loop
# exactly (states hold, outputs repeat or zero), so any mask and go_backwards are supported.


def _masked_scan(step, x_proj, carry0, mask, go_backwards, zero_output_for_mask):
    """Scan ``step(carry, x_t) -> (carry, out_t)`` over batch-major ``x_proj`` with Keras masking.

    Returns ``(final carry, last output, outputs (batch, time, units))``; outputs
    are in processing order.
    """
    xs = tf.transpose(x_proj, [1, 0, 2])
    if mask is not None:
        xs = (xs, tf.transpose(_bool_mask(mask)))
    zero_out = tf.zeros_like(carry0[0])

    def body(state, inputs):
        carry, prev_out = state[:-1], state[-1]
        if mask is None:
            new_carry, out = step(carry, inputs)
        else:
            x_t, m_t = inputs
            new_carry, out = step(carry, x_t)
            m = m_t[:, None]
            new_carry = tuple(tf.where(m, n, o) for n, o in zip(new_carry, carry))
            out = tf.where(m, out, tf.zeros_like(out) if zero_output_for_mask else prev_out)
        return tuple(new_carry) + (out,)

    states = tf.scan(body, xs, initializer=tuple(carry0) + (zero_out,), reverse=bool(go_backwards))
    outs = states[-1]
    index = 0 if go_backwards else -1
    final = tuple(s[index] for s in states[:-1])
    last = outs[index]
    if go_backwards:
        outs = tf.reverse(outs, [0])
    return final, last, tf.transpose(outs, [1, 0, 2])


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         return_sequences=False, go_backwards=False, zero_output_for_mask=False):
    """A tanh/sigmoid LSTM over ``inputs`` ``(batch, time, features)``: one projection, one scan.

    Keras layout (gates i, f, c, o); returns ``(last_output, outputs, [h, c])``
    with the generic loop's masking semantics.

    Example:
        >>> x, h0 = tf.ones((2, 3, 4)), tf.zeros((2, 5))
        >>> last, seq, (h, c) = lstm(x, h0, h0, None, tf.zeros((4, 20)), tf.zeros((5, 20)), None)
        >>> last.shape.as_list(), seq.shape.as_list()
        ([2, 5], [2, 1, 5])
    """
    inputs = convert_to_tensor(inputs)
    kernel, recurrent_kernel = convert_to_tensor(kernel), convert_to_tensor(recurrent_kernel)
    x_proj = tf.einsum("btf,fg->btg", inputs, kernel)
    if bias is not None:
        x_proj = x_proj + convert_to_tensor(bias)

    step = rnn_steps.lstm_step(tf.matmul, tf.split, tf.sigmoid, tf.tanh, recurrent_kernel)

    carry0 = (convert_to_tensor(initial_state_h), convert_to_tensor(initial_state_c))
    (h, c), last, outs = _masked_scan(step, x_proj, carry0, mask, go_backwards, zero_output_for_mask)
    return last, outs if return_sequences else last[:, None], [h, c]


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, return_sequences=False,
        go_backwards=False, zero_output_for_mask=False):
    """A reset_after tanh/sigmoid GRU over ``inputs`` (Keras layout z, r, h; bias ``(2, 3u)``).

    Example:
        >>> x, h0 = tf.ones((2, 3, 4)), tf.zeros((2, 5))
        >>> last, seq, h = gru(x, h0, None, tf.zeros((4, 15)), tf.zeros((5, 15)), None, True)
        >>> seq.shape.as_list()
        [2, 3, 5]
    """
    inputs = convert_to_tensor(inputs)
    kernel, recurrent_kernel = convert_to_tensor(kernel), convert_to_tensor(recurrent_kernel)
    bias = None if bias is None else convert_to_tensor(bias)
    x_proj = tf.einsum("btf,fg->btg", inputs, kernel)
    if bias is not None:
        x_proj = x_proj + bias[0]

    step = rnn_steps.gru_step(tf.matmul, tf.split, tf.sigmoid, tf.tanh, recurrent_kernel,
                              None if bias is None else bias[1])

    (h,), last, outs = _masked_scan(step, x_proj, (convert_to_tensor(initial_state),), mask,
                                    go_backwards, zero_output_for_mask)
    return last, outs if return_sequences else last[:, None], h
