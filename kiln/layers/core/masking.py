"""``Masking``: marks the time steps whose features all equal ``mask_value`` as padding.

Example:
    >>> import kiln, numpy as np
    >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], dtype="float32")
    >>> layer = kiln.layers.Masking(mask_value=0.0)
    >>> kiln.ops.convert_to_numpy(layer.compute_mask(x)).tolist()
    [[True, False, True]]
"""

from kiln import ops
from kiln.layers.layer import Layer


class Masking(Layer):
    """Zeroes the time steps equal to ``mask_value`` on every feature and masks them.

    For an input ``(batch, steps, features)``, step ``t`` is masked when
    ``inputs[:, t, :] == mask_value`` everywhere; the output holds zeros there
    and carries the boolean mask ``(batch, steps)`` that downstream
    mask-aware layers (RNNs, pooling, attention) read.

    Args:
        mask_value: the padding value to detect.

    Example:
        >>> import kiln, numpy as np
        >>> x = np.array([[[5.0], [9.0]]], dtype="float32")
        >>> kiln.ops.convert_to_numpy(kiln.layers.Masking(9.0)(x)).ravel().tolist()
        [5.0, 0.0]
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, (int, float)):
            try:
                mask_value = float(mask_value)
            except (TypeError, ValueError):
                raise ValueError(f"Masking '{self.name}': `mask_value` must be a number; "
                                 f"received mask_value={mask_value!r}") from None
        self.mask_value = mask_value
        self.supports_masking = True

    def _keep(self, inputs):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)

    def call(self, inputs):
        keep = self._keep(inputs)
        return ops.multiply(inputs, ops.cast(keep, inputs.dtype))

    def compute_mask(self, inputs, mask=None):
        return ops.squeeze(self._keep(inputs), axis=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
