"""Image preprocessing and augmentation layers."""

from kiln.layers.preprocessing.image.random_brightness import RandomBrightness
from kiln.layers.preprocessing.image.random_contrast import RandomContrast
from kiln.layers.preprocessing.image.random_crop import RandomCrop
from kiln.layers.preprocessing.image.random_flip import RandomFlip
from kiln.layers.preprocessing.image.random_rotation import RandomRotation
from kiln.layers.preprocessing.image.random_translation import RandomTranslation
from kiln.layers.preprocessing.image.random_zoom import RandomZoom

__all__ = ["RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation",
           "RandomTranslation", "RandomZoom"]
