"""Pieces the random regularization layers share: the rate check, the seed generator, the noise shape.

Example:
    >>> check_rate(0.5, "Dropout", "drop")
    0.5
    >>> resolve_noise_shape((None, 1, 4), (2, 3, 4))
    (2, 1, 4)
"""

from kiln import random
from kiln.backend.common.scopes import name_scope


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
