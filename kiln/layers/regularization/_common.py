"""Pieces the random regularization layers share: the rate check, the seed generator, the noise
shape, and ``BaseNoiseLayer`` (identity at inference, noise in training).

Example:
    >>> check_rate(0.5, "Dropout", "drop")
    0.5
    >>> resolve_noise_shape((None, 1, 4), (2, 3, 4))
    (2, 1, 4)
"""

from kiln import ops, random
from kiln.backend.common.scopes import name_scope
from kiln.layers.layer import Layer


def check_rate(rate, cls_name, layer_name, arg="rate"):
    """Return ``rate`` if it is a number in [0, 1], else raise ValueError naming the layer.

    Example:
        >>> check_rate(1, "GaussianDropout", "g")
        1
    """
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise ValueError(
            f"{cls_name} '{layer_name}': invalid value received for argument `{arg}`, expected a "
            f"float between 0 and 1; received {arg}={rate!r}"
        )
    return rate


def add_seed_generator(layer, seed):
    """Give ``layer`` its ``seed_generator``, created under the layer's scope so the state's
    path is ``<layer>/seed_generator/...``."""
    with name_scope(layer.name, caller=layer):
        layer.seed_generator = random.SeedGenerator(seed)


def resolve_noise_shape(noise_shape, input_shape):
    """``noise_shape`` with its None entries replaced by the input's sizes (None: the input shape)."""
    if noise_shape is None:
        return tuple(input_shape)
    return tuple(input_shape[i] if d is None else d for i, d in enumerate(noise_shape))


class BaseNoiseLayer(Layer):
    """A layer that is the identity at inference and perturbs its inputs in training.

    The constructor checks the noise amount (a number in [0, 1], stored under the name
    ``_AMOUNT``: ``rate`` or ``stddev``) and keeps ``seed``; a positive amount gets a seed
    generator. ``call`` runs :meth:`_apply_noise` only when ``training`` is true and the
    amount positive. The config holds the amount then ``seed``; masks pass through.

    Example:
        >>> import kiln
        >>> layer = kiln.layers.GaussianNoise(0.5, seed=0)
        >>> isinstance(layer, BaseNoiseLayer), layer.get_config()["stddev"]
        (True, 0.5)
    """

    _AMOUNT = "rate"

    def __init__(self, amount, seed=None, **kwargs):
        super().__init__(**kwargs)
        setattr(self, self._AMOUNT, check_rate(amount, type(self).__name__, self.name,
                                               arg=self._AMOUNT))
        self.seed = seed
        if amount > 0:
            add_seed_generator(self, seed)
        self.supports_masking = True
        self.built = True

    def _apply_noise(self, inputs):
        """The training-time output (the amount is positive here)."""
        raise NotImplementedError

    def call(self, inputs, training=False):
        if training and getattr(self, self._AMOUNT) > 0:
            return self._apply_noise(inputs)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({self._AMOUNT: getattr(self, self._AMOUNT), "seed": self.seed})
        return config


class BaseMaskNoiseLayer(BaseNoiseLayer):
    """A :class:`BaseNoiseLayer` whose per-element keep/drop pattern may be broadcast:
    ``noise_shape`` (None entries take the input's size) is stored and configured after ``seed``.

    Example:
        >>> import kiln
        >>> kiln.layers.Dropout(0.5, noise_shape=(None, 1)).get_config()["noise_shape"]
        [None, 1]
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self._noise_has_none = self.noise_shape is not None and None in self.noise_shape

    def _noise_shape_of(self, inputs):
        """The noise shape for ``inputs`` (None: the input's own shape)."""
        if self._noise_has_none:
            return resolve_noise_shape(self.noise_shape, ops.shape(inputs))
        return self.noise_shape

    def get_config(self):
        config = super().get_config()
        config["noise_shape"] = list(self.noise_shape) if self.noise_shape is not None else None
        return config
