"""``Dropout``: randomly zeroes inputs during training, scaling the rest up.

Example:
    >>> import kiln
    >>> layer = kiln.layers.Dropout(0.5, seed=1)
    >>> x = kiln.ops.ones((2, 4))
    >>> bool((kiln.ops.convert_to_numpy(layer(x, training=False)) == 1).all())
    True
"""

from kiln import random
from kiln.layers.regularization._common import BaseMaskNoiseLayer


class Dropout(BaseMaskNoiseLayer):
    """Sets a fraction ``rate`` of inputs to 0 in training, multiplying the others by ``1/(1-rate)``.

    At inference (``training`` False or None) the layer is the identity.

    Args:
        rate: float in ``[0, 1]``, the fraction of units to drop.
        noise_shape: optional shape of the binary mask, broadcast against the
            input (e.g. ``(batch, 1, features)`` drops the same features at
            every timestep); None entries take the input's size.
        seed: int or None, for reproducible masks.

    Example:
        >>> Dropout(0.25).get_config()["rate"]
        0.25
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(rate, noise_shape=noise_shape, seed=seed, **kwargs)

    def _apply_noise(self, inputs):
        return random.dropout(inputs, self.rate, noise_shape=self._noise_shape_of(inputs),
                              seed=self.seed_generator)
