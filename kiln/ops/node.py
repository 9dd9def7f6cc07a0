"""Graph nodes: one call of an operation (op or layer) on symbolic tensors.

Each output KerasTensor of a symbolic call gets ``_keras_history =
KerasHistory(operation, node_index, tensor_index)``; functional models walk
these back from their outputs to their inputs.

Example:
    >>> import kiln
    >>> x = kiln.Input((3,))
    >>> y = kiln.layers.Dense(2)(x)
    >>> y._keras_history.operation.__class__.__name__
    'Dense'
"""

import collections

from kiln import tree
from kiln.backend.common.keras_tensor import KerasTensor

KerasHistory = collections.namedtuple("KerasHistory", ["operation", "node_index", "tensor_index"])


class Node:
    """Records that ``operation`` was called with ``call_args``/``call_kwargs`` giving ``outputs``.

    Example:
        >>> import kiln
        >>> x = kiln.Input((3,))
        >>> node = kiln.layers.Dense(2)(x)._keras_history.operation._inbound_nodes[0]
        >>> len(node.input_tensors), len(node.outputs)
        (1, 1)
    """

    def __init__(self, operation, call_args=(), call_kwargs=None, outputs=None):
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = [t for t in tree.flatten(outputs) if isinstance(t, KerasTensor)]
        self.input_tensors = [
            t for t in tree.flatten((self.call_args, self.call_kwargs)) if isinstance(t, KerasTensor)
        ]
        self.is_input = not self.input_tensors
        node_index = len(operation._inbound_nodes)
        operation._inbound_nodes.append(self)
        for tensor in self.input_tensors:
            history = tensor._keras_history
            if history is not None:
                history.operation._outbound_nodes.append(self)
        for i, tensor in enumerate(self.outputs):
            tensor._keras_history = KerasHistory(operation, node_index, i)

    @property
    def parent_nodes(self):
        """The nodes that produced this node's symbolic inputs."""
        parents = []
        for tensor in self.input_tensors:
            history = tensor._keras_history
            if history is not None:
                node = history.operation._inbound_nodes[history.node_index]
                if node not in parents:
                    parents.append(node)
        return parents
