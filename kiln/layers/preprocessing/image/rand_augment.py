"""``RandAugment``: apply ``num_ops`` randomly chosen augmentations of one magnitude.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandAugment(seed=0)(np.ones((2, 8, 8, 3), "float32")).shape)
    (2, 8, 8, 3)
"""

from kiln.layers.preprocessing.image import _policy_ops
from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, INTERPOLATIONS, check_choice, check_value_range, parse_factor)

# Parameter-free operations next to the layer-backed ones.
_FUNCTIONS = ("identity", "auto_contrast", "solarize")


class RandAugment(_policy_ops.PolicyLayer):
    """RandAugment (Cubuk et al., 2019): ``num_ops`` times, every image goes through one
    operation drawn uniformly (per image) from identity, auto contrast, solarization,
    shear x/y, translation x/y, rotation, brightness, colour, contrast, sharpness and
    posterization, all at the magnitude drawn from ``factor``.

    Args:
        value_range: (low, high) of the input values.
        num_ops: how many operations each image goes through.
        factor: the magnitude in [0, 1] (a float, or a pair to draw it from per call).
        interpolation: "bilinear" or "nearest", for the geometric operations.
        seed: int or None.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> import kiln, numpy as np
        >>> x = np.random.default_rng(0).uniform(0, 255, (1, 8, 8, 3)).astype("float32")
        >>> out = kiln.ops.convert_to_numpy(kiln.layers.RandAugment(num_ops=3, seed=1)(x))
        >>> bool(out.min() >= 0 and out.max() <= 255)
        True
    """

    _GEOMETRIC = True

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear",
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        owner = f"RandAugment '{self.name}'"
        self.value_range = check_value_range(owner, value_range)
        if isinstance(num_ops, bool) or not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(f"{owner}: num_ops must be a non-negative int, received num_ops={num_ops!r}")
        self.num_ops = num_ops
        self.factor = factor
        self._factor = parse_factor(owner, "factor", factor, (0.0, 1.0), single="same")
        self.interpolation = check_choice(owner, "interpolation", interpolation, INTERPOLATIONS)
        # One magnitude for the layer-backed operations: the upper bound of the factor range.
        self._magnitude = self._factor[1]
        bank = _policy_ops.policy_layers(self._magnitude, self.value_range, self.interpolation, seed,
                                         self.data_format)
        self._operations = [(name, None) for name in _FUNCTIONS] + bank
        self._op_layers = [layer for _, layer in bank]
        for layer in self._op_layers:
            self._track_value(layer)

    def _random_transformation(self, images, seed):
        batch = self._batch_size(images)
        count = float(len(self._operations))
        np_ = self.backend.numpy
        choices = [np_.minimum(np_.floor(self._uniform((batch,), 0.0, count, seed=seed)), count - 1)
                   for _ in range(self.num_ops)]
        return {"choices": [self.backend.core.cast(c, "int32") for c in choices]}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        x = self.backend.core.cast(images, "float32")
        for choice in transformation["choices"]:
            x = _policy_ops.apply_choice(self, self._operations, choice, x, self._magnitude,
                                         self.value_range, self.interpolation, training)
        x = self._clip(x, self.value_range)
        return self.backend.core.cast(x, images.dtype)

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "num_ops": self.num_ops,
                       "factor": self.factor, "interpolation": self.interpolation})
        return tuples_to_lists(config)
