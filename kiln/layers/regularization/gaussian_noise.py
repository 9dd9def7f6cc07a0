"""``GaussianNoise``: adds zero-centred Gaussian noise in training (a regularizer).

Example:
    >>> import kiln
    >>> layer = kiln.layers.GaussianNoise(0.1, seed=0)
    >>> x = kiln.ops.zeros((2, 3))
    >>> bool((kiln.ops.convert_to_numpy(layer(x, training=False)) == 0).all())
    True
"""

from kiln import ops, random
from kiln.layers.layer import Layer
from kiln.layers.regularization._common import add_seed_generator, check_rate


class GaussianNoise(Layer):
    """Adds ``N(0, stddev**2)`` noise to the inputs when ``training`` is true.

    Args:
        stddev: float in ``[0, 1]``, the noise's standard deviation.
        seed: int or None, for reproducible noise.

    Example:
        >>> GaussianNoise(0.2).get_config()["stddev"]
        0.2
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = check_rate(stddev, "GaussianNoise", self.name, arg="stddev")
        self.seed = seed
        if stddev > 0:
            add_seed_generator(self, seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            noise = random.normal(ops.shape(inputs), mean=0.0, stddev=self.stddev,
                                  dtype=ops.dtype(inputs), seed=self.seed_generator)
            return ops.add(inputs, noise)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config
