"""``SpatialDropout1D/2D/3D``: dropout of whole feature maps (channels).

Adjacent positions of a feature map are strongly correlated, so dropping
single elements barely regularizes; these layers drop entire channels,
keeping one keep/drop decision per (sample, channel).

Example:
    >>> import kiln
    >>> layer = kiln.layers.SpatialDropout1D(0.5, seed=0)
    >>> tuple(layer(kiln.ops.ones((2, 4, 3)), training=True).shape)
    (2, 4, 3)
"""

from kiln import ops
from kiln.layers.argument_validation import standardize_data_format
from kiln.layers.input_spec import InputSpec
from kiln.layers.regularization.dropout import Dropout


class _SpatialDropout(Dropout):
    """Dropout whose noise shape is ``(batch, 1, ..., 1, channels)`` (or channels first)."""

    _RANK = None

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.input_spec = InputSpec(ndim=self._RANK)

    def _noise_shape_of(self, inputs):
        shape = ops.shape(inputs)
        if getattr(self, "data_format", "channels_last") == "channels_first":
            return (shape[0], shape[1]) + (1,) * (self._RANK - 2)
        return (shape[0],) + (1,) * (self._RANK - 2) + (shape[-1],)

    def get_config(self):
        base = super().get_config()
        return {"rate": self.rate, "seed": self.seed, "name": base["name"], "dtype": base["dtype"]}


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of ``(batch, steps, channels)`` inputs in training.

    Args:
        rate: float in ``[0, 1]``, the fraction of channels dropped.
        seed: int or None.
        name, dtype: as for every layer.

    Example:
        >>> import kiln
        >>> y = SpatialDropout1D(0.5, seed=1)(kiln.ops.ones((1, 5, 4)), training=True)
        >>> v = kiln.ops.convert_to_numpy(y)
        >>> bool((v == v[:, :1, :]).all())
        True
    """

    _RANK = 3


class _SpatialDropoutND(_SpatialDropout):
    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = standardize_data_format(data_format, f"{type(self).__name__} '{self.name}'")

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class SpatialDropout2D(_SpatialDropoutND):
    """Drops whole channels of 4D image batches in training.

    Args:
        rate: float in ``[0, 1]``, the fraction of channels dropped.
        data_format: ``"channels_last"`` ``(batch, rows, cols, channels)`` or
            ``"channels_first"`` ``(batch, channels, rows, cols)``; None reads
            ``kiln.config.image_data_format()``.
        seed: int or None.
        name, dtype: as for every layer.

    Example:
        >>> import kiln
        >>> y = SpatialDropout2D(0.5, seed=1)(kiln.ops.ones((1, 3, 3, 4)), training=True)
        >>> v = kiln.ops.convert_to_numpy(y)
        >>> bool((v == v[:, :1, :1, :]).all())
        True
    """

    _RANK = 4


class SpatialDropout3D(_SpatialDropoutND):
    """Drops whole channels of 5D volume batches in training.

    Args:
        rate: float in ``[0, 1]``, the fraction of channels dropped.
        data_format: ``"channels_last"`` ``(batch, d1, d2, d3, channels)`` or
            ``"channels_first"`` ``(batch, channels, d1, d2, d3)``; None reads
            ``kiln.config.image_data_format()``.
        seed: int or None.
        name, dtype: as for every layer.

    Example:
        >>> import kiln
        >>> y = SpatialDropout3D(0.5, seed=1)(kiln.ops.ones((1, 2, 2, 2, 3)), training=True)
        >>> tuple(y.shape)
        (1, 2, 2, 2, 3)
    """

    _RANK = 5
