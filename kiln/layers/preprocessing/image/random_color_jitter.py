"""``RandomColorJitter``: random brightness, contrast, saturation and hue, in that order.

Example:
    >>> import kiln, numpy as np
    >>> layer = kiln.layers.RandomColorJitter(brightness_factor=0.2, hue_factor=0.1, seed=0)
    >>> tuple(layer(np.ones((2, 4, 4, 3), "float32")).shape)
    (2, 4, 4, 3)
"""

from kiln.layers.preprocessing.image.base_image_preprocessing_layer import (
    tuples_to_lists, BaseImagePreprocessingLayer, check_value_range)
from kiln.layers.preprocessing.image.random_brightness import RandomBrightness
from kiln.layers.preprocessing.image.random_contrast import RandomContrast
from kiln.layers.preprocessing.image.random_hue import RandomHue
from kiln.layers.preprocessing.image.random_saturation import RandomSaturation


class RandomColorJitter(BaseImagePreprocessingLayer):
    """Chains :class:`RandomBrightness`, :class:`RandomContrast`, :class:`RandomSaturation`
    and :class:`RandomHue` for the factors that are given (None skips one).

    Args:
        value_range: (low, high) of the input values, passed to every step.
        brightness_factor, contrast_factor, saturation_factor, hue_factor:
            the ``factor`` of each step, or None.
        seed: int or None.
        data_format: "channels_last" or "channels_first".

    Example:
        >>> import kiln, numpy as np
        >>> x = np.full((1, 2, 2, 3), 100.0, "float32")
        >>> out = kiln.layers.RandomColorJitter(brightness_factor=(0.1, 0.1))(x)
        >>> float(kiln.ops.convert_to_numpy(out).mean())
        125.5
    """

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, seed=seed, **kwargs)
        self.value_range = check_value_range(f"RandomColorJitter '{self.name}'", value_range)
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        common = {"value_range": self.value_range, "seed": seed, "data_format": self.data_format}
        steps = []
        for cls, factor in ((RandomBrightness, brightness_factor), (RandomContrast, contrast_factor),
                            (RandomSaturation, saturation_factor), (RandomHue, hue_factor)):
            if factor is not None:
                steps.append(cls(factor=factor, **common))
        self._steps = steps
        for step in steps:
            self._track_value(step)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        return [step.get_random_transformation(data, training=training, seed=seed)
                for step in self._steps]

    def transform_images(self, images, transformation, training=True):
        if not training or transformation is None:
            return images
        for step, step_transformation in zip(self._steps, transformation):
            images = step.transform_images(images, step_transformation, training=training)
        return images

    def get_config(self):
        config = super().get_config()
        config.update({"value_range": self.value_range, "brightness_factor": self.brightness_factor,
                       "contrast_factor": self.contrast_factor,
                       "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor})
        return tuples_to_lists(config)
