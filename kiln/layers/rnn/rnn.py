"""``RNN``: runs a recurrent cell over the time axis of a sequence.

Example:
    >>> import kiln
    >>> layer = kiln.layers.RNN(kiln.layers.SimpleRNNCell(4), return_sequences=True)
    >>> tuple(layer(kiln.ops.ones((2, 5, 3))).shape)
    (2, 5, 4)
"""

from kiln import ops, tree
from kiln.backend import current as _backend
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import name_scope
from kiln.layers.layer import Layer
from kiln.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from kiln.layers.rnn.stacked_rnn_cells import StackedRNNCells
from kiln.saving import serialization_lib


def _flat_state_sizes(cell):
    """The state sizes of ``cell`` as a flat list (an int, or a shape tuple, per state)."""
    if isinstance(cell, StackedRNNCells):
        out = []
        for sub in cell.cells:
            out.extend(_flat_state_sizes(sub))
        return out
    size = cell.state_size
    if isinstance(size, (list, tuple)):
        return list(size)
    return [size]


def _state_structure(cell):
    """The nesting the cell's ``call`` expects for its states, with None leaves."""
    if isinstance(cell, StackedRNNCells):
        return [_sub_structure(sub) for sub in cell.cells]
    return [None for _ in _flat_state_sizes(cell)]


def _sub_structure(cell):
    if isinstance(cell, StackedRNNCells):
        return _state_structure(cell)
    if isinstance(cell.state_size, (list, tuple)):
        return [None for _ in cell.state_size]
    return None


def _shape_for(batch, size, time=None, with_time=False):
    tail = tuple(size) if isinstance(size, (list, tuple)) else (size,)
    return (batch, time) + tail if with_time else (batch,) + tail


