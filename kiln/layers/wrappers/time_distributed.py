"""``TimeDistributed``: apply one layer to every time step of a sequence.

Example:
    >>> import kiln
    >>> layer = kiln.layers.TimeDistributed(kiln.layers.Dense(4))
    >>> tuple(layer(kiln.ops.ones((2, 5, 3))).shape)
    (2, 5, 4)
"""

from kiln import ops, tree
from kiln.backend.common import dtypes
from kiln.backend.common.keras_tensor import KerasTensor
from kiln.layers.input_spec import InputSpec
from kiln.layers.wrappers.wrapper import Wrapper, sublayer_output_shape


class TimeDistributed(Wrapper):
    """Apply the wrapped layer to each temporal slice of the input, with shared weights.

    The input has shape ``(batch, time, ...)``; axis 1 is time. The time axis is
    folded into the batch axis, the wrapped layer runs once on the
    ``(batch * time, ...)`` tensor, and the result is unfolded to
    ``(batch, time, ...)``. So every step uses the same weights, and the wrapped
    layer is built for one step's shape ``(batch, ...)``.

    A ``(batch, time, ...)`` mask is folded the same way and handed to a wrapped
    layer whose ``call`` takes ``mask``. A ``(batch, time)`` mask is the output's
    mask too; a finer one gives the output mask the wrapped layer computes (see
    ``compute_mask``).
    Floating outputs come out in the wrapper's compute dtype.

    Args:
        layer: the layer to apply at every step (a ``kiln.layers.Layer``).
        **kwargs: base layer arguments (``name``, ``dtype``, ``trainable``).

    Example:
        >>> import kiln
        >>> x = kiln.Input((10, 8, 8, 3))
        >>> conv = kiln.layers.TimeDistributed(kiln.layers.Conv2D(4, 3))
        >>> tuple(conv(x).shape)
        (None, 10, 6, 6, 4)
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)

    def _child_input_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3 or not all(
                d is None or isinstance(d, int) for d in input_shape):
            raise ValueError(
                f"TimeDistributed '{self.name}': the input must have at least 3 dimensions "
                f"(batch, time, ...); received input_shape={input_shape}"
            )
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        super().build(self._child_input_shape(tuple(input_shape)))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        child_shape = self._child_input_shape(input_shape)
        child_output = sublayer_output_shape(self.layer, child_shape, self.compute_dtype)
        return self._insert_time(child_output, input_shape[1])

    def compute_output_spec(self, inputs, training=None, mask=None):
        child_shape = self._child_input_shape(tuple(inputs.shape))
        child_output = self.layer.compute_output_spec(KerasTensor(child_shape, dtype=inputs.dtype))
        steps = inputs.shape[1]
        return tree.map_structure(
            lambda t: KerasTensor((t.shape[0], steps) + tuple(t.shape[1:]),
                                  dtype=self.compute_dtype if dtypes.is_float(t.dtype) else t.dtype),
            child_output)

    @staticmethod
    def _insert_time(shape, steps):
        if isinstance(shape, (tuple, list)) and all(d is None or isinstance(d, int) for d in shape):
            return (shape[0], steps) + tuple(shape[1:])
        return type(shape)(TimeDistributed._insert_time(s, steps) for s in shape)

    def call(self, inputs, training=None, mask=None):
        shape = ops.shape(inputs)
        if len(shape) < 3:
            raise ValueError(
                f"TimeDistributed '{self.name}': the input must have at least 3 dimensions "
                f"(batch, time, ...); received input shape {tuple(shape)}"
            )
        steps = shape[1]
        folded = ops.reshape(inputs, (-1,) + tuple(shape[2:]))
        kwargs = {"training": training}
        if mask is not None and self.layer._has_mask_arg:
            mask_shape = ops.shape(mask)
            if len(mask_shape) < 2 or any(
                    isinstance(m, int) and isinstance(s, int) and m != s
                    for m, s in zip(mask_shape[:2], shape[:2])):
                raise ValueError(
                    f"TimeDistributed '{self.name}': the mask must have shape (batch, time, ...) "
                    f"matching the input's first two dimensions {tuple(shape[:2])}; received mask "
                    f"shape {tuple(mask_shape)}"
                )
            kwargs["mask"] = ops.reshape(mask, (-1,) + tuple(mask_shape[2:]))
        outputs = self.layer(folded, **kwargs)
        return tree.map_structure(
            lambda y: self._cast_float(ops.reshape(y, (-1, steps) + tuple(ops.shape(y)[1:]))), outputs)

    def compute_mask(self, inputs, mask):
        """A ``(batch, time)`` mask passes through; a finer one goes through the wrapped layer.

        For a ``(batch, time, ...)`` mask, the wrapped layer's ``compute_mask`` on the
        folded input and mask gives the per-step output mask (unfolded back); when it
        gives None, a step is kept if any of its entries is.
        """
        if mask is None or len(mask.shape) <= 2:
            return mask
        mask_shape, input_shape = ops.shape(mask), ops.shape(inputs)
        steps = mask_shape[1]
        inner = self.layer.compute_mask(ops.reshape(inputs, (-1,) + tuple(input_shape[2:])),
                                        ops.reshape(mask, (-1,) + tuple(mask_shape[2:])))
        if inner is None:
            return ops.any(mask, axis=tuple(range(2, len(mask_shape))))
        return ops.reshape(inner, (-1, steps) + tuple(ops.shape(inner)[1:]))

    def _cast_float(self, y):
        dtype = ops.dtype(y)
        if dtype != self.compute_dtype and dtypes.is_float(dtype):
            return ops.cast(y, self.compute_dtype)
        return y
