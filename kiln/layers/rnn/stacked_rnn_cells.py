"""``StackedRNNCells``: several recurrent cells run one after the other at each step.

Example:
    >>> import kiln
    >>> cells = kiln.layers.StackedRNNCells([kiln.layers.GRUCell(4), kiln.layers.GRUCell(2)])
    >>> cells.state_size, cells.output_size
    ([4, 2], 2)
"""

from kiln import ops, tree
from kiln.backend.common.scopes import name_scope
from kiln.layers.layer import Layer
from kiln.saving import serialization_lib


def _cell_output_size(cell):
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state_size = cell.state_size
    return state_size[0] if isinstance(state_size, (list, tuple)) else state_size


class StackedRNNCells(Layer):
    """Wraps a list of cells so an ``RNN`` runs them as one: the output of
    cell ``k`` at a step is the input of cell ``k + 1`` at that step.

    ``state_size`` is the list of the cells' state sizes (a cell with several
    states contributes a nested list), and ``output_size`` is the last cell's.

    Args:
        cells: a non-empty list of RNN cells.

    Example:
        >>> import kiln
        >>> stacked = kiln.layers.StackedRNNCells([kiln.layers.LSTMCell(3), kiln.layers.LSTMCell(2)])
        >>> layer = kiln.layers.RNN(stacked)
        >>> tuple(layer(kiln.ops.ones((1, 4, 5))).shape)
        (1, 2)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError(
                f"StackedRNNCells '{self.name}': argument `cells` must be a non-empty list of RNN "
                f"cells; received cells={cells!r}")
        for cell in cells:
            if not callable(getattr(cell, "call", None)) or getattr(cell, "state_size", None) is None:
                raise ValueError(
                    f"StackedRNNCells '{self.name}': every cell needs a `call` method and a "
                    f"`state_size`; received cell={cell!r}")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        return _cell_output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        """One entry per cell: the cell's own initial states (a tensor or a list)."""
        states = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                states.append(fn(batch_size=batch_size))
            elif isinstance(cell.state_size, (list, tuple)):
                states.append([ops.zeros((batch_size, d), dtype=self.compute_dtype)
                               for d in cell.state_size])
            else:
                states.append(ops.zeros((batch_size, cell.state_size), dtype=self.compute_dtype))
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                with name_scope(cell.name, caller=cell):
                    cell.build(input_shape)
                cell.built = True
                cell._build_shapes = input_shape
            input_shape = (tree.flatten(input_shape)[0], _cell_output_size(cell))
        self.built = True

    def call(self, inputs, states, training=False, **kwargs):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            is_list = tree.is_nested(cell_states)
            cell_states = list(cell_states) if is_list else [cell_states]
            if getattr(cell, "_has_training_arg", False):
                inputs, out_states = cell.call(inputs, cell_states, training=training, **kwargs)
            else:
                inputs, out_states = cell.call(inputs, cell_states, **kwargs)
            out_states = list(out_states) if tree.is_nested(out_states) else [out_states]
            new_states.append(out_states if is_list or len(out_states) != 1 else out_states[0])
        return inputs, new_states

    def get_config(self):
        config = super().get_config()
        config["cells"] = [serialization_lib.serialize_kiln_object(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["cells"] = [serialization_lib.deserialize_kiln_object(c, custom_objects=custom_objects)
                           for c in config.pop("cells")]
        return super().from_config(config)
