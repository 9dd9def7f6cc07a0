"""``RandomFlip``: flip images left-right and/or top-bottom at random while training.

Example:
    >>> import kiln, numpy as np
    >>> layer = kiln.layers.RandomFlip("vertical", seed=0)
    >>> tuple(layer(np.zeros((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, BaseImagePreprocessingLayer, check_choice)

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


class RandomFlip(BaseImagePreprocessingLayer):
    """Randomly flips each image horizontally and/or vertically (probability 1/2) during training.

    With ``"horizontal_and_vertical"`` one draw per image decides both flips.
    ``training=False`` returns the input unchanged.

    Args:
        mode: "horizontal", "vertical" or "horizontal_and_vertical".
        seed: int or None, for reproducible draws.
        data_format: "channels_last" or "channels_first" (None: global setting).

    Example:
        >>> import kiln, numpy as np
        >>> x = np.arange(3, dtype="float32").reshape(1, 3, 1)
        >>> out = kiln.layers.RandomFlip("horizontal", seed=3)(x, training=False)
        >>> kiln.ops.convert_to_numpy(out).ravel().tolist()
        [0.0, 1.0, 2.0]
    """

    _GEOMETRIC = True

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.mode = check_choice(f"RandomFlip '{self.name}'", "mode", mode,
                                 (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL))

    def _random_transformation(self, images, seed):
        batch = self._batch_size(images)
        draws = self._uniform((batch,), 0.0, 1.0, seed=seed)
        return {"flips": self.backend.numpy.less_equal(draws, 0.5)}

    def _flip(self, images, transformation):
        if transformation is None:
            return images
        np_ = self.backend.numpy
        flips = self._per_image(transformation["flips"], images)
        h_axis, w_axis, _ = self._axes(images)
        out = images
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            out = np_.where(flips, np_.flip(out, axis=w_axis), out)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            out = np_.where(flips, np_.flip(out, axis=h_axis), out)
        return out

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        return self._flip(images, transformation)

    def transform_segmentation_masks(self, segmentation_masks, transformation, training=True):
        if not training:
            return segmentation_masks
        return self._flip(segmentation_masks, transformation)

    def get_config(self):
        config = super().get_config()
        config["mode"] = self.mode
        return tuples_to_lists(config)
