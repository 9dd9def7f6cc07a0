"""``Softmax``: normalized exponentials along one or more axes, with an optional mask.

Example:
    >>> import kiln
    >>> y = kiln.layers.Softmax()(kiln.ops.convert_to_tensor([[1.0, 1.0]]))
    >>> kiln.ops.convert_to_numpy(y).tolist()
    [[0.5, 0.5]]
"""

from kiln import activations, ops
from kiln.layers.activations.base_activation import BaseActivation


def _large_negative(dtype):
    # float16 cannot hold -1e9; -3e4 still drives exp() to 0.
    return -3e4 if dtype == "float16" else -1e9


class Softmax(BaseActivation):
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or a list of ints).

    ``mask`` (broadcastable to the input, True = keep; a lower-rank mask such as
    a propagated ``(batch, steps)`` one gets trailing axes added) pushes masked positions
    to a large negative number before the softmax and zeroes them after, so
    each slice's kept entries sum to 1.

    Example:
        >>> import kiln
        >>> x = kiln.ops.convert_to_tensor([[1.0, 2.0, 3.0]])
        >>> mask = kiln.ops.convert_to_tensor([[True, True, False]])
        >>> y = kiln.ops.convert_to_numpy(Softmax()(x, mask=mask))
        >>> [round(float(v), 4) for v in y[0]]
        [0.2689, 0.7311, 0.0]
    """

    _CONFIG = ("axis",)

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            if not axis or not all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
                raise ValueError(f"Softmax '{self.name}': `axis` must be an int or a non-empty "
                                 f"list of ints; received axis={axis!r}")
            axis = list(axis)
        elif isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"Softmax '{self.name}': `axis` must be an int or a non-empty list "
                             f"of ints; received axis={axis!r}")
        self.axis = axis

    def call(self, inputs, mask=None):
        dtype = ops.dtype(inputs)
        if mask is not None:
            # A propagated (batch, steps) mask covers every feature of its step.
            while len(ops.shape(mask)) < len(ops.shape(inputs)):
                mask = ops.expand_dims(mask, -1)
            keep = ops.cast(mask, dtype)
            inputs = ops.add(inputs, ops.multiply(ops.subtract(1.0, keep), _large_negative(dtype)))
        if isinstance(self.axis, list) and len(self.axis) > 1:
            axis = tuple(self.axis)
            outputs = ops.exp(ops.subtract(inputs, ops.logsumexp(inputs, axis=axis, keepdims=True)))
        else:
            axis = self.axis[0] if isinstance(self.axis, list) else self.axis
            outputs = activations.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = ops.multiply(outputs, ops.cast(mask, ops.dtype(outputs)))
        return outputs
