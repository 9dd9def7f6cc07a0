"""Functional forms of the merging layers: ``add([a, b])`` is ``Add()([a, b])``.

Example:
    >>> import kiln
    >>> kiln.layers.add([kiln.KerasTensor((None, 3)), kiln.KerasTensor((None, 3))]).shape
    (None, 3)
"""

from kiln.layers.merging.add import Add
from kiln.layers.merging.average import Average
from kiln.layers.merging.concatenate import Concatenate
from kiln.layers.merging.maximum import Maximum
from kiln.layers.merging.minimum import Minimum
from kiln.layers.merging.multiply import Multiply
from kiln.layers.merging.subtract import Subtract


def add(inputs, **kwargs):
    """Element-wise sum of ``inputs``: ``Add(**kwargs)(inputs)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(add([kiln.ops.ones((1, 2)), kiln.ops.ones((1, 2))])).tolist()
        [[2.0, 2.0]]
    """
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``inputs[0] - inputs[1]``: ``Subtract(**kwargs)(inputs)``.

    Example:
        >>> import kiln
        >>> kiln.ops.convert_to_numpy(subtract([kiln.ops.ones((1, 2)), kiln.ops.ones((1, 2))])).tolist()
        [[0.0, 0.0]]
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Element-wise product of ``inputs``: ``Multiply(**kwargs)(inputs)``.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([[2.0, 3.0]])
        >>> kiln.ops.convert_to_numpy(multiply([x, x])).tolist()
        [[4.0, 9.0]]
    """
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Element-wise mean of ``inputs``: ``Average(**kwargs)(inputs)``.

    Example:
        >>> import kiln
        >>> a, b = kiln.ops.convert_to_tensor([[1.0]]), kiln.ops.convert_to_tensor([[3.0]])
        >>> kiln.ops.convert_to_numpy(average([a, b])).tolist()
        [[2.0]]
    """
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Element-wise maximum of ``inputs``: ``Maximum(**kwargs)(inputs)``.

    Example:
        >>> import kiln
        >>> a, b = kiln.ops.convert_to_tensor([[1.0, 5.0]]), kiln.ops.convert_to_tensor([[3.0, 2.0]])
        >>> kiln.ops.convert_to_numpy(maximum([a, b])).tolist()
        [[3.0, 5.0]]
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Element-wise minimum of ``inputs``: ``Minimum(**kwargs)(inputs)``.

    Example:
        >>> import kiln
        >>> a, b = kiln.ops.convert_to_tensor([[1.0, 5.0]]), kiln.ops.convert_to_tensor([[3.0, 2.0]])
        >>> kiln.ops.convert_to_numpy(minimum([a, b])).tolist()
        [[1.0, 2.0]]
    """
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Joins ``inputs`` along ``axis``: ``Concatenate(axis=axis, **kwargs)(inputs)``.

    Example:
        >>> import kiln
        >>> tuple(concatenate([kiln.ops.ones((2, 3)), kiln.ops.ones((2, 1))]).shape)
        (2, 4)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)
