"""``BaseCropping``: the shared body of Cropping1D/2D/3D.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.Cropping2D(((1, 0), (0, 2)))(kiln.ops.ones((1, 4, 5, 3))).shape)
    (1, 3, 3, 3)
"""

from kiln.layers.argument_validation import standardize_data_format
from kiln.layers.input_spec import InputSpec
from kiln.layers.layer import Layer
from kiln.layers.reshaping.spatial_args import pair, pairs_per_axis, spatial_axes


class BaseCropping(Layer):
    """Removes ``(before, after)`` entries from each of the ``rank`` spatial axes.

    Cropping1D (``data_format=None`` here) always crops axis 1 and keeps
    ``cropping`` as one pair; 2D/3D keep ``rank`` pairs and a ``data_format``.
    """

    def __init__(self, rank, cropping, data_format, **kwargs):
        owner = type(self).__name__
        if rank == 1:
            cropping = pair(cropping, "cropping", owner)
            self._pairs = (cropping,)
        else:
            cropping = self._pairs = pairs_per_axis(cropping, rank, "cropping", owner)
            data_format = standardize_data_format(data_format, owner)
        super().__init__(**kwargs)
        self._rank = rank
        self.cropping = cropping
        self.data_format = data_format
        self._data_format = data_format or "channels_last"
        self.input_spec = InputSpec(ndim=rank + 2)

    def _check(self, input_shape):
        for axis, (before, after) in zip(spatial_axes(self._rank, self._data_format), self._pairs):
            size = input_shape[axis]
            if size is not None and before + after >= size:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': cropping {(before, after)} removes "
                    f"everything from axis {axis} of size {size}; the values in `cropping` must sum "
                    f"to less than the spatial size. Received input_shape={tuple(input_shape)}"
                )

    def build(self, input_shape):
        self._check(input_shape)
        self.built = True

    def call(self, inputs):
        index = [slice(None)] * (self._rank + 2)
        for axis, (before, after) in zip(spatial_axes(self._rank, self._data_format), self._pairs):
            index[axis] = slice(before, -after if after else None)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        out = list(input_shape)
        for axis, (before, after) in zip(spatial_axes(self._rank, self._data_format), self._pairs):
            if out[axis] is not None:
                out[axis] = out[axis] - before - after
        return tuple(out)

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping
        if self.data_format is not None:
            config["data_format"] = self.data_format
        return config
