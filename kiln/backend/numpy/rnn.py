"""Recurrent loop for the numpy backend: a plain Python loop over time steps.

Example:
    >>> import numpy as np
    >>> step = lambda x, states: (x + states[0], [x + states[0]])
    >>> last, outputs, states = rnn(step, np.ones((2, 3, 1)), [np.zeros((2, 1))])
    >>> last[:, 0].tolist(), outputs.shape
    ([3.0, 3.0], (2, 3, 1))
"""

import numpy as np

from kiln import tree
from kiln.backend.numpy.core import BOOL, convert_to_tensor


def _expand_mask(mask_t, target):
    """Reshape a (batch,) bool mask so it broadcasts against ``target``."""
    return mask_t.reshape(mask_t.shape + (1,) * (np.ndim(target) - mask_t.ndim))


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Iterate ``step_function(input_t, states) -> (output_t, new_states)`` over time.

    Returns ``(last_output, outputs, new_states)``; ``outputs`` has the time axis
    in position 1 (0 when ``time_major``) and, with ``return_all_outputs=False``,
    a time dimension of 1. Masked steps keep the previous states and repeat the
    previous output (or output zeros with ``zero_output_for_mask``).

    Example:
        >>> step = lambda x, s: (x * 2, s)
        >>> rnn(step, np.ones((1, 2, 1)), [np.zeros((1, 1))], return_all_outputs=False)[1].shape
        (1, 1, 1)
    """
    flat_inputs = [convert_to_tensor(x) for x in tree.flatten(inputs)]
    if not time_major:
        flat_inputs = [np.swapaxes(x, 0, 1) for x in flat_inputs]
    time_steps = flat_inputs[0].shape[0]
    if time_steps == 0:
        raise ValueError("rnn: the inputs have no time steps (time dimension of size 0)")
    if mask is not None:
        mask = convert_to_tensor(mask).astype(BOOL, copy=False)
        if mask.ndim > 2:
            mask = mask.reshape(mask.shape[:2])
        if not time_major:
            mask = np.swapaxes(mask, 0, 1)
    constants = list(constants) if constants else []

    states = initial_states
    flat_states = tree.flatten(states)
    order = range(time_steps - 1, -1, -1) if go_backwards else range(time_steps)
    outputs = []
    prev_output = None
    for t in order:
        step_input = tree.pack_sequence_as(inputs, [x[t] for x in flat_inputs])
        output, new_states = step_function(step_input, list(states) + constants
                                           if isinstance(states, (list, tuple)) else
                                           [states] + constants)
        if mask is not None:
            mask_t = mask[t]
            flat_output = tree.flatten(output)
            if prev_output is None:
                prev_output = [np.zeros_like(convert_to_tensor(o)) for o in flat_output]
            fallback = ([np.zeros_like(convert_to_tensor(o)) for o in flat_output]
                        if zero_output_for_mask else prev_output)
            flat_output = [np.where(_expand_mask(mask_t, o), o, f)
                           for o, f in zip(flat_output, fallback)]
            flat_new = [np.where(_expand_mask(mask_t, n), n, s)
                        for n, s in zip(tree.flatten(new_states), flat_states)]
            prev_output = flat_output
            output = tree.pack_sequence_as(output, flat_output)
            new_states = tree.pack_sequence_as(new_states, flat_new)
        states = new_states
        flat_states = tree.flatten(states)
        if return_all_outputs or t == order[-1]:
            outputs.append(output)

    last_output = outputs[-1]
    flat_outputs = [np.stack(step_values, axis=0)
                    for step_values in zip(*[tree.flatten(o) for o in outputs])]
    if not time_major:
        flat_outputs = [np.swapaxes(o, 0, 1) for o in flat_outputs]
    stacked = tree.pack_sequence_as(last_output, flat_outputs)
    return last_output, stacked, states


UNSUPPORTED = {
    "lstm": "no fused LSTM kernel on numpy: the LSTM layer runs the generic rnn loop",
    "gru": "no fused GRU kernel on numpy: the GRU layer runs the generic rnn loop",
}


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         return_sequences=False, go_backwards=False, zero_output_for_mask=False):
    """Not available on numpy (the LSTM layer falls back to :func:`rnn`)."""
    raise NotImplementedError("lstm: no fused LSTM kernel on the numpy backend")


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, return_sequences=False,
        go_backwards=False, zero_output_for_mask=False):
    """Not available on numpy (the GRU layer falls back to :func:`rnn`)."""
    raise NotImplementedError("gru: no fused GRU kernel on the numpy backend")
