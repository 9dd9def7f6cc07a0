"""``Dropout``: randomly zeroes inputs during training, scaling the rest up.

Example:
    >>> import kiln
    >>> layer = kiln.layers.Dropout(0.5, seed=1)
    >>> x = kiln.ops.ones((2, 4))
    >>> bool((kiln.ops.convert_to_numpy(layer(x, training=False)) == 1).all())
    True
"""

from kiln import random
from kiln.backend.common.scopes import name_scope
from kiln.layers.layer import Layer


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
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(
                f"Dropout '{self.name}': invalid value received for argument `rate`, expected a "
                f"float between 0 and 1; received rate={rate!r}"
            )
        self.rate = rate
        self.seed = seed
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self._noise_has_none = self.noise_shape is not None and None in self.noise_shape
        if rate > 0:
            # Created under the layer's scope: its state's path is "<layer>/seed_generator/...".
            with name_scope(self.name, caller=self):
                self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            noise_shape = self.noise_shape
            if self._noise_has_none:
                shape = inputs.shape
                noise_shape = tuple(shape[i] if d is None else d for i, d in enumerate(noise_shape))
            return random.dropout(inputs, self.rate, noise_shape=noise_shape, seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed,
                       "noise_shape": list(self.noise_shape) if self.noise_shape is not None else None})
        return config
