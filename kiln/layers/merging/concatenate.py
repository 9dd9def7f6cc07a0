"""``Concatenate``: joins a list of tensors along one axis.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Concatenate()([kiln.ops.ones((2, 3)), kiln.ops.ones((2, 5))]).shape)
    (2, 8)
"""

from kiln import ops
from kiln.layers.merging.base_merge import Merge


class Concatenate(Merge):
    """Concatenates inputs along ``axis``; all other axes must match.

    Example:
        >>> import kiln
        >>> kiln.layers.Concatenate(axis=1)([kiln.KerasTensor((None, 2, 4)),
        ...                                  kiln.KerasTensor((None, 3, 4))]).shape
        (None, 5, 4)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _check_shapes(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        where = f"Concatenate '{self.name}'"
        if any(len(s) != rank for s in shapes):
            raise ValueError(
                f"{where}: all inputs must have the same rank; received input_shape={shapes}"
            )
        if not -rank <= self.axis < rank:
            raise ValueError(f"{where}: axis={self.axis} is out of range for inputs of rank {rank}; "
                             f"received input_shape={shapes}")
        axis = self.axis % rank
        for i in range(rank):
            if i == axis:
                continue
            sizes = {s[i] for s in shapes if s[i] is not None}
            if len(sizes) > 1:
                raise ValueError(
                    f"{where}: inputs must have matching shapes except for the concatenation "
                    f"axis {self.axis}; received input_shape={shapes}"
                )
        return shapes, axis

    def _merge_function(self, inputs):
        return ops.concatenate(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        shapes, axis = self._check_shapes(input_shape)
        out = []
        for i in range(len(shapes[0])):
            if i == axis:
                sizes = [s[i] for s in shapes]
                out.append(None if None in sizes else sum(sizes))
            else:
                known = [s[i] for s in shapes if s[i] is not None]
                out.append(known[0] if known else None)
        return tuple(out)

    def compute_mask(self, inputs, mask=None):
        """Per-position mask of the output: the inputs' masks broadcast to their shapes,
        concatenated along ``axis``, then reduced with ``all`` over the last axis."""
        if mask is None or all(m is None for m in mask):
            return None
        full = []
        for x, m in zip(inputs, mask):
            shape = ops.shape(x)
            if m is None:
                full.append(ops.ones(shape, dtype="bool"))
                continue
            while len(ops.shape(m)) < len(shape):
                m = ops.expand_dims(m, -1)
            full.append(ops.broadcast_to(ops.cast(m, "bool"), shape))
        return ops.all(ops.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
