"""``RandomElasticTransform``: displace pixels along smooth random fields.

Example:
    >>> import kiln, numpy as np
    >>> tuple(kiln.layers.RandomElasticTransform(seed=0)(np.ones((2, 8, 8, 1), "float32")).shape)
    (2, 8, 8, 1)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    FILL_MODES, INTERPOLATIONS, BaseFactorLayer, check_choice, check_fill_value, parse_factor,
    tuples_to_lists)


class RandomElasticTransform(BaseFactorLayer):
    """With probability ``p`` (drawn from ``factor``) per image, warps it by
    ``kiln.ops.image.elastic_transform``.

    The displacement fields are uniform noise smoothed by a Gaussian of
    ``sigma = 0.15 * min(height, width)`` and scaled by ``alpha = s * 1.2 *
    min(height, width)``, ``s`` drawn per call from ``scale``; results are
    clipped to ``value_range``.

    Args:
        factor: a float in [0, 1] (``p`` in ``[0, factor]``) or a pair inside [0, 1].
        scale: a float ``>= 0`` (``s`` in ``[0, scale]``) or a pair.
        interpolation: "bilinear" or "nearest".
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        fill_value: the value outside the image for "constant".
        value_range: (low, high) of the input values.
        seed: int or None.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> import kiln, numpy as np
        >>> x = np.full((1, 8, 8, 1), 7.0, "float32")
        >>> out = kiln.layers.RandomElasticTransform(seed=1)(x)  # a flat image stays flat
        >>> bool(np.allclose(kiln.ops.convert_to_numpy(out), 7.0))
        True
    """

    _GEOMETRIC = True

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(factor, value_range=value_range, data_format=data_format, seed=seed,
                         **kwargs)
        owner = f"RandomElasticTransform '{self.name}'"
        self.scale = scale
        self._scale = parse_factor(owner, "scale", scale, (0.0, float("inf")), single="from_zero")
        self.interpolation = check_choice(owner, "interpolation", interpolation, INTERPOLATIONS)
        self.fill_mode = check_choice(owner, "fill_mode", fill_mode, FILL_MODES)
        self.fill_value = check_fill_value(owner, fill_value)

    def _random_transformation(self, images, seed):
        should_apply = self._draw_should_apply(images, seed)
        scale = self._uniform((), self._scale[0], self._scale[1], seed=seed)
        return {"should_apply": should_apply, "scale": scale}

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        h_axis, w_axis, _ = self._axes(images)
        size = min(images.shape[h_axis], images.shape[w_axis])
        if size is None:
            raise ValueError(f"RandomElasticTransform '{self.name}': image height and width must be "
                             f"known, received shape {tuple(images.shape)}")
        batched, unbatch = self._batched(self.backend.core.cast(images, "float32"))
        warped = self._elastic(batched, transformation["scale"] * (1.2 * size), 0.15 * size)
        warped = self._clip(warped, self.value_range)
        apply = self._per_image(transformation["should_apply"], batched)
        out = self.backend.numpy.where(apply, warped, batched)
        return self.backend.core.cast(unbatch(out), images.dtype)

    def _elastic(self, images, alpha, sigma):
        return self.backend.image.elastic_transform(
            images, alpha=alpha, sigma=sigma, interpolation=self.interpolation,
            fill_mode=self.fill_mode, fill_value=self.fill_value, seed=self.generator,
            data_format=self.data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "interpolation": self.interpolation,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value})
        return tuples_to_lists(config)
