"""Torch backend: the generic recurrent loop, run eagerly as a Python loop over time.

Example:
    >>> import torch
    >>> step = lambda x, states: (x + states[0], [x + states[0]])
    >>> last, outputs, states = rnn(step, torch.ones(2, 3, 1), [torch.zeros(2, 1)])
    >>> last[:, 0].tolist(), tuple(outputs.shape)
    ([3.0, 3.0], (2, 3, 1))
"""

import torch

from kiln import tree
from kiln.backend.torch.core import convert_to_tensor


def _expand_mask(mask_t, like):
    while mask_t.ndim < like.ndim:
        mask_t = mask_t.unsqueeze(-1)
    return mask_t


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Iterate ``step_function(input_t, states) -> (output_t, new_states)`` over time.

    Returns ``(last_output, outputs, new_states)``; ``outputs`` is batch-major
    unless ``time_major``, and holds only the last step when
    ``return_all_outputs`` is False. Masked steps keep the previous output and
    states (or a zero output with ``zero_output_for_mask``).
    """
    flat_inputs = [convert_to_tensor(x) for x in tree.flatten(inputs)]
    if not time_major:
        flat_inputs = [x.transpose(0, 1) for x in flat_inputs]
    if mask is not None:
        mask = convert_to_tensor(mask)
        if mask.dtype is not torch.bool:
            mask = mask != 0
        if mask.ndim > 2:
            mask = mask.reshape(mask.shape[:2])
        if not time_major:
            mask = mask.transpose(0, 1)
    time_steps = flat_inputs[0].shape[0]
    if time_steps == 0:
        raise ValueError("rnn: inputs have zero time steps")
    order = range(time_steps - 1, -1, -1) if go_backwards else range(time_steps)
    constants = tuple(constants) if constants else ()
    states = tuple(tree.flatten(initial_states))
    nested = tree.is_nested(inputs)

    outputs = []
    prev_output = None
    for t in order:
        step_inputs = [x[t] for x in flat_inputs]
        step_input = tree.pack_sequence_as(inputs, step_inputs) if nested else step_inputs[0]
        state_arg = tree.pack_sequence_as(initial_states, list(states)) \
            if tree.is_nested(initial_states) else states
        output, new_states = step_function(step_input, tuple(state_arg) + constants)
        new_states = tuple(tree.flatten(new_states))
        if mask is not None:
            mask_t = mask[t]
            if zero_output_for_mask:
                output = torch.where(_expand_mask(mask_t, output), output, torch.zeros_like(output))
            else:
                base = prev_output if prev_output is not None else torch.zeros_like(output)
                output = torch.where(_expand_mask(mask_t, output), output, base)
            new_states = tuple(
                torch.where(_expand_mask(mask_t, new), new, old) for new, old in zip(new_states, states)
            )
        states = new_states
        prev_output = output
        if return_all_outputs:
            outputs.append(output)
    last_output = prev_output
    stacked = torch.stack(outputs if return_all_outputs else [last_output], dim=0)
    if not time_major:
        stacked = stacked.transpose(0, 1)
    final_states = tree.pack_sequence_as(initial_states, list(states)) \
        if tree.is_nested(initial_states) else list(states)
    return last_output, stacked, final_states
