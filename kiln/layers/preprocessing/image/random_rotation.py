"""``RandomRotation``: rotate images by a random angle while training.

Example:
    >>> import kiln, numpy as np
    >>> layer = kiln.layers.RandomRotation(0.1, seed=0)
    >>> tuple(layer(np.ones((2, 5, 5, 1), "float32")).shape)
    (2, 5, 5, 1)
"""

import math

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, BaseAffineLayer, parse_factor,
    rotation_transforms)


class RandomRotation(BaseAffineLayer):
    """Rotates each image by an angle drawn from ``factor * 2 pi`` (counter-clockwise positive).

    Args:
        factor: a float ``f`` (angles in ``[-f * 2pi, f * 2pi]``) or a pair
            ``(lower, upper)`` of fractions of a full turn.
        fill_mode: how points outside the input are filled: "reflect",
            "wrap", "constant" or "nearest".
        interpolation: "bilinear" or "nearest".
        seed: int or None.
        fill_value: the value outside the image when ``fill_mode="constant"``.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> import kiln, numpy as np
        >>> layer = kiln.layers.RandomRotation((0.5, 0.5), fill_mode="constant")
        >>> x = np.arange(4, dtype="float32").reshape(2, 2, 1)
        >>> kiln.ops.convert_to_numpy(layer(x)).ravel().round(4).tolist()  # a half turn
        [3.0, 2.0, 1.0, 0.0]
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, fill_value=fill_value,
                         data_format=data_format, seed=seed, **kwargs)
        owner = f"RandomRotation '{self.name}'"
        self.factor = factor
        self._factor = parse_factor(owner, "factor", factor, None)

    def _draw_transform(self, images, seed):
        batch = self._batch_size(images)
        low, high = (f * 2.0 * math.pi for f in self._factor)
        angles = self._uniform((batch,), low, high, seed=seed)
        height, width = self._hw(images)
        return rotation_transforms(self.backend, angles, height, width)

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return tuples_to_lists(config)
