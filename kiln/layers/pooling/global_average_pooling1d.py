"""``GlobalAveragePooling1D``: the mean over the steps of a sequence.

Example:
    >>> import kiln
    >>> tuple(kiln.layers.GlobalAveragePooling1D()(kiln.ops.ones((2, 5, 3))).shape)
    (2, 3)
"""

from kiln import ops
from kiln.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean over the time axis; with a ``mask`` (batch, steps) only unmasked steps count.

    Example:
        >>> import kiln
        >>> tuple(kiln.layers.GlobalAveragePooling1D(keepdims=True)(kiln.KerasTensor((None, 7, 3))).shape)
        (None, 1, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(pool_dimensions=1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)
        weights = ops.cast(mask, ops.dtype(inputs))
        weights = ops.expand_dims(weights, 2 if self.data_format == "channels_last" else 1)
        total = ops.sum(ops.multiply(inputs, weights), axis=self._axes, keepdims=self.keepdims)
        count = ops.sum(weights, axis=self._axes, keepdims=self.keepdims)
        return ops.divide(total, ops.maximum(count, 1.0))

    def compute_mask(self, inputs, mask=None):
        """The output has no time axis, so no mask."""
        return None