class RNN(Layer):
    """Base class of recurrent layers: applies ``cell`` at each time step of the input.

    The cell is any object with ``call(inputs_t, states) -> (output_t, new_states)``
    and a ``state_size`` (an int, or a list of ints, one per state); an optional
    ``output_size`` and ``get_initial_state(batch_size)``. A list of cells is
    stacked with ``StackedRNNCells``.

    Args:
        cell: the recurrent cell, or a list of cells.
        return_sequences: return the output of every step ``(batch, time, units)``
            instead of the last one ``(batch, units)``.
        return_state: also return the final states (``[output, *states]``).
        go_backwards: process the sequence from the last step to the first
            (the returned sequence is in processing order).
        stateful: carry the final states of a batch over as the initial states
            of the next one (needs a fixed batch size; ``reset_states()`` clears them).
        unroll: unroll the time loop (needs a known number of steps).
        zero_output_for_mask: masked steps output zeros instead of repeating the
            previous output.

    Call arguments: ``sequences`` ``(batch, time, ...)``, ``initial_state`` (list
    of tensors), ``mask`` (bool ``(batch, time)``, True = keep the step),
    ``training``, and ``constants`` (tensors passed unchanged to every step as
    ``cell.call(..., constants=...)``).

    Example:
        >>> import kiln
        >>> cells = [kiln.layers.LSTMCell(4), kiln.layers.LSTMCell(2)]
        >>> out, *states = kiln.layers.RNN(cells, return_state=True)(kiln.ops.ones((3, 6, 5)))
        >>> tuple(out.shape), [tuple(s.shape) for s in states]
        ((3, 2), [(3, 4), (3, 4), (3, 2), (3, 2)])
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        super().__init__(**kwargs)
        if not callable(getattr(cell, "call", None)):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': argument `cell` must have a `call` method; "
                f"received cell={cell!r}")
        if getattr(cell, "state_size", None) is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the cell must define `state_size` (an int or "
                f"a list of ints, one per state); received cell={cell!r}")
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states = None
        self._cell_call_has_training = _accepts(cell.call, "training")
        self._cell_call_has_constants = _accepts(cell.call, "constants")

    # -- shapes ---------------------------------------------------------------------------
    @property
    def state_size(self):
        return self.cell.state_size

    def _output_size(self):
        size = getattr(self.cell, "output_size", None)
        return size if size is not None else _flat_state_sizes(self.cell)[0]

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        sequences_shape = tuple(tree.flatten(sequences_shape)[:3]) \
            if isinstance(sequences_shape, list) and sequences_shape and \
            isinstance(sequences_shape[0], (list, tuple)) else tuple(sequences_shape)
        batch, time = sequences_shape[0], sequences_shape[1]
        output_shape = _shape_for(batch, self._output_size(), time, with_time=self.return_sequences)
        if self.return_state:
            return [output_shape] + [_shape_for(batch, s) for s in _flat_state_sizes(self.cell)]
        return output_shape

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=False,
                            constants=None):
        first = tree.flatten(sequences)[0]
        shapes = self.compute_output_shape(tuple(first.shape))
        if self.return_state:
            return [KerasTensor(s, dtype=self.compute_dtype) for s in shapes]
        return KerasTensor(shapes, dtype=self.compute_dtype)

    def compute_mask(self, inputs, mask):
        mask = tree.flatten(mask)[0] if mask is not None else None
        if mask is None:
            return None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in _flat_state_sizes(self.cell)]
        return output_mask

    # -- building -------------------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None):
        first = sequences_shape
        if isinstance(first, (list, tuple)) and first and isinstance(first[0], (list, tuple)):
            first = first[0]
        if len(first) < 3:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': the input `sequences` must have rank >= 3 "
                f"(batch, timesteps, features); received input_shape={tuple(first)}")
        if self.unroll and first[1] is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `unroll=True` needs a known number of "
                f"timesteps; received input_shape={tuple(first)}")
        if _is_nested_shape(sequences_shape):
            step_shape = [(s[0],) + tuple(s[2:]) for s in sequences_shape]
        else:
            step_shape = (first[0],) + tuple(first[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            # Under this layer's scope even when build() is called directly: "lstm/lstm_cell/kernel".
            with name_scope(self.name, caller=self), name_scope(self.cell.name, caller=self.cell):
                self.cell.build(step_shape)
            self.cell.built = True
            self.cell._build_shapes = step_shape
        if self.stateful:
            if first[0] is None:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': a stateful RNN needs a fixed batch size; "
                    f"received input_shape={tuple(first)} with an unknown batch dimension (pass "
                    "`batch_size` to Input or the first layer)")
            if self.states is None:
                initial = tree.flatten(self.get_initial_state(first[0]))
                with name_scope(self.name, caller=self):
                    self.states = [
                        _backend.core.Variable(value, dtype=self.variable_dtype, trainable=False,
                                               name="rnn_state")
                        for value in initial
                    ]
            else:
                self.reset_state()
        self.built = True

    def get_initial_state(self, batch_size):
        """Zero states for a batch (or the cell's own ``get_initial_state``), as a list."""
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            states = fn(batch_size=batch_size)
            return list(states) if tree.is_nested(states) else [states]
        dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
        return [ops.zeros(_shape_for(batch_size, s), dtype=dtype) for s in _flat_state_sizes(self.cell)]

    def reset_state(self):
        """Set the states of a stateful RNN back to zeros."""
        if self.states is not None:
            for variable in self.states:
                variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def reset_states(self):
        """Alias of :meth:`reset_state`."""
        self.reset_state()

    # -- calling --------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False, constants=None):
        first = tree.flatten(sequences)[0]
        timesteps = first.shape[1]
        if self.unroll and timesteps is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `unroll=True` needs a known number of "
                f"timesteps; received an input of shape {tuple(first.shape)}")
        structure = _state_structure(self.cell)
        if initial_state is None:
            if self.stateful:
                # Copies: the variables are assigned the final states below, in place on torch,
                # while autograd may still need these values.
                flat_initial = [ops.copy(v.value) for v in self.states]
            else:
                flat_initial = tree.flatten(self.get_initial_state(ops.shape(first)[0]))
        else:
            flat_initial = tree.flatten(initial_state)
        expected = len(tree.flatten(structure))
        if len(flat_initial) != expected:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `initial_state` must hold {expected} tensors "
                f"(one per state of the cell, state_size={self.cell.state_size}); received "
                f"{len(flat_initial)}")
        # The cell runs inside this layer's call (its autocast scope): states in our compute dtype.
        dtype = self.compute_dtype
        flat_initial = [ops.cast(s, dtype) if ops.dtype(s) != dtype else s
                        for s in (ops.convert_to_tensor(s) for s in flat_initial)]
        if mask is not None:
            mask = tree.flatten(mask)[0]
            if ops.dtype(mask) != "bool":
                mask = ops.cast(mask, "bool")
        constants = None if constants is None else (
            list(constants) if isinstance(constants, (list, tuple)) else [constants])

        if training:
            self._draw_dropout_masks(self.cell, first, structure, flat_initial)
        try:
            last_output, outputs, new_states = self.inner_loop(
                sequences, tree.pack_sequence_as(structure, flat_initial), mask,
                training=training, constants=constants)
        finally:
            self._reset_dropout_masks(self.cell)
        flat_states = tree.flatten(new_states)
        if self.stateful:
            for variable, value in zip(self.states, flat_states):
                variable.assign(ops.cast(value, variable.dtype))
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(flat_states)
        return output

    def inner_loop(self, sequences, initial_state, mask, training=False, constants=None):
        """Run the time loop; returns ``(last_output, outputs, final_states)``.

        Subclasses with a fused kernel (LSTM, GRU) try it first and fall back here.
        """
        structure = initial_state
        cell_call = self.cell.call
        kwargs = {}
        if self._cell_call_has_training:
            kwargs["training"] = training
        if constants is not None:
            if not self._cell_call_has_constants:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': `constants` were passed but the cell's "
                    "`call` has no `constants` argument")
            kwargs["constants"] = constants

        def step(inputs, states):
            cell_states = tree.pack_sequence_as(structure, list(states))
            output, new_states = cell_call(inputs, cell_states, **kwargs)
            return output, tree.flatten(new_states)

        timesteps = tree.flatten(sequences)[0].shape[1]
        last_output, outputs, states = _backend.rnn.rnn(
            step, sequences, tree.flatten(initial_state), go_backwards=self.go_backwards,
            mask=mask, unroll=self.unroll, input_length=timesteps,
            zero_output_for_mask=self.zero_output_for_mask,
            return_all_outputs=self.return_sequences)
        return last_output, outputs, tree.pack_sequence_as(structure, tree.flatten(states))

    # -- dropout --------------------------------------------------------------------------
    def _draw_dropout_masks(self, cell, step_source, structure, flat_states):
        """Draw each cell's dropout masks before the loop (the loop body stays pure)."""
        if isinstance(cell, StackedRNNCells):
            batch = ops.shape(step_source)[0]
            inputs_like = step_source[:, 0] if len(step_source.shape) > 2 else step_source
            index = 0
            for sub, sub_structure in zip(cell.cells, structure):
                n = len(tree.flatten(sub_structure)) if sub_structure is not None else 1
                sub_states = flat_states[index:index + n]
                self._draw_dropout_masks_flat(sub, inputs_like, sub_states)
                index += n
                out_size = getattr(sub, "output_size", None) or _flat_state_sizes(sub)[0]
                inputs_like = ops.zeros(_shape_for(batch, out_size), dtype=inputs_like.dtype)
        else:
            self._draw_dropout_masks_flat(cell, step_source[:, 0], flat_states)

    @staticmethod
    def _draw_dropout_masks_flat(cell, step_inputs, flat_states):
        if isinstance(cell, DropoutRNNCell):
            cell.get_dropout_mask(step_inputs)
            if flat_states:
                cell.get_recurrent_dropout_mask(flat_states[0])

    def _reset_dropout_masks(self, cell):
        cells = cell.cells if isinstance(cell, StackedRNNCells) else [cell]
        for c in cells:
            if isinstance(c, DropoutRNNCell):
                c.reset_dropout_mask()
                c.reset_recurrent_dropout_mask()

    # -- config ---------------------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialization_lib.serialize_kiln_object(self.cell),
        })
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("cell"), dict):
            config["cell"] = serialization_lib.deserialize_kiln_object(
                config["cell"], custom_objects=custom_objects)
        return super().from_config(config)


def _accepts(fn, name):
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _is_nested_shape(shape):
    return isinstance(shape, (list, tuple)) and bool(shape) and isinstance(shape[0], (list, tuple))
