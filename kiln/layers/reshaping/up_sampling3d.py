"""``UpSampling3D``: repeats the voxels of volumes along the three spatial axes.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.UpSampling3D()(kiln.ops.ones((1, 1, 2, 3, 4))).shape)
    (1, 2, 4, 6, 4)
"""

from kiln import ops
from kiln.layers.argument_validation import standardize_data_format, standardize_tuple
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.layers.reshaping.spatial_args import spatial_axes


class UpSampling3D(Layer):
    """Repeats each voxel ``size = (d, h, w)`` times along the spatial axes.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.UpSampling3D((1, 2, 3))(kiln.KerasTensor((None, 2, 2, 2, 1))).shape)
        (None, 2, 4, 6, 1)
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = f"UpSampling3D '{self.name}'"
        self.size = standardize_tuple(size, 3, "size", owner)
        self.data_format = standardize_data_format(data_format, owner)
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs):
        out = inputs
        for axis, factor in zip(spatial_axes(3, self.data_format), self.size):
            if factor != 1:
                out = ops.repeat(out, factor, axis=axis)
        return out

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, factor in zip(spatial_axes(3, self.data_format), self.size):
            if out[axis] is not None:
                out[axis] = out[axis] * factor
        return tuple(out)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config
