"""``AugMix``: mix several chains of random augmentations with the original image.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.AugMix(seed=0)(np.ones((2, 8, 8, 3), "float32")).shape)
    (2, 8, 8, 3)
"""

from kiln.layers.preprocessing.image import _policy_ops
from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, INTERPOLATIONS, _is_number, check_choice, check_value_range,
    parse_factor)

_BASE_OPERATIONS = ("auto_contrast", "solarize", "posterize", "rotate", "shear_x", "shear_y",
                    "translate_x", "translate_y")
# Proposals per Gamma draw: Marsaglia-Tsang accepts each with probability > 0.95.
_GAMMA_PROPOSALS = 8


class AugMix(_policy_ops.PolicyLayer):
    """AugMix (Hendrycks et al., 2020): ``num_chains`` chains each apply ``chain_depth``
    operations drawn per image (auto contrast, solarization, posterization, rotation,
    shears, translations; with ``all_ops`` also brightness, colour, contrast and
    sharpness) at magnitude ``factor``; the chains are averaged with Dirichlet(``alpha``)
    weights and blended with the input by a Beta(``alpha``, ``alpha``) weight.

    Args:
        value_range: (low, high) of the input values.
        num_chains: a positive int.
        chain_depth: a positive int, or a pair ``(lower, upper)``: each image's chain
            depth is drawn in it.
        factor: the operations' magnitude in [0, 1] (a pair: its upper bound is used).
        alpha: the positive concentration of the Dirichlet and Beta draws.
        all_ops: include the colour operations.
        interpolation: "bilinear" or "nearest".
        seed: int or None.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> import kiln, numpy as np
        >>> x = np.random.default_rng(0).uniform(0, 255, (2, 8, 8, 3)).astype("float32")
        >>> out = kiln.ops.convert_to_numpy(kiln.layers.AugMix(seed=1)(x))
        >>> bool(out.min() >= 0 and out.max() <= 255)
        True
    """

    _GEOMETRIC = True

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1.0,
                 all_ops=True, interpolation="bilinear", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        owner = f"AugMix '{self.name}'"
        self.value_range = check_value_range(owner, value_range)
        if isinstance(num_chains, bool) or not isinstance(num_chains, int) or num_chains < 1:
            raise ValueError(f"{owner}: num_chains must be a positive int, received num_chains={num_chains!r}")
        self.num_chains = num_chains
        depth = tuple(chain_depth) if isinstance(chain_depth, (tuple, list)) else (chain_depth, chain_depth)
        if (len(depth) != 2 or any(isinstance(d, bool) or not isinstance(d, int) for d in depth)
                or not 1 <= depth[0] <= depth[1]):
            raise ValueError(f"{owner}: chain_depth must be a positive int or an increasing pair of "
                             f"positive ints, received chain_depth={chain_depth!r}")
        self.chain_depth = chain_depth
        self._depth = depth
        self.factor = factor
        self._factor = parse_factor(owner, "factor", factor, (0.0, 1.0), single="same")
        if not _is_number(alpha) or alpha <= 0:
            raise ValueError(f"{owner}: alpha must be a positive number, received alpha={alpha!r}")
        self.alpha = alpha
        self.all_ops = bool(all_ops)
        self.interpolation = check_choice(owner, "interpolation", interpolation, INTERPOLATIONS)
        self._magnitude = self._factor[1]
        names = list(_BASE_OPERATIONS) + (list(_policy_ops.COLOR) if self.all_ops else [])
        layer_names = [n for n in names if n not in ("auto_contrast", "solarize")]
        bank = dict(_policy_ops.policy_layers(self._magnitude, self.value_range, self.interpolation,
                                              seed, self.data_format, names=layer_names))
        self._operations = [(name, bank.get(name)) for name in names]
        self._op_layers = list(bank.values())
        for layer in self._op_layers:
            self._track_value(layer)

    def _gamma(self, shape, alpha, seed):
        """Gamma(alpha) draws: Marsaglia-Tsang on alpha + 1, scaled by U ** (1 / alpha)."""
        np_ = self.backend.numpy
        d = alpha + 1.0 - 1.0 / 3.0
        c = 1.0 / (9.0 * d) ** 0.5
        proposals = (_GAMMA_PROPOSALS,) + tuple(shape)
        z = self.backend.random.normal(proposals, seed=self._seed(seed))
        u = self._uniform(proposals, 0.0, 1.0, seed=seed)
        v = np_.power(np_.maximum(1.0 + c * z, 1e-6), 3.0)
        accept = np_.logical_and(1.0 + c * z > 0,
                                 np_.log(np_.maximum(u, 1e-12)) < 0.5 * z * z + d - d * v + d * np_.log(v))
        first = np_.argmax(self.backend.core.cast(accept, "int32"), axis=0)
        chosen = np_.take_along_axis(d * v, np_.expand_dims(first, 0), axis=0)[0]
        any_accepted = np_.any(accept, axis=0)
        draws = np_.where(any_accepted, chosen, d)
        boost = np_.power(self._uniform(tuple(shape), 1e-12, 1.0, seed=seed), 1.0 / alpha)
        return draws * boost

    def _random_transformation(self, images, seed):
        np_ = self.backend.numpy
        batch = self._batch_size(images)
        alpha = float(self.alpha)
        gammas = self._gamma((batch, self.num_chains), alpha, seed)
        chain_weights = gammas / np_.sum(gammas, axis=1, keepdims=True)
        pair = self._gamma((batch, 2), alpha, seed)
        mix_weight = pair[:, 0] / (pair[:, 0] + pair[:, 1])
        count = float(len(self._operations))
        max_depth = self._depth[1]
        choices = np_.minimum(np_.floor(self._uniform((self.num_chains, max_depth, batch), 0.0, count,
                                                      seed=seed)), count - 1)
        depth = np_.floor(self._uniform((self.num_chains, batch), float(self._depth[0]),
                                        float(self._depth[1]) + 1.0, seed=seed))
        return {"chain_weights": chain_weights, "mix_weight": mix_weight,
                "choices": self.backend.core.cast(choices, "int32"), "depth": depth}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        np_ = self.backend.numpy
        x = self.backend.core.cast(images, "float32")
        mixed = None
        for chain in range(self.num_chains):
            y = x
            for step in range(self._depth[1]):
                stepped = _policy_ops.apply_choice(
                    self, self._operations, transformation["choices"][chain, step], y,
                    self._magnitude, self.value_range, self.interpolation, training)
                active = np_.less(float(step), transformation["depth"][chain])
                y = np_.where(self._per_image(active, y), stepped, y)
            weighted = y * self._per_image(transformation["chain_weights"][:, chain], x)
            mixed = weighted if mixed is None else mixed + weighted
        m = self._per_image(transformation["mix_weight"], x)
        out = self._clip(m * x + (1.0 - m) * mixed, self.value_range)
        return self.backend.core.cast(out, images.dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_chains": self.num_chains,
                       "chain_depth": self.chain_depth, "factor": self.factor, "alpha": self.alpha,
                       "all_ops": self.all_ops, "interpolation": self.interpolation})
        return tuples_to_lists(config)
