"""``Bidirectional``: run a recurrent layer forwards and backwards and merge the results.

Example:
    >>> import kiln
    >>> layer = kiln.layers.Bidirectional(kiln.layers.LSTM(4))
    >>> tuple(layer(kiln.ops.ones((2, 5, 3))).shape)
    (2, 8)
"""

from kiln import ops
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.backend.common.scopes import name_scope
from kiln.layers.layer import Layer, _get_mask
from kiln.layers.wrappers.wrapper import (
    build_sublayer,
    deserialize_nested,
    is_shape,
    sublayer_output_shape,
)
from kiln.saving import serialization_lib

MERGE_MODES = ("sum", "mul", "ave", "concat", None)
_RNN_ATTRIBUTES = ("go_backwards", "return_sequences", "return_state", "stateful")


def _check_recurrent(argument, layer):
    if not isinstance(layer, Layer):
        raise ValueError(
            f"Bidirectional: `{argument}` must be a kiln.layers.Layer instance (a recurrent layer); "
            f"received {argument}={layer!r}"
        )
    missing = [a for a in _RNN_ATTRIBUTES if not hasattr(layer, a)]
    if missing:
        raise ValueError(
            f"Bidirectional: `{argument}` must be a recurrent layer (RNN, LSTM, GRU, SimpleRNN, "
            f"ConvLSTM*...) with the attributes {list(_RNN_ATTRIBUTES)}; received {argument}="
            f"{layer.name!r} ({type(layer).__name__}) without {missing}"
        )


