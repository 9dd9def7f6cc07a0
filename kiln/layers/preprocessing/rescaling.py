"""``Rescaling``: ``inputs * scale + offset`` in the compute dtype.

Example:
    >>> import kiln
    >>> layer = kiln.layers.Rescaling(1 / 255)
    >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([[255.0, 0.0]]))).tolist()
    [[1.0, 0.0]]
"""

from kiln import config
from kiln.layers.preprocessing.data_layer import DataLayer
from kiln.saving import serialization_lib


class Rescaling(DataLayer):
    """Multiplies inputs by ``scale`` and adds ``offset`` (e.g. ``1/255`` maps pixels to ``[0, 1]``).

    Args:
        scale: a float, or a per-channel list/array broadcast over the channel axis.
        offset: a float (or per-channel values) added after scaling.

    Works in a model and in ``tf.data`` on every backend; outputs are in the
    layer's compute dtype.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.Rescaling(scale=2.0, offset=-1.0)
        >>> kiln.ops.convert_to_numpy(layer(kiln.ops.ones((1, 2)))).tolist()
        [[1.0, 1.0]]
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("scale", scale), ("offset", offset)):
            if value is None or isinstance(value, (str, bool)):
                raise ValueError(f"Rescaling '{self.name}': `{name}` must be a number or an array of "
                                 f"numbers; received {name}={value!r}")
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def _broadcastable(self, value, dtype):
        b = self.backend
        value = b.core.cast(b.core.convert_to_tensor(value), dtype)
        shape = tuple(b.core.shape(value))
        if len(shape) > 0 and config.image_data_format() == "channels_first":
            value = b.numpy.reshape(value, shape + (1,) * (3 - len(shape)))
        return value

    def call(self, inputs):
        b = self.backend
        dtype = self.compute_dtype
        scale = self._broadcastable(self.scale, dtype)
        offset = self._broadcastable(self.offset, dtype)
        return b.numpy.add(b.numpy.multiply(b.core.cast(inputs, dtype), scale), offset)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "scale": serialization_lib.serialize_kiln_object(self.scale),
            "offset": serialization_lib.serialize_kiln_object(self.offset),
        })
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("scale", "offset"):
            if isinstance(config.get(key), dict):
                config[key] = serialization_lib.deserialize_kiln_object(config[key])
        return super().from_config(config)
