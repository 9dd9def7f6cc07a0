"""``GaussianDropout``: multiplies the inputs by noise drawn from ``N(1, rate / (1 - rate))``.

Example:
    >>> import kiln
    >>> layer = kiln.layers.GaussianDropout(0.3, seed=0)
    >>> x = kiln.ops.ones((2, 3))
    >>> bool((kiln.ops.convert_to_numpy(layer(x, training=False)) == 1).all())
    True
"""

import math

from kiln import ops, random
from kiln.layers.regularization._common import BaseNoiseLayer


class GaussianDropout(BaseNoiseLayer):
    """Multiplicative 1-centred Gaussian noise with standard deviation
    ``sqrt(rate / (1 - rate))``, applied only in training (mean preserved).

    Args:
        rate: float in ``[0, 1]``, the drop probability the noise mimics.
        seed: int or None, for reproducible noise.

    Example:
        >>> GaussianDropout(0.5, seed=3).get_config()["seed"]
        3
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)

    def _apply_noise(self, inputs):
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = random.normal(ops.shape(inputs), mean=1.0, stddev=stddev,
                              dtype=ops.dtype(inputs), seed=self.seed_generator)
        return ops.multiply(inputs, noise)
