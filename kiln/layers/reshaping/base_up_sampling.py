"""``BaseUpSampling``: the shared body of UpSampling1D/2D/3D.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.UpSampling3D((2, 1, 3))(kiln.ops.ones((1, 2, 2, 2, 1))).shape)
    (1, 4, 2, 6, 1)
"""

from kiln import ops
from kiln.layers.argument_validation import standardize_data_format, standardize_tuple
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.layers.reshaping.spatial_args import spatial_axes


class BaseUpSampling(Layer):
    """Repeats every entry of the ``rank`` spatial axes by the factors in ``size``.

    UpSampling1D (``data_format=None`` here) keeps ``size`` as one positive int
    and always repeats axis 1; 2D/3D keep ``rank`` factors and a ``data_format``.
    """

    def __init__(self, rank, size, data_format, **kwargs):
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} '{self.name}'"
        self._rank = rank
        if rank == 1:
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise ValueError(f"{owner}: `size` must be a positive integer; received size={size!r}")
            self.size = size
        else:
            self.size = standardize_tuple(size, rank, "size", owner)
            self.data_format = standardize_data_format(data_format, owner)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _factors_per_axis(self):
        """``(axis, factor)`` for each spatial axis."""
        if self._rank == 1:
            return ((1, self.size),)
        return tuple(zip(spatial_axes(self._rank, self.data_format), self.size))

    def call(self, inputs):
        out = inputs
        for axis, factor in self._factors_per_axis():
            if factor != 1:
                out = ops.repeat(out, factor, axis=axis)
        return out

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, factor in self._factors_per_axis():
            if out[axis] is not None:
                out[axis] = out[axis] * factor
        return tuple(out)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        if self._rank > 1:
            config["data_format"] = self.data_format
        return config
