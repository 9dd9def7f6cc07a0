"""``get_source_inputs``: the ``Input`` tensors a symbolic tensor was computed from.

Example:
    >>> import kiln
    >>> a, b = kiln.Input((2,)), kiln.Input((2,))
    >>> y = kiln.layers.Add()([a, kiln.layers.Dense(2)(b)])
    >>> [t is a for t in get_source_inputs(y)], [t is b for t in get_source_inputs(y)]
    ([True, False], [False, True])
"""

from kiln import tree


def get_source_inputs(tensor):
    """Returns the list of input tensors necessary to compute ``tensor``.

    Follows the layer calls recorded on symbolic tensors back to the tensors created by
    ``kiln.Input`` (or by a layer called on no symbolic input). Each source appears once,
    in the order it is first reached. A value with no recorded history is returned as is.

    Args:
        tensor: the tensor to start from.

    Returns:
        A list of source input tensors.

    Example:
        >>> import kiln
        >>> x = kiln.Input((3,))
        >>> y = kiln.layers.Dense(1)(kiln.layers.Dense(4)(x))
        >>> get_source_inputs(y)[0] is x
        True
    """
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return tensor
    operation, node_index = history.operation, history.node_index
    if not operation or not operation._inbound_nodes:
        return [tensor]
    node = operation._inbound_nodes[node_index]
    if node.is_input:
        return list(tree.flatten(node.outputs))
    sources = []
    for parent in node.input_tensors:
        for found in get_source_inputs(parent):
            if all(found is not seen for seen in sources):
                sources.append(found)
    return sources
