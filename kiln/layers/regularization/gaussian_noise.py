"""``GaussianNoise``: adds zero-centred Gaussian noise in training (a regularizer).

Example:
    >>> import kiln
    >>> layer = kiln.layers.GaussianNoise(0.1, seed=0)
    >>> x = kiln.ops.zeros((2, 3))
    >>> bool((kiln.ops.convert_to_numpy(layer(x, training=False)) == 0).all())
    True
"""

from kiln import ops, random
from kiln.layers.regularization._common import BaseNoiseLayer


class GaussianNoise(BaseNoiseLayer):
    """Adds ``N(0, stddev**2)`` noise to the inputs when ``training`` is true.

    Args:
        stddev: float in ``[0, 1]``, the noise's standard deviation.
        seed: int or None, for reproducible noise.

    Example:
        >>> GaussianNoise(0.2).get_config()["stddev"]
        0.2
    """

    _AMOUNT = "stddev"

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(stddev, seed=seed, **kwargs)

    def _apply_noise(self, inputs):
        noise = random.normal(ops.shape(inputs), mean=0.0, stddev=self.stddev,
                              dtype=ops.dtype(inputs), seed=self.seed_generator)
        return ops.add(inputs, noise)
