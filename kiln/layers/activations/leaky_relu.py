"""``LeakyReLU``: ``x`` for positive inputs, ``negative_slope * x`` otherwise.

Example:
    >>> import kiln
    >>> layer = kiln.layers.LeakyReLU(negative_slope=0.5)
    >>> kiln.ops.convert_to_numpy(layer(kiln.ops.convert_to_tensor([-2.0, 3.0]))).tolist()
    [-1.0, 3.0]
"""

import warnings

from kiln import activations
from kiln.layers.activations.base_activation import BaseActivation
from kiln.layers.activations.relu import check_non_negative


class LeakyReLU(BaseActivation):
    """Leaky rectified linear unit with a fixed ``negative_slope`` (>= 0).

    The deprecated keyword ``alpha`` is accepted as a synonym of
    ``negative_slope`` (with a warning).

    Example:
        >>> LeakyReLU().get_config()["negative_slope"]
        0.3
    """

    _CONFIG = ("negative_slope",)

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("LeakyReLU: argument `alpha` is deprecated, use `negative_slope`.",
                          stacklevel=2)
        super().__init__(**kwargs)
        check_non_negative(self, "negative_slope", negative_slope)
        self.negative_slope = negative_slope

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)
