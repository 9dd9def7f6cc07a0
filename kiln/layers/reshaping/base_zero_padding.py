"""``BaseZeroPadding``: the shared body of ZeroPadding1D/2D/3D.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.ZeroPadding2D(((1, 0), (0, 2)))(kiln.ops.ones((1, 2, 2, 3))).shape)
    (1, 3, 4, 3)
"""

from kiln import ops
from kiln.layers.argument_validation import standardize_data_format
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.layers.reshaping.spatial_args import pair, pairs_per_axis, spatial_axes


class BaseZeroPadding(Layer):
    """Adds ``(before, after)`` zeros around each of the ``rank`` spatial axes.

    ``padding`` is validated per the subclass's rank (1D: an int or one pair,
    kept as that pair; 2D/3D: an int, ``rank`` ints or ``rank`` pairs, kept as
    ``rank`` pairs).
    """

    def __init__(self, rank, padding, data_format, **kwargs):
        owner = type(self).__name__
        if rank == 1:
            padding = pair(padding, "padding", owner)
            pairs = (padding,)
        else:
            padding = pairs = pairs_per_axis(padding, rank, "padding", owner)
        data_format = standardize_data_format(data_format, owner)
        super().__init__(**kwargs)
        self.padding = padding
        self.data_format = data_format
        width = [(0, 0)] * (rank + 2)
        for axis, p in zip(spatial_axes(rank, data_format), pairs):
            width[axis] = tuple(p)
        self._pad_width = tuple(width)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        return ops.pad(inputs, self._pad_width)

    def compute_output_shape(self, input_shape):
        return tuple(None if d is None else d + a + b for d, (a, b) in zip(input_shape, self._pad_width))

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
