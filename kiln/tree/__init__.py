"""Utilities for nested structures (lists, tuples, dicts, namedtuples), built on optree.

``None`` is treated as a leaf, as in Keras 3.

Example:
    >>> from kiln import tree
    >>> tree.flatten({"a": 1, "b": [2, 3]})
    [1, 2, 3]
    >>> tree.map_structure(lambda v: v * 10, (1, [2]))
    (10, [20])
"""

import optree

_NAMESPACE = "kiln"


def is_nested(structure):
    """True if ``structure`` is a list, tuple, dict or other container optree knows.

    Example:
        >>> is_nested([1]), is_nested(1)
        (True, False)
    """
    return not optree.tree_is_leaf(structure, none_is_leaf=True, namespace=_NAMESPACE)


def flatten(structure):
    """Return the leaves of ``structure`` in a deterministic order (dicts by sorted key).

    Example:
        >>> flatten([1, (2, None)])
        [1, 2, None]
    """
    return optree.tree_leaves(structure, none_is_leaf=True, namespace=_NAMESPACE)


def map_structure(func, *structures):
    """Apply ``func`` leaf-wise across structures of the same shape.

    Example:
        >>> map_structure(lambda a, b: a + b, [1, 2], [10, 20])
        [11, 22]
    """
    if not structures:
        raise ValueError("map_structure: expected at least one structure")
    return optree.tree_map(func, *structures, none_is_leaf=True, namespace=_NAMESPACE)


def pack_sequence_as(structure, flat_sequence):
    """Rebuild ``structure``'s shape with the leaves in ``flat_sequence``.

    Example:
        >>> pack_sequence_as({"a": 0, "b": [0, 0]}, [1, 2, 3])
        {'a': 1, 'b': [2, 3]}
    """
    treedef = optree.tree_structure(structure, none_is_leaf=True, namespace=_NAMESPACE)
    flat_sequence = list(flat_sequence)
    if treedef.num_leaves != len(flat_sequence):
        raise ValueError(
            f"pack_sequence_as: the structure has {treedef.num_leaves} leaves but "
            f"{len(flat_sequence)} values were given"
        )
    return optree.tree_unflatten(treedef, flat_sequence)


def assert_same_structure(a, b, check_types=False):
    """Raise ValueError if ``a`` and ``b`` are not nested the same way.

    Example:
        >>> assert_same_structure([1, 2], [3, 4])
    """
    sa = optree.tree_structure(a, none_is_leaf=True, namespace=_NAMESPACE)
    sb = optree.tree_structure(b, none_is_leaf=True, namespace=_NAMESPACE)
    if check_types and sa != sb:
        raise ValueError(f"Structures differ: {sa} vs {sb}")
    if sa.num_leaves != sb.num_leaves:
        raise ValueError(f"Structures differ: {sa} vs {sb}")


def traverse(func, structure, top_down=True):
    """Call ``func`` on every node, containers included; mostly for inspection.

    Example:
        >>> seen = []
        >>> _ = traverse(lambda x: seen.append(x), [1, [2]])
        >>> len(seen) >= 3
        True
    """
    def visit(node):
        if top_down:
            result = func(node)
            if result is not None:
                return result
        if is_nested(node):
            children = optree.tree_flatten(node, is_leaf=lambda x: x is not node,
                                           none_is_leaf=True, namespace=_NAMESPACE)[0]
            for child in children:
                visit(child)
        if not top_down:
            func(node)
        return None

    return visit(structure)


def lists_to_tuples(structure):
    """Turn every list in ``structure`` into a tuple.

    Example:
        >>> lists_to_tuples([1, [2]])
        (1, (2,))
    """
    if isinstance(structure, list):
        return tuple(lists_to_tuples(s) for s in structure)
    if isinstance(structure, tuple):
        return type(structure)(*(lists_to_tuples(s) for s in structure)) if hasattr(structure, "_fields") \
            else tuple(lists_to_tuples(s) for s in structure)
    if isinstance(structure, dict):
        return {k: lists_to_tuples(v) for k, v in structure.items()}
    return structure
