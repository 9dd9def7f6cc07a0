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


# -- Fused kernels ----------------------------------------------------------------------------
# torch's LSTM/GRU kernels (``torch._VF.lstm`` / ``torch._VF.gru``, what ``torch.nn.LSTM`` /
# ``torch.nn.GRU`` run) take weights as ``(gates * units, features)`` with gate order
# i,f,g,o (LSTM) and r,z,n (GRU). The Keras layout is transposed and orders GRU gates z,r,h;
# the views/concatenations built here keep autograd linked to the layer's variables.

_FUSED_CPU_DTYPES = (torch.float32, torch.float64)


def _check_fused_dtype(name, x):
    if x.dtype not in _FUSED_CPU_DTYPES and not (x.is_cuda and x.dtype in (torch.float16, torch.bfloat16)):
        raise NotImplementedError(f"{name}: the torch fused kernel does not run {x.dtype} on {x.device}")


def _right_padded_lengths(name, mask, time_steps):
    """Sequence lengths when ``mask`` is right-padded (None when nothing is masked).

    Raises NotImplementedError for other masks (left padding, holes, empty rows):
    the caller then runs the generic loop.
    """
    if mask is None:
        return None
    mask = convert_to_tensor(mask)
    if mask.dtype is not torch.bool:
        mask = mask != 0
    if mask.ndim > 2:
        mask = mask.reshape(mask.shape[:2])
    lengths = mask.sum(dim=1)
    expected = torch.arange(time_steps, device=mask.device)[None, :] < lengths[:, None]
    if not torch.equal(expected, mask) or bool((lengths == 0).any()):
        raise NotImplementedError(f"{name}: the torch fused kernel needs a right-padded mask")
    if bool((lengths == time_steps).all()):
        return None
    return lengths


def _run_fused(name, kernel_fn, inputs, hx, params, has_biases, mask, go_backwards,
               zero_output_for_mask):
    """Run a fused kernel batch-first; returns ``(outputs, last_output, final hx tuple)``."""
    inputs = convert_to_tensor(inputs)
    if not inputs.is_cuda and torch.compiler.is_compiling():
        # Inductor cannot lower the fused CPU kernel (mkldnn_rnn_layer); trace the loop instead.
        raise NotImplementedError(f"{name}: the torch fused CPU kernel is not used under torch.compile")
    _check_fused_dtype(name, inputs)
    time_steps = inputs.shape[1]
    lengths = _right_padded_lengths(name, mask, time_steps)
    train = torch.is_grad_enabled()
    if lengths is None:
        if go_backwards:
            inputs = inputs.flip(1)
        result = kernel_fn(inputs, hx, params, has_biases, 1, 0.0, train, False, True)
        outputs, final = result[0], tuple(s[0] for s in result[1:])
        # The final h is the last output; taking it (not outputs[:, -1]) keeps a
        # (batch, time, units) zero gradient out of the backward pass.
        return outputs, final[0], final
    if go_backwards:
        raise NotImplementedError(f"{name}: the torch fused kernel does not run go_backwards with a mask")
    packed = torch.nn.utils.rnn.pack_padded_sequence(inputs, lengths.cpu(), batch_first=True,
                                                     enforce_sorted=False)
    sorted_hx = tuple(h.index_select(1, packed.sorted_indices) for h in hx) \
        if isinstance(hx, tuple) else hx.index_select(1, packed.sorted_indices)
    result = kernel_fn(packed.data, packed.batch_sizes, sorted_hx, params, has_biases, 1, 0.0,
                       train, False)
    out_packed = torch.nn.utils.rnn.PackedSequence(result[0], packed.batch_sizes,
                                                   packed.sorted_indices, packed.unsorted_indices)
    outputs, _ = torch.nn.utils.rnn.pad_packed_sequence(out_packed, batch_first=True,
                                                        total_length=time_steps)
    final = tuple(s[0].index_select(0, packed.unsorted_indices) for s in result[1:])
    h_last = final[0]
    full = (lengths == time_steps).to(h_last.device)[:, None]
    if zero_output_for_mask:
        last = torch.where(full, h_last, torch.zeros_like(h_last))
    else:
        # Masked steps repeat the last unmasked output, as the generic loop does.
        valid = (torch.arange(time_steps, device=outputs.device)[None, :]
                 < lengths.to(outputs.device)[:, None])[..., None]
        outputs = torch.where(valid, outputs, h_last[:, None, :])
        last = h_last
    return outputs, last, final


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         return_sequences=False, go_backwards=False, zero_output_for_mask=False):
    """A tanh/sigmoid LSTM over ``inputs`` ``(batch, time, features)`` in torch's fused kernel.

    ``kernel`` ``(features, 4u)``, ``recurrent_kernel`` ``(u, 4u)`` and ``bias``
    ``(4u,)`` (or None) are in Keras' layout, gates i, f, c, o. Returns
    ``(last_output, outputs, [h, c])`` like :func:`rnn`; ``outputs`` holds every
    step when ``return_sequences``, else the last one. Raises
    NotImplementedError for a mask that is not right-padded (or with
    ``go_backwards``) and for dtypes the kernel lacks.

    Example:
        >>> import torch
        >>> x, h0 = torch.ones(2, 3, 4), torch.zeros(2, 5)
        >>> last, seq, (h, c) = lstm(x, h0, h0, None, torch.zeros(4, 20), torch.zeros(5, 20), None)
        >>> tuple(last.shape), tuple(seq.shape)
        ((2, 5), (2, 1, 5))
    """
    params = [convert_to_tensor(kernel).t(), convert_to_tensor(recurrent_kernel).t()]
    if bias is not None:
        bias = convert_to_tensor(bias)
        params += [bias, torch.zeros_like(bias)]
    h0, c0 = convert_to_tensor(initial_state_h), convert_to_tensor(initial_state_c)
    outputs, last, (h, c) = _run_fused("lstm", torch._VF.lstm, inputs, (h0[None], c0[None]),
                                       params, bias is not None, mask, go_backwards,
                                       zero_output_for_mask)
    if not return_sequences:
        outputs = last[:, None]
    return last, outputs, [h, c]