def _strip_prefix(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


def _clone(layer, name, go_backwards=None):
    """A fresh copy of ``layer`` from its config, renamed (and maybe reversed).

    A built ``layer`` gives a copy built for the same shape, with new weights.
    """
    envelope = serialization_lib.serialize_kiln_object(layer)
    envelope["config"]["name"] = name
    if go_backwards is not None:
        envelope["config"]["go_backwards"] = go_backwards
    return serialization_lib.deserialize_kiln_object(envelope)


class Bidirectional(Layer):
    """Bidirectional wrapper for recurrent layers.

    The wrapped layer is copied twice from its config: ``forward_<name>`` runs
    over the sequence as given and ``backward_<name>`` with ``go_backwards``
    flipped, each with its own weights (forward weights first). The backward
    outputs are flipped back along time when ``return_sequences`` is set, then
    both are merged.

    Args:
        layer: a recurrent layer instance (``LSTM``, ``GRU``, ``SimpleRNN``,
            ``RNN``, ``ConvLSTM2D``... or any layer with the attributes
            ``go_backwards``, ``return_sequences``, ``return_state`` and
            ``stateful``).
        merge_mode: how the two outputs combine: ``"concat"`` (default, last
            axis), ``"sum"``, ``"mul"``, ``"ave"``, or None (a list of both).
        weights: optional list of arrays: its first half initializes the
            forward layer, its second half the backward layer, once they are built.
        backward_layer: optional recurrent layer for the backward direction; it
            must have the opposite ``go_backwards`` and the same
            ``return_sequences``, ``return_state`` and ``stateful`` as ``layer``.
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``).

    Calling it takes ``initial_state`` (a list: the forward states, then the
    backward states). With ``return_state`` the outputs are the merged output
    followed by the forward states and the backward states.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.Bidirectional(kiln.layers.LSTM(3, return_sequences=True, name="lstm"),
        ...                                   merge_mode="sum", name="bi")
        >>> tuple(layer(kiln.ops.ones((2, 5, 4))).shape)
        (2, 5, 3)
        >>> [v.path for v in layer.weights][:2]
        ['bi/forward_lstm/lstm_cell/kernel', 'bi/forward_lstm/lstm_cell/recurrent_kernel']
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        _check_recurrent("layer", layer)
        if backward_layer is not None:
            _check_recurrent("backward_layer", backward_layer)
        if merge_mode not in MERGE_MODES:
            raise ValueError(
                f"Bidirectional: invalid merge_mode {merge_mode!r}; expected one of "
                f"{list(MERGE_MODES)}"
            )
        super().__init__(**kwargs)
        base = _strip_prefix(layer.name, "forward_")
        # Copies of a built layer build at once, with paths under this layer's name.
        with name_scope(self.name, caller=self):
            self.forward_layer = _clone(layer, "forward_" + base)
            if backward_layer is None:
                backward_layer = _clone(layer, "backward_" + base, go_backwards=not layer.go_backwards)
        self.backward_layer = backward_layer
        self._check_directions()
        for direction in (self.forward_layer, self.backward_layer):
            # Masked steps of returned sequences read as zeros, as in Keras.
            if getattr(direction, "zero_output_for_mask", None) is not None:
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = list(weights) if weights else None
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _check_directions(self):
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError(
                f"Bidirectional '{self.name}': the forward and backward layers must have different "
                f"`go_backwards` values; received go_backwards={fwd.go_backwards} for both "
                f"({fwd.name!r}, {bwd.name!r})"
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fwd, attr) != getattr(bwd, attr):
                raise ValueError(
                    f"Bidirectional '{self.name}': the forward and backward layers must have the "
                    f"same `{attr}`; received {attr}={getattr(fwd, attr)} (forward {fwd.name!r}) and "
                    f"{attr}={getattr(bwd, attr)} (backward {bwd.name!r})"
                )

    # -- building -----------------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None):
        build_sublayer(self.forward_layer, sequences_shape)
        build_sublayer(self.backward_layer, sequences_shape)
        if self._initial_weights is not None:
            half = len(self._initial_weights) // 2
            self.forward_layer.set_weights(self._initial_weights[:half])
            self.backward_layer.set_weights(self._initial_weights[half:])
            self._initial_weights = None
        self.built = True

    # -- shapes -------------------------------------------------------------------------
    def _forward_output_shape(self, sequences_shape):
        return sublayer_output_shape(self.forward_layer, tuple(sequences_shape), self.compute_dtype)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self._forward_output_shape(sequences_shape)
        state_shapes = ()
        if self.return_state:
            output_shape, state_shapes = tuple(output_shape[0]), tuple(
                tuple(s) for s in output_shape[1:])
        output_shape = tuple(output_shape)
        if self.merge_mode == "concat":
            last = output_shape[-1]
            output_shape = output_shape[:-1] + (None if last is None else 2 * last,)
        if self.merge_mode is None:
            outputs = (output_shape, output_shape)
        else:
            outputs = (output_shape,) if self.return_state else output_shape
        if self.return_state:
            return tuple(outputs) + state_shapes + state_shapes
        return outputs

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=None):
        shapes = self.compute_output_shape(tuple(sequences.shape))
        if is_shape(shapes):
            return KerasTensor(shapes, dtype=self.compute_dtype)
        return [KerasTensor(s, dtype=self.compute_dtype) for s in shapes]

    # -- calling ------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        outputs = super().__call__(*args, **kwargs)
        if isinstance(outputs, (list, tuple)):
            # The base call attaches one mask to every output; give each its own.
            mask = kwargs.get("mask")
            if mask is None and args:
                mask = _get_mask(args[0])
            main = (mask, mask) if self.merge_mode is None else (mask,)
            if not self.return_sequences:
                main = (None,) * len(main)
            masks = main + (None,) * (len(outputs) - len(main))
            for out, out_mask in zip(outputs, masks):
                try:
                    out._keras_mask = out_mask
                except (AttributeError, TypeError):
                    pass
        return outputs

    def call(self, sequences, initial_state=None, mask=None, training=None):
        kwargs = {"training": training}
        if mask is not None and self.forward_layer._has_mask_arg:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(states) % 2:
                raise ValueError(
                    f"Bidirectional '{self.name}': `initial_state` must hold the forward states then "
                    f"the backward states (an even number); received {len(states)} tensors"
                )
            half = len(states) // 2
            forward_state, backward_state = states[:half], states[half:]
        if forward_state is not None:
            y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
            y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        else:
            y = self.forward_layer(sequences, **kwargs)
            y_rev = self.backward_layer(sequences, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        y = ops.cast(y, self.compute_dtype)
        y_rev = ops.cast(y_rev, self.compute_dtype)
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        if self.merge_mode == "concat":
            output = ops.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = ops.add(y, y_rev)
        elif self.merge_mode == "ave":
            output = ops.divide(ops.add(y, y_rev), ops.cast(2, self.compute_dtype))
        elif self.merge_mode == "mul":
            output = ops.multiply(y, y_rev)
        else:
            output = (y, y_rev)
        if self.return_state:
            return (output if self.merge_mode is None else (output,)) + states
        return output

    def compute_mask(self, _, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            output_mask = mask if self.merge_mode is not None else (mask, mask)
        else:
            output_mask = None if self.merge_mode is not None else (None, None)
        if self.return_state:
            n_states = self._num_states()
            head = output_mask if isinstance(output_mask, tuple) else (output_mask,)
            return head + (None,) * (2 * n_states)
        return output_mask

    def _num_states(self):
        """States per direction, from the forward layer's output shapes."""
        shape = self.forward_layer._build_shapes
        if not shape:
            return 0
        return len(self._forward_output_shape(shape)) - 1

    # -- state --------------------------------------------------------------------------
    @property
    def states(self):
        fwd = getattr(self.forward_layer, "states", None)
        bwd = getattr(self.backward_layer, "states", None)
        if fwd and bwd:
            return tuple(fwd) + tuple(bwd)
        return None

    def reset_state(self):
        """Reset the states of both directions (stateful layers only)."""
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self):
        self.reset_state()

    # -- config -------------------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = serialization_lib.serialize_kiln_object(self.forward_layer)
        config["backward_layer"] = serialization_lib.serialize_kiln_object(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = deserialize_nested(config, ("layer", "backward_layer"), "bidirectional",
                                    custom_objects)
        return super().from_config(config)
