"""``Dropout``: randomly zeroes inputs during training, scaling the rest up.

Example:
    >>> import kiln
    >>> layer = kiln.layers.Dropout(0.5, seed=1)
    >>> x = kiln.ops.ones((2, 4))
    >>> bool((kiln.ops.convert_to_numpy(layer(x, training=False)) == 1).all())
    True
"""

from kiln import ops, random
from kiln.layers.layer import Layer
from kiln.layers.regularization._common import (
    add_seed_generator,
    check_rate,
    resolve_noise_shape,
)


class Dropout(Layer):
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
        super().__init__(**kwargs)
        self.rate = check_rate(rate, type(self).__name__, self.name)
        self.seed = seed
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self._noise_has_none = self.noise_shape is not None and None in self.noise_shape
        if rate > 0:
            add_seed_generator(self, seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            noise_shape = self.noise_shape
            if self._noise_has_none:
                noise_shape = resolve_noise_shape(noise_shape, ops.shape(inputs))
            return random.dropout(inputs, self.rate, noise_shape=noise_shape, seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed,
                       "noise_shape": list(self.noise_shape) if self.noise_shape is not None else None})
        return config
