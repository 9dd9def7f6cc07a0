"""Image layers driven by statistics or mixing: AutoContrast, Equalization, Solarization, CLAHE, MixUp, CutMix, MaxNumBoundingBoxes."""

from kiln.layers.preprocessing.image_stats.auto_contrast import AutoContrast
from kiln.layers.preprocessing.image_stats.equalization import Equalization
from kiln.layers.preprocessing.image_stats.solarization import Solarization

__all__ = ["AutoContrast", "Equalization", "Solarization"]
