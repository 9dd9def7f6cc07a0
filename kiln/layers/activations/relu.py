"""``ReLU``: the rectified linear unit as a layer, optionally leaky, capped and shifted.

Example:
    >>> import kiln
    >>> layer = kiln.layers.ReLU(max_value=1.0)
    >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([-1.0, 0.5, 3.0]))).tolist()
    [0.0, 0.5, 1.0]
"""

from kiln import activations
from kiln.layers.activations.base_activation import BaseActivation


def check_non_negative(layer, name, value, allow_none=False):
    """Raise ValueError naming ``layer`` and ``name`` unless ``value`` is a number >= 0."""
    if value is None and allow_none:
        return
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `{name}` must be a non-negative number"
            f"{' or None' if allow_none else ''}; received {name}={value!r}"
        )


class ReLU(BaseActivation):
    """Applies ``relu(x, negative_slope, max_value, threshold)`` element-wise.

    The output is ``max_value`` for ``x >= max_value``, ``x`` for
    ``threshold <= x < max_value`` and ``negative_slope * (x - threshold)``
    below ``threshold``.

    Args:
        max_value: non-negative float or None (no cap).
        negative_slope: non-negative slope below the threshold.
        threshold: non-negative float, where the linear part starts.

    Example:
        >>> import kiln
        >>> layer = ReLU(negative_slope=0.5, threshold=1.0)
        >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([0.0, 2.0]))).tolist()
        [-0.5, 2.0]
    """

    _CONFIG = ("max_value", "negative_slope", "threshold")

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        check_non_negative(self, "max_value", max_value, allow_none=True)
        check_non_negative(self, "negative_slope", negative_slope)
        check_non_negative(self, "threshold", threshold)
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)
