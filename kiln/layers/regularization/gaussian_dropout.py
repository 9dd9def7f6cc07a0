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
from kiln.layers.layer import Layer
from kiln.layers.regularization._common import add_seed_generator, check_rate


class GaussianDropout(Layer):
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
        super().__init__(**kwargs)
        self.rate = check_rate(rate, "GaussianDropout", self.name)
        self.seed = seed
        if rate > 0:
            add_seed_generator(self, seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            noise = random.normal(ops.shape(inputs), mean=1.0, stddev=stddev,
                                  dtype=ops.dtype(inputs), seed=self.seed_generator)
            return ops.multiply(inputs, noise)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config
