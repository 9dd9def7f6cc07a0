"""``AlphaDropout``: dropout that keeps the self-normalizing property of SELU activations.

Example:
    >>> import kiln
    >>> layer = kiln.layers.AlphaDropout(0.2, seed=0)
    >>> x = kiln.ops.ones((2, 3))
    >>> bool((kiln.ops.convert_to_numpy(layer(x)) == 1).all())
    True
"""

from kiln import ops, random
from kiln.layers.regularization._common import BaseMaskNoiseLayer, resolve_noise_shape

# The SELU constants: dropped units are set to SELU's negative saturation value.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(BaseMaskNoiseLayer):
    """In training, sets a fraction ``rate`` of the inputs to ``-alpha * scale`` (SELU's
    negative limit), then applies the affine map ``a * x + b`` that restores the
    inputs' mean and variance (for zero-mean, unit-variance inputs). At
    inference the layer is the identity.

    Args:
        rate: float in ``[0, 1]``, the fraction of units dropped.
        noise_shape: optional shape of the keep/drop pattern, broadcast
            against the input; None entries take the input's size.
        seed: int or None, for reproducible patterns.

    Example:
        >>> AlphaDropout(0.1).get_config()["rate"]
        0.1
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(rate, noise_shape=noise_shape, seed=seed, **kwargs)

    def _apply_noise(self, inputs):
        noise_shape = resolve_noise_shape(self.noise_shape, ops.shape(inputs))
        dtype = ops.dtype(inputs)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        kept = ops.cast(ops.greater_equal(
            random.uniform(noise_shape, dtype="float32", seed=self.seed_generator), self.rate), dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = ops.add(ops.multiply(inputs, kept), ops.multiply(ops.subtract(1.0, kept), alpha_p))
        return ops.add(ops.multiply(x, a), b)
