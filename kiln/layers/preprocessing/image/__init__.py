"""Image preprocessing and augmentation layers."""

from kiln.layers.preprocessing.image.aug_mix import AugMix
from kiln.layers.preprocessing.image.rand_augment import RandAugment
from kiln.layers.preprocessing.image.random_brightness import RandomBrightness
from kiln.layers.preprocessing.image.random_color_degeneration import RandomColorDegeneration
from kiln.layers.preprocessing.image.random_color_jitter import RandomColorJitter
from kiln.layers.preprocessing.image.random_contrast import RandomContrast
from kiln.layers.preprocessing.image.random_crop import RandomCrop
from kiln.layers.preprocessing.image.random_elastic_transform import RandomElasticTransform
from kiln.layers.preprocessing.image.random_erasing import RandomErasing
from kiln.layers.preprocessing.image.random_flip import RandomFlip
from kiln.layers.preprocessing.image.random_gaussian_blur import RandomGaussianBlur
from kiln.layers.preprocessing.image.random_grayscale import RandomGrayscale
from kiln.layers.preprocessing.image.random_hue import RandomHue
from kiln.layers.preprocessing.image.random_invert import RandomInvert
from kiln.layers.preprocessing.image.random_perspective import RandomPerspective
from kiln.layers.preprocessing.image.random_posterization import RandomPosterization
from kiln.layers.preprocessing.image.random_rotation import RandomRotation
from kiln.layers.preprocessing.image.random_saturation import RandomSaturation
from kiln.layers.preprocessing.image.random_sharpness import RandomSharpness
from kiln.layers.preprocessing.image.random_shear import RandomShear
from kiln.layers.preprocessing.image.random_translation import RandomTranslation
from kiln.layers.preprocessing.image.random_zoom import RandomZoom

__all__ = [
    "AugMix", "RandAugment",
    "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter", "RandomContrast",
    "RandomCrop", "RandomElasticTransform", "RandomErasing", "RandomFlip", "RandomGaussianBlur",
    "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPerspective", "RandomPosterization",
    "RandomRotation", "RandomSaturation", "RandomSharpness", "RandomShear", "RandomTranslation",
    "RandomZoom",
]
