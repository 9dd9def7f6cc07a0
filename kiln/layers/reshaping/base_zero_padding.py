"""``BaseZeroPadding``: the shared body of ZeroPadding1D/2D/3D.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.ZeroPadding2D(((1, 0), (0, 2)))(kiln.ops.ones((1, 2, 2, 3))).shape)
    (1, 3, 4, 3)
"""

from kiln import ops
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.layers.reshaping.spatial_args import spatial_axes


class BaseZeroPadding(Layer):
    """Adds ``pairs[i] = (before, after)`` zeros around each spatial axis ``i``."""

    def __init__(self, rank, pairs, data_format, **kwargs):
        super().__init__(**kwargs)
        self._rank = rank
        self._data_format = data_format
        width = [(0, 0)] * (rank + 2)
        for axis, p in zip(spatial_axes(rank, data_format), pairs):
            width[axis] = tuple(p)
        self._pad_width = tuple(width)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        return ops.pad(inputs, self._pad_width)

    def compute_output_shape(self, input_shape):
        return tuple(None if d is None else d + a + b for d, (a, b) in zip(input_shape, self._pad_width))
