"""``Merge``: the base of layers that combine a list of tensors element-wise.

Inputs must have broadcast-compatible shapes (NumPy broadcasting, the batch
axis included).

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Add()([kiln.ops.ones((2, 3)), kiln.ops.ones((2, 3))]).shape)
    (2, 3)
"""

from kiln import ops
from kiln.layers.layer import Layer


def fold(function, tensors):
    """``function`` applied left to right over ``tensors``: ``f(f(t0, t1), t2)...``.

    Example:
        >>> fold(lambda a, b: a + b, [1, 2, 3])
        6
    """
    out = tensors[0]
    for tensor in tensors[1:]:
        out = function(out, tensor)
    return out


class Merge(Layer):
    """Combines a list of at least two tensors with :meth:`_merge_function`.

    Subclasses implement ``_merge_function(inputs)``; shapes are checked when
    the layer builds, with an error naming the layer and the received shapes.
    Subclasses with their own shape rule override :meth:`_check_shapes` (it
    validates ``input_shape`` and returns what ``compute_output_shape`` needs).
    """

    _min_inputs = 2
    _max_inputs = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_inputs(self, input_shape):
        where = f"{type(self).__name__} '{self.name}'"
        if not isinstance(input_shape, (list, tuple)) or not input_shape or not isinstance(
                input_shape[0], (list, tuple)):
            raise ValueError(f"{where}: a merge layer must be called on a list of inputs; "
                             f"received input_shape={input_shape}")
        if len(input_shape) < self._min_inputs or (
                self._max_inputs is not None and len(input_shape) > self._max_inputs):
            expected = (f"exactly {self._min_inputs}" if self._max_inputs == self._min_inputs
                        else f"at least {self._min_inputs}")
            raise ValueError(f"{where}: expected {expected} inputs, received {len(input_shape)} "
                             f"inputs with shapes {list(map(tuple, input_shape))}")

    def _broadcast_shapes(self, input_shape):
        shapes = [tuple(s) for s in input_shape]
        rank = max(len(s) for s in shapes)
        out = []
        for i in range(rank):
            dim = 1
            for s in shapes:
                offset = rank - len(s)
                d = s[i - offset] if i >= offset else 1
                if d is None:
                    dim = None if dim == 1 else dim
                elif d != 1:
                    if dim not in (1, None) and dim != d:
                        raise ValueError(
                            f"{type(self).__name__} '{self.name}': inputs must have compatible "
                            f"shapes (equal or broadcastable); received shapes {shapes}"
                        )
                    dim = d
            out.append(dim)
        return tuple(out)

    def _check_shapes(self, input_shape):
        self._check_inputs(input_shape)
        return self._broadcast_shapes(input_shape)

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.built = True

    def call(self, inputs):
        return self._merge_function(list(inputs))

    def _merge_function(self, inputs):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return self._check_shapes(input_shape)

    def compute_mask(self, inputs, mask=None):
        """The element-wise AND of the inputs' masks (None if no input has one)."""
        if mask is None or all(m is None for m in mask):
            return None
        return fold(ops.logical_and, [m for m in mask if m is not None])
