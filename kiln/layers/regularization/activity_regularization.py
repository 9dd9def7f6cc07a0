"""``ActivityRegularization``: the identity, plus an L1/L2 penalty on its input.

Example:
    >>> import kiln
    >>> layer = kiln.layers.ActivityRegularization(l1=0.1)
    >>> _ = layer(kiln.ops.ones((1, 3)))
    >>> round(float(kiln.ops.convert_to_numpy(layer.losses[0])), 4)
    0.3
"""

from kiln import regularizers
from kiln.layers.layer import Layer


class ActivityRegularization(Layer):
    """Returns its input unchanged and adds ``L1L2(l1, l2)`` of it to ``losses``.

    Args:
        l1: non-negative L1 factor.
        l2: non-negative L2 factor.

    Example:
        >>> ActivityRegularization(l2=0.01).get_config()["l2"]
        0.01
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        for arg, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(
                    f"ActivityRegularization: `{arg}` must be a non-negative number; "
                    f"received {arg}={value!r}")
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config