def _gru_gates_to_torch(w, units):
    """Reorder the last axis from Keras' z, r, h to torch's r, z, n."""
    return torch.cat([w[..., units:2 * units], w[..., :units], w[..., 2 * units:]], dim=-1)


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, return_sequences=False,
        go_backwards=False, zero_output_for_mask=False):
    """A reset_after tanh/sigmoid GRU over ``inputs`` in torch's fused kernel.

    Keras layout: ``kernel`` ``(features, 3u)``, ``recurrent_kernel`` ``(u, 3u)``,
    ``bias`` ``(2, 3u)`` (input row, recurrent row) or None, gates z, r, h.
    Returns ``(last_output, outputs, final_state)``.

    Example:
        >>> import torch
        >>> x, h0 = torch.ones(2, 3, 4), torch.zeros(2, 5)
        >>> last, seq, h = gru(x, h0, None, torch.zeros(4, 15), torch.zeros(5, 15), None,
        ...                    return_sequences=True)
        >>> tuple(seq.shape), float(h.abs().sum())
        ((2, 3, 5), 0.0)
    """
    recurrent_kernel = convert_to_tensor(recurrent_kernel)
    units = recurrent_kernel.shape[0]
    params = [_gru_gates_to_torch(convert_to_tensor(kernel), units).t(),
              _gru_gates_to_torch(recurrent_kernel, units).t()]
    if bias is not None:
        bias = _gru_gates_to_torch(convert_to_tensor(bias), units)
        params += [bias[0], bias[1]]
    h0 = convert_to_tensor(initial_state)
    outputs, last, (h,) = _run_fused("gru", torch._VF.gru, inputs, h0[None], params,
                                     bias is not None, mask, go_backwards, zero_output_for_mask)
    if not return_sequences:
        outputs = last[:, None]
    return last, outputs, h
